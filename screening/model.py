"""The questionnaire format as pydantic models (core: no I/O).

A questionnaire is data: sections of questions, the dimensions with their positivity rule,
the indicators with the condition that says when each is observed, the urgent flags and the
ordered outcomes. The YAML keys are the field names below; `docs/questionnaire-format.md`
documents each with an example, and `screening schema questionnaire` publishes the JSON Schema.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)
from pydantic_core import PydanticCustomError

from screening.limits import MAX_NUMBER, MAX_NUMBER_TEXT
from screening.patterns import PatternError, check_pattern

# re-exported: the answer vocabulary and ``text_for`` live with the plan, which needs no pydantic
from screening.plan import DECLINED as DECLINED
from screening.plan import DONT_KNOW as DONT_KNOW
from screening.plan import SPECIAL_ANSWERS as SPECIAL_ANSWERS
from screening.plan import AnswerState as AnswerState
from screening.plan import text_for as text_for
from screening.strength import StrengthName

_T = TypeVar("_T")

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64),
    Field(description="A stable identifier: lower case letters, digits and `_`."),
]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
ContextKey = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z_]+(:[a-z][a-z0-9_]*)?(/[a-z_]+(:[a-z][a-z0-9_]*)?)*$"),
    Field(description="The stable key of a text: `question:age`, `question:sector/choice:farm`."),
]
SourceDigest = Annotated[
    str,
    StringConstraints(pattern=r"^(?:[0-9a-f]{12}|fuzzy)$"),
    Field(description="12 hex digits of the SHA-256 of the English source, or `fuzzy`."),
]


class GenderedText(BaseModel):
    """A text's forms by the gender of the person addressed, for languages that need them.

    Example (Arabic): ``{female: "هل تشعرين أنكِ في خطر الآن؟", male: "هل تشعر أنك في خطر الآن؟"}``.
    The interview picks the form from the answer to the questionnaire's ``address_by`` question;
    while that is unknown it shows ``neutral``, or the masculine form when there is none (the
    grammatical default of Arabic for an unknown addressee).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    female: str = Field(min_length=1, description="The text addressed to a woman or a girl.")
    male: str = Field(min_length=1, description="The text addressed to a man or a boy.")
    neutral: str | None = Field(
        None, min_length=1, description="The text while the gender is not known (optional)."
    )

    def form(self, gender: str | None) -> str:
        """The form for ``gender`` (``female`` or ``male``); otherwise the neutral one."""
        if gender == "female":
            return self.female
        if gender == "male":
            return self.male
        return self.neutral if self.neutral is not None else self.male


Text = Annotated[
    str | dict[LanguageCode, str | GenderedText],
    Field(
        description=(
            "Text shown to a person: a plain string (one-language questionnaires) or a map "
            "of language code to text; in a language with gendered forms of address, the text "
            "may be a map {female: ..., male: ..., neutral: ...}."
        )
    ),
]
"""A shown string: plain, or ``{language code: text or {female, male, neutral}}``."""

SpecialAnswer = Literal["dont_know", "declined"]


class Strict(BaseModel):
    """Base of every format model: unknown keys are errors that suggest the nearest key."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _no_unknown_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            known = {f.alias or name for name, f in cls.model_fields.items()}
            for key in data:
                if key not in known:
                    near = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.6)
                    hint = f"; did you mean '{near[0]}'?" if near else ""
                    raise PydanticCustomError(
                        "unknown_key",
                        "unknown key '{key}'{hint} (allowed: {allowed})",
                        {"key": str(key), "hint": hint, "allowed": ", ".join(sorted(known))},
                    )
        return data


# --------------------------------------------------------------------------- conditions


class Comparison(StrEnum):
    """How an answer condition tests a value."""

    EQUALS = "equals"
    ONE_OF = "one_of"
    CONTAINS = "contains"
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"


def _bounded_number(value: Any) -> Any:
    """Refuse NaN, infinity and numbers beyond ±10^15, before anything converts them to float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        raise PydanticCustomError(
            "number_range", "must be a finite number; NaN and infinity have no meaning here"
        )
    if abs(value) > MAX_NUMBER:
        raise PydanticCustomError(
            "number_range",
            "out of range: numbers lie between {limits}",
            {"limits": MAX_NUMBER_TEXT},
        )
    return value


def _decimal_number(value: Any) -> Any:
    """Refuse text where a number belongs (``017``, ``0x1F``, ``1_000`` and ``1:30`` are text
    to the YAML reader), then bound the number."""
    if isinstance(value, str):
        raise PydanticCustomError(
            "number_type", "expected a number written in decimal digits (such as 12 or 2.5)"
        )
    return _bounded_number(value)


Number = Annotated[float, BeforeValidator(_decimal_number)]
"""A number in a questionnaire: written in decimal, finite, between -10^15 and 10^15."""

Whole = Annotated[int, BeforeValidator(_decimal_number)]
"""A whole number in a questionnaire (a count, a weight): written in decimal, up to 10^15."""

Scalar = Annotated[str | int | float | bool, BeforeValidator(_bounded_number)]


class AnswerCondition(Strict):
    """True when the answer to ``answer`` passes every test given.

    Example: ``{answer: age, lt: 18}``, ``{answer: sector, one_of: [domestic, farm]}``,
    ``{answer: passport_held, is: dont_know}``.
    """

    kind: ClassVar[str] = "answer"

    answer: Id = Field(description="The id of the question whose answer is tested.")
    equals: Scalar | None = None
    one_of: list[Scalar] | None = None
    contains: Scalar | None = Field(
        None, description="A multiple choice answer includes this value, or a text contains it."
    )
    lt: Number | None = None
    le: Number | None = None
    gt: Number | None = None
    ge: Number | None = None
    is_: AnswerState | None = Field(None, alias="is")

    @model_validator(mode="after")
    def _one_test(self) -> AnswerCondition:
        if not self.tests():
            raise PydanticCustomError(
                "condition_empty",
                "an answer condition needs a test: equals, one_of, contains, lt, le, gt, ge or is",
            )
        if self.is_ is not None and len(self.tests()) > 1:
            raise PydanticCustomError(
                "condition_mixed", "'is' cannot be combined with another test in one condition"
            )
        return self

    def tests(self) -> list[tuple[str, Any]]:
        """The tests given, as ``(name, operand)`` pairs."""
        return self._tests

    @cached_property
    def _tests(self) -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = []
        for name in ("equals", "one_of", "contains", "lt", "le", "gt", "ge"):
            value = getattr(self, name)
            if value is not None:
                out.append((name, value))
        if self.is_ is not None:
            out.append(("is", self.is_))
        return out


class IndicatorCondition(Strict):
    """True when the indicator is observed. Example: ``{indicator: cd_documents_confiscated}``."""

    kind: ClassVar[str] = "indicator"

    indicator: Id


class DimensionCondition(Strict):
    """True when the dimension is positive. Example: ``{dimension: exploitative_conditions}``."""

    kind: ClassVar[str] = "dimension"

    dimension: Id


class FlagCondition(Strict):
    """True when the urgent flag is raised. Example: ``{flag: immediate_danger}``."""

    kind: ClassVar[str] = "flag"

    flag: Id


class CountSpec(Strict):
    """Which observed indicators to count, and the least number needed."""

    at_least: Whole = Field(ge=1)
    dimension: Id | None = None
    strength: StrengthName | None = None


class CountCondition(Strict):
    """True when at least N indicators are observed (optionally in a dimension, of a strength).

    Example: ``{indicators: {at_least: 1}}``.
    """

    kind: ClassVar[str] = "count"

    indicators: CountSpec


class AllCondition(Strict):
    """True when every condition in the list is true."""

    kind: ClassVar[str] = "all"

    all: list[Condition] = Field(min_length=1)


class AnyCondition(Strict):
    """True when at least one condition in the list is true."""

    kind: ClassVar[str] = "any"

    any: list[Condition] = Field(min_length=1)


class NotCondition(Strict):
    """True when the condition is false (unknown stays unknown)."""

    kind: ClassVar[str] = "not"

    not_: Condition = Field(alias="not")


_CONDITION_KEYS = {
    "answer": "<answer>",
    "indicator": "<indicator>",
    "dimension": "<dimension>",
    "flag": "<flag>",
    "indicators": "<indicators>",
    "all": "<all>",
    "any": "<any>",
    "not": "<not>",
}


def _condition_kind(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return _CONDITION_TAGS.get(type(value))
    if not isinstance(value, dict):
        return None
    for key, tag in _CONDITION_KEYS.items():
        if key in value:
            return tag
    return None


_CONDITION_TAGS: dict[type[BaseModel], str] = {
    AnswerCondition: "<answer>",
    IndicatorCondition: "<indicator>",
    DimensionCondition: "<dimension>",
    FlagCondition: "<flag>",
    CountCondition: "<indicators>",
    AllCondition: "<all>",
    AnyCondition: "<any>",
    NotCondition: "<not>",
}

Condition = Annotated[
    Annotated[AnswerCondition, Tag("<answer>")]
    | Annotated[IndicatorCondition, Tag("<indicator>")]
    | Annotated[DimensionCondition, Tag("<dimension>")]
    | Annotated[FlagCondition, Tag("<flag>")]
    | Annotated[CountCondition, Tag("<indicators>")]
    | Annotated[AllCondition, Tag("<all>")]
    | Annotated[AnyCondition, Tag("<any>")]
    | Annotated[NotCondition, Tag("<not>")],
    Discriminator(
        _condition_kind,
        custom_error_type="condition_kind",
        custom_error_message=(
            "a condition is a mapping with one of the keys answer, indicator, dimension, flag, "
            "indicators, all, any, not"
        ),
    ),
]
"""One condition of the condition language (see docs/questionnaire-format.md)."""

# The conditions that nest others refer to ``Condition`` by name; pydantic resolves it from this
# module when their schema is first needed (``defer_build``), not at import.


def iter_conditions(condition: Condition) -> Iterator[Condition]:
    """Yield the condition and every condition nested in it, depth first."""
    yield condition
    if isinstance(condition, AllCondition):
        for sub in condition.all:
            yield from iter_conditions(sub)
    elif isinstance(condition, AnyCondition):
        for sub in condition.any:
            yield from iter_conditions(sub)
    elif isinstance(condition, NotCondition):
        yield from iter_conditions(condition.not_)


# --------------------------------------------------------------------------- header


class Direction(StrEnum):
    """Writing direction of a language."""

    LTR = "ltr"
    RTL = "rtl"


class Language(Strict):
    """A language the questionnaire is written in. Example: ``{code: ar, name: العربية, direction: rtl}``."""

    code: LanguageCode
    name: str = Field(min_length=1, description="The language's own name for itself.")
    direction: Direction = Direction.LTR
    gendered: bool = Field(
        False,
        description="Forms of address differ by the person's gender (Arabic): every question "
        "put to the person needs a feminine and a masculine form ({female: ..., male: ...}).",
    )
    audience: Literal["all", "worker"] = Field(
        "all",
        description="`all`: every text is written in the language; `worker`: only the texts put "
        "to the person (questions, their choices, read-aloud notes, the `tell` of flags), the "
        "officer's texts falling back to the officer's language.",
    )
    status: Literal["draft", "reviewed"] = Field(
        "reviewed",
        description="`draft`: translated, not yet reviewed (shown with a mark); `reviewed`: "
        "checked by a reviewer (`reviewed_by`).",
    )
    reviewed_by: str | None = Field(
        None,
        min_length=1,
        description="Who reviewed the translation, and when (plain text: 'A. Rahman, 2026-11-30').",
    )


# --------------------------------------------------------------------------- questions


class Choice(Strict):
    """One choice of a choice question: a stable ``value`` stored in answers, a shown ``label``."""

    value: Id
    label: Text


class NumberValidation(Strict):
    """Limits of a number answer, with the message shown when an answer is outside them."""

    min: Number | None = None
    max: Number | None = None
    integer: bool = False
    message: Text | None = None


class TextValidation(Strict):
    """Limits of a text answer: a regular expression and a length, with the message shown."""

    pattern: str | None = None
    max_length: Annotated[int, Field(ge=1), BeforeValidator(_decimal_number)] | None = None
    message: Text | None = None

    @model_validator(mode="after")
    def _pattern_compiles(self) -> TextValidation:
        if self.pattern is not None:
            try:
                check_pattern(self.pattern)
            except PatternError as exc:
                raise PydanticCustomError(
                    "bad_pattern",
                    "pattern cannot be used: {error}",
                    {"error": str(exc)},
                ) from None
        return self


class DateValidation(Strict):
    """Limits of a date answer (ISO dates, ``YYYY-MM-DD``); ``not_future`` refuses later dates."""

    min: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    max: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    not_future: bool = False
    message: Text | None = None


class SelectionValidation(Strict):
    """How many choices a multiple choice answer may hold."""

    min_selected: Annotated[int, Field(ge=0), BeforeValidator(_decimal_number)] | None = None
    max_selected: Annotated[int, Field(ge=1), BeforeValidator(_decimal_number)] | None = None
    message: Text | None = None


def _both_special_answers() -> list[SpecialAnswer]:
    return ["dont_know", "declined"]


class QuestionBase(Strict):
    """What every question has."""

    id: Id
    text: Text
    guidance: Text | None = Field(None, description="Shown to the officer only, dimmed.")
    officer_only: bool = Field(
        False, description="Answered by the officer (an observation), not asked of the worker."
    )
    required: bool = Field(True, description="The interview does not go on without an answer.")
    allow: list[SpecialAnswer] = Field(
        default_factory=_both_special_answers,
        description="The special answers offered besides a value.",
    )
    when: Condition | None = Field(None, description="Ask the question only when this is true.")
    pii: bool = Field(False, description="The answer identifies a person; dropped by --redact.")


class YesNoQuestion(QuestionBase):
    """A yes/no question; the answer is ``yes`` or ``no``."""

    type: Literal["yes_no"]


class SingleChoiceQuestion(QuestionBase):
    """One of the choices; the answer is the choice's ``value``."""

    type: Literal["single_choice"]
    choices: list[Choice] = Field(min_length=2)

    @cached_property
    def choice_values(self) -> tuple[str, ...]:
        """The choices' values, in order."""
        return tuple(c.value for c in self.choices)


class MultipleChoiceQuestion(QuestionBase):
    """Any of the choices; the answer is a list of ``value``s."""

    type: Literal["multiple_choice"]
    choices: list[Choice] = Field(min_length=1)
    validation: SelectionValidation | None = None

    @cached_property
    def choice_values(self) -> tuple[str, ...]:
        """The choices' values, in order."""
        return tuple(c.value for c in self.choices)


class NumberQuestion(QuestionBase):
    """A number."""

    type: Literal["number"]
    validation: NumberValidation | None = None


class DateQuestion(QuestionBase):
    """A date, ``YYYY-MM-DD``."""

    type: Literal["date"]
    validation: DateValidation | None = None


class TextQuestion(QuestionBase):
    """Free text."""

    type: Literal["text"]
    multiline: bool = False
    validation: TextValidation | None = None


class NoteQuestion(Strict):
    """Text shown to the officer (read aloud or followed); takes no answer."""

    type: Literal["note"]
    id: Id
    text: Text
    guidance: Text | None = None
    read_aloud: bool = Field(
        False,
        description="The text is exactly what is read aloud to the person: it is put to the "
        "person, in the worker's language too (instructions to the officer go in `guidance`).",
    )
    when: Condition | None = None


Question = Annotated[
    YesNoQuestion
    | SingleChoiceQuestion
    | MultipleChoiceQuestion
    | NumberQuestion
    | DateQuestion
    | TextQuestion
    | NoteQuestion,
    Field(discriminator="type"),
]
"""A question, told apart by its ``type``."""

AnsweredQuestion = (
    YesNoQuestion
    | SingleChoiceQuestion
    | MultipleChoiceQuestion
    | NumberQuestion
    | DateQuestion
    | TextQuestion
)


class Section(Strict):
    """A titled group of questions, asked in order."""

    id: Id
    title: Text
    intro: Text | None = None
    officer_only: bool = False
    when: Condition | None = None
    questions: list[Question] = Field(min_length=1)


# --------------------------------------------------------------------------- scoring data


class MinimumCounts(Strict):
    """One combination of the positivity rule: at least these many per strength."""

    strong: Whole = Field(0, ge=0)
    medium: Whole = Field(0, ge=0)
    weak: Whole = Field(0, ge=0)

    @model_validator(mode="after")
    def _not_empty(self) -> MinimumCounts:
        if self.strong + self.medium + self.weak == 0:
            raise PydanticCustomError(
                "rule_empty", "a rule combination needs at least one count above zero"
            )
        return self


ILO_RULE: tuple[MinimumCounts, ...] = (
    MinimumCounts.model_construct(strong=2),
    MinimumCounts.model_construct(strong=1, medium=1),
    MinimumCounts.model_construct(strong=1, weak=1),
    MinimumCounts.model_construct(medium=3),
    MinimumCounts.model_construct(medium=2, weak=1),
)
"""The ILO 2009 dimension rule: 2S, 1S+1M, 1S+1W, 3M or 2M+1W (constants, made without
validation so that importing the model builds no validator; a test validates them)."""


class Dimension(Strict):
    """A dimension of the ILO indicators; positive when a combination of its rule is met."""

    id: Id
    title: Text
    phase: Literal["recruitment", "destination", "other"] = "other"
    description: Text | None = None
    rule: list[MinimumCounts] | None = Field(
        None,
        description="Minimum count combinations, any of which makes the dimension positive; "
        "the questionnaire's `dimension_rule` when absent.",
    )


class IndicatorSet(Strict):
    """A set of indicators (the ILO/EC publish four: adults or children, labour or sexual
    exploitation), with the condition that says when the set applies to the person.

    An indicator is observed only while its set applies; the sets that apply count together
    in the same dimensions.
    """

    id: Id
    title: Text
    source: str | None = Field(None, description="Where the set and its gradings come from.")
    when: Condition | None = Field(
        None,
        description="When the set applies, over answers only; a set without `when` always applies.",
    )


class Indicator(Strict):
    """An indicator of trafficking, observed when its ``when`` condition is true."""

    id: Id
    title: Text
    dimension: Id
    set: Id | None = Field(
        None,
        description="The indicator set it belongs to (`indicator_sets`); the first set when "
        "absent.",
    )
    strength: StrengthName
    weight: Whole = Field(1, ge=0, description="How many times it counts towards its strength.")
    source: str = Field(min_length=1, description="Where the indicator and its strength come from.")
    explanation: Text | None = None
    example: Text | None = None
    when: Condition | None = Field(
        None,
        description="When the answers reveal it (required: every indicator must be triggerable "
        "by answers; officers may also tick it directly in checklist mode).",
    )


class Flag(Strict):
    """An urgent situation shown to the officer the moment its condition holds."""

    id: Id
    title: Text
    when: Condition
    action: Text
    tell: Text | None = Field(
        None,
        description="What the person is told when the flag comes up: where to get help (put to "
        "the person, in the worker's language too).",
    )


class Outcome(Strict):
    """One rung of the outcome ladder; the first whose condition holds is the result."""

    code: Id
    title: Text
    when: Condition | None = Field(None, description="Absent only on the last (catch-all) outcome.")
    action: Text
    category: str = Field(min_length=1, description="The receiving system's case category.")
    referral_target: Text | None = None
    refer: bool = Field(False, description="Whether this outcome recommends a referral.")


@dataclass
class _Index:
    """Lookups of a questionnaire by id."""

    questions: dict[str, Question] = field(default_factory=dict)
    order: dict[str, int] = field(default_factory=dict)
    section_of: dict[str, Section] = field(default_factory=dict)
    indicators: dict[str, Indicator] = field(default_factory=dict)
    dimensions: dict[str, Dimension] = field(default_factory=dict)
    flags: dict[str, Flag] = field(default_factory=dict)
    by_dimension: dict[str | None, list[Indicator]] = field(default_factory=dict)
    indicator_whens: dict[str, Condition] = field(default_factory=dict)
    rules: dict[str, tuple[tuple[int, int, int], ...]] = field(default_factory=dict)
    derived: dict[Hashable, Any] = field(default_factory=dict)


class ConsentQuestions(Strict):
    """Which questions record consent; their answers fill the referral's ``consent``.

    Each names a single choice question with the choice values ``granted``, ``refused`` and
    ``not_asked``; the export's consent status is ``granted``, ``declined`` (refused, or the
    person declined to answer), ``not_asked``, or ``unknown`` for anything else.
    """

    referral: Id | None = None
    support: Id | None = None
    data_sharing: Id | None = None
    explained_by: Id | None = Field(None, description="A question naming who explained consent.")


class Questionnaire(Strict):
    """A whole questionnaire file."""

    id: Id
    version: str = Field(min_length=1)
    title: Text
    description: Text | None = None
    languages: list[Language] = Field(min_length=1)
    source: str | None = None
    threshold: Text | None = Field(None, description="The threshold statement a referral carries.")
    consent: ConsentQuestions | None = None
    address_by: Id | None = Field(
        None,
        description="The single choice question whose answer (`female` or `male`) picks the "
        "gendered form of texts; any other answer, or none yet, gives the neutral form.",
    )
    child_when: Condition | None = Field(
        None,
        description="When the person is to be treated as a child (consent gating does not apply).",
    )
    dimension_rule: list[MinimumCounts] = Field(default_factory=lambda: list(ILO_RULE))
    sections: list[Section] = Field(min_length=1)
    dimensions: list[Dimension] = Field(default_factory=list)
    indicator_sets: list[IndicatorSet] = Field(
        default_factory=list,
        description="The indicator sets, when there is more than one or one applies only to "
        "some people; none declared: every indicator always applies.",
    )
    indicators: list[Indicator] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)
    outcomes: list[Outcome] = Field(min_length=1)
    translated_from: dict[LanguageCode, dict[ContextKey, SourceDigest]] = Field(
        default_factory=dict,
        description="For each translated language: the English each translation was made "
        "from, as the first 12 hex digits of the SHA-256 of the English text (spaces "
        "collapsed), by context key (`question:age`); `fuzzy` when not yet checked against it. "
        "A translation whose English has changed since is stale: not shown until reviewed. "
        "Written by `screening translations import`.",
    )

    def __copy__(self) -> Questionnaire:
        # A copy (``model_copy(update=...)`` among others) builds its own lookups and derived
        # tables (its plan, its compiled conditions): the original's describe the original.
        copied = super().__copy__()
        copied.__dict__.pop("_index", None)
        return copied

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Questionnaire:
        copied = super().__deepcopy__(memo)
        copied.__dict__.pop("_index", None)
        return copied

    @cached_property
    def _index(self) -> _Index:
        # Built once on first use; the model is frozen, so it cannot go stale. A cached
        # property is a plain attribute afterwards: lookups stay cheap in the scoring loop.
        index = _Index()
        for section in self.sections:
            for question in section.questions:
                index.order.setdefault(question.id, len(index.order))
                index.questions.setdefault(question.id, question)
                index.section_of.setdefault(question.id, section)
        index.indicators = {i.id: i for i in reversed(self.indicators)}
        index.dimensions = {d.id: d for d in reversed(self.dimensions)}
        index.flags = {f.id: f for f in reversed(self.flags)}
        for dim in self.dimensions:
            rule = dim.rule if dim.rule is not None else self.dimension_rule
            index.rules.setdefault(dim.id, tuple((c.strong, c.medium, c.weak) for c in rule))
        index.indicator_whens = {
            i.id: self._with_set(i) for i in index.indicators.values() if i.when is not None
        }
        index.by_dimension[None] = list(self.indicators)
        for indicator in self.indicators:
            index.by_dimension.setdefault(indicator.dimension, []).append(indicator)
        return index

    def set_of(self, indicator: Indicator) -> IndicatorSet | None:
        """The indicator set an indicator belongs to (the first set when it names none)."""
        if not self.indicator_sets:
            return None
        if indicator.set is None:
            return self.indicator_sets[0]
        return next((s for s in self.indicator_sets if s.id == indicator.set), None)

    def _with_set(self, indicator: Indicator) -> Condition:
        """An indicator's ``when``, true only while its set applies."""
        assert indicator.when is not None
        indicator_set = self.set_of(indicator)
        if indicator_set is None or indicator_set.when is None:
            return indicator.when
        return AllCondition(all=[indicator_set.when, indicator.when])

    @property
    def default_language(self) -> str:
        """The first declared language."""
        return self.languages[0].code

    @property
    def language_codes(self) -> list[str]:
        """Declared language codes, default first."""
        return [lang.code for lang in self.languages]

    def language(self, code: str) -> Language | None:
        """The declared language with this code."""
        return next((lang for lang in self.languages if lang.code == code), None)

    def questions(self) -> dict[str, Question]:
        """Every question by id, in questionnaire order."""
        return self._index.questions

    def question(self, question_id: str) -> Question | None:
        """The question with this id, if any."""
        return self._index.questions.get(question_id)

    def position(self, question_id: str) -> int:
        """The question's position in the questionnaire (0-based)."""
        return self._index.order[question_id]

    def section_of(self, question_id: str) -> Section:
        """The section holding the question."""
        return self._index.section_of[question_id]

    def indicator(self, indicator_id: str) -> Indicator | None:
        """The indicator with this id, if any."""
        return self._index.indicators.get(indicator_id)

    def rule_tuples(self, dimension_id: str) -> tuple[tuple[int, int, int], ...]:
        """A dimension's positivity rule as (strong, medium, weak) minimums."""
        return self._index.rules.get(dimension_id, ())

    def derived(self, key: Hashable, build: Callable[[Questionnaire], _T]) -> _T:
        """What ``build`` derives from the questionnaire, built once per ``key`` and kept.

        For the tables other modules lay out once for speed (compiled conditions in scoring
        order, export texts by language); the model is frozen, so they cannot go stale.
        """
        cache = self._index.derived
        if key not in cache:
            cache[key] = build(self)
        return cache[key]  # type: ignore[no-any-return]

    def question_order(self) -> dict[str, int]:
        """Each question's position (0-based), by id."""
        return self._index.order

    def indicator_conditions(self) -> dict[str, Condition]:
        """Each indicator's ``when``, by indicator id (indicators without one are left out)."""
        return self._index.indicator_whens

    def indicators_in(self, dimension_id: str | None) -> list[Indicator]:
        """The indicators of a dimension (all of them for None), in file order."""
        return self._index.by_dimension.get(dimension_id, [])

    def dimension(self, dimension_id: str) -> Dimension | None:
        """The dimension with this id, if any."""
        return self._index.dimensions.get(dimension_id)

    def flag(self, flag_id: str) -> Flag | None:
        """The flag with this id, if any."""
        return self._index.flags.get(flag_id)

    def rule_of(self, dimension: Dimension) -> list[MinimumCounts]:
        """The positivity rule of a dimension (its own, else the questionnaire's)."""
        return dimension.rule if dimension.rule is not None else self.dimension_rule
