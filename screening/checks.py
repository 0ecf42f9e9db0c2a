"""Cross-reference checks of a questionnaire (core: no I/O).

Pydantic checks each value's shape; these check what spans the file: ids are unique, every
reference resolves, skip logic only looks back, comparisons can be true for the question's type,
every indicator can be triggered by some answers, the outcome ladder ends in a catch-all, and
every shown string is given in every declared language. Each problem carries the pydantic-style
path (``loc``) of the value at fault, which the loader turns into ``file:line:column``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from screening.limits import MAX_CONDITION_SIZE, MAX_CONDITION_WIDTH, MAX_CONDITIONS
from screening.model import (
    SPECIAL_ANSWERS,
    AllCondition,
    AnswerCondition,
    AnswerState,
    AnyCondition,
    Condition,
    CountCondition,
    CountSpec,
    DateQuestion,
    Dimension,
    DimensionCondition,
    Flag,
    FlagCondition,
    GenderedText,
    Indicator,
    IndicatorCondition,
    MultipleChoiceQuestion,
    NotCondition,
    NoteQuestion,
    NumberQuestion,
    Question,
    Questionnaire,
    SingleChoiceQuestion,
    TextQuestion,
    YesNoQuestion,
    iter_conditions,
)
from screening.texts import entries, stale

Loc = tuple[Any, ...]

TEXT_FIELDS = (
    "title",
    "text",
    "guidance",
    "label",
    "message",
    "intro",
    "description",
    "threshold",
    "explanation",
    "example",
    "action",
    "referral_target",
    "tell",
)
"""Field names that hold shown text (``Text``) wherever they appear in the format."""


@dataclass(frozen=True)
class Finding:
    """A problem found by a check: where (a path into the data), what, and its code."""

    loc: Loc
    message: str
    code: str
    key: bool = False


def check(q: Questionnaire) -> list[Finding]:
    """Every cross-reference problem of a questionnaire, in file order where possible.

    A questionnaire whose conditions are over the size limits is not checked further: those
    findings alone are returned.
    """
    over = list(_over_limits(q))
    if over:
        return over
    return list(_Checker(q).run())


def warnings(q: Questionnaire) -> list[Finding]:
    """What does not stop a questionnaire from being used but is not shown as written: stale
    translations (shown in the officer's language until reviewed), and records in
    ``translated_from`` of texts that no longer exist. For a questionnaire without findings."""
    out = [
        Finding(
            s.loc,
            f"the '{s.language}' translation of {s.key} is not shown: {s.reason}; review it "
            f"(`screening translations export FILE --lang {s.language}` marks it fuzzy), then "
            "import it",
            "stale_translation",
        )
        for s in stale(q)
    ]
    keys = {e.key for e in entries(q)}
    for code, recorded in q.translated_from.items():
        for key in recorded:
            if key not in keys:
                out.append(
                    Finding(
                        ("translated_from", code, key),
                        f"no text has the key '{key}' any more; remove this line",
                        "unknown_key",
                        key=True,
                    )
                )
    return out


def _addressed(q: Questionnaire, key: str) -> str:
    """Whose text is put to the person, in words, from its key."""
    kind, _, rest = key.partition(":")
    ident = rest.split("/", 1)[0]
    if kind == "flag":
        return f"the `tell` of flag '{ident}' is said to the person"
    if isinstance(q.question(ident), NoteQuestion):
        return f"note '{ident}' is read aloud to the person"
    return f"question '{ident}' is put to the person"


def _over_limits(q: Questionnaire) -> Iterator[Finding]:
    """Conditions too wide or too large to score in bounded time (limits in screening.limits)."""
    total = 0
    for root, root_loc in _located_roots(q):
        size = 0
        for cond, loc in _walk_located(root, root_loc):
            size += 1
            lists: list[tuple[str, list[Any]]] = []
            if isinstance(cond, AllCondition):
                lists.append(("all", cond.all))
            elif isinstance(cond, AnyCondition):
                lists.append(("any", cond.any))
            elif isinstance(cond, AnswerCondition) and cond.one_of is not None:
                lists.append(("one_of", cond.one_of))
            for key, items in lists:
                if len(items) > MAX_CONDITION_WIDTH:
                    yield Finding(
                        (*loc, key),
                        f"this `{key}` list holds {len(items):,} entries; the limit is "
                        f"{MAX_CONDITION_WIDTH:,}: split the condition up (for example into "
                        "several indicators)",
                        "too_large",
                    )
        total += size
        if size > MAX_CONDITION_SIZE:
            yield Finding(
                root_loc,
                f"this condition holds {size:,} conditions in all; the limit is "
                f"{MAX_CONDITION_SIZE:,}: split it up (for example into several indicators)",
                "too_large",
            )
    if total > MAX_CONDITIONS:
        yield Finding(
            (),
            f"the questionnaire holds {total:,} conditions in all; the limit is "
            f"{MAX_CONDITIONS:,}: split it into several questionnaires",
            "too_large",
        )


def _located_roots(q: Questionnaire) -> Iterator[tuple[Condition, Loc]]:
    """Every condition that is not nested in another, with its path in the file."""
    for s_index, section in enumerate(q.sections):
        if section.when is not None:
            yield section.when, ("sections", s_index, "when")
        for q_index, question in enumerate(section.questions):
            if question.when is not None:
                yield question.when, ("sections", s_index, "questions", q_index, "when")
    for index, indicator in enumerate(q.indicators):
        if indicator.when is not None:
            yield indicator.when, ("indicators", index, "when")
    for index, flag in enumerate(q.flags):
        yield flag.when, ("flags", index, "when")
    for index, outcome in enumerate(q.outcomes):
        if outcome.when is not None:
            yield outcome.when, ("outcomes", index, "when")
    if q.child_when is not None:
        yield q.child_when, ("child_when",)
    for index, indicator_set in enumerate(q.indicator_sets):
        if indicator_set.when is not None:
            yield indicator_set.when, ("indicator_sets", index, "when")


def _walk_located(cond: Condition, loc: Loc) -> Iterator[tuple[Condition, Loc]]:
    """A condition and every condition nested in it, each with its path (no recursion)."""
    stack: list[tuple[Condition, Loc]] = [(cond, loc)]
    while stack:
        current, where = stack.pop()
        yield current, where
        if isinstance(current, AllCondition):
            stack.extend((sub, (*where, "all", i)) for i, sub in enumerate(current.all))
        elif isinstance(current, AnyCondition):
            stack.extend((sub, (*where, "any", i)) for i, sub in enumerate(current.any))
        elif isinstance(current, NotCondition):
            stack.append((current.not_, (*where, "not")))


class _Checker:
    def __init__(self, q: Questionnaire) -> None:
        self.q = q
        self.question_loc: dict[str, Loc] = {}
        for s_index, section in enumerate(q.sections):
            for q_index, question in enumerate(section.questions):
                self.question_loc.setdefault(
                    question.id, ("sections", s_index, "questions", q_index)
                )
        self._graphs = _Graphs(q)
        self._entries = list(entries(q))
        self._worker_locs = {e.loc for e in self._entries if e.worker}
        self._full = [lang.code for lang in q.languages if lang.audience == "all"]

    # ----------------------------------------------------------------- driver

    def run(self) -> Iterator[Finding]:
        yield from self._unique_ids()
        yield from self._texts(self.q, ())
        yield from self._questions()
        yield from self._indicators()
        yield from self._flags()
        yield from self._outcomes()
        yield from self._header()
        yield from self._address()
        yield from self._translated_from()
        yield from self._indicator_sets()
        yield from self._dimensions()
        yield from self._cycles()

    # ----------------------------------------------------------------- ids

    def _unique_ids(self) -> Iterator[Finding]:
        def dupes(items: list[tuple[str, Loc]], what: str) -> Iterator[Finding]:
            seen: dict[str, Loc] = {}
            for ident, loc in items:
                if ident in seen:
                    yield Finding(
                        loc,
                        f"duplicate {what} '{ident}'; {what} ids must be unique",
                        "duplicate_id",
                    )
                else:
                    seen[ident] = loc

        q = self.q
        yield from dupes(
            [(lang.code, ("languages", i, "code")) for i, lang in enumerate(q.languages)],
            "language",
        )
        yield from dupes(
            [(s.id, ("sections", i, "id")) for i, s in enumerate(q.sections)], "section"
        )
        yield from dupes(
            [
                (question.id, ("sections", si, "questions", qi, "id"))
                for si, s in enumerate(q.sections)
                for qi, question in enumerate(s.questions)
            ],
            "question",
        )
        yield from dupes(
            [(d.id, ("dimensions", i, "id")) for i, d in enumerate(q.dimensions)], "dimension"
        )
        yield from dupes(
            [(d.id, ("indicators", i, "id")) for i, d in enumerate(q.indicators)], "indicator"
        )
        yield from dupes([(f.id, ("flags", i, "id")) for i, f in enumerate(q.flags)], "flag")
        yield from dupes(
            [(o.code, ("outcomes", i, "code")) for i, o in enumerate(q.outcomes)], "outcome"
        )
        for question_id, loc in self.question_loc.items():
            question = q.question(question_id)
            if isinstance(question, SingleChoiceQuestion | MultipleChoiceQuestion):
                yield from dupes(
                    [
                        (c.value, (*loc, "choices", i, "value"))
                        for i, c in enumerate(question.choices)
                    ],
                    "choice value",
                )
                for i, choice in enumerate(question.choices):
                    if choice.value in SPECIAL_ANSWERS:
                        yield Finding(
                            (*loc, "choices", i, "value"),
                            f"'{choice.value}' is a special answer, not a choice value; use "
                            f"`allow: [{choice.value}]` instead",
                            "reserved_value",
                        )

    # ----------------------------------------------------------------- texts

    def _texts(self, model: BaseModel, loc: Loc) -> Iterator[Finding]:
        for name, key in _field_keys(type(model)):
            value = getattr(model, name)
            if name in TEXT_FIELDS and value is not None and not isinstance(value, BaseModel):
                yield from self._text(value, (*loc, key))
            elif isinstance(value, BaseModel):
                yield from self._texts(value, (*loc, key))
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, BaseModel):
                        yield from self._texts(item, (*loc, key, index))

    def _text(self, value: Any, loc: Loc) -> Iterator[Finding]:
        declared = self.q.language_codes
        # a language for the worker's side only is needed in the texts put to the person
        codes = declared if loc in self._worker_locs else self._full
        if isinstance(value, str):
            if len(codes) > 1:
                yield Finding(
                    loc,
                    f"this text has one form but the questionnaire declares {len(codes)} "
                    f"languages; write it as {{{', '.join(f'{c}: ...' for c in codes)}}}",
                    "missing_language",
                )
            return
        for code in declared:
            given = value.get(code)
            if isinstance(given, GenderedText):
                language = self.q.language(code)
                if language is not None and not language.gendered:
                    yield Finding(
                        (*loc, code),
                        f"this text has forms by gender but language '{code}' does not declare "
                        f"`gendered: true`; declare it, or give one text",
                        "gender_forms",
                    )
                continue
            if code not in codes and given is None:
                continue  # the officer's text, in a language for the worker's side only
            if given is None or not str(given).strip():
                if code in codes and code not in self._full:
                    message = (
                        f"missing the '{code}' text: '{code}' is declared for the worker's side "
                        f"(`audience: worker`), and this text is put to the person; add "
                        f"`{code}: ...`"
                    )
                else:
                    message = (
                        f"missing the '{code}' text (declared in languages); add `{code}: ...`"
                    )
                yield Finding(loc, message, "missing_language")
        for code in value:
            if code not in declared:
                yield Finding(
                    (*loc, code),
                    f"language '{code}' is not declared in `languages`",
                    "unknown_language",
                    key=True,
                )

    # ----------------------------------------------------------------- conditions

    def _condition(
        self, cond: Condition, loc: Loc, *, before: int | None, owner: str
    ) -> Iterator[Finding]:
        """References and types in one condition tree.

        ``before``: answers may only come from questions at positions lower than this.
        """
        yield from self._walk(cond, loc, before=before, owner=owner)

    def _walk(
        self, cond: Condition, loc: Loc, *, before: int | None, owner: str
    ) -> Iterator[Finding]:
        q = self.q
        if isinstance(cond, AllCondition):
            for i, sub in enumerate(cond.all):
                yield from self._walk(sub, (*loc, "all", i), before=before, owner=owner)
        elif isinstance(cond, AnyCondition):
            for i, sub in enumerate(cond.any):
                yield from self._walk(sub, (*loc, "any", i), before=before, owner=owner)
        elif isinstance(cond, NotCondition):
            yield from self._walk(cond.not_, (*loc, "not"), before=before, owner=owner)
        elif isinstance(cond, AnswerCondition):
            yield from self._answer_condition(cond, loc, before=before, owner=owner)
        elif isinstance(cond, IndicatorCondition):
            if q.indicator(cond.indicator) is None:
                yield Finding(
                    (*loc, "indicator"), f"unknown indicator '{cond.indicator}'", "unknown_ref"
                )
            elif before is not None:
                yield from self._late_dependency(("indicator", cond.indicator), loc, before, owner)
        elif isinstance(cond, DimensionCondition):
            if q.dimension(cond.dimension) is None:
                yield Finding(
                    (*loc, "dimension"), f"unknown dimension '{cond.dimension}'", "unknown_ref"
                )
            elif before is not None:
                yield from self._late_dependency(("dimension", cond.dimension), loc, before, owner)
        elif isinstance(cond, FlagCondition):
            if q.flag(cond.flag) is None:
                yield Finding((*loc, "flag"), f"unknown flag '{cond.flag}'", "unknown_ref")
            elif before is not None:
                yield from self._late_dependency(("flag", cond.flag), loc, before, owner)
        elif isinstance(cond, CountCondition):
            spec = cond.indicators
            if spec.dimension is not None and q.dimension(spec.dimension) is None:
                yield Finding(
                    (*loc, "indicators", "dimension"),
                    f"unknown dimension '{spec.dimension}'",
                    "unknown_ref",
                )
            elif before is not None:
                yield from self._late_dependency(
                    ("count", spec.dimension or ""), loc, before, owner, node=_count_node(spec)
                )

    def _late_dependency(
        self, ref: tuple[str, str], loc: Loc, before: int, owner: str, *, node: str = ""
    ) -> Iterator[Finding]:
        latest = self._graphs.latest.get(node or _node(*ref))
        if latest is not None and latest[0] >= before:
            yield Finding(
                loc,
                f"{owner} depends on {ref[0]} '{ref[1] or 'any'}', which depends on the later "
                f"question '{latest[1]}'; a condition may only use answers given before it",
                "forward_reference",
            )

    def _answer_condition(
        self, cond: AnswerCondition, loc: Loc, *, before: int | None, owner: str
    ) -> Iterator[Finding]:
        question = self.q.question(cond.answer)
        if question is None:
            yield Finding((*loc, "answer"), f"unknown question '{cond.answer}'", "unknown_ref")
            return
        if isinstance(question, NoteQuestion):
            yield Finding(
                (*loc, "answer"), f"'{cond.answer}' is a note and has no answer", "bad_comparison"
            )
            return
        if before is not None and self.q.position(cond.answer) >= before:
            what = (
                "itself"
                if owner == f"question '{cond.answer}'"
                else f"the later question '{cond.answer}'"
            )
            yield Finding(
                (*loc, "answer"),
                f"{owner} depends on {what}; a condition may only use answers given before it",
                "forward_reference",
            )
        if cond.one_of is not None and not cond.one_of:
            yield Finding(
                (*loc, "one_of"),
                "`one_of: []` lists no value, so the test can never be true; give at least one "
                "value",
                "bad_comparison",
            )
        for name, operand in cond.tests():
            message = _impossible(question, name, operand)
            if message:
                yield Finding((*loc, "is" if name == "is" else name), message, "bad_comparison")

    # ----------------------------------------------------------------- parts

    def _questions(self) -> Iterator[Finding]:
        for s_index, section in enumerate(self.q.sections):
            first = self.q.position(section.questions[0].id) if section.questions else 0
            if section.when is not None:
                yield from self._condition(
                    section.when,
                    ("sections", s_index, "when"),
                    before=first,
                    owner=f"section '{section.id}'",
                )
            for q_index, question in enumerate(section.questions):
                loc: Loc = ("sections", s_index, "questions", q_index)
                if self.question_loc.get(question.id) != loc:
                    continue  # a duplicate id, reported above
                position = self.q.position(question.id)
                if question.when is not None:
                    yield from self._condition(
                        question.when,
                        (*loc, "when"),
                        before=position,
                        owner=f"question '{question.id}'",
                    )
                yield from _validation_problems(question, loc)

    def _indicators(self) -> Iterator[Finding]:
        for index, indicator in enumerate(self.q.indicators):
            loc: Loc = ("indicators", index)
            if self.q.dimension(indicator.dimension) is None:
                yield Finding(
                    (*loc, "dimension"), f"unknown dimension '{indicator.dimension}'", "unknown_ref"
                )
            if indicator.when is None:
                yield Finding(
                    loc,
                    f"indicator '{indicator.id}' has no `when`: no answer can trigger it; add the "
                    "condition over answers that reveals it",
                    "untriggerable",
                )
                continue
            found = list(
                self._condition(
                    indicator.when, (*loc, "when"), before=None, owner=f"indicator '{indicator.id}'"
                )
            )
            yield from found
            for sub in iter_conditions(indicator.when):
                if isinstance(sub, NotCondition) and not _negation_is_safe(sub):
                    yield Finding(
                        (*loc, "when"),
                        f"indicator '{indicator.id}' uses `not` over something other than value "
                        "tests on answers; an indicator must rest on what was said, so `not` may "
                        "only wrap tests such as `equals` or `lt` (never `is:`, `indicator`, "
                        "`dimension`, `flag` or `indicators`)",
                        "untriggerable",
                    )
                    found.append(Finding(loc, "", "untriggerable"))
                if isinstance(sub, AnswerCondition) and sub.is_ in (
                    AnswerState.DONT_KNOW,
                    AnswerState.DECLINED,
                    AnswerState.UNANSWERED,
                ):
                    yield Finding(
                        (*loc, "when"),
                        f"indicator '{indicator.id}' tests `is: {sub.is_.value}`; \"don't know\", "
                        '"declined" and missing answers never trigger an indicator',
                        "untriggerable",
                    )
                    found.append(Finding(loc, "", "untriggerable"))
            # a reference or type problem already explains why it cannot trigger
            if not found and not self._satisfiable_ref(("indicator", indicator.id)):
                yield Finding(
                    (*loc, "when"),
                    f"no set of answers can trigger indicator '{indicator.id}'; check its "
                    "condition (contradictory tests, or questions that can never be asked)",
                    "untriggerable",
                )

    def _flags(self) -> Iterator[Finding]:
        for index, flag in enumerate(self.q.flags):
            yield from self._condition(
                flag.when, ("flags", index, "when"), before=None, owner=f"flag '{flag.id}'"
            )

    def _outcomes(self) -> Iterator[Finding]:
        outcomes = self.q.outcomes
        for index, outcome in enumerate(outcomes):
            loc: Loc = ("outcomes", index)
            last = index == len(outcomes) - 1
            if outcome.when is not None:
                yield from self._condition(
                    outcome.when, (*loc, "when"), before=None, owner=f"outcome '{outcome.code}'"
                )
                if last:
                    yield Finding(
                        (*loc, "when"),
                        f"the last outcome ('{outcome.code}') has a condition; the last outcome must "
                        "be a catch-all without `when`, so that every screening has an outcome",
                        "no_catch_all",
                    )
            elif not last:
                yield Finding(
                    loc,
                    f"outcome '{outcome.code}' has no `when` but is not last; the outcomes after it "
                    "could never be reached",
                    "unreachable_outcome",
                )

    def _header(self) -> Iterator[Finding]:
        if self.q.child_when is not None:
            yield from self._condition(
                self.q.child_when, ("child_when",), before=None, owner="child_when"
            )
        consent = self.q.consent
        if consent is None:
            return
        for name in ("referral", "support", "data_sharing", "explained_by"):
            ident = getattr(consent, name)
            if ident is None:
                continue
            question = self.q.question(ident)
            if question is None:
                yield Finding(("consent", name), f"unknown question '{ident}'", "unknown_ref")
            elif name != "explained_by" and not isinstance(question, SingleChoiceQuestion):
                yield Finding(
                    ("consent", name),
                    f"consent question '{ident}' must be a single_choice question",
                    "bad_reference",
                )

    def _address(self) -> Iterator[Finding]:
        q = self.q
        gendered = [lang.code for lang in q.languages if lang.gendered]
        if q.address_by is not None:
            question = q.question(q.address_by)
            if question is None:
                yield Finding(("address_by",), f"unknown question '{q.address_by}'", "unknown_ref")
            elif not isinstance(question, SingleChoiceQuestion) or not {"female", "male"} <= {
                c.value for c in question.choices
            }:
                yield Finding(
                    ("address_by",),
                    f"address_by question '{q.address_by}' must be a single_choice question with "
                    "the choices `female` and `male`",
                    "bad_reference",
                )
        elif gendered:
            yield Finding(
                ("languages",),
                f"language {', '.join(repr(c) for c in gendered)} has gendered forms, but no "
                "question says whom the interview addresses; add `address_by: <question id>`",
                "gender_forms",
            )
        if not gendered:
            return
        for entry in self._entries:
            if not entry.addressed or not isinstance(entry.text, dict):
                continue  # a one-language text is reported by the text check
            for code in gendered:
                if isinstance(entry.text.get(code), str):
                    yield Finding(
                        (*entry.loc, code),
                        f"{_addressed(q, entry.key)}: its '{code}' text needs a feminine and a "
                        f"masculine form; write it as `{code}: {{female: ..., male: ...}}`",
                        "gender_forms",
                    )

    def _translated_from(self) -> Iterator[Finding]:
        q = self.q
        for code in q.translated_from:
            loc: Loc = ("translated_from", code)
            if code == q.default_language:
                yield Finding(
                    loc,
                    f"'{code}' is the source language: its texts are not translated from "
                    "anything; remove this entry",
                    "unknown_language",
                    key=True,
                )
            elif q.language(code) is None:
                yield Finding(
                    loc,
                    f"language '{code}' is not declared in `languages`",
                    "unknown_language",
                    key=True,
                )

    def _indicator_sets(self) -> Iterator[Finding]:
        q = self.q
        seen: set[str] = set()
        for index, indicator_set in enumerate(q.indicator_sets):
            loc: Loc = ("indicator_sets", index)
            if indicator_set.id in seen:
                yield Finding(
                    (*loc, "id"),
                    f"duplicate indicator set '{indicator_set.id}'; indicator set ids must be unique",
                    "duplicate_id",
                )
            seen.add(indicator_set.id)
            if indicator_set.when is None:
                continue
            yield from self._condition(
                indicator_set.when,
                (*loc, "when"),
                before=None,
                owner=f"indicator set '{indicator_set.id}'",
            )
            for sub in iter_conditions(indicator_set.when):
                if not isinstance(
                    sub, AllCondition | AnyCondition | NotCondition | AnswerCondition
                ):
                    yield Finding(
                        (*loc, "when"),
                        f"indicator set '{indicator_set.id}' may test answers only (not indicators, "
                        "dimensions, flags or counts, which depend on the set)",
                        "bad_reference",
                    )
                    break
        for index, indicator in enumerate(q.indicators):
            if indicator.set is None:
                continue
            if not q.indicator_sets:
                yield Finding(
                    ("indicators", index, "set"),
                    f"indicator '{indicator.id}' names the set '{indicator.set}' but the "
                    "questionnaire declares no `indicator_sets`",
                    "unknown_ref",
                )
            elif indicator.set not in seen:
                yield Finding(
                    ("indicators", index, "set"),
                    f"unknown indicator set '{indicator.set}'",
                    "unknown_ref",
                )

    def _dimensions(self) -> Iterator[Finding]:
        if not self.q.dimension_rule:
            yield Finding(
                ("dimension_rule",),
                "`dimension_rule: []` has no combination, so no dimension could ever be "
                "positive; give at least one (such as `- {strong: 2}`), or leave the key out "
                "for the ILO rule",
                "bad_rule",
            )
        for index, dimension in enumerate(self.q.dimensions):
            if dimension.rule is not None and not dimension.rule:
                yield Finding(
                    ("dimensions", index, "rule"),
                    f"dimension '{dimension.id}' has `rule: []`, so it could never be positive; "
                    "give at least one combination, or leave the key out for `dimension_rule`",
                    "bad_rule",
                )
            if not self.q.indicators_in(dimension.id):
                yield Finding(
                    ("dimensions", index, "id"),
                    f"dimension '{dimension.id}' has no indicators",
                    "empty_dimension",
                )

    # ----------------------------------------------------------------- cycles

    def _cycles(self) -> Iterator[Finding]:
        """Circular references between indicators, flags and dimensions (an iterative search,
        so that a chain of thousands of references needs no deep recursion)."""
        graph = self._graphs.refs
        state: dict[str, int] = {}  # 1: on the current path, 2: done
        reported: set[str] = set()
        for root in graph:
            if root in state or root.startswith("count:"):
                continue
            path: list[str] = [root]
            on_path: dict[str, int] = {root: 0}
            pending = [iter(sorted(graph.get(root, ())))]
            state[root] = 1
            cycle: list[str] | None = None
            while pending:
                nxt = next(pending[-1], None)
                if nxt is None:
                    pending.pop()
                    done = path.pop()
                    del on_path[done]
                    state[done] = 2
                elif nxt in on_path:
                    cycle = path[on_path[nxt] :]
                    break
                elif nxt not in state:
                    state[nxt] = 1
                    on_path[nxt] = len(path)
                    path.append(nxt)
                    pending.append(iter(sorted(graph.get(nxt, ()))))
            if cycle is None:
                continue
            for node in path:  # the search stopped early: close the nodes it left open
                state[node] = 2
            # counts are steps of the search, not things an author named
            start = next(i for i, node in enumerate(cycle) if not node.startswith("count:"))
            named = [n for n in cycle[start:] + cycle[:start] if not n.startswith("count:")]
            text = " -> ".join([*named, named[0]])
            if text not in reported:
                reported.add(text)
                kind, ident = named[0].split(":", 1)
                yield Finding(self._loc_of(kind, ident), f"circular conditions: {text}", "cycle")
        yield from self._counting_themselves(reported)

    def _counting_themselves(self, reported: set[str]) -> Iterator[Finding]:
        """Indicators whose condition counts indicators they are one of: the search above
        passes each count once, so it can miss these."""
        graphs = self._graphs
        for ind in self.q.indicators:
            node = _node("indicator", ind.id)
            for ref in sorted(graphs.refs.get(node, ())):
                if ref.startswith("count:") and node in graphs.members(ref):
                    text = f"{node} -> {node}"
                    if text not in reported:
                        reported.add(text)
                        yield Finding(
                            self._loc_of("indicator", ind.id),
                            f"circular conditions: {text}",
                            "cycle",
                        )
                    break

    def _loc_of(self, kind: str, ident: str) -> Loc:
        return self._graphs.locs.get(f"{kind}:{ident}", ())

    # ----------------------------------------------------------------- satisfiability

    def _satisfiable_ref(self, ref: tuple[str, str]) -> bool:
        """Whether some answers can make an indicator/flag/dimension true (a sound approximation)."""
        return self._graphs.value(_node(*ref))

    def _sat(self, cond: Condition) -> bool:
        return self._graphs.sat(cond)


def _node(kind: str, ident: str) -> str:
    return f"{kind}:{ident}"


def _count_node(spec: CountSpec) -> str:
    return f"count:{spec.dimension or ''}:{spec.strength.value if spec.strength else ''}"


class _Graphs:
    """What references what, laid out once, and what follows from it in one pass each.

    Nodes are ``question:ID``, ``indicator:ID``, ``flag:ID``, ``dimension:ID`` and
    ``count:DIMENSION:STRENGTH`` (one for each distinct count, shared by every condition that
    counts the same indicators, so that a thousand counts do not make a thousand edges to each
    indicator). Every pass visits each node and each condition a bounded number of times: the
    cost grows with the size of the questionnaire, not with its square.
    """

    def __init__(self, q: Questionnaire) -> None:
        self.q = q
        self.locs: dict[str, Loc] = {}
        tables: tuple[tuple[str, Sequence[Indicator | Flag | Dimension]], ...] = (
            ("indicator", q.indicators),
            ("flag", q.flags),
            ("dimension", q.dimensions),
        )
        for kind, items in tables:
            for index, item in enumerate(items):
                self.locs.setdefault(
                    _node(kind, item.id),
                    (f"{kind}s", index, "when" if kind != "dimension" else "id"),
                )
        self.counts: dict[str, tuple[Indicator, ...]] = {}
        self._member_sets: dict[str, frozenset[str]] = {}
        for root in _roots(q):
            for sub in iter_conditions(root):
                if isinstance(sub, CountCondition):
                    self._count(sub.indicators)
        # references between indicators, flags, dimensions and counts (cycles, dependencies)
        self.refs: dict[str, set[str]] = {}
        self.answers: dict[str, set[str]] = {}  # the questions each one tests directly
        # an indicator's condition includes its set's (observed only while the set applies)
        whens = q.indicator_conditions()
        for ind in q.indicators:
            self._add(_node("indicator", ind.id), whens.get(ind.id))
        for flag in q.flags:
            self._add(_node("flag", flag.id), flag.when)
        for dim in q.dimensions:
            self.refs.setdefault(_node("dimension", dim.id), set()).update(
                _node("indicator", i.id) for i in q.indicators_in(dim.id)
            )
        for node, members in self.counts.items():
            self.refs[node] = {_node("indicator", i.id) for i in members}
        self.latest = self._latest()
        self._values: dict[str, bool] = {}
        self._totals: dict[str, int] = {}
        self._evaluate()

    def _add(self, node: str, cond: Condition | None) -> None:
        refs = self.refs.setdefault(node, set())
        answers = self.answers.setdefault(node, set())
        if cond is None:
            return
        for sub in iter_conditions(cond):
            if isinstance(sub, AnswerCondition):
                if self.q.question(sub.answer) is not None:
                    answers.add(sub.answer)
            elif isinstance(sub, IndicatorCondition):
                refs.add(_node("indicator", sub.indicator))
            elif isinstance(sub, FlagCondition):
                refs.add(_node("flag", sub.flag))
            elif isinstance(sub, DimensionCondition):
                refs.add(_node("dimension", sub.dimension))
            elif isinstance(sub, CountCondition):
                refs.add(self._count(sub.indicators))

    def members(self, count: str) -> frozenset[str]:
        """The indicator nodes a count node counts."""
        found = self._member_sets.get(count)
        if found is None:
            found = self._member_sets[count] = frozenset(
                _node("indicator", i.id) for i in self.counts.get(count, ())
            )
        return found

    def _count(self, spec: CountSpec) -> str:
        node = _count_node(spec)
        if node not in self.counts:
            self.counts[node] = tuple(
                i
                for i in self.q.indicators_in(spec.dimension)
                if spec.strength is None or i.strength == spec.strength
            )
        return node

    def _latest(self) -> dict[str, tuple[int, str] | None]:
        """For each node: the latest question (position, id) its answers come from, through
        every reference (the members of a cycle share theirs)."""
        position = self.q.question_order()
        latest: dict[str, tuple[int, str] | None] = {}
        for component in _components(self.refs):
            members = set(component)
            found: list[tuple[int, str]] = []
            for node in component:
                found.extend((position[qid], qid) for qid in self.answers.get(node, ()))
                for nxt in self.refs.get(node, ()):
                    later = latest.get(nxt) if nxt not in members else None
                    if later is not None:
                        found.append(later)
            for node in component:
                latest[node] = max(found) if found else None
        return latest

    # satisfiability: a node's value follows from the nodes its conditions use, so each is
    # computed once, after them (members of a cycle, an error reported on its own, count as
    # false until computed)

    def _dependencies(self) -> dict[str, list[str]]:
        """What each node's satisfiability is computed from (`not` is skipped: its
        satisfiability does not depend on what it holds)."""
        q = self.q
        edges: dict[str, list[str]] = {}
        whens = q.indicator_conditions()
        for ind in q.indicators:
            edges.setdefault(_node("indicator", ind.id), self._sat_targets(whens.get(ind.id)))
        for flag in q.flags:
            edges.setdefault(_node("flag", flag.id), self._sat_targets(flag.when))
        for dim in q.dimensions:
            edges.setdefault(
                _node("dimension", dim.id),
                [_node("indicator", i.id) for i in q.indicators_in(dim.id)],
            )
        for section in q.sections:
            for question in section.questions:
                if not isinstance(question, NoteQuestion):
                    edges.setdefault(
                        _node("question", question.id),
                        self._sat_targets(section.when) + self._sat_targets(question.when),
                    )
        for node, members in self.counts.items():
            edges.setdefault(node, [_node("indicator", i.id) for i in members])
        return edges

    def _sat_targets(self, cond: Condition | None) -> list[str]:
        out: list[str] = []
        stack = [cond] if cond is not None else []
        while stack:
            sub = stack.pop()
            if isinstance(sub, AllCondition):
                stack.extend(sub.all)
            elif isinstance(sub, AnyCondition):
                stack.extend(sub.any)
            elif isinstance(sub, AnswerCondition):
                out.append(_node("question", sub.answer))
            elif isinstance(sub, IndicatorCondition):
                out.append(_node("indicator", sub.indicator))
            elif isinstance(sub, FlagCondition):
                out.append(_node("flag", sub.flag))
            elif isinstance(sub, DimensionCondition):
                out.append(_node("dimension", sub.dimension))
            elif isinstance(sub, CountCondition):
                out.append(self._count(sub.indicators))
        return out

    def _evaluate(self) -> None:
        edges = self._dependencies()
        for component in _components(edges):
            for node in component:
                self._values[node] = False
            # a cycle (an error reported on its own) is settled in a second pass, so that a
            # member computed before the one it uses sees it
            cyclic = len(component) > 1 or component[0] in edges.get(component[0], ())
            for _ in range(2 if cyclic else 1):
                for node in component:
                    self._values[node] = self._compute(node)

    def _compute(self, node: str) -> bool:
        q = self.q
        kind, ident = node.split(":", 1)
        if kind == "question":
            question = q.question(ident)
            if question is None:
                return False
            section = q.section_of(ident)
            return (section.when is None or self.sat(section.when)) and (
                question.when is None or self.sat(question.when)
            )
        if kind == "indicator":
            when = q.indicator_conditions().get(ident)
            return bool(q.indicator(ident) and when is not None and self.sat(when))
        if kind == "flag":
            flag = q.flag(ident)
            return bool(flag and self.sat(flag.when))
        if kind == "dimension":
            dim = q.dimension(ident)
            if dim is None:
                return False
            counts = {"strong": 0, "medium": 0, "weak": 0}
            for ind in q.indicators_in(ident):
                if self.value(_node("indicator", ind.id)):
                    counts[ind.strength.value] += ind.weight
            return any(
                counts["strong"] >= c.strong
                and counts["medium"] >= c.medium
                and counts["weak"] >= c.weak
                for c in q.rule_of(dim)
            )
        if kind == "count":
            self._totals[node] = sum(
                ind.weight
                for ind in self.counts.get(node, ())
                if self.value(_node("indicator", ind.id))
            )
            return self._totals[node] > 0
        return False  # pragma: no cover

    def value(self, node: str) -> bool:
        """Whether some answers can make the node true (false for unknown ids)."""
        return self._values.get(node, False)

    def sat(self, cond: Condition) -> bool:
        """Whether some answers can make the condition true (a sound approximation)."""
        if isinstance(cond, AnswerCondition):
            question = self.q.question(cond.answer)
            if question is None or isinstance(question, NoteQuestion):
                return False
            if any(_impossible(question, name, operand) for name, operand in cond.tests()):
                return False
            return self.value(_node("question", question.id))
        if isinstance(cond, AllCondition):
            return all(self.sat(sub) for sub in cond.all) and not _contradiction(cond.all)
        if isinstance(cond, AnyCondition):
            return any(self.sat(sub) for sub in cond.any)
        if isinstance(cond, NotCondition):
            return True
        if isinstance(cond, IndicatorCondition):
            return self.value(_node("indicator", cond.indicator))
        if isinstance(cond, FlagCondition):
            return self.value(_node("flag", cond.flag))
        if isinstance(cond, DimensionCondition):
            return self.value(_node("dimension", cond.dimension))
        if isinstance(cond, CountCondition):
            return self._totals.get(_count_node(cond.indicators), 0) >= cond.indicators.at_least
        return False  # pragma: no cover


def _roots(q: Questionnaire) -> Iterator[Condition]:
    """Every condition of the questionnaire that is not nested in another."""
    for root, _ in _located_roots(q):
        yield root


def _components(edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The strongly connected components of a graph (Tarjan's algorithm, without recursion),
    each listed after every component it reaches; edges to unknown nodes are left out."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for root in edges:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work: list[tuple[str, Iterator[str]]] = [(root, iter(edges[root]))]
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt not in edges:
                    continue
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(edges[nxt])))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component: list[str] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    out.append(component)
    return out


@functools.cache
def _field_keys(model: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """A model's field names with their YAML keys (looked up once per class)."""
    return tuple((name, field.alias or name) for name, field in model.model_fields.items())


def _negation_is_safe(cond: NotCondition) -> bool:
    """Whether a `not` wraps only value tests on answers (unknown stays unknown under them)."""
    for sub in iter_conditions(cond.not_):
        if isinstance(sub, AnswerCondition):
            if sub.is_ is not None:
                return False
        elif not isinstance(sub, AllCondition | AnyCondition | NotCondition):
            return False
    return True


def _contradiction(conditions: list[Condition]) -> bool:
    """Whether direct answer tests in one `all` contradict each other (same question)."""
    allowed: dict[str, set[Any]] = {}
    low: dict[str, float] = {}
    high: dict[str, float] = {}
    for cond in conditions:
        if not isinstance(cond, AnswerCondition):
            continue
        for name, operand in cond.tests():
            if name == "equals":
                values = {operand}
            elif name == "one_of":
                values = set(operand)
            else:
                values = None
            if values is not None:
                allowed[cond.answer] = allowed.get(cond.answer, values) & values
                if not allowed[cond.answer]:
                    return True
            if name in ("gt", "ge"):
                low[cond.answer] = max(low.get(cond.answer, float("-inf")), float(operand))
            if name in ("lt", "le"):
                high[cond.answer] = min(high.get(cond.answer, float("inf")), float(operand))
            if low.get(cond.answer, float("-inf")) > high.get(cond.answer, float("inf")):
                return True
    return False


def _domain(question: Question) -> set[str] | None:
    if isinstance(question, YesNoQuestion):
        return {"yes", "no"}
    if isinstance(question, SingleChoiceQuestion | MultipleChoiceQuestion):
        return {c.value for c in question.choices}
    return None


def _impossible(question: Question, name: str, operand: Any) -> str:
    """Why a test can never be true for the question's type ('' when it can)."""
    kind = getattr(question, "type", "?")
    qid = question.id
    if name == "is":
        return ""
    domain = _domain(question)
    numeric = name in ("lt", "le", "gt", "ge")
    if numeric:
        if not isinstance(question, NumberQuestion):
            return f"'{name}' compares numbers, but '{qid}' is a {kind} question"
        validation = question.validation
        if validation is not None:
            lo, hi = validation.min, validation.max
            if (name == "lt" and lo is not None and operand <= lo) or (
                name == "le" and lo is not None and operand < lo
            ):
                return f"'{qid}' {name} {operand:g} can never be true: answers are at least {lo:g}"
            if (name == "gt" and hi is not None and operand >= hi) or (
                name == "ge" and hi is not None and operand > hi
            ):
                return f"'{qid}' {name} {operand:g} can never be true: answers are at most {hi:g}"
        return ""
    if name == "contains":
        if isinstance(question, MultipleChoiceQuestion):
            if operand not in (domain or set()):
                return f"'{operand}' is not a choice of '{qid}' (choices: {', '.join(sorted(domain or ()))})"
            return ""
        if isinstance(question, TextQuestion):
            return "" if isinstance(operand, str) else f"'{qid}' is text; 'contains' needs a string"
        return f"'contains' is for multiple choice and text questions, but '{qid}' is a {kind} question"
    values = list(operand) if name == "one_of" else [operand]
    for value in values:
        if isinstance(value, bool):
            return f"{value!r} is a boolean; {kind} answers are compared with " + (
                "'yes' or 'no'" if domain == {"yes", "no"} else "values of their own type"
            )
        if isinstance(question, MultipleChoiceQuestion):
            return f"'{name}' cannot test a multiple choice answer; use 'contains'"
        if domain is not None and value not in domain:
            return f"'{value}' is not a possible answer of '{qid}' (possible: {', '.join(sorted(domain))})"
        if isinstance(question, NumberQuestion) and not isinstance(value, int | float):
            return f"'{qid}' is a number question; compare it with a number, not {value!r}"
        if isinstance(question, TextQuestion | DateQuestion) and not isinstance(value, str):
            return f"'{qid}' is a {kind} question; compare it with a string, not {value!r}"
    return ""


def _validation_problems(question: Question, loc: Loc) -> Iterator[Finding]:
    validation = getattr(question, "validation", None)
    if validation is None:
        return
    if (
        isinstance(question, NumberQuestion)
        and validation.min is not None
        and validation.max is not None
        and validation.min > validation.max
    ):
        yield Finding((*loc, "validation", "min"), "min is greater than max", "bad_validation")
    if (
        isinstance(question, DateQuestion)
        and validation.min
        and validation.max
        and validation.min > validation.max
    ):
        yield Finding((*loc, "validation", "min"), "min is later than max", "bad_validation")
    if isinstance(question, MultipleChoiceQuestion):
        lo, hi = validation.min_selected, validation.max_selected
        if lo is not None and hi is not None and lo > hi:
            yield Finding(
                (*loc, "validation", "min_selected"),
                "min_selected is greater than max_selected",
                "bad_validation",
            )
        if lo is not None and lo > len(question.choices):
            yield Finding(
                (*loc, "validation", "min_selected"),
                f"min_selected is {lo} but there are only {len(question.choices)} choices",
                "bad_validation",
            )
