"""Texts with forms by the person's gender, and indicator sets chosen by a condition."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SMALL, write

from screening.errors import QuestionnaireError
from screening.model import GenderedText, text_for
from screening.questionnaires import load_path
from screening.scoring import assess

GENDERED = SMALL.replace(
    "  - {code: ar, name: العربية, direction: rtl}\n",
    "  - {code: ar, name: العربية, direction: rtl, gendered: true}\naddress_by: gender\n",
).replace(
    "    questions:\n      - id: age\n",
    """    questions:
      - id: gender
        type: single_choice
        officer_only: true
        text: {en: "Gender", ar: "الجنس"}
        choices:
          - {value: female, label: {en: Woman, ar: امرأة}}
          - {value: male, label: {en: Man, ar: رجل}}
      - id: age
""",
    1,
)


def gendered(text: str) -> str:
    """The small questionnaire with every question put to the person in both forms."""
    for male, female in [
        ("كم عمرك؟", "كم عمركِ؟"),
        ("اسمك", "اسمكِ"),
        ("هل تحتفظ بجواز سفرك؟", "هل تحتفظين بجواز سفركِ؟"),
        ("متى أُخذ؟", "متى أُخذ منكِ؟"),
        ("كم ساعة يوميًا؟", "كم ساعة تعملين يوميًا؟"),
        ("أيّ من هذه؟", "أيّ من هذه ينطبق عليكِ؟"),
    ]:
        text = text.replace(f'ar: "{male}"', f'ar: {{female: "{female}", male: "{male}"}}', 1)
    return text


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, "q.yaml", text)
    with pytest.raises(QuestionnaireError) as info:
        load_path(path, display="q.yaml")
    return [str(p) for p in info.value.problems]


def test_a_gendered_questionnaire_loads_and_picks_the_form(tmp_path: Path) -> None:
    q = load_path(write(tmp_path, "q.yaml", gendered(GENDERED))).questionnaire
    text = q.question("passport").text  # type: ignore[union-attr]
    assert isinstance(text, dict)
    assert isinstance(text["ar"], GenderedText)
    assert text_for(text, "ar", "en", "female") == "هل تحتفظين بجواز سفركِ؟"
    assert text_for(text, "ar", "en", "male") == "هل تحتفظ بجواز سفرك؟"
    assert text_for(text, "ar", "en", "other") == "هل تحتفظ بجواز سفرك؟"
    assert text_for(text, "en", "en", "female") == "Do you keep your passport?"


def test_a_neutral_form_is_shown_while_the_gender_is_unknown() -> None:
    forms = GenderedText(female="تعملين", male="تعمل", neutral="تعمل/ين")
    assert forms.form(None) == "تعمل/ين"
    assert forms.form("female") == "تعملين"


def test_a_question_put_to_the_person_needs_both_forms(tmp_path: Path) -> None:
    text = gendered(GENDERED).replace(
        'ar: {female: "كم عمركِ؟", male: "كم عمرك؟"}', 'ar: "كم عمرك؟"'
    )
    [problem] = problems_of(tmp_path, text)
    line = next(i + 1 for i, row in enumerate(text.splitlines()) if 'ar: "كم عمرك؟"' in row)
    assert problem.startswith(f"q.yaml:{line}:")
    assert (
        "question 'age' is put to the person: its 'ar' text needs a feminine and a masculine form"
        in problem
    )


def test_gendered_forms_need_a_gendered_language_and_an_address_question(tmp_path: Path) -> None:
    text = gendered(GENDERED).replace(", gendered: true", "")
    found = problems_of(tmp_path, text)
    assert any("language 'ar' does not declare `gendered: true`" in p for p in found)
    no_address = gendered(GENDERED).replace("address_by: gender\n", "")
    [problem] = problems_of(tmp_path, no_address)
    assert "add `address_by: <question id>`" in problem
    wrong = gendered(GENDERED).replace("address_by: gender", "address_by: age")
    [problem] = problems_of(tmp_path, wrong)
    assert "must be a single_choice question with the choices `female` and `male`" in problem
    unknown = gendered(GENDERED).replace("address_by: gender", "address_by: sex")
    [problem] = problems_of(tmp_path, unknown)
    assert "unknown question 'sex'" in problem


def test_a_form_missing_from_the_pair_is_located(tmp_path: Path) -> None:
    text = gendered(GENDERED).replace(
        '{female: "كم عمركِ؟", male: "كم عمرك؟"}', '{female: "كم عمركِ؟"}'
    )
    [problem] = problems_of(tmp_path, text)
    line = next(i + 1 for i, row in enumerate(text.splitlines()) if '{female: "كم عمركِ؟"}' in row)
    assert problem.startswith(f"q.yaml:{line}:")
    assert (
        "the 'ar' text of 'text' has forms by gender: it needs both `female` and `male`" in problem
    )
    extra = gendered(GENDERED).replace('male: "كم عمرك؟"}', 'male: "كم عمرك؟", feminine: "x"}')
    [problem] = problems_of(tmp_path, extra)
    assert "are `female`, `male` and `neutral`; 'feminine' is not one of them" in problem


SETS = SMALL.replace(
    "indicators:\n",
    """indicator_sets:
  - id: labour
    title: {en: Labour exploitation, ar: الاستغلال في العمل}
  - id: sexual
    title: {en: Sexual exploitation, ar: الاستغلال الجنسي}
    when: {answer: hours, ge: 20}
indicators:
""",
    1,
).replace(
    """  - id: unpaid
    title: {en: No salary, ar: بلا أجر}
    dimension: conditions""",
    """  - id: unpaid
    title: {en: No salary, ar: بلا أجر}
    dimension: conditions
    set: sexual""",
)


def test_an_indicator_counts_only_while_its_set_applies(tmp_path: Path) -> None:
    q = load_path(write(tmp_path, "q.yaml", SETS)).questionnaire
    assert [s.id for s in q.indicator_sets] == ["labour", "sexual"]
    assert q.set_of(q.indicator("locked_in")).id == "labour"  # type: ignore[arg-type,union-attr]
    outside = assess(q, {"problems": ["unpaid", "locked"], "hours": 8})
    assert outside.observed_ids() == {"locked_in"}
    inside = assess(q, {"problems": ["unpaid", "locked"], "hours": 20})
    assert inside.observed_ids() == {"locked_in", "unpaid", "long_hours"}
    evidence = dict((o.indicator.id, o.evidence) for o in inside.indicators)
    assert set(evidence["unpaid"]) == {"problems", "hours"}


def test_indicator_sets_are_checked(tmp_path: Path) -> None:
    unknown = SETS.replace("set: sexual", "set: child_sexual")
    [problem] = problems_of(tmp_path, unknown)
    assert "unknown indicator set 'child_sexual'" in problem
    on_indicators = SETS.replace("when: {answer: hours, ge: 20}", "when: {indicator: locked_in}")
    found = problems_of(tmp_path, on_indicators)
    assert any("indicator set 'sexual' may test answers only" in p for p in found)
    duplicate = SETS.replace(
        "  - id: sexual\n    title: {en: Sexual", "  - id: labour\n    title: {en: Sexual"
    )
    found = problems_of(tmp_path, duplicate)
    assert any("duplicate indicator set 'labour'" in p for p in found)
    no_sets = SMALL.replace(
        "    dimension: conditions\n    strength: medium",
        "    dimension: conditions\n    set: labour\n    strength: medium",
    )
    [problem] = problems_of(tmp_path, no_sets)
    assert "declares no `indicator_sets`" in problem


def test_indicators_show_names_the_set_and_its_condition(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    import json

    path = write(tmp_path, "q.yaml", SETS)
    record = json.loads(
        cli("indicators", "show", "unpaid", "--questionnaire", str(path), "--format", "json").out
    )
    assert record["set"] == "sexual"
    assert set(record["questions"]) == {"hours", "problems"}
    shown = cli("indicators", "show", "unpaid", "--questionnaire", str(path)).out
    assert "all of:" in shown
    plain = json.loads(
        cli("indicators", "show", "locked_in", "--questionnaire", str(path), "--format", "json").out
    )
    assert plain["set"] == "labour"
    assert plain["questions"] == ["problems"]
