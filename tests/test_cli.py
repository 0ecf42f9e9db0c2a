"""The command line as a whole: help, start-up imports, exit codes, schemas, packaging."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def commands() -> list[list[str]]:
    """Every command and sub-command of the app, as argument lists."""
    from typer.main import get_command

    from screening.cli import app

    root = get_command(app)
    found: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                walk(sub, [*path, name])
        else:
            found.append(path)

    walk(root, [])
    return found


def test_every_command_has_help_with_an_example(cli) -> None:  # type: ignore[no-untyped-def]
    listed = commands()
    assert ["validate"] in listed
    assert ["score"] in listed
    assert ["schema"] in listed
    for path in listed:
        run = cli(*path, "--help")
        assert run.code == 0, path
        assert "Example: screening " + path[0] in " ".join(run.out.split()), path


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from screening.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('questionary', 'pydantic', 'yaml', 'prompt_toolkit', 'sqlite3') if m in sys.modules)\n"
        "print(','.join(heavy), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stderr.strip().splitlines()[-1:] in ([], [""])


def test_usage_error_exits_2(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("score", "--no-such-option").code == 2
    assert cli("schema", "nothing").code == 2


def test_version(cli) -> None:  # type: ignore[no-untyped-def]
    from screening import __version__

    assert cli("--version").out.strip() == f"screening {__version__}"


def test_validate_accepts_the_bundled_questionnaires(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("validate")
    assert run.code == 0, run.out + run.err
    assert run.err.strip().endswith("files valid")


def test_validate_reports_problems_and_json(cli, tmp_path: Path, small: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nid: y\n")
    run = cli("validate", str(small), str(bad))
    assert run.code == 1
    assert run.out.strip() == f"{bad}:2:1: duplicate key 'id' (first at line 1); keep one of them"
    assert run.err.strip() == "1 problem in 1 of 2 files"
    document = json.loads(cli("validate", str(bad), "--format", "json").out)
    assert document["valid"] is False
    assert document["files"][0]["problems"][0] == {
        "path": str(bad),
        "line": 2,
        "column": 1,
        "code": "duplicate_key",
        "message": "duplicate key 'id' (first at line 1); keep one of them",
    }


@pytest.mark.parametrize("name", ["questionnaire", "referral"])
def test_committed_schema_is_the_generated_one(cli, name: str) -> None:  # type: ignore[no-untyped-def]
    committed = json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text())
    assert json.loads(cli("schema", name).out) == committed, (
        "run `screening schema NAME > schemas/NAME.schema.json`"
    )


def test_bundled_files_point_editors_at_the_schema() -> None:
    for path in sorted((ROOT / "indicators").glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../schemas/questionnaire.schema.json", path


def test_internal_errors_show_no_traceback_and_no_locals(tmp_path: Path) -> None:
    """An unexpected exception prints one line; --debug re-raises."""
    code = (
        "import screening.questionnaires as qs\n"
        "def boom(ref):\n    secret = 'Maria Santos'\n    raise RuntimeError(secret)\n"
        "qs.resolve = boom\n"
        "from screening.cli import main\nmain(['indicators', 'list'])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Maria" not in result.stderr
    assert result.stderr.startswith("screening: internal error: RuntimeError")


def test_wheel_ships_the_questionnaires_and_finds_them_from_elsewhere(tmp_path: Path) -> None:
    """A wheel built from the checkout, installed elsewhere, finds the bundled files."""
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = list(wheels.glob("screening-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "screening/indicators/ilo-adult-labour.yaml" in names
    assert any(n.startswith("screening/indicators/scenarios/") for n in names)
    assert {"screening/locale/messages.pot", "screening/locale/ar.po"} <= set(names)
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-m", "screening", "validate"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    bundled = len(list((ROOT / "indicators").glob("*.yaml")))
    assert result.stderr.strip() == f"{bundled} files valid"
    located = subprocess.run(
        [sys.executable, "-c", "import screening.questionnaires as q; print(q.bundled_dir())"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        check=True,
    )
    assert located.stdout.strip() == str(target / "screening" / "indicators")
    default = subprocess.run(
        [sys.executable, "-m", "screening", "indicators", "list", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        check=True,
    )
    assert len(json.loads(default.stdout)) == 67


HELP_PAGES = [
    [],
    ["score"],
    ["interview"],
    ["validate"],
    ["cases"],
    ["train"],
    ["indicators", "show"],
    ["export", "xlsform"],
    ["translations", "export"],
    ["translations", "import"],
]


@pytest.mark.parametrize("path", HELP_PAGES, ids=lambda p: "-".join(p) or "screening")
def test_help_matches_its_golden_file(path: list[str]) -> None:
    """`--help` at a fixed width, so that a change to the command line shows up in review."""
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
    env.pop("FORCE_COLOR", None)
    result = subprocess.run(
        [sys.executable, "-m", "screening", *path, "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
    )
    text = "\n".join(line.rstrip() for line in result.stdout.splitlines()) + "\n"
    golden = ROOT / "tests" / "golden" / f"help-{'-'.join(path) or 'screening'}.txt"
    if os.environ.get("SCREENING_UPDATE_GOLDEN"):  # regenerate on purpose, then review the diff
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_the_commands_are_built_when_used_and_are_those_of_the_app() -> None:
    import inspect
    from typing import Any

    from typer.main import get_command
    from typer.models import DefaultPlaceholder

    from screening.cli import app, command

    eager: Any = get_command(app)
    lazy: Any = command()
    assert isinstance(eager, type(lazy))
    assert list(lazy.commands) == list(eager.commands)
    assert not lazy.commands._built  # listing the names built none of them

    def shape(cmd: Any) -> object:
        params = [(p.name, p.opts, p.required, p.default) for p in cmd.params]
        subs = getattr(cmd, "commands", {})
        return (cmd.name, cmd.help, cmd.hidden, params, {n: shape(s) for n, s in subs.items()})

    def panel(cmd: Any) -> object:
        value = cmd.rich_help_panel
        return value.value if isinstance(value, DefaultPlaceholder) else value

    assert list(lazy.summaries) == list(eager.commands)
    for name, built in eager.commands.items():
        assert shape(lazy.commands[name]) == shape(built)
        # What the root's help lists without importing the command's module is the command's
        # own: the first paragraph of its short help or help (as Typer lists it, on one line),
        # its panel, whether it is hidden or deprecated.
        summary = lazy.summaries[name]
        listed = inspect.cleandoc(built.short_help or built.help or "").split("\n\n")[0]
        assert summary.help == listed.replace("\n", " ").strip(), name
        assert summary.short_help is None
        assert (summary.name, summary.hidden, summary.deprecated) == (
            built.name,
            built.hidden,
            built.deprecated,
        )
        assert summary.rich_help_panel == panel(built), name
    assert shape(lazy) == shape(eager)


@pytest.mark.parametrize("width", [40, 80, 100, 200])
def test_the_root_help_is_that_of_the_whole_app(
    width: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The root's help, listed from the summaries, is the text Typer writes for the whole app,
    in colour too."""
    from typing import Any

    from typer.main import get_command

    from screening.cli import app, command

    monkeypatch.setenv("COLUMNS", str(width))
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    lazy: Any = command()
    texts = []
    for root in (lazy, get_command(app)):
        with pytest.raises(SystemExit) as exited:
            root.main(["--help"], prog_name="screening")
        assert exited.value.code == 0
        texts.append(capsys.readouterr().out)
    assert "\x1b[" in texts[0]  # coloured, so that styles are compared too
    assert texts[0] == texts[1]
    assert not lazy.commands._built


def _imported(*args: str) -> tuple[int, set[str]]:
    """How ``screening ARGS`` exits, and the modules of screening it imports."""
    code = (
        "import sys\n"
        "from screening.cli import main\n"
        "try:\n    main(sys.argv[1:])\n    status = 0\n"
        "except SystemExit as exit:\n    status = exit.code\n"
        "names = ' '.join(m for m in sys.modules if m.split('.')[0] == 'screening')\n"
        "print(status, names, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    status, *names = result.stderr.strip().splitlines()[-1].split()
    return int(status), set(names)


def _cli(modules: set[str]) -> set[str]:
    return {m for m in modules if m.startswith("screening.cli.")}


COMMON = {"screening.cli.environment"}
"""What every run imports of the command line besides its package."""


def test_the_root_help_imports_no_command_module() -> None:
    """Nor anything else of screening: the root's help is listed from the table of commands."""
    alone = {"screening", "screening.cli", *COMMON}
    assert _imported("--help") == (0, alone)
    assert _imported() == (2, alone)  # no arguments: the help, as a usage error
    assert _imported("--version") == (0, alone)


def test_a_command_imports_its_own_module_only(tmp_path: Path) -> None:
    answers = tmp_path / "case.json"
    answers.write_text(json.dumps({"answers": {"age": 15}}), encoding="utf-8")
    own = COMMON | {"screening.cli.options"}
    status, modules = _imported("score", str(answers))
    assert (status, _cli(modules)) == (0, own | {"screening.cli.score"})
    status, modules = _imported("cases", "--help")
    assert (status, _cli(modules)) == (0, own | {"screening.cli.cases"})
    status, modules = _imported("open", "--help")
    assert (status, _cli(modules)) == (0, own | {"screening.cli.keys"})
    status, modules = _imported("schema", "nothing")
    assert (status, _cli(modules)) == (2, COMMON | {"screening.cli.schema"})
