"""Every bundled questionnaire validates; the default one keeps the contract of DESIGN section 4."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from solver import observes, satisfy

from screening.model import Questionnaire
from screening.questionnaires import DEFAULT_QUESTIONNAIRE, bundled_files, load_path, resolve
from screening.scoring import assess

DIMENSIONS = [
    "deceptive_recruitment",
    "coercive_recruitment",
    "recruitment_vulnerability",
    "exploitative_conditions",
    "coercion_destination",
    "destination_vulnerability",
]
RECRUITMENT = DIMENSIONS[:3]
DESTINATION_MEANS = DIMENSIONS[4:]

# The adult labour-exploitation set of the reference: (strong, medium, weak) per dimension.
PUBLISHED = {
    "deceptive_recruitment": (1, 8, 1),
    "coercive_recruitment": (1, 9, 0),
    "recruitment_vulnerability": (0, 12, 4),
    "exploitative_conditions": (1, 7, 1),
    "coercion_destination": (4, 10, 1),
    "destination_vulnerability": (0, 5, 2),
}


@pytest.mark.parametrize("path", bundled_files(), ids=lambda p: p.name)
def test_bundled_questionnaire_validates(path: Path) -> None:
    loaded = load_path(path)
    q = loaded.questionnaire
    assert loaded.warnings == ()  # no stale translation ships
    assert q.languages[0].code == "en"
    # the officer's side in English and Arabic; the released files before 2.1.0 have no other
    assert [lang.code for lang in q.languages if lang.audience == "all"] == ["en", "ar"]
    assert q.language("ar").direction == "rtl"  # type: ignore[union-attr]
    worker = [lang for lang in q.languages if lang.audience == "worker"]
    if q.version in ("1.0.0", "2.0.0", "1.0.1"):
        assert worker == []
    else:
        # the languages of the workers a Bahrain centre sees, as drafts
        assert [lang.code for lang in worker] == ["hi", "ur", "ml", "ta", "bn", "ne", "tl", "si"]
        assert {lang.status for lang in worker} == {"draft"}
        assert q.language("ur").direction == "rtl"  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def default() -> Questionnaire:
    return resolve(None).questionnaire


def test_default_id_and_dimensions(default: Questionnaire) -> None:
    assert default.id == DEFAULT_QUESTIONNAIRE
    assert [d.id for d in default.dimensions] == DIMENSIONS


def test_all_67_indicators_with_the_published_strengths(default: Questionnaire) -> None:
    counts: dict[str, Counter[str]] = {d: Counter() for d in DIMENSIONS}
    for indicator in default.indicators:
        counts[indicator.dimension][indicator.strength.value] += 1
    got = {d: (c["strong"], c["medium"], c["weak"]) for d, c in counts.items()}
    assert got == PUBLISHED
    assert len(default.indicators) == 67
    assert all(i.source for i in default.indicators)
    assert all(i.weight == 1 for i in default.indicators)


def test_age_question_contract(default: Questionnaire) -> None:
    age = default.question("age")
    assert age is not None
    assert age.type == "number"
    assert age.allow == ["dont_know", "declined"]


def test_outcome_codes_in_order(default: Questionnaire) -> None:
    assert [o.code for o in default.outcomes] == [
        "trafficking_indicated",
        "further_assessment",
        "labour_violation",
        "monitor",
        "no_indicators",
    ]


def test_every_question_of_version_1_accepts_the_special_answers() -> None:
    # Version 2.0.0 leaves "declined" out of officer-only questions: see
    # test_default_questionnaire.py::test_officer_only_questions_do_not_offer_declined.
    old = resolve("ilo_adult_labour@1.0.0").questionnaire
    for question in old.questions().values():
        if question.type != "note":
            assert sorted(question.allow) == ["declined", "dont_know"], question.id  # type: ignore[union-attr]


@pytest.mark.parametrize("indicator_id", [i.id for i in resolve(None).questionnaire.indicators])
def test_every_indicator_can_be_triggered_by_answers(
    default: Questionnaire, indicator_id: str
) -> None:
    indicator = default.indicator(indicator_id)
    assert indicator is not None
    answers = satisfy(indicator.when, default, {})
    assert answers is not None, f"no answers found that trigger {indicator_id}"
    assert observes(default, answers, indicator_id)


def test_a_worker_with_no_problems(default: Questionnaire) -> None:
    """All "no" at every gateway: the officer's checks and about 30 questions, no indicator.

    Version 2.0.0 asks the facts of each phase separately (before arriving, here and now) and
    the Gulf specifics, so a worker with no problems hears about 30 questions, not 20.
    """
    answers: dict[str, object] = {}
    from screening.scoring import applicable_questions

    for _ in range(200):
        applicable, _kept = applicable_questions(default, answers)
        pending = [q for q in applicable if q.type != "note" and q.id not in answers]
        if not pending:
            break
        question = pending[0]
        answers[question.id] = _plain_answer(question)
    result = assess(default, answers)
    asked = [qid for qid in result.applicable if default.question(qid).type != "note"]  # type: ignore[union-attr]
    to_the_person = [
        qid
        for qid in asked
        if not default.question(qid).officer_only  # type: ignore[union-attr]
        and not default.section_of(qid).officer_only
    ]
    assert len(to_the_person) <= 33, len(to_the_person)
    assert result.indicators == ()
    assert result.outcome.code == "no_indicators"
    assert result.flags == ()


def _plain_answer(question: object) -> object:
    kind = question.type  # type: ignore[attr-defined]
    if question.id == "age":  # type: ignore[attr-defined]
        return 30
    if kind == "yes_no":
        safe_yes = {"private_setting", "basic_needs_met"}
        return "yes" if question.id in safe_yes or "consent" in question.id else "no"  # type: ignore[attr-defined]
    if kind == "single_choice":
        values = [c.value for c in question.choices]  # type: ignore[attr-defined]
        for preferred in ("granted", "none", "no", "same", "myself"):
            if preferred in values:
                return preferred
        return values[0]
    if kind == "multiple_choice":
        return [question.choices[-1].value]  # type: ignore[attr-defined]
    if kind == "number":
        return 8
    if kind == "date":
        return "2024-01-01"
    return "text"


def expected_outcome(q: Questionnaire, observed: set[str], child: bool) -> str:
    """DESIGN section 4, written out independently of the questionnaire's conditions."""
    counts = {d: [0, 0, 0] for d in DIMENSIONS}
    for indicator in q.indicators:
        if indicator.id in observed:
            counts[indicator.dimension][
                ["strong", "medium", "weak"].index(indicator.strength.value)
            ] += 1

    def positive(d: str) -> bool:
        s, m, w = counts[d]
        return s >= 2 or (s >= 1 and m + w >= 1) or m >= 3 or (m >= 2 and w >= 1)

    exploitation = positive("exploitative_conditions")
    if child and exploitation:
        return "trafficking_indicated"
    if any(map(positive, RECRUITMENT)) and exploitation and any(map(positive, DESTINATION_MEANS)):
        return "trafficking_indicated"
    if any(positive(d) for d in DIMENSIONS if d != "exploitative_conditions"):
        return "further_assessment"
    if exploitation or sum(counts["exploitative_conditions"]) >= 1:
        return "labour_violation"
    if observed:
        return "monitor"
    return "no_indicators"


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_outcome_ladder_for_any_checklist(data: st.DataObject) -> None:
    q = resolve(None).questionnaire
    ids = [i.id for i in q.indicators]
    observed = set(data.draw(st.lists(st.sampled_from(ids), max_size=25)))
    age = data.draw(st.sampled_from([15, 17, 18, 35, "dont_know"]))
    child = isinstance(age, int) and age < 18
    result = assess(q, {"age": age}, checklist=sorted(observed))
    assert result.observed_ids() == observed
    assert result.child is child
    assert result.outcome.code == expected_outcome(q, observed, child)


def test_each_outcome_reachable_by_answers(default: Questionnaire) -> None:
    reached = set()
    for outcome in default.outcomes:
        if outcome.when is None:
            answers: dict[str, object] | None = {}
        else:
            answers = satisfy(outcome.when, default, {"age": 30})
        assert answers is not None, outcome.code
        reached.add(assess(default, answers).outcome.code)
    assert reached == {o.code for o in default.outcomes}


def test_indicators_list_json_for_machines(cli) -> None:  # type: ignore[no-untyped-def]
    records = json.loads(cli("indicators", "list", "--format", "json").out)
    assert len(records) == 67
    assert {"id", "dimension", "strength", "title"} <= set(records[0])
    arabic = json.loads(cli("indicators", "list", "--format", "json", "--lang", "ar").out)
    assert all(any("\u0600" <= ch <= "\u06ff" for ch in r["title"]) for r in arabic)


def test_indicator_show_names_the_scenarios_that_teach_it(cli) -> None:  # type: ignore[no-untyped-def]
    record = json.loads(
        cli("indicators", "show", "cd_confiscation_of_documents", "--format", "json").out
    )
    assert record["strength"] == "strong"
    assert "passport_holder" in record["questions"]
    assert "driver_passport_retained" in [s["id"] for s in record["scenarios"]]
    shown = cli("indicators", "show", "cd_confiscation_of_documents", "--lang", "ar").out
    assert "مصادرة" in shown


@pytest.mark.parametrize("questionnaire", ["ilo_adult_labour", "brief_screen"])
@pytest.mark.parametrize("special", ["dont_know", "declined"])
def test_an_unanswered_safety_question_is_never_read_as_no(
    questionnaire: str, special: str
) -> None:
    q = resolve(questionnaire).questionnaire
    for qid in ("in_danger_now", "needs_medical_care", "afraid_to_go_back", "self_harm_thoughts"):
        result = assess(q, {qid: special})
        assert "safety_unanswered" in result.flags, qid
        assert result.urgent
    assert "safety_unanswered" not in assess(q, {"in_danger_now": "no"}).flags


@pytest.mark.parametrize(
    ("qid", "value"),
    [("who_present", "employer_or_agent"), ("interpreter", "employer_or_companion")],
)
def test_the_employer_present_or_interpreting_stops_the_interview(qid: str, value: str) -> None:
    q = resolve("ilo_adult_labour").questionnaire
    result = assess(q, {qid: value})
    assert result.flags == ("setting_not_safe",)
    assert result.urgent
    for other in ("no_one", "companion", "others_nearby"):
        assert "setting_not_safe" not in assess(q, {"who_present": other}).flags
    assert "setting_not_safe" not in assess(q, {"interpreter": "professional_in_person"}).flags


def test_indicator_show_in_arabic_has_no_english_words_of_its_own(cli) -> None:  # type: ignore[no-untyped-def]
    from screening.bidi import RtlMode, display

    # version 1.0.0: the indicators of 2.0.0 need no "all of"
    old = ("--questionnaire", "ilo_adult_labour@1.0.0")
    shown = cli("indicators", "show", "cd_debt_bondage", "--lang", "ar", *old).out
    assert "كل ما يلي:" in shown
    assert "all of" not in shown
    assert "observed" not in shown
    english = cli("indicators", "show", "cd_debt_bondage", *old).out
    assert "all of:" in english
    reordered = cli(
        "indicators", "show", "cd_debt_bondage", "--lang", "ar", "--rtl", "reorder", *old
    ).out
    assert display("كل ما يلي:", RtlMode.REORDER) in reordered
    current = cli("indicators", "show", "cd_confiscation_of_documents", "--lang", "ar").out
    assert "أيٌّ مما يلي:" in current or "أي مما يلي:" in current
    assert "any of" not in current


def test_indicator_list_for_people_in_arabic(cli) -> None:  # type: ignore[no-untyped-def]
    shown = cli("indicators", "list", "--dimension", "coercion_destination", "--lang", "ar").out
    assert "15 مؤشرًا" in shown
    assert "العنوان" in shown
    assert "indicator" not in shown
    assert cli("indicators", "list", "--rtl", "sideways").code == 2


@pytest.mark.parametrize(
    ("version", "answers", "child"),
    [
        *[
            (version, answers, child)
            for version in ("1.0.0", "2.0.0")
            for answers, child in [
                ({"age": 16}, True),
                ({"age": 30, "may_be_under_18": "yes"}, True),
                ({"age": 30, "may_be_under_18": "yes", "officer_thinks_minor": "dont_know"}, True),
                ({"age": 30, "may_be_under_18": "dont_know"}, True),
                ({"age": "dont_know", "officer_thinks_minor": "yes"}, True),
                ({"age": "declined", "officer_thinks_minor": "yes"}, True),
                ({"age": 30, "may_be_under_18": "yes", "officer_thinks_minor": "no"}, False),
                ({"age": 30, "may_be_under_18": "no"}, False),
            ]
        ],
        # 1.0.0 let the officer "decline" these; 2.0.0 does not offer it (the officer does not decline)
        ("1.0.0", {"age": 30, "may_be_under_18": "yes", "officer_thinks_minor": "declined"}, True),
        (
            "1.0.0",
            {"age": 30, "may_be_under_18": "declined", "officer_thinks_minor": "declined"},
            True,
        ),
        (
            "2.0.0",
            {
                "age": 30,
                "may_be_under_18": "yes",
                "passport_identity": "age_different",
                "officer_thinks_minor": "yes",
            },
            True,
        ),
    ],
)
def test_a_disputed_age_is_a_child_until_the_officer_says_no(
    version: str, answers: dict[str, object], child: bool
) -> None:
    q = resolve(f"ilo_adult_labour@{version}").questionnaire
    exploitation = ["ec_excessive_working_days_hours", "ec_low_or_no_salary"]
    result = assess(q, answers, checklist=exploitation)
    assert result.child is child
    assert ("possible_minor" in result.flags) is child
    assert result.outcome.code == ("trafficking_indicated" if child else "labour_violation")
