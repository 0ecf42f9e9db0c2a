"""A questionnaire's scoring plan: what scoring, answer checking and the referral read of it,
as plain data (core: the standard library only).

The questionnaire model (:mod:`screening.model`) is what a file is validated into; building its
pydantic classes alone costs more than a whole ``screening score case.yaml`` may. Scoring reads
a small part of it: the questions' types, choices, checks and conditions, the indicators, the
dimensions' rules, the flags, the outcomes, the consent questions, and the texts a referral
carries. :func:`build_plan` lays that part out in the small classes of this module, which cost
next to nothing to import and to unpickle; the compiled questionnaire cache keeps the plan next
to the model (:mod:`screening.compiled`), so that a single call can score without the model.

A plan answers the same questions as the model, under the same names (``question(id)``,
``indicators_in(dimension)``, ``rule_tuples(dimension)``...), and its conditions have the same
fields as the model's, so that there is one evaluator, one scorer, one answer check and one
referral builder: each takes a plan, and the model hands them its own (:func:`plan_of`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from screening.records import Record
from screening.strength import StrengthName

if TYPE_CHECKING:
    from screening.model import Condition, Questionnaire

DONT_KNOW = "dont_know"
DECLINED = "declined"
SPECIAL_ANSWERS = (DONT_KNOW, DECLINED)


class AnswerState(StrEnum):
    """The state of an answer, for ``is:`` conditions."""

    ANSWERED = "answered"
    UNANSWERED = "unanswered"
    DONT_KNOW = "dont_know"
    DECLINED = "declined"


PlainText = str | dict[str, Any]
"""A text as a plan keeps it: plain, or by language (gendered forms resolved, see
:func:`build_plan`)."""


def text_for(
    text: Any, language: str, fallback: str | None = None, gender: str | None = None
) -> str:
    """The text in ``language``, else in ``fallback``, else the first one given.

    A text with gendered forms gives the form for ``gender`` (``female`` or ``male``), and its
    neutral form (else the masculine) when the gender is not known.
    """
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    if language in text:
        found = text[language]
    elif fallback is not None and fallback in text:
        found = text[fallback]
    else:
        found = next(iter(text.values()), "")
    return found if isinstance(found, str) else str(found.form(gender))


# ----------------------------------------------------------------------------- conditions
#
# Each condition class of the model has a ``kind``; these have the same fields and the same
# kinds, so the evaluator reads either.


class AnswerTest(Record):
    """An answer condition (the model's ``AnswerCondition``)."""

    _fields = ("answer", "given", "is_")
    __slots__ = _fields

    answer: str
    given: tuple[tuple[str, Any], ...]
    """Its tests but ``is``, in the model's order: (name, operand)."""
    is_: AnswerState | None

    kind: ClassVar[str] = "answer"

    def tests(self) -> list[tuple[str, Any]]:
        """The tests, as the model's ``tests()``: ``is`` last."""
        return [*self.given, *((("is", self.is_),) if self.is_ is not None else ())]


class IndicatorTest(Record):
    """An indicator condition."""

    _fields = ("indicator",)
    __slots__ = _fields

    indicator: str

    kind: ClassVar[str] = "indicator"


class DimensionTest(Record):
    """A dimension condition."""

    _fields = ("dimension",)
    __slots__ = _fields

    dimension: str

    kind: ClassVar[str] = "dimension"


class FlagTest(Record):
    """A flag condition."""

    _fields = ("flag",)
    __slots__ = _fields

    flag: str

    kind: ClassVar[str] = "flag"


class CountSpec(Record):
    """What a count condition counts."""

    _fields = ("at_least", "dimension", "strength")
    __slots__ = _fields

    at_least: int
    dimension: str | None
    strength: StrengthName | None


class CountTest(Record):
    """A count condition."""

    _fields = ("indicators",)
    __slots__ = _fields

    indicators: CountSpec

    kind: ClassVar[str] = "count"


class AllTest(Record):
    """All of its conditions."""

    _fields = ("all",)
    __slots__ = _fields

    all: tuple[Any, ...]

    kind: ClassVar[str] = "all"


class AnyTest(Record):
    """Any of its conditions."""

    _fields = ("any",)
    __slots__ = _fields

    any: tuple[Any, ...]

    kind: ClassVar[str] = "any"


class NotTest(Record):
    """The negation of a condition."""

    _fields = ("not_",)
    __slots__ = _fields

    not_: Any

    kind: ClassVar[str] = "not"


def iter_tests(condition: Any) -> Iterator[Any]:
    """Yield a condition (of a plan or of the model) and every condition in it, depth first."""
    yield condition
    kind = condition.kind
    if kind == "all":
        for sub in condition.all:
            yield from iter_tests(sub)
    elif kind == "any":
        for sub in condition.any:
            yield from iter_tests(sub)
    elif kind == "not":
        yield from iter_tests(condition.not_)


# ----------------------------------------------------------------------------- the plan


class Validation(Record):
    """A question's validation: every field any question type has (the others None)."""

    _fields = (
        "min",
        "max",
        "integer",
        "pattern",
        "max_length",
        "min_selected",
        "max_selected",
        "not_future",
    )
    __slots__ = _fields
    _defaults: ClassVar[dict[str, Any]] = dict.fromkeys(_fields) | {
        "integer": False,
        "not_future": False,
    }

    min: Any
    max: Any
    integer: bool
    pattern: str | None
    max_length: int | None
    min_selected: int | None
    max_selected: int | None
    not_future: bool


class PlanQuestion(Record):
    """A question: what checking its answer and the skip logic need."""

    _fields = (
        "id",
        "type",
        "when",
        "required",
        "allow",
        "pii",
        "validation",
        "multiline",
        "choice_values",
    )
    __slots__ = _fields

    id: str
    type: str
    when: Any
    required: bool
    allow: tuple[str, ...]
    pii: bool
    validation: Validation | None
    multiline: bool
    choice_values: tuple[str, ...]
    """The values of its choices, in order."""


class PlanSection(Record):
    """A section: its condition and its questions."""

    _fields = ("id", "when", "questions")
    __slots__ = _fields

    id: str
    when: Any
    questions: tuple[PlanQuestion, ...]


class PlanLanguage(Record):
    """A declared language."""

    _fields = ("code", "status")
    __slots__ = _fields

    code: str
    status: str


class PlanDimension(Record):
    """A dimension."""

    _fields = ("id", "title", "phase")
    __slots__ = _fields

    id: str
    title: PlainText
    phase: str


class PlanIndicator(Record):
    """An indicator."""

    _fields = ("id", "title", "dimension", "strength", "weight")
    __slots__ = _fields

    id: str
    title: PlainText
    dimension: str
    strength: StrengthName
    weight: int


class PlanFlag(Record):
    """An urgent flag."""

    _fields = ("id", "title", "action", "when")
    __slots__ = _fields

    id: str
    title: PlainText
    action: PlainText
    when: Any


class PlanOutcome(Record):
    """An outcome of the ladder."""

    _fields = ("code", "title", "when", "action", "category", "referral_target", "refer")
    __slots__ = _fields

    code: str
    title: PlainText
    when: Any
    action: PlainText
    category: str
    referral_target: PlainText | None
    refer: bool


class PlanConsent(Record):
    """The questions that record consent."""

    _fields = ("referral", "support", "data_sharing", "explained_by")
    __slots__ = _fields

    referral: str | None
    support: str | None
    data_sharing: str | None
    explained_by: str | None


_T = TypeVar("_T")


class Plan:
    """What scoring, answer checking and the referral read of a questionnaire.

    Its lookups are built on first use and kept; a plan is never changed once built.
    """

    def __init__(
        self,
        *,
        id: str,
        version: str,
        threshold: PlainText | None,
        languages: tuple[PlanLanguage, ...],
        consent: PlanConsent | None,
        child_when: Any,
        sections: tuple[PlanSection, ...],
        dimensions: tuple[PlanDimension, ...],
        indicators: tuple[PlanIndicator, ...],
        indicator_whens: dict[str, Any],
        rules: dict[str, tuple[tuple[int, int, int], ...]],
        flags: tuple[PlanFlag, ...],
        outcomes: tuple[PlanOutcome, ...],
    ) -> None:
        self.id = id
        self.version = version
        self.threshold = threshold
        self.languages = languages
        self.consent = consent
        self.child_when = child_when
        self.sections = sections
        self.dimensions = dimensions
        self.indicators = indicators
        self._indicator_whens = indicator_whens
        self._rules = rules
        self.flags = flags
        self.outcomes = outcomes
        self._index: dict[str, Any] | None = None
        self._derived: dict[Hashable, Any] = {}
        self._evidence_orders: dict[frozenset[str], tuple[str, ...]] = {}

    def __getstate__(self) -> dict[str, Any]:
        # the lookups and whatever was derived (compiled closures) are rebuilt after loading
        state = dict(self.__dict__)
        state.update(_index=None, _derived={}, _evidence_orders={})
        return state

    def _lookups(self) -> dict[str, Any]:
        index = self._index
        if index is None:
            questions: dict[str, PlanQuestion] = {}
            for section in self.sections:
                for question in section.questions:
                    questions.setdefault(question.id, question)
            by_dimension: dict[str | None, list[PlanIndicator]] = {None: list(self.indicators)}
            for indicator in self.indicators:
                by_dimension.setdefault(indicator.dimension, []).append(indicator)
            plain: dict[str, frozenset[str]] = {}
            for qid, question in questions.items():
                if question.type == "yes_no":
                    plain[qid] = frozenset(("yes", "no", *question.allow))
                elif question.type == "single_choice":
                    plain[qid] = frozenset((*question.choice_values, *question.allow))
            index = self._index = {
                "questions": questions,
                "order": {qid: n for n, qid in enumerate(questions)},
                "indicators": {i.id: i for i in reversed(self.indicators)},
                "dimensions": {d.id: d for d in reversed(self.dimensions)},
                "flags": {f.id: f for f in reversed(self.flags)},
                "by_dimension": by_dimension,
                "plain": plain,
                "pii": {qid: q.pii for qid, q in questions.items() if q.type != "note"},
            }
        return index

    @property
    def default_language(self) -> str:
        """The first declared language."""
        return self.languages[0].code

    @property
    def language_codes(self) -> list[str]:
        """Declared language codes, default first."""
        return [lang.code for lang in self.languages]

    def language(self, code: str) -> PlanLanguage | None:
        """The declared language with this code."""
        return next((lang for lang in self.languages if lang.code == code), None)

    def questions(self) -> dict[str, PlanQuestion]:
        """Every question by id, in questionnaire order."""
        return self._lookups()["questions"]  # type: ignore[no-any-return]

    def question(self, question_id: str) -> PlanQuestion | None:
        """The question with this id, if any."""
        return self._lookups()["questions"].get(question_id)  # type: ignore[no-any-return]

    def question_order(self) -> dict[str, int]:
        """Each question's position (0-based), by id."""
        return self._lookups()["order"]  # type: ignore[no-any-return]

    def indicator(self, indicator_id: str) -> PlanIndicator | None:
        """The indicator with this id, if any."""
        return self._lookups()["indicators"].get(indicator_id)  # type: ignore[no-any-return]

    def dimension(self, dimension_id: str) -> PlanDimension | None:
        """The dimension with this id, if any."""
        return self._lookups()["dimensions"].get(dimension_id)  # type: ignore[no-any-return]

    def flag(self, flag_id: str) -> PlanFlag | None:
        """The flag with this id, if any."""
        return self._lookups()["flags"].get(flag_id)  # type: ignore[no-any-return]

    def indicators_in(self, dimension_id: str | None) -> list[PlanIndicator]:
        """The indicators of a dimension (all of them for None), in file order."""
        return self._lookups()["by_dimension"].get(dimension_id, [])  # type: ignore[no-any-return]

    def indicator_conditions(self) -> dict[str, Any]:
        """Each indicator's ``when`` (with its set's), by id (those without one left out)."""
        return self._indicator_whens

    def rule_tuples(self, dimension_id: str) -> tuple[tuple[int, int, int], ...]:
        """A dimension's positivity rule as (strong, medium, weak) minimums."""
        return self._rules.get(dimension_id, ())

    def plain_answers(self) -> dict[str, frozenset[str]]:
        """For yes/no and single choice questions: every text answer they accept as it is."""
        return self._lookups()["plain"]  # type: ignore[no-any-return]

    def pii_marks(self) -> dict[str, bool]:
        """Every question that takes an answer, by id: whether its answer identifies a person."""
        return self._lookups()["pii"]  # type: ignore[no-any-return]

    def evidence_orders(self) -> dict[frozenset[str], tuple[str, ...]]:
        """A memo of evidence sets put in questionnaire order (answer sets repeat them)."""
        return self._evidence_orders

    def derived(self, key: Hashable, build: Callable[[Plan], _T]) -> _T:
        """What ``build`` derives from the plan, built once per ``key`` and kept."""
        cache = self._derived
        if key not in cache:
            cache[key] = build(self)
        return cache[key]  # type: ignore[no-any-return]


def plan_of(q: Questionnaire | Plan) -> Plan:
    """The plan of a questionnaire (built once and kept with it), or the plan itself."""
    if isinstance(q, Plan):
        return q
    return q.derived("plan", build_plan)


# ----------------------------------------------------------------------------- building


def _text(text: Any) -> PlainText | None:
    """A model text as a plan keeps it: by language, each gendered text as its neutral form
    (what a referral shows: it addresses no one)."""
    if text is None or isinstance(text, str):
        return text
    return {
        code: value if isinstance(value, str) else value.form(None) for code, value in text.items()
    }


def _condition(cond: Condition | None) -> Any:
    if cond is None:
        return None
    kind = cond.kind
    if kind == "answer":
        given = tuple((name, operand) for name, operand in cond.tests() if name != "is")  # type: ignore[union-attr]
        return AnswerTest(cond.answer, given, cond.is_)  # type: ignore[union-attr]
    if kind == "indicator":
        return IndicatorTest(cond.indicator)  # type: ignore[union-attr]
    if kind == "dimension":
        return DimensionTest(cond.dimension)  # type: ignore[union-attr]
    if kind == "flag":
        return FlagTest(cond.flag)  # type: ignore[union-attr]
    if kind == "count":
        spec = cond.indicators  # type: ignore[union-attr]
        return CountTest(CountSpec(spec.at_least, spec.dimension, spec.strength))
    if kind == "all":
        return AllTest(tuple(_condition(sub) for sub in cond.all))  # type: ignore[union-attr]
    if kind == "any":
        return AnyTest(tuple(_condition(sub) for sub in cond.any))  # type: ignore[union-attr]
    return NotTest(_condition(cond.not_))  # type: ignore[union-attr]


def _validation(rule: Any) -> Validation | None:
    if rule is None:
        return None
    return Validation(
        **{name: getattr(rule, name) for name in Validation._fields if hasattr(rule, name)}
    )


def build_plan(q: Questionnaire) -> Plan:
    """The plan of a validated questionnaire."""
    sections = tuple(
        PlanSection(
            section.id,
            _condition(section.when),
            tuple(
                PlanQuestion(
                    id=question.id,
                    type=question.type,
                    when=_condition(question.when),
                    required=bool(getattr(question, "required", False)),
                    allow=tuple(getattr(question, "allow", ())),
                    pii=bool(getattr(question, "pii", False)),
                    validation=_validation(getattr(question, "validation", None)),
                    multiline=bool(getattr(question, "multiline", False)),
                    choice_values=tuple(c.value for c in getattr(question, "choices", ())),
                )
                for question in section.questions
            ),
        )
        for section in q.sections
    )
    consent = q.consent
    return Plan(
        id=q.id,
        version=q.version,
        threshold=_text(q.threshold),
        languages=tuple(PlanLanguage(lang.code, lang.status) for lang in q.languages),
        consent=None
        if consent is None
        else PlanConsent(
            consent.referral, consent.support, consent.data_sharing, consent.explained_by
        ),
        child_when=_condition(q.child_when),
        sections=sections,
        dimensions=tuple(PlanDimension(d.id, _text(d.title) or "", d.phase) for d in q.dimensions),
        indicators=tuple(
            PlanIndicator(i.id, _text(i.title) or "", i.dimension, i.strength, i.weight)
            for i in q.indicators
        ),
        indicator_whens={
            ident: _condition(when) for ident, when in q.indicator_conditions().items()
        },
        rules={d.id: q.rule_tuples(d.id) for d in q.dimensions},
        flags=tuple(
            PlanFlag(f.id, _text(f.title) or "", _text(f.action) or "", _condition(f.when))
            for f in q.flags
        ),
        outcomes=tuple(
            PlanOutcome(
                o.code,
                _text(o.title) or "",
                _condition(o.when),
                _text(o.action) or "",
                o.category,
                _text(o.referral_target),
                o.refer,
            )
            for o in q.outcomes
        ),
    )


__all__ = [
    "DECLINED",
    "DONT_KNOW",
    "SPECIAL_ANSWERS",
    "AnswerState",
    "Plan",
    "build_plan",
    "iter_tests",
    "plan_of",
    "text_for",
]
