"""Cross-reference checks of a questionnaire (core: no I/O).

Pydantic checks each value's shape; these check what spans the file: ids are unique, every
reference resolves, skip logic only looks back, comparisons can be true for the question's type,
every indicator can be triggered by some answers, the outcome ladder ends in a catch-all, and
every shown string is given in every declared language. Each problem carries the pydantic-style
path (``loc``) of the value at fault, which the loader turns into ``file:line:column``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from screening.model import (
    SPECIAL_ANSWERS,
    AllCondition,
    AnswerCondition,
    AnswerState,
    AnyCondition,
    Condition,
    CountCondition,
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
    """Every cross-reference problem of a questionnaire, in file order where possible."""
    return list(_Checker(q).run())


class _Checker:
    def __init__(self, q: Questionnaire) -> None:
        self.q = q
        self.question_loc: dict[str, Loc] = {}
        for s_index, section in enumerate(q.sections):
            for q_index, question in enumerate(section.questions):
                self.question_loc.setdefault(
                    question.id, ("sections", s_index, "questions", q_index)
                )
        self._sat_cache: dict[str, bool] = {}
        self._visiting: set[str] = set()

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
        codes = self.q.language_codes
        for name in type(model).model_fields:
            value = getattr(model, name)
            key = type(model).model_fields[name].alias or name
            if name in TEXT_FIELDS and value is not None and not isinstance(value, BaseModel):
                yield from self._text(value, (*loc, key), codes)
            elif isinstance(value, BaseModel):
                yield from self._texts(value, (*loc, key))
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, BaseModel):
                        yield from self._texts(item, (*loc, key, index))

    def _text(self, value: Any, loc: Loc, codes: list[str]) -> Iterator[Finding]:
        if isinstance(value, str):
            if len(codes) > 1:
                yield Finding(
                    loc,
                    f"this text has one form but the questionnaire declares {len(codes)} "
                    f"languages; write it as {{{', '.join(f'{c}: ...' for c in codes)}}}",
                    "missing_language",
                )
            return
        for code in codes:
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
            if given is None or not str(given).strip():
                yield Finding(
                    loc,
                    f"missing the '{code}' text (declared in languages); add `{code}: ...`",
                    "missing_language",
                )
        for code in value:
            if code not in codes:
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
                    ("count", spec.dimension or ""), loc, before, owner
                )

    def _late_dependency(
        self, ref: tuple[str, str], loc: Loc, before: int, owner: str
    ) -> Iterator[Finding]:
        questions = self._answer_dependencies(ref, set())
        late = [qid for qid in questions if self.q.position(qid) >= before]
        if late:
            yield Finding(
                loc,
                f"{owner} depends on {ref[0]} '{ref[1] or 'any'}', which depends on the later "
                f"question '{late[0]}'; a condition may only use answers given before it",
                "forward_reference",
            )

    def _answer_dependencies(self, ref: tuple[str, str], seen: set[tuple[str, str]]) -> set[str]:
        """Question ids whose answers an indicator, dimension, flag or count depends on."""
        if ref in seen:
            return set()
        seen.add(ref)
        kind, ident = ref
        q = self.q
        conditions: list[Condition] = []
        if kind == "indicator" and (when := q.indicator_conditions().get(ident)) is not None:
            conditions.append(when)
        elif kind == "flag" and (flag := q.flag(ident)):
            conditions.append(flag.when)
        elif kind in ("dimension", "count"):
            conditions.extend(
                i.when
                for i in q.indicators
                if i.when is not None and (not ident or i.dimension == ident)
            )
        out: set[str] = set()
        for cond in conditions:
            for sub in iter_conditions(cond):
                if isinstance(sub, AnswerCondition) and q.question(sub.answer) is not None:
                    out.add(sub.answer)
                elif isinstance(sub, IndicatorCondition):
                    out |= self._answer_dependencies(("indicator", sub.indicator), seen)
                elif isinstance(sub, FlagCondition):
                    out |= self._answer_dependencies(("flag", sub.flag), seen)
                elif isinstance(sub, DimensionCondition):
                    out |= self._answer_dependencies(("dimension", sub.dimension), seen)
                elif isinstance(sub, CountCondition):
                    out |= self._answer_dependencies(
                        ("count", sub.indicators.dimension or ""), seen
                    )
        return out

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
        for question_id, loc in self.question_loc.items():
            question = q.question(question_id)
            if question is None or isinstance(question, NoteQuestion):
                continue
            if question.officer_only or q.section_of(question_id).officer_only:
                continue
            if not isinstance(question.text, dict):
                continue  # a one-language text is reported by the text check
            for code in gendered:
                if isinstance(question.text.get(code), str):
                    yield Finding(
                        (*loc, "text", code),
                        f"question '{question_id}' is put to the person: its '{code}' text "
                        f"needs a feminine and a masculine form; write it as `{code}: {{female: "
                        "..., male: ...}`",
                        "gender_forms",
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
                if not isinstance(sub, AllCondition | AnyCondition | NotCondition | AnswerCondition):
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
        for index, dimension in enumerate(self.q.dimensions):
            if not any(i.dimension == dimension.id for i in self.q.indicators):
                yield Finding(
                    ("dimensions", index, "id"),
                    f"dimension '{dimension.id}' has no indicators",
                    "empty_dimension",
                )

    # ----------------------------------------------------------------- cycles

    def _refs(self, cond: Condition | None) -> set[str]:
        refs: set[str] = set()
        if cond is None:
            return refs
        for sub in iter_conditions(cond):
            if isinstance(sub, IndicatorCondition):
                refs.add(f"indicator:{sub.indicator}")
            elif isinstance(sub, FlagCondition):
                refs.add(f"flag:{sub.flag}")
            elif isinstance(sub, DimensionCondition):
                refs.add(f"dimension:{sub.dimension}")
            elif isinstance(sub, CountCondition):
                spec = sub.indicators
                refs |= {
                    f"indicator:{i.id}"
                    for i in self.q.indicators
                    if (spec.dimension is None or i.dimension == spec.dimension)
                    and (spec.strength is None or i.strength == spec.strength)
                }
        return refs

    def _graph(self) -> dict[str, set[str]]:
        graph: dict[str, set[str]] = {}
        for ind in self.q.indicators:
            graph[f"indicator:{ind.id}"] = self._refs(ind.when)
        for flag in self.q.flags:
            graph[f"flag:{flag.id}"] = self._refs(flag.when)
        for dim in self.q.dimensions:
            graph[f"dimension:{dim.id}"] = {
                f"indicator:{i.id}" for i in self.q.indicators if i.dimension == dim.id
            }
        return graph

    def _cycles(self) -> Iterator[Finding]:
        graph = self._graph()
        state: dict[str, int] = {}
        reported: set[str] = set()

        def visit(node: str, path: list[str]) -> str | None:
            state[node] = 1
            path.append(node)
            for nxt in sorted(graph.get(node, ())):
                if state.get(nxt) == 1:
                    cycle = [*path[path.index(nxt) :], nxt]
                    return " -> ".join(cycle)
                if state.get(nxt) is None:
                    found = visit(nxt, path)
                    if found:
                        return found
            path.pop()
            state[node] = 2
            return None

        for node in graph:
            if state.get(node) is None:
                cycle = visit(node, [])
                if cycle:
                    # the traversal stopped early: close the nodes it left open
                    for open_node in [n for n, s in state.items() if s == 1]:
                        state[open_node] = 2
                if cycle and cycle not in reported:
                    reported.add(cycle)
                    kind, ident = cycle.split(" -> ")[0].split(":", 1)
                    yield Finding(
                        self._loc_of(kind, ident), f"circular conditions: {cycle}", "cycle"
                    )

    def _loc_of(self, kind: str, ident: str) -> Loc:
        tables: dict[str, Sequence[Indicator | Flag | Dimension]] = {
            "indicator": self.q.indicators,
            "flag": self.q.flags,
            "dimension": self.q.dimensions,
        }
        items = tables[kind]
        for index, item in enumerate(items):
            if item.id == ident:
                return (f"{kind}s", index, "when" if kind != "dimension" else "id")
        return ()

    # ----------------------------------------------------------------- satisfiability

    def _satisfiable_ref(self, ref: tuple[str, str]) -> bool:
        """Whether some answers can make an indicator/flag/dimension true (a sound approximation)."""
        key = f"{ref[0]}:{ref[1]}"
        if key in self._sat_cache:
            return self._sat_cache[key]
        if key in self._visiting:
            return False  # a cycle, reported separately
        self._visiting.add(key)
        kind, ident = ref
        result = False
        if kind == "indicator":
            ind = self.q.indicator(ident)
            when = self.q.indicator_conditions().get(ident)
            result = bool(ind and when is not None and self._sat(when))
        elif kind == "flag":
            flag = self.q.flag(ident)
            result = bool(flag and self._sat(flag.when))
        elif kind == "dimension":
            dim = self.q.dimension(ident)
            if dim is not None:
                counts = {"strong": 0, "medium": 0, "weak": 0}
                for ind in self.q.indicators:
                    if ind.dimension == ident and self._satisfiable_ref(("indicator", ind.id)):
                        counts[ind.strength.value] += ind.weight
                result = any(
                    counts["strong"] >= c.strong
                    and counts["medium"] >= c.medium
                    and counts["weak"] >= c.weak
                    for c in self.q.rule_of(dim)
                )
        self._visiting.discard(key)
        self._sat_cache[key] = result
        return result

    def _askable(self, question: Question) -> bool:
        key = f"question:{question.id}"
        if key in self._sat_cache:
            return self._sat_cache[key]
        if key in self._visiting:
            return False  # a question that depends on itself, reported separately
        self._visiting.add(key)
        section = self.q.section_of(question.id)
        result = (section.when is None or self._sat(section.when)) and (
            question.when is None or self._sat(question.when)
        )
        self._visiting.discard(key)
        self._sat_cache[key] = result
        return result

    def _sat(self, cond: Condition) -> bool:
        if isinstance(cond, AnswerCondition):
            question = self.q.question(cond.answer)
            if question is None or isinstance(question, NoteQuestion):
                return False
            if any(_impossible(question, name, operand) for name, operand in cond.tests()):
                return False
            return self._askable(question)
        if isinstance(cond, AllCondition):
            return all(self._sat(sub) for sub in cond.all) and not _contradiction(cond.all)
        if isinstance(cond, AnyCondition):
            return any(self._sat(sub) for sub in cond.any)
        if isinstance(cond, NotCondition):
            return True
        if isinstance(cond, IndicatorCondition):
            return self._satisfiable_ref(("indicator", cond.indicator))
        if isinstance(cond, FlagCondition):
            return self._satisfiable_ref(("flag", cond.flag))
        if isinstance(cond, DimensionCondition):
            return self._satisfiable_ref(("dimension", cond.dimension))
        if isinstance(cond, CountCondition):
            spec = cond.indicators
            total = sum(
                ind.weight
                for ind in self.q.indicators
                if (spec.dimension is None or ind.dimension == spec.dimension)
                and (spec.strength is None or ind.strength == spec.strength)
                and self._satisfiable_ref(("indicator", ind.id))
            )
            return total >= spec.at_least
        return False  # pragma: no cover


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
