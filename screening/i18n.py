"""Translations of the strings the program itself shows (core: pure).

Questionnaire text is translated in the questionnaire file; this module holds the program's own
words: labels, prompts, headings and the sentences of a referral's rationale. Every message has
every language of :data:`LANGUAGES` (a test checks it). Modules add their messages with
:func:`register`, each under its own key prefix.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("en", "ar")
"""Languages the program's own strings are written in; English is the fallback."""

RTL_LANGUAGES = frozenset({"ar", "ur", "fa", "he", "ps", "dv", "ckb", "sd", "ug", "yi"})

_CATALOG: dict[str, dict[str, str]] = {}


def register(messages: Mapping[str, Mapping[str, str]]) -> None:
    """Add messages to the catalog (``{key: {language: text}}``); keys must be new."""
    for key, texts in messages.items():
        if key in _CATALOG and _CATALOG[key] != dict(texts):
            raise ValueError(f"message {key!r} registered twice with different texts")
        _CATALOG[key] = dict(texts)


def catalog() -> dict[str, dict[str, str]]:
    """Every registered message (a copy)."""
    return {key: dict(texts) for key, texts in _CATALOG.items()}


def t(key: str, language: str, /, **values: object) -> str:
    """The message ``key`` in ``language`` (English when missing), formatted with ``values``."""
    texts = _CATALOG[key]
    template = texts.get(language) or texts["en"]
    return template.format(**values) if values else template


def ui_language(code: str | None) -> str:
    """The program language to use for ``code``: itself when translated, else English."""
    if code and code in LANGUAGES:
        return code
    if code and code.split("-")[0] in LANGUAGES:
        return code.split("-")[0]
    return "en"


register(
    {
        "answer.dont_know": {"en": "Don't know", "ar": "لا أعرف"},
        "strength.strong": {"en": "strong", "ar": "قوي"},
        "strength.medium": {"en": "medium", "ar": "متوسط"},
        "strength.weak": {"en": "weak", "ar": "ضعيف"},
        "answer.declined": {"en": "Declined to answer", "ar": "رفض الإجابة"},
        "answer.yes": {"en": "Yes", "ar": "نعم"},
        "answer.no": {"en": "No", "ar": "لا"},
        "rationale.outcome": {
            "en": "Outcome: {title}.",
            "ar": "النتيجة: {title}.",
        },
        "rationale.dimension_positive": {
            "en": "{dimension} is positive ({strong} strong, {medium} medium, {weak} weak indicator(s)).",
            "ar": "بُعد «{dimension}» إيجابي ({strong} قوي، {medium} متوسط، {weak} ضعيف).",
        },
        "rationale.no_dimension": {
            "en": "No dimension reaches the ILO combination rule.",
            "ar": "لم يبلغ أي بُعد قاعدة التركيب الخاصة بمنظمة العمل الدولية.",
        },
        "rationale.indicators": {
            "en": "{count} indicator(s) observed.",
            "ar": "عدد المؤشرات المرصودة: {count}.",
        },
        "rationale.no_indicators": {
            "en": "No indicator observed.",
            "ar": "لم يُرصد أي مؤشر.",
        },
        "rationale.urgent": {
            "en": "Urgent: {title}.",
            "ar": "عاجل: {title}.",
        },
        "rationale.child": {
            "en": "Treated as a child (under 18, or the officer says the person may be under 18): "
            "the means element is not required, and referral does not wait for consent.",
            "ar": "يُعامل الشخص كطفل (دون 18 عامًا، أو يرى الموظف أنه قد يكون دون 18): لا يُشترط "
            "عنصر الوسائل، ولا تتوقف الإحالة على الموافقة.",
        },
        "rationale.incomplete": {
            "en": 'The screening is incomplete: {unanswered} unanswered, {dont_know} "don\'t know", '
            "{declined} declined; the outcome may understate the situation.",
            "ar": "الفحص غير مكتمل: {unanswered} بلا إجابة، و{dont_know} «لا أعرف»، و{declined} "
            "رفض الإجابة؛ وقد تقلّل النتيجة من خطورة الوضع.",
        },
        "rationale.checklist": {
            "en": "{count} indicator(s) were ticked directly by the officer (checklist).",
            "ar": "حدّد الموظف {count} مؤشرًا مباشرةً (قائمة التحقق).",
        },
        "rationale.redacted": {
            "en": "Personal data was removed from this document ({count} answer(s), {notes} note(s)).",
            "ar": "حُذفت البيانات الشخصية من هذه الوثيقة (عدد الإجابات: {count}، وعدد الملاحظات: {notes}).",
        },
    }
)
