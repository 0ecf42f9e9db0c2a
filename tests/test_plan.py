"""The scoring plan: scoring, answer checks and the referral from the plan alone give what the
questionnaire's model gives, byte for byte; a single `score` call loads no model."""

from __future__ import annotations

import json
import os
import pickle
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening import compiled, plans
from screening.answers import AnswerSet, InvalidRecord
from screening.document import ExportContext, dumps, referral_document
from screening.pipeline import score_document, score_one
from screening.plan import Plan, build_plan, plan_of
from screening.plans import LoadedPlan, resolve_plan
from screening.questionnaires import bundled_files, load_path, resolve
from screening.referral import Referral, to_json
from screening.scenarios import load_scenario, scenario_files
from screening.scoring import assess, score

CLOCK = datetime(2026, 11, 30, 3, 4, 5, 123456, tzinfo=UTC)


def _fixed(context: ExportContext) -> ExportContext:
    return context.replace(
        clock=lambda: CLOCK, new_id=lambda: "00000000-0000-4000-8000-000000000000"
    )


def _both(answer_set: AnswerSet, ref: str | None) -> tuple[str, str]:
    """The referral JSON built through the model and through the plan alone (a plan that went
    through pickle, as the cache keeps it)."""
    loaded = resolve(ref)
    model_assessment, _ = score_one(answer_set, loaded)
    plan = pickle.loads(pickle.dumps(build_plan(loaded.questionnaire)))  # noqa: S301 - our own
    alone = LoadedPlan(plan, loaded.path, loaded.sha256)
    scored, document = score_document(answer_set, alone)
    context = _fixed(ExportContext(case_id=answer_set.case_id or "c", sha256=loaded.sha256))
    from screening.referral import build_referral

    through_model = build_referral(model_assessment, context)
    document = referral_document(scored, context)
    assert scored.outcome.code == model_assessment.outcome.code
    return to_json(through_model), dumps(document)


def _scenarios() -> list[Path]:
    return sorted(scenario_files())


@pytest.mark.parametrize("path", _scenarios(), ids=lambda p: p.stem)
def test_every_worked_scenario_gives_the_same_referral_from_the_plan(path: Path) -> None:
    scenario = load_scenario(path)
    answers = AnswerSet(
        label=path.name,
        answers=dict(scenario.answers),
        indicators=list(scenario.indicators),
    )
    model, plain = _both(answers, scenario.questionnaire)
    assert plain == model
    document = json.loads(plain)
    Referral.model_validate(document)  # and it is a valid referral
    assert document["recommendation"]["outcome"] == scenario.expected.outcome


def _answer_sets(plan: Plan) -> st.SearchStrategy[dict[str, Any]]:
    """Answer sets of random values for every question of a plan, special answers included."""
    pools: dict[str, list[Any]] = {}
    for qid, question in plan.questions().items():
        if question.type == "note":
            continue
        if question.type == "yes_no":
            pool: list[Any] = ["yes", "no", True]
        elif question.type == "single_choice":
            pool = list(question.choice_values)
        elif question.type == "multiple_choice":
            pool = [[v] for v in question.choice_values] + [list(question.choice_values[:2])]
        elif question.type == "number":
            pool = [0, 1, 8, 12, 14, 17, 18, 40, 2.5]
        elif question.type == "date":
            pool = ["2024-01-31", "2020-02-29"]
        else:
            pool = ["text", "some words: 'quoted' \"and\" ‮ end", "نعم"]
        pools[qid] = [*pool, *question.allow]
    return st.fixed_dictionaries(
        {}, optional={qid: st.sampled_from(pool) for qid, pool in pools.items()}
    )


DEFAULT_PLAN = resolve(None).plan


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=_answer_sets(DEFAULT_PLAN), language=st.sampled_from(["en", "ar", "hi", None]))
def test_random_answer_sets_give_the_same_referral_or_the_same_problems(
    answers: dict[str, Any], language: str | None
) -> None:
    loaded = resolve(None)
    plan = LoadedPlan(loaded.plan, loaded.path, loaded.sha256)
    first = next(iter(DEFAULT_PLAN.questions()))
    notes = {qid: ["a note"] for qid in [*list(answers)[:2], first]}
    answer_set = AnswerSet(
        label="x", answers=answers, case_id="c-1", language=language, notes=notes
    )
    problems: list[Any] | None = None
    try:
        assessment, _ = score_one(answer_set, loaded)
    except InvalidRecord as bad:
        problems = bad.problems
    if problems is not None:
        with pytest.raises(InvalidRecord) as again:
            score_document(answer_set, plan)
        assert again.value.problems == problems
        return
    scored, _ = score_document(answer_set, plan)
    context = _fixed(
        ExportContext(case_id="c-1", language=language, sha256=loaded.sha256, notes=notes)
    )
    from screening.referral import build_referral

    assert dumps(referral_document(scored, context)) == to_json(build_referral(assessment, context))
    assert dumps(referral_document(scored, context), indent=None) == to_json(
        build_referral(assessment, context), indent=None
    )
    from screening.document import redact_document
    from screening.referral import redact_referral

    for redact_in in ("en", "ar"):
        assert dumps(redact_document(referral_document(scored, context), redact_in)) == to_json(
            redact_referral(build_referral(assessment, context), redact_in)
        )
    again = assess(loaded.questionnaire, answer_set.answers)
    assert score(DEFAULT_PLAN, answer_set.answers).outcome.code == again.outcome.code


def test_the_plan_is_cached_beside_the_model_and_read_without_it(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("SCREENING_NO_CACHE", raising=False)
    first = load_path(small)
    folder = tmp_path / "xdg" / "screening"
    (entry,) = folder.glob(f"{first.sha256}-*.plan")
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    cached = compiled.load_plan(first.sha256)
    assert isinstance(cached, Plan)
    assert (cached.id, cached.version) == (first.questionnaire.id, first.questionnaire.version)
    found = resolve_plan(str(small))
    assert (found.sha256, found.plan.id) == (first.sha256, first.questionnaire.id)
    # a damaged plan is ignored: the questionnaire is loaded whole, and the plan kept again
    entry.write_bytes(entry.read_bytes()[:-10] + b"0123456789")
    assert compiled.load_plan(first.sha256) is None
    assert resolve_plan(str(small)).plan.id == first.questionnaire.id
    assert compiled.load_plan(first.sha256) is not None


def test_the_bundled_table_is_trusted_only_while_no_bundled_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("SCREENING_NO_CACHE", raising=False)
    folder = tmp_path / "bundled"
    folder.mkdir()
    for path in bundled_files():
        (folder / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(plans, "bundled_dir", lambda: folder)
    import screening.questionnaires as questionnaires

    questionnaires._bundled_index.cache_clear()
    questionnaires._resolve_cached.cache_clear()
    try:
        newest = resolve(None)
        table = plans.bundled_table()
        assert table is not None
        assert table[newest.questionnaire.id][newest.questionnaire.version][1] == newest.sha256
        assert resolve_plan(None).sha256 == newest.sha256
        # the newest file changes: the table is no longer trusted, nor is an old plan used
        target = folder / Path(newest.path).name
        target.write_bytes(target.read_bytes() + b"\n# changed\n")
        assert plans.bundled_table() is None
        questionnaires._bundled_index.cache_clear()
        questionnaires._resolve_cached.cache_clear()
        assert resolve_plan(None).sha256 != newest.sha256
    finally:
        questionnaires._bundled_index.cache_clear()
        questionnaires._resolve_cached.cache_clear()


def test_a_single_score_call_loads_no_model(small: Path, tmp_path: Path) -> None:
    """With the cache warm, `score` writes the referral from the plan: neither the
    questionnaire's pydantic model nor the referral's is imported, nor PyYAML."""
    answers = tmp_path / "a.json"
    answers.write_text('{"answers": {"age": 30, "hours": 9}}', encoding="utf-8")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    env.pop("SCREENING_NO_CACHE", None)
    probe = (
        "import sys, io\n"
        "from screening.cli import main\n"
        "sys.stdout = io.StringIO()\n"
        "try:\n"
        f"    main(['score', {str(answers)!r}, '-q', {str(small)!r}])\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "out = sys.stdout.getvalue()\n"
        "sys.stdout = sys.__stdout__\n"
        "import json\n"
        "print(json.dumps([json.loads(out)['recommendation']['outcome'],\n"
        "    sorted(m for m in sys.modules if m in ('screening.model', 'screening.referral',\n"
        "        'screening.questionnaires', 'screening.checks', 'screening.loader', 'yaml'))]))\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", probe],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
            check=True,
        )
        for _ in range(2)
    ]
    first, second = (json.loads(run.stdout) for run in runs)
    assert first[1]  # the first call compiles the questionnaire: the model is loaded
    assert second == [first[0], []]  # the next one scores from the plan alone
    expected = score_one(AnswerSet(label="a", answers={"age": 30, "hours": 9}), load_path(small))
    assert second[0] == expected[0].outcome.code


def test_plan_of_a_questionnaire_is_built_once() -> None:
    q = resolve(None).questionnaire
    assert plan_of(q) is plan_of(q)
    assert plan_of(plan_of(q)) is plan_of(q)


def test_a_copy_of_a_questionnaire_scores_by_its_own_plan(small: Path) -> None:
    """A copy with a field changed (``model_copy(update=...)``) builds its own plan and its own
    compiled conditions: the original's describe the original."""
    q = load_path(small).questionnaire
    original = plan_of(q)
    assess(q, {})  # fills the original's derived tables
    languages = [lang.model_copy(update={"status": "draft"}) for lang in q.languages]
    for deep in (False, True):
        copy = q.model_copy(update={"languages": languages, "version": "9.9"}, deep=deep)
        assert plan_of(copy) is not original
        assert plan_of(copy).version == "9.9"
        assert {lang.status for lang in plan_of(copy).languages} == {"draft"}
        assert plan_of(q) is original
