"""From an answer set to its assessment and referral: the one path every referral takes.

Every referral the program writes is built here (:func:`build`) and redacted here
(:func:`redact`): `screening score` for every record of every answers file
(:func:`score_one`, in input order with :class:`Batch`), the interview when it is finished, and `screening cases export` for a
draft (a stored referral is only redacted). The tests and the case store's checks run it too,
so that what is exported is what was scored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from screening.answers import AnswerSet, InvalidRecord, check_answer_set, not_applicable_problem
from screening.document import ExportContext, redact_document, referral_document
from screening.plans import LoadedPlan
from screening.scoring import Assessment, PlanScore, assessment_of, score

if TYPE_CHECKING:
    from screening.questionnaires import LoadedQuestionnaire
    from screening.referral import Referral

__all__ = ["Batch", "build", "redact", "score_document", "score_one"]


def build(assessment: Assessment, context: ExportContext, *, draft: bool = False) -> Referral:
    """The referral of an assessment, validated by its model.

    Args:
        assessment: What was scored.
        context: Case id, language, officer, the questionnaire file's hash, notes, clock, ids;
            ``context.redact`` leaves out every answer marked pii and every note
            (:func:`redact`).
        draft: The interview was not finished: the rationale ends by saying so (before the
            sentence that reports a redaction).

    Returns:
        The referral.
    """
    from screening.i18n import t, ui_language
    from screening.referral import Referral, build_referral

    referral = build_referral(assessment, context.replace(redact=False))
    if draft:
        document = referral.model_dump()
        sentence = t("casefile.draft", ui_language(referral.language))
        document["recommendation"]["rationale"] = [*referral.recommendation.rationale, sentence]
        referral = Referral.model_validate(document)
    return redact(referral) if context.redact else referral


def redact(referral: Referral, language: str | None = None) -> Referral:
    """A referral without the answers marked pii and without notes, saying so in its rationale
    (in ``language``, else the referral's own); redacting it again changes nothing."""
    from screening.referral import redact_referral

    return redact_referral(referral, language or referral.language)


def score_one(
    answer_set: AnswerSet,
    loaded: LoadedQuestionnaire,
    *,
    redact: bool = False,
    language: str | None = None,
) -> tuple[Assessment, Referral]:
    """Check, score and build the referral of one answer set.

    Raises:
        InvalidRecord: the answers do not fit the questionnaire.
    """
    scored, context = _scored(answer_set, loaded, redact=redact, language=language)
    assessment = assessment_of(loaded.questionnaire, scored)
    return assessment, build(assessment, context)


def score_document(
    answer_set: AnswerSet, loaded: LoadedPlan | LoadedQuestionnaire, *, language: str | None = None
) -> tuple[PlanScore, dict[str, Any]]:
    """Check and score one answer set against a questionnaire's plan, and lay out its referral
    as plain data (what :func:`score_one` builds and validates, without the models; see
    :func:`screening.document.dumps`). Nothing is redacted.

    Raises:
        InvalidRecord: the answers do not fit the questionnaire.
    """
    scored, context = _scored(answer_set, loaded, redact=False, language=language)
    return scored, referral_document(scored, context)


def _scored(
    answer_set: AnswerSet,
    loaded: LoadedPlan | LoadedQuestionnaire,
    *,
    redact: bool,
    language: str | None,
) -> tuple[PlanScore, ExportContext]:
    plan = loaded.plan
    checked = check_answer_set(plan, answer_set, applicability=False)
    scored = score(plan, checked.answers, checked.indicators)
    if scored.not_applicable:
        raise InvalidRecord([not_applicable_problem(qid) for qid in scored.not_applicable])
    context = ExportContext(
        case_id=checked.case_id,
        language=language or checked.language,
        officer=checked.officer,
        sha256=loaded.sha256,
        redact=redact,
        notes=checked.notes,
    )
    return scored, context


class Batch:
    """Answer sets scored one by one, in input order, each against the questionnaire it names
    (loaded once); a set that cannot be scored is counted and reported, never stopping the
    others (`screening score`).

    Args:
        default: The questionnaire of a set that names none (``--questionnaire``, else the
            default one): loaded whole (:meth:`score`), or only its plan (:meth:`documents`).
        given: The ``--questionnaire`` text as given, when it was.
        redact: Leave out every answer marked pii and every note.
        language: The language of the referrals' texts (else each set's own).
        on_invalid: Told each set that cannot be scored: its label and its problems.
    """

    def __init__(
        self,
        default: LoadedQuestionnaire | LoadedPlan,
        *,
        given: str | None,
        redact: bool,
        language: str | None,
        on_invalid: Callable[[str, Sequence[str]], None],
    ) -> None:
        self.default = default
        self.given = given
        self.redact = redact
        self.language = language
        self.on_invalid = on_invalid
        self.failures = 0
        """Sets that could not be scored so far."""
        self._loaded: dict[str, LoadedQuestionnaire | LoadedPlan] = {default.plan.id: default}

    def score(
        self, items: Iterable[AnswerSet | InvalidRecord]
    ) -> Iterator[tuple[str, Assessment, Referral]]:
        """Every answer set's label, assessment and referral, in input order (the default
        questionnaire loaded whole)."""

        def run(item: AnswerSet, loaded: LoadedQuestionnaire | LoadedPlan) -> tuple[Any, Any]:
            if isinstance(loaded, LoadedPlan):
                raise TypeError("Batch.score needs the questionnaire loaded whole")
            return score_one(item, loaded, redact=self.redact, language=self.language)

        return self._each(items, run)

    def documents(
        self, items: Iterable[AnswerSet | InvalidRecord]
    ) -> Iterator[tuple[str, PlanScore, dict[str, Any]]]:
        """Every answer set's label, scoring result and referral document (see
        :func:`score_document`; redacted as :meth:`score` redacts), in input order."""

        def run(item: AnswerSet, loaded: LoadedQuestionnaire | LoadedPlan) -> tuple[Any, Any]:
            scored, document = score_document(item, loaded, language=self.language)
            if self.redact:
                document = redact_document(document, document["language"])
            return scored, document

        return self._each(items, run)

    def _each(
        self,
        items: Iterable[AnswerSet | InvalidRecord],
        run: Callable[[AnswerSet, LoadedQuestionnaire | LoadedPlan], tuple[Any, Any]],
    ) -> Iterator[tuple[str, Any, Any]]:
        """Each set's label and what ``run`` makes of it against its questionnaire; a set that
        cannot be scored is counted and reported, and the next one is scored."""
        for item in items:
            label = getattr(item, "label", "")
            try:
                if isinstance(item, InvalidRecord):
                    raise item
                first, second = run(item, self.questionnaire_of(item))
            except InvalidRecord as bad:
                self._failed(label, bad)
                continue
            yield label, first, second

    def _failed(self, label: str, bad: InvalidRecord) -> None:
        self.failures += 1
        self.on_invalid(label, [str(problem) for problem in bad.problems])

    def questionnaire_of(self, item: AnswerSet) -> LoadedQuestionnaire | LoadedPlan:
        """The questionnaire an answer set names (loaded once), or the default one.

        A record may name a bundled questionnaire by id, or the questionnaire given with
        ``--questionnaire`` (by its id, or by the very text given on the command line). It
        never names a file: that would let an answers file read any file the user can.

        Raises:
            InvalidRecord: the set names another questionnaire than ``--questionnaire``, a
                file, or an id that is not bundled.
        """
        ident = item.questionnaire
        named = self.default.plan
        if (
            ident is None
            or ident in (named.id, f"{named.id}@{named.version}")
            or (self.given is not None and ident == self.given)
        ):
            return self.default
        from screening.errors import ScreeningError, UsageError
        from screening.questionnaires import bundled_ids, split_ref
        from screening.sanitize import visible

        shown = visible(ident)
        shown = shown if len(shown) <= 64 else shown[:63] + "…"
        if self.given is not None:
            raise InvalidRecord(
                [
                    f"the record names questionnaire '{shown}' but --questionnaire is "
                    f"'{named.id}' (version {named.version})"
                ]
            )
        if ident not in self._loaded:
            try:
                self._loaded[ident] = self._resolve(ident)
            except UsageError as error:
                if split_ref(ident)[0] in bundled_ids():  # a bundled id, in a version not bundled
                    raise InvalidRecord([error.message]) from None
                raise InvalidRecord(
                    [
                        f"the record names questionnaire '{shown}', which is not a bundled "
                        f"questionnaire ({', '.join(bundled_ids())}); a record names a bundled id "
                        "only: to use a questionnaire file, pass it with --questionnaire FILE"
                    ]
                ) from None
            except ScreeningError as error:
                raise InvalidRecord([error.message]) from None
        return self._loaded[ident]

    def _resolve(self, ident: str) -> LoadedQuestionnaire | LoadedPlan:
        """A bundled questionnaire, loaded as the default one is (whole, or its plan)."""
        from screening.plans import resolve_plan
        from screening.questionnaires import resolve

        if isinstance(self.default, LoadedPlan):
            return resolve_plan(ident, files=False)
        return resolve(ident, files=False)
