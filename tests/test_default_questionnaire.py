"""The default questionnaire, version 2.0.0: the cases a Gulf officer meets most.

Each defect found by scoring real case narratives against version 1.0.0 has a test here that
scores the case through the one scoring path and asserts the indicator and the outcome.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.model import (
    AnswerCondition,
    GenderedText,
    MultipleChoiceQuestion,
    NoteQuestion,
    Questionnaire,
    SingleChoiceQuestion,
    YesNoQuestion,
    iter_conditions,
)
from screening.questionnaires import bundled_versions, resolve
from screening.scoring import Assessment, applicable_questions, assess

ROOT = Path(__file__).resolve().parent.parent

# A worker of 30 with nothing to report: every gateway "no", every list "none of these".
ADULT: dict[str, Any] = {
    "who_present": "no_one",
    "interpreter": "none_needed",
    "gender": "male",
    "same_gender_offered": "yes",
    "basic_needs_met": "yes",
    "consent_referral": "granted",
    "consent_support": "granted",
    "consent_data_sharing": "granted",
    "consent_explained_by": "interviewing_officer",
    "in_danger_now": "no",
    "needs_medical_care": "no",
    "afraid_to_go_back": "no",
    "may_be_under_18": "no",
    "self_harm_thoughts": "no",
    "age": 30,
    "passport_identity": "same",
    "nationality": "in",
    "sector": "construction",
    "languages": ["hindi"],
    "recruited_through": "agency_home",
    "fees_paid": "no",
    "told_untrue": "no",
    "recruiter_conduct": ["none_of_these"],
    "harmed_before_arrival": ["none_of_these"],
    "confined_before_arrival": ["none_of_these"],
    "documents_taken_before_arrival": "no",
    "money_kept_before_arrival": "no",
    "hours_per_day": 9,
    "day_off": "every_week",
    "pay_problem": "no",
    "owes_debt": "no",
    "sleeping_place": "shared_room",
    "work_conditions": ["none_of_these"],
    "passport_holder": "myself",
    "id_card_holder": "myself",
    "runaway_report": "no",
    "restrictions_now": ["none_of_these"],
    "agency_here": ["none_of_these"],
    "harmed_here": ["none_of_these"],
    "forced_acts": "no",
    "sexual_services": "no",
    "observations": ["none_of_these"],
}


@pytest.fixture(scope="module")
def q() -> Questionnaire:
    return resolve(None).questionnaire


def score(q: Questionnaire, **changes: Any) -> Assessment:
    answers = {**ADULT, **changes}
    _applicable, kept = applicable_questions(q, answers)
    # every answer of the case applies: a test that sets an answer the interview would not ask
    # is a wrong test, not a finding
    assert set(answers) <= set(kept), sorted(set(answers) - set(kept))
    return assess(q, answers)


def test_the_default_is_version_2_and_the_worker_with_no_problems_has_nothing(
    q: Questionnaire,
) -> None:
    assert (q.id, q.version) == ("ilo_adult_labour", "2.1.0")
    result = score(q)
    assert result.indicators == ()
    assert result.outcome.code == "no_indicators"
    assert result.flags == ()
    assert result.complete


# ------------------------------------------------------------------ 1. phase by time and place


def test_a_passport_taken_before_travel_and_kept_now_gives_both_phases(q: Questionnaire) -> None:
    result = score(q, documents_taken_before_arrival="yes", passport_holder="employer")
    assert {"cr_confiscation_of_documents", "cd_confiscation_of_documents"} <= result.observed_ids()
    held = next(i for i in result.indicators if i.indicator.id == "cd_confiscation_of_documents")
    assert held.evidence == ("passport_holder",)


@pytest.mark.parametrize(
    "holder", ["employer", "recruiter", "someone_for_them", "handed_to_authorities"]
)
def test_a_passport_held_now_by_the_employer_side_is_confiscation_at_destination(
    q: Questionnaire, holder: str
) -> None:
    result = score(q, passport_holder=holder)
    assert result.observed_ids() == {"cd_confiscation_of_documents"}
    assert result.outcome.code == "monitor"  # one strong indicator alone: the ILO rule


def test_the_cpr_card_kept_by_the_employer_is_confiscation_too(q: Questionnaire) -> None:
    assert score(q, id_card_holder="employer").observed_ids() == {"cd_confiscation_of_documents"}


def test_a_recruitment_fee_debt_still_worked_off_here_is_debt_bondage_at_destination(
    q: Questionnaire,
) -> None:
    result = score(
        q,
        fees_paid="yes",
        owes_debt="yes",
        debt_owed_to=["recruiter"],
        debt_bound_before_arrival="yes",
        debt_binds_now="yes",
    )
    assert {"cr_debt_bondage", "cd_debt_bondage"} <= result.observed_ids()


def test_a_fee_paid_with_no_lie_and_no_debt_is_context_not_an_indicator(q: Questionnaire) -> None:
    result = score(q, fees_paid="yes", fees_amount="150,000 taka", fees_paid_to=["agent"])
    assert result.indicators == ()


def test_confinement_here_and_before_arrival_are_separate_facts(q: Questionnaire) -> None:
    here = score(q, restrictions_now=["locked_in"])
    assert here.observed_ids() == {"cd_isolation_confinement_surveillance"}
    before = score(q, confined_before_arrival=["locked_in"])
    assert before.observed_ids() == {"cr_isolation_confinement_surveillance"}


# ------------------------------------------------------------------ 2. over-broad questions


def test_a_violent_room_mate_is_recorded_but_is_not_violence_on_victims(q: Questionnaire) -> None:
    result = score(q, harmed_here=["someone_else_hurt"])
    assert result.indicators == ()
    assert result.outcome.code == "no_indicators"


def test_violence_by_the_employer_is_violence_on_victims(q: Questionnaire) -> None:
    assert score(q, harmed_here=["hit_or_hurt"]).observed_ids() == {"cd_violence_on_victims"}


@pytest.mark.parametrize(
    "limit", [["phone_limited"], ["must_ask_to_go_out"], ["phone_limited", "must_ask_to_go_out"]]
)
def test_rules_about_the_phone_or_going_out_are_not_confinement(
    q: Questionnaire, limit: list[str]
) -> None:
    assert score(q, restrictions_now=limit).indicators == ()


@pytest.mark.parametrize(
    "control", ["locked_in", "not_allowed_out", "watched", "phone_taken", "no_contact_family"]
)
def test_being_locked_in_kept_in_watched_or_cut_off_is_confinement(
    q: Questionnaire, control: str
) -> None:
    result = score(q, restrictions_now=[control])
    assert result.observed_ids() == {"cd_isolation_confinement_surveillance"}


def test_a_change_agreed_later_is_not_deception(q: Questionnaire) -> None:
    # the worker agreed to move to another site after arriving: "were you told anything untrue?" no
    assert score(q, told_untrue="no").indicators == ()
    lied = score(q, told_untrue="yes", untrue_topics=["country_or_city"])
    assert lied.observed_ids() == {"dr_nature_of_job_location_employer"}


def test_one_fact_gives_one_indicator(q: Questionnaire) -> None:
    """Each choice (and each yes) evidences at most one indicator."""
    users: dict[tuple[str, str], set[str]] = defaultdict(set)
    for indicator in q.indicators:
        assert indicator.when is not None
        for sub in iter_conditions(indicator.when):
            if not isinstance(sub, AnswerCondition):
                continue
            for name, operand in sub.tests():
                values = operand if isinstance(operand, list) else [operand]
                if name in ("equals", "one_of", "contains"):
                    for value in values:
                        users[(sub.answer, str(value))].add(indicator.id)
    shared = {fact: ids for fact, ids in users.items() if len(ids) > 1}
    assert shared == {}


def test_family_needs_count_once_and_a_relative_recruiter_is_not_dependency(
    q: Questionnaire,
) -> None:
    gate = {"pay_problem": "yes", "pay_problems": ["paid_late"]}  # opens the vulnerability section
    result = score(
        q,
        **gate,
        recruited_through="relative_or_friend",
        situation_before=["family_pressure"],
        situation_now=["none_of_these"],
    )
    assert result.observed_ids() == {"ec_no_respect_of_labour_laws_contract", "rv_family_situation"}


def test_vulnerability_alone_opens_no_questions(q: Questionnaire) -> None:
    applicable, _ = applicable_questions(q, ADULT)
    assert "situation_before" not in {question.id for question in applicable}


# ------------------------------------------------------------------ 3. missed patterns


@pytest.mark.parametrize("how", ["held_back", "card_kept"])
def test_wages_held_as_leverage_are_withholding_of_wages(q: Questionnaire, how: str) -> None:
    result = score(q, pay_problem="yes", pay_problems=[how])
    assert result.observed_ids() == {"cd_withholding_of_wages"}


def test_cash_taken_back_after_payday_is_wage_manipulation(q: Questionnaire) -> None:
    result = score(q, pay_problem="yes", pay_problems=["cash_taken_back"])
    assert result.observed_ids() == {"ec_wage_manipulation"}


def test_pay_outside_the_workers_own_account_is_context(q: Questionnaire) -> None:
    assert score(q, pay_problem="yes", pay_problems=["not_own_account"]).indicators == ()


def test_sold_between_sponsors_is_selling_of_the_victim(q: Questionnaire) -> None:
    result = score(q, agency_here=["sold"])
    assert result.observed_ids() == {"cr_abduction_forced_marriage_sale"}


def test_free_visa_and_a_filed_absence_report(q: Questionnaire) -> None:
    result = score(q, agency_here=["pays_sponsor", "works_for_others"], runaway_report="filed")
    assert result.observed_ids() == {
        "dv_relationship_with_authorities_legal_status",
        "cd_threat_of_denunciation",
    }


def test_kept_at_an_agency_in_bahrain_is_confinement(q: Questionnaire) -> None:
    result = score(q, agency_here=["kept_at_agency", "returned_to_agency"])
    assert result.observed_ids() == {"cd_isolation_confinement_surveillance"}


# ------------------------------------------------------------------ 4. sexual exploitation


def test_forced_sexual_services_alone_give_further_assessment_and_the_urgent_flag(
    q: Questionnaire,
) -> None:
    result = score(q, sexual_services="yes", sexual_services_how=["none_of_these"])
    assert result.observed_ids() == {"cd_forced_tasks_or_clients"}
    assert "sexual_exploitation" in result.flags
    assert result.urgent
    assert result.outcome.code == "further_assessment"


def test_forced_sexual_services_declined_details_still_further_assessment(q: Questionnaire) -> None:
    result = score(q, sexual_services="yes", sexual_services_how="declined")
    assert result.outcome.code == "further_assessment"


def test_money_from_clients_taken_is_withholding_of_wages(q: Questionnaire) -> None:
    result = score(q, sexual_services="yes", sexual_services_how=["money_taken", "quota"])
    assert result.observed_ids() == {"cd_forced_tasks_or_clients", "cd_withholding_of_wages"}


def test_a_child_made_to_provide_sexual_services_is_trafficking(q: Questionnaire) -> None:
    result = score(
        q,
        age=16,
        sexual_services="yes",
        sexual_services_how=["none_of_these"],
        juvenile_conditions=["none_of_these"],
    )
    assert result.child
    assert result.outcome.code == "trafficking_indicated"


# ------------------------------------------------------------------ juveniles


def test_a_juvenile_working_ten_hours_at_night_shows_exploitative_conditions(
    q: Questionnaire,
) -> None:
    result = score(q, age=16, hours_per_day=10, juvenile_conditions=["over_6_hours", "night_work"])
    assert {
        "ec_excessive_working_days_hours",
        "ec_no_respect_of_labour_laws_contract",
    } <= result.observed_ids()
    assert result.outcome.code == "trafficking_indicated"
    assert "possible_minor" in result.flags


def test_the_juvenile_questions_are_asked_of_children_only(q: Questionnaire) -> None:
    ids = lambda answers: {question.id for question in applicable_questions(q, answers)[0]}  # noqa: E731
    assert "juvenile_conditions" not in ids(ADULT)
    assert "juvenile_conditions" in ids({**ADULT, "age": 16})
    disputed = {**ADULT, "may_be_under_18": "yes", "officer_thinks_minor": "yes"}
    assert "juvenile_conditions" in ids(disputed)


def test_an_adult_working_ten_hours_is_not_excessive(q: Questionnaire) -> None:
    assert score(q, hours_per_day=10).indicators == ()


def test_work_under_fifteen_breaks_the_labour_law(q: Questionnaire) -> None:
    result = score(q, age=14, juvenile_conditions=["none_of_these"])
    assert result.observed_ids() == {"ec_no_respect_of_labour_laws_contract"}


# ------------------------------------------------------------------ answers that are never evidence


def _random_answer(question: Any, draw: st.DrawFn) -> Any:
    options: list[Any] = list(question.allow)
    if isinstance(question, YesNoQuestion):
        options += ["yes", "no"]
    elif isinstance(question, SingleChoiceQuestion):
        options += [c.value for c in question.choices]
    elif isinstance(question, MultipleChoiceQuestion):
        values = [c.value for c in question.choices]
        options.append(draw(st.lists(st.sampled_from(values), min_size=1, unique=True)))
    elif question.type == "number":
        options.append(draw(st.integers(min_value=0, max_value=24)))
    else:
        options.append("text")
    return draw(st.sampled_from(options))


NEVER_EVIDENCE = {"no", "dont_know", "declined"}


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_no_dont_know_or_declined_is_never_evidence_of_an_indicator(data: st.DataObject) -> None:
    q = resolve(None).questionnaire
    answers = {
        qid: _random_answer(question, data.draw)
        for qid, question in q.questions().items()
        if not isinstance(question, NoteQuestion)
    }
    result = assess(q, answers)
    for observed in result.indicators:
        for qid in observed.evidence:
            value = answers[qid]
            assert not (isinstance(value, str) and value in NEVER_EVIDENCE), (
                observed.indicator.id,
                qid,
            )


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_only_no_dont_know_and_declined_give_no_indicator(data: st.DataObject) -> None:
    q = resolve(None).questionnaire
    answers: dict[str, Any] = {}
    for qid, question in q.questions().items():
        if isinstance(question, NoteQuestion):
            continue
        choices = [a for a in question.allow]
        if isinstance(question, YesNoQuestion):
            choices.append("no")
        if choices:
            answers[qid] = data.draw(st.sampled_from(choices))
    assert assess(q, answers).indicators == ()


# ------------------------------------------------------------------ officer-only questions, Arabic


def test_officer_only_questions_do_not_offer_declined(q: Questionnaire) -> None:
    for qid, question in q.questions().items():
        if isinstance(question, NoteQuestion):
            continue
        officer = question.officer_only or q.section_of(qid).officer_only
        if officer:
            assert "declined" not in question.allow, qid
        else:
            assert sorted(question.allow) == ["declined", "dont_know"], qid


def test_every_question_put_to_the_person_has_both_arabic_forms(q: Questionnaire) -> None:
    assert q.address_by == "gender"
    assert q.language("ar").gendered  # type: ignore[union-attr]
    worker = [
        question
        for qid, question in q.questions().items()
        if not isinstance(question, NoteQuestion)
        and not question.officer_only
        and not q.section_of(qid).officer_only
    ]
    assert len(worker) > 40
    for question in worker:
        assert isinstance(question.text, dict)
        forms = question.text["ar"]
        assert isinstance(forms, GenderedText), question.id
        assert forms.female != forms.male or question.id in (
            "sector_other",
            "pay_problems",
            "sexual_services_how",
        ), question.id


def test_the_arabic_reads_in_the_feminine_for_a_woman(q: Questionnaire) -> None:
    from screening.model import text_for

    text = q.question("in_danger_now").text  # type: ignore[union-attr]
    assert text_for(text, "ar", "en", "female") == "هل تشعرين أنكِ في خطر الآن؟"
    assert text_for(text, "ar", "en", "male") == "هل تشعر أنك في خطر الآن؟"
    assert text_for(text, "ar", "en", None) == "هل تشعر أنك في خطر الآن؟"
    assert text_for(text, "en", "en", "female") == "Do you feel you are in danger now?"


def _glossary_rejected() -> list[str]:
    """The Arabic variants docs/glossary.md rejects (its 'rejected' column)."""
    rejected: list[str] = []
    text = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    arabic = text.split("\n## The workers' languages", 1)[0]  # the other tables are theirs
    for line in arabic.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and re.search(r"[\u0600-\u06ff]", cells[3]):
            rejected += [w.strip() for w in re.split(r"[،,]", cells[3])]
    return [w for w in rejected if w]


def _arabic_of(data: Any) -> list[str]:
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "ar" and isinstance(value, str):
                found.append(value)
            elif key == "ar" and isinstance(value, dict):
                found += [v for v in value.values() if isinstance(v, str)]
            else:
                found += _arabic_of(value)
    elif isinstance(data, list):
        for item in data:
            found += _arabic_of(item)
    return found


def _plain(text: str) -> str:
    return re.sub(r"[\u064b-\u0652]", "", text)  # without the short-vowel marks


def test_the_glossary_rejects_the_variants_it_replaced() -> None:
    rejected = _glossary_rejected()
    assert {"التوظيف", "الإكراه", "حالة الضعف", "بلاغ هروب", "ربة المنزل"} <= {
        _plain(w) for w in rejected
    }


@pytest.mark.parametrize(
    "path",
    [
        ROOT / "indicators" / "ilo-adult-labour.yaml",
        ROOT / "indicators" / "brief-screen.yaml",
        ROOT / "indicators" / "ilo-adult-labour-2.0.0.yaml",
        ROOT / "indicators" / "brief-screen-1.0.1.yaml",
        *sorted((ROOT / "indicators" / "scenarios").glob("*.yaml")),
    ],
    ids=lambda p: p.name,
)
def test_the_arabic_uses_only_the_glossarys_terms(path: Path) -> None:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if (
        path.parent.name == "scenarios"
        and data.get("questionnaire", "ilo_adult_labour") != "ilo_adult_labour"
    ):
        pytest.skip("a scenario of another questionnaire")
    texts = [_plain(t) for t in _arabic_of(data)]
    for word in {_plain(w) for w in _glossary_rejected()}:
        hits = [t for t in texts if word in t]
        assert hits == [], f"{path.name}: '{word}' is a rejected variant (docs/glossary.md)"


def test_the_programs_arabic_messages_use_only_the_glossarys_terms() -> None:
    text = _plain((ROOT / "screening" / "locale" / "ar.po").read_text(encoding="utf-8"))
    for word in {_plain(w) for w in _glossary_rejected()}:
        assert word not in text, f"ar.po: '{word}' is a rejected variant (docs/glossary.md)"


def test_the_dimensions_have_the_palermo_protocol_names(q: Questionnaire) -> None:
    titles = {d.id: d.title["ar"] for d in q.dimensions}  # type: ignore[index]
    assert titles["coercive_recruitment"] == "التجنيد بالقسر"
    assert titles["recruitment_vulnerability"] == "التجنيد باستغلال حالة استضعاف"
    assert titles["coercion_destination"] == "القسر في بلد المقصد"


# ------------------------------------------------------------------ versions


def test_both_versions_are_bundled_and_valid(cli) -> None:  # type: ignore[no-untyped-def]
    assert bundled_versions("ilo_adult_labour") == ["1.0.0", "2.0.0", "2.1.0"]
    assert bundled_versions("brief_screen") == ["1.0.1", "1.1.0"]
    run = cli("validate", "--format", "json")
    assert run.code == 0
    named = {(f["id"], f["version"]) for f in json.loads(run.out)["files"]}
    assert {
        ("ilo_adult_labour", "1.0.0"),
        ("ilo_adult_labour", "2.0.0"),
        ("ilo_adult_labour", "2.1.0"),
        ("brief_screen", "1.0.1"),
        ("brief_screen", "1.1.0"),
    } == named
    for ref in ("ilo_adult_labour@1.0.0", "ilo_adult_labour@2.0.0", "brief_screen@1.0.1"):
        assert resolve(ref).questionnaire.version == ref.split("@")[1]
    assert resolve("brief_screen").questionnaire.version == "1.1.0"


# The released files, kept byte for byte: a case started on one is checked against its SHA-256.
KEPT = {
    "ilo-adult-labour-1.0.0.yaml": "edae2691b9c884c22687639e8d686dd2eee80a55d7e29b6df61528621c839bfe",
    "ilo-adult-labour-2.0.0.yaml": "0d16b34ed97b5f08ace6169d2fa93dd3be24bea0d97ee9d6897f7a0876d8d9bf",
    "brief-screen-1.0.1.yaml": "36e850a1528261b6d63c6adf65b4f58fff017c53687da75b7360fd65f7956d27",
}


@pytest.mark.parametrize("name", sorted(KEPT))
def test_the_older_versions_are_kept_byte_for_byte(name: str) -> None:
    digest = hashlib.sha256((ROOT / "indicators" / name).read_bytes()).hexdigest()
    assert digest == KEPT[name]


@pytest.mark.parametrize(
    ("old", "new", "changed", "added_flags"),
    [
        (
            "ilo_adult_labour@2.0.0",
            "ilo_adult_labour@2.1.0",
            {"question:consent_script"},
            {"setting_not_safe"},
        ),
        ("brief_screen@1.0.1", "brief_screen@1.1.0", set(), set()),
    ],
)
def test_the_new_versions_change_no_english_but_the_consent_script(
    old: str, new: str, changed: set[str], added_flags: set[str]
) -> None:
    """Translators work from the English: only the consent script (now exactly the words read
    aloud) and its guidance change, the flags gain what the person is told, and 2.1.0 gains one
    flag for the officer (the employer or a companion present or interpreting)."""
    from screening.texts import entries, source_text

    before = {e.key: source_text(e.text) for e in entries(resolve(old).questionnaire)}
    after = {e.key: source_text(e.text) for e in entries(resolve(new).questionnaire)}
    q = resolve(new).questionnaire
    kept = [f for f in q.flags if f.id not in added_flags]
    tells = {f"flag:{f.id}/tell" for f in kept}
    assert all(f.tell is not None for f in kept)
    assert {f.id for f in q.flags} - {f.id for f in resolve(old).questionnaire.flags} == added_flags
    new_keys = {k for k in after if any(k.startswith(f"flag:{f}/") for f in added_flags)}
    assert set(after) == set(before) | tells | new_keys
    different = {k for k in before if before[k] != after[k]}
    guidance = {f"{k}/guidance" for k in changed}
    assert different == changed | guidance
    # scoring is untouched: the same conditions, ids and outcomes
    a, b = resolve(old).questionnaire, q
    assert [i.model_dump() for i in a.indicators] == [i.model_dump() for i in b.indicators]
    assert [o.model_dump() for o in a.outcomes] == [o.model_dump() for o in b.outcomes]
    assert [f.when for f in a.flags] == [f.when for f in kept]


def test_an_answers_file_that_names_a_version_scores_on_it(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    old = tmp_path / "old.json"
    old.write_text(
        json.dumps(
            {
                "questionnaire": "ilo_adult_labour@1.0.0",
                "answers": {"passport_holder": "employer", "documents_when": "recruitment"},
            }
        )
    )
    run = cli("score", str(old))
    assert run.code == 0, run.err
    referral = json.loads(run.out)
    assert referral["questionnaire"]["version"] == "1.0.0"
    assert [i["id"] for i in referral["indicators"]] == ["cr_confiscation_of_documents"]

    new = tmp_path / "new.json"
    new.write_text(
        json.dumps(
            {"questionnaire": "ilo_adult_labour", "answers": {"passport_holder": "employer"}}
        )
    )
    referral = json.loads(cli("score", str(new)).out)
    assert referral["questionnaire"]["version"] == "2.1.0"
    assert [i["id"] for i in referral["indicators"]] == ["cd_confiscation_of_documents"]


def test_a_version_that_is_not_bundled_is_a_clear_error(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"questionnaire": "ilo_adult_labour@9.9.9", "answers": {}}))
    run = cli("score", str(bad))
    assert run.code == 1
    assert (
        "no version '9.9.9' of questionnaire 'ilo_adult_labour' (bundled: 1.0.0, 2.0.0, 2.1.0)"
        in run.err
    )
    assert "Traceback" not in run.err
    assert cli("indicators", "list", "--questionnaire", "ilo_adult_labour@3").code == 2


def test_version_1_keeps_its_own_rules(cli) -> None:  # type: ignore[no-untyped-def]
    old = resolve("ilo_adult_labour@1.0.0").questionnaire
    result = assess(old, {"passport_holder": "employer", "documents_when": "recruitment"})
    assert result.observed_ids() == {"cr_confiscation_of_documents"}
    shown = cli(
        "indicators", "show", "cd_debt_bondage", "--questionnaire", "ilo_adult_labour@1.0.0"
    ).out
    assert "debt_when" in shown
