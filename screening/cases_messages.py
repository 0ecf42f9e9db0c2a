"""The words of the ``screening cases`` commands, in every program language (core: pure).

Headings, labels, questions and messages of ``cases list|show|export|delete|verify|purge``
and the warnings of :mod:`screening.casefile`. Ids, paths, statuses and JSON stay as they are.
Errors (:class:`~screening.errors.ScreeningError`) are not here: they stay English.

In the Arabic texts, a file path that follows an opening bracket is put between
left-to-right marks (U+200E), so that its leading "/" stays at its start inside
right-to-left text.
"""

from __future__ import annotations

from typing import Final

from screening.i18n import register, t

__all__ = ["UNITS", "count_unit"]

UNITS: Final = ("hour", "day", "year")
"""The units of a period in words (see :func:`count_unit`)."""

register(
    {
        # -- shared ---------------------------------------------------------------------------
        "cases.warning": {"en": "warning", "ar": "تحذير"},
        "cases.none": {"en": "none", "ar": "لا يوجد"},
        # -- list -----------------------------------------------------------------------------
        "cases.list.empty": {
            "en": "no cases in the store",
            "ar": "لا توجد حالات في المخزن",
        },
        "cases.list.empty_status": {
            "en": "no cases with status {status} in the store",
            "ar": "لا توجد في المخزن حالات وضعها {status}",
        },
        "cases.col.id": {"en": "id", "ar": "المعرّف"},
        "cases.col.status": {"en": "status", "ar": "الوضع"},
        "cases.col.created": {"en": "created", "ar": "الإنشاء"},
        "cases.col.updated": {"en": "updated", "ar": "آخر تحديث"},
        "cases.col.answers": {"en": "answers", "ar": "الإجابات"},
        "cases.col.officer": {"en": "officer", "ar": "الموظف"},
        "cases.col.questionnaire": {"en": "questionnaire", "ar": "الاستبيان"},
        "cases.list.record": {
            "en": "{status}  {answers} answer(s)",
            "ar": "{status}  عدد الإجابات: {answers}",
        },
        "cases.list.record_details": {
            "en": "updated {updated}; created {created}; officer {officer}; {questionnaire}",
            "ar": "آخر تحديث {updated}؛ أُنشئت {created}؛ الموظف {officer}؛ {questionnaire}",
        },
        # -- show -----------------------------------------------------------------------------
        "cases.show.title": {
            "en": "Case {case_id}  ({status})",
            "ar": "الحالة {case_id}  ({status})",
        },
        "cases.show.questionnaire": {"en": "questionnaire", "ar": "الاستبيان"},
        "cases.show.language": {"en": "language", "ar": "اللغة"},
        "cases.show.officer": {"en": "officer", "ar": "الموظف"},
        "cases.show.created": {"en": "created", "ar": "أُنشئت"},
        "cases.show.updated": {"en": "updated", "ar": "آخر تحديث"},
        "cases.show.completed": {"en": "completed", "ar": "اكتملت"},
        "cases.show.exported": {"en": "exported", "ar": "صُدّرت"},
        "cases.show.languages": {
            "en": "{language} (officer: {ui_language})",
            "ar": "{language} (لغة الموظف: {ui_language})",
        },
        "cases.show.changed": {
            "en": "(the file has changed since: see the warning)",
            "ar": "(تغيّر الملف منذ ذلك الحين: انظر التحذير)",
        },
        "cases.show.answers": {"en": "Answers ({count})", "ar": "الإجابات ({count})"},
        "cases.show.no_answers": {"en": "none yet", "ar": "لا إجابات بعد"},
        "cases.show.pii": {"en": "[pii]", "ar": "[بيانات شخصية]"},
        "cases.show.unfit": {"en": "(no longer fits)", "ar": "(لم تعد تناسب الاستبيان)"},
        "cases.show.not_applicable": {"en": "(does not apply)", "ar": "(لا تنطبق)"},
        "cases.show.notes": {"en": "Notes", "ar": "الملاحظات"},
        "cases.show.flags": {
            "en": "Acknowledged flags",
            "ar": "تنبيهات أُكِّد الاطلاع عليها",
        },
        "cases.show.metadata": {"en": "Metadata", "ar": "البيانات الوصفية"},
        "cases.show.outcome": {
            "en": "Live outcome of the current answers",
            "ar": "النتيجة الآنية للإجابات الحالية",
        },
        # -- warnings of casefile ---------------------------------------------------------------
        "cases.warn.changed": {
            "en": "the questionnaire '{questionnaire}' ({path}) has changed since case {case_id} "
            "was started ({version}; sha256 {old}…, now {new}…): the outcome is computed with "
            "the file as it is now",
            "ar": "تغيّر الاستبيان «{questionnaire}» (\u200e{path}\u200e) منذ بدء الحالة "
            "{case_id} ({version}؛ sha256 {old}…\u200e، والآن {new}…\u200e): تُحسب النتيجة "
            "بالملف كما هو الآن",
        },
        "cases.warn.version": {"en": "version {version}", "ar": "الإصدار {version}"},
        "cases.warn.version_changed": {
            "en": "version {old}, now {new}",
            "ar": "الإصدار {old}، والآن {new}",
        },
        "cases.warn.unfit": {
            "en": "{count} answer(s) of case {case_id} no longer fit the questionnaire and are "
            "left out of the outcome: {ids}",
            "ar": "{count} من إجابات الحالة {case_id} لم تعد تناسب الاستبيان، فاستُبعدت من "
            "النتيجة: {ids}",
        },
        # -- export ---------------------------------------------------------------------------
        "cases.export.wrote": {
            "en": "wrote the referral of case {case_id} to {path}",
            "ar": "كُتبت إحالة الحالة {case_id} في {path}",
        },
        "cases.export.wrote_redacted": {
            "en": "wrote the referral (redacted) of case {case_id} to {path}",
            "ar": "كُتبت إحالة الحالة {case_id} (دون البيانات الشخصية) في {path}",
        },
        "cases.export.wrote_draft": {
            "en": "wrote the draft referral of case {case_id} to {path}",
            "ar": "كُتبت مسودة إحالة الحالة {case_id} في {path}",
        },
        "cases.export.wrote_draft_redacted": {
            "en": "wrote the draft referral (redacted) of case {case_id} to {path}",
            "ar": "كُتبت مسودة إحالة الحالة {case_id} (دون البيانات الشخصية) في {path}",
        },
        "cases.export.draft": {
            "en": "case {case_id} is a draft: this referral is not final",
            "ar": "الحالة {case_id} مسودة: هذه الإحالة ليست نهائية",
        },
        # -- delete ---------------------------------------------------------------------------
        "cases.delete.confirm": {
            "en": "Delete case {case_id} ({status}, {answers} answer(s), created {created})? "
            "This cannot be undone",
            "ar": "هل تحذف الحالة {case_id} ({status}، عدد الإجابات: {answers}، أُنشئت "
            "{created})؟ لا يمكن التراجع عن الحذف",
        },
        "cases.delete.kept": {
            "en": "case {case_id} was not deleted",
            "ar": "لم تُحذف الحالة {case_id}",
        },
        "cases.delete.done": {"en": "deleted case {case_id}", "ar": "حُذفت الحالة {case_id}"},
        "cases.delete.referral": {
            "en": "removed the referral file of case {case_id} from the store's folder: {path}",
            "ar": "حُذف ملف إحالة الحالة {case_id} من مجلد المخزن: {path}",
        },
        "cases.delete.elsewhere": {
            "en": "the referral of case {case_id} written with --out was not removed; delete "
            "it yourself if it must go: {path}",
            "ar": "لم يُحذف ملف إحالة الحالة {case_id} المكتوب بالخيار --out؛ احذفه بنفسك إن "
            "لزم: {path}",
        },
        # -- verify ---------------------------------------------------------------------------
        "cases.verify.intact": {
            "en": "audit log intact: {events} event(s), head {head}",
            "ar": "سجل التدقيق سليم: عدد الأحداث {events}، وبصمة آخر حدث {head}",
        },
        # -- purge ----------------------------------------------------------------------------
        "cases.purge.nothing": {
            "en": "no case was last updated more than {period} ago; nothing to purge",
            "ar": "لا توجد حالة مضى على آخر تحديث لها أكثر من {period}؛ لا شيء للحذف",
        },
        "cases.purge.doomed": {
            "en": "{count} case(s) not updated for {period}:",
            "ar": "حالات لم تُحدَّث منذ {period} (عددها {count}):",
        },
        "cases.purge.line": {
            "en": "{case_id}  {status}  updated {updated}  {answers} answer(s)",
            "ar": "{case_id}  {status}  آخر تحديث {updated}  عدد الإجابات: {answers}",
        },
        "cases.purge.confirm": {
            "en": "Delete these {count} case(s)? This cannot be undone",
            "ar": "هل تحذف هذه الحالات ({count})؟ لا يمكن التراجع عن الحذف",
        },
        "cases.purge.kept": {"en": "nothing was deleted", "ar": "لم يُحذف شيء"},
        "cases.purge.done": {
            "en": "deleted {count} case(s)",
            "ar": "عدد الحالات المحذوفة: {count}",
        },
        "cases.purge.referrals": {
            "en": "removed {count} referral file(s) of the deleted cases from the store's "
            "folder: {path}",
            "ar": "حُذفت ملفات إحالة الحالات المحذوفة (عددها {count}) من مجلد المخزن: {path}",
        },
        "cases.purge.changed": {
            "en": "the cases changed while you confirmed: the ids printed are the ones deleted",
            "ar": "تغيّرت الحالات أثناء التأكيد: المعرّفات المطبوعة هي التي حُذفت فعلًا",
        },
        # -- periods, as after "for" / "more than" (Arabic: genitive after منذ and من) --------
        # The categories are Arabic's (CLDR): one, two, few (3-10), many (11-99) and other,
        # by the last two digits; English reads right in each of them.
        "cases.hour.one": {"en": "1 hour", "ar": "ساعة واحدة"},
        "cases.hour.two": {"en": "2 hours", "ar": "ساعتين"},
        "cases.hour.few": {"en": "{count} hours", "ar": "{count} ساعات"},
        "cases.hour.many": {"en": "{count} hours", "ar": "{count} ساعة"},
        "cases.hour.other": {"en": "{count} hours", "ar": "{count} ساعة"},
        "cases.day.one": {"en": "1 day", "ar": "يوم واحد"},
        "cases.day.two": {"en": "2 days", "ar": "يومين"},
        "cases.day.few": {"en": "{count} days", "ar": "{count} أيام"},
        "cases.day.many": {"en": "{count} days", "ar": "{count} يومًا"},
        "cases.day.other": {"en": "{count} days", "ar": "{count} يوم"},
        "cases.year.one": {"en": "1 year", "ar": "سنة واحدة"},
        "cases.year.two": {"en": "2 years", "ar": "سنتين"},
        "cases.year.few": {"en": "{count} years", "ar": "{count} سنوات"},
        "cases.year.many": {"en": "{count} years", "ar": "{count} سنة"},
        "cases.year.other": {"en": "{count} years", "ar": "{count} سنة"},
    }
)


def _category(count: int) -> str:
    """Arabic's plural category of a whole number (CLDR), zero counted as ``other``."""
    if count == 1:
        return "one"
    if count == 2:
        return "two"
    rest = count % 100
    if 3 <= rest <= 10:
        return "few"
    if 11 <= rest <= 99:
        return "many"
    return "other"


def count_unit(count: int, unit: str, language: str) -> str:
    """A number of hours, days or years in words: ``90 days``, ``90 يومًا``, ``يومين``.

    Args:
        count: How many, at least 0.
        unit: One of :data:`UNITS`.
        language: A program language (see :func:`screening.i18n.ui_language`).
    """
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}")
    return t(f"cases.{unit}.{_category(count)}", language, count=count)
