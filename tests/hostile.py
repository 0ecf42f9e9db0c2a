"""A seeded corpus of hostile inputs, and a runner that feeds them to the CLI in-process.

`tests/test_hostile_input.py` starts this file as a subprocess and reads one JSON line per case:
``{"start": N}`` before case N runs and its result after. A case that does not finish within the
test's bound is a hang: the test kills this process and names the case. Running every case in
one process keeps the corpus fast (the program is imported once); the subprocess is only there
so that a hang can be stopped.

Each case is a command line, the files it reads (written into a fresh folder) and what must
hold: ``error`` (exit 1, a message that names the input), ``any`` (exit 0 or 1), and for
batches the number of records that must still be scored.

    python tests/hostile.py SEED FOLDER [--list]
"""

from __future__ import annotations

import io
import json
import os
import random
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import SMALL  # the small questionnaire the other tests use

_SMALL = SMALL.encode("utf-8")
SCENARIOS = Path(__file__).resolve().parent.parent / "indicators" / "scenarios"


@dataclass
class Case:
    """One hostile input: the command line (``{q}``, ``{a}``... name the files written)."""

    name: str
    args: list[str]
    files: dict[str, bytes] = field(default_factory=dict)
    stdin: bytes | None = None
    expect: str = "error"  # "error": exit 1 naming the input; "any": exit 0 or 1; "usage": exit 2
    scored: int | None = None  # how many referrals stdout must hold (batches)
    names: str = ""  # what the message must name (default: the first file, or <stdin>)


# ----------------------------------------------------------------------------- building blocks

HUGE_INTEGERS = ["1" + "0" * 400, "-" + "9" * 40, "1" + "0" * 16, "12345678901234567890"]
SEXAGESIMAL = ["1:0:0", "1:" + ":".join(["0"] * 2_000), "190:20:30"]
NOT_DECIMAL = ["0x7FFFFFFF", "0o17", "017", "0b1010", "1_000_000"]
NOT_FINITE = [".nan", ".NaN", ".inf", "-.inf", "1.0e+400", "-1.0e+999"]
PATTERNS = [
    "(a+)+$",
    "(a|aa)+$",
    "(x+x+)+y",
    "^(([a-z])+.)+[A-Z]([a-z])+$",
    "a{4294967296}",
    "a{1001}",
    "(a{1000}){1000}",
    "((a{100}){100}){100}",
    "(?P<x>a)(?P=x)",
    "(?=a)a",
    "(?<!b)a",
    "\\Z",
    "[",
    "(",
    "a**",
    "\\p{Nope}",
    "(?x) a # comment",
]
CONTROL = ["\x1b", "\x00", "\x07", "\x7f", "\x9b", "\x1b[2J", "\u2028", "\ufeff"]
SURROGATES = ["\\ud800", "\\udfff", "\\ud83d", "\\udc00x"]


def _yaml(text: str) -> bytes:
    return textwrap.dedent(text).encode("utf-8")


def _replace(old: str, new: str) -> bytes:
    assert old in SMALL, old
    return SMALL.replace(old, new, 1).encode("utf-8")


def _deep_condition(depth: int) -> str:
    inner = "{answer: hours, gt: 12}"
    for level in range(depth):
        inner = ("{all: [%s]}", "{any: [%s]}", "{not: %s}")[level % 3] % inner
    return inner


def _wide(width: int, key: str = "any") -> str:
    items = ", ".join(f"{{answer: hours, gt: {i}}}" for i in range(width))
    return f"{{{key}: [{items}]}}"


# ----------------------------------------------------------------------------- questionnaires


def questionnaire_cases(rng: random.Random) -> Iterator[tuple[str, bytes, str]]:
    """(name, file, expectation) for hostile questionnaires."""
    for value in HUGE_INTEGERS[:2] + SEXAGESIMAL + NOT_DECIMAL + NOT_FINITE:
        for key, old in rng.sample(
            [("max", "max: 120"), ("min", "min: 0"), ("lt", "lt: 18"), ("gt", "gt: 12")], 2
        ):
            yield f"{key} {value[:12]}", _replace(old, f"{key}: {value}"), "error"
    for value in HUGE_INTEGERS + NOT_FINITE:
        test = rng.choice(["equals: %s", "one_of: [1, %s]"]) % value
        yield (
            f"{test[:20]}",
            _replace("{answer: hours, gt: 12}", f"{{answer: hours, {test}}}"),
            "error",
        )
    for pattern in PATTERNS:
        quoted = pattern.replace("'", "''")
        text = SMALL.replace(
            "        pii: true\n",
            f"        pii: true\n        validation: {{pattern: '{quoted}'}}\n",
            1,
        )
        # a pattern RE2 accepts is valid: the case then only shows that loading does not hang
        accepted = pattern in ("(a+)+$", "(a|aa)+$", "(x+x+)+y", "^(([a-z])+.)+[A-Z]([a-z])+$")
        yield f"pattern {pattern[:16]}", text.encode(), "any" if accepted else "error"
    yield (
        "one_of empty",
        _replace("{answer: hours, gt: 12}", "{answer: hours, one_of: []}"),
        "error",
    )
    yield (
        "dimension_rule empty",
        _replace("dimensions:\n", "dimension_rule: []\ndimensions:\n"),
        "error",
    )
    yield "rule empty", _replace("phase: destination}", "phase: destination, rule: []}"), "error"
    for width in (501, 1_500, 3_000):
        yield f"any {width} wide", _replace("{answer: hours, gt: 12}", _wide(width)), "error"
        yield f"all {width} wide", _replace("{answer: hours, gt: 12}", _wide(width, "all")), "error"
    for depth in (20, 45, 70, 200, 2_000):  # each level nests the YAML one or two levels
        yield (
            f"nested {depth}",
            _replace("{answer: hours, gt: 12}", _deep_condition(depth)),
            "any" if depth < 50 else "error",
        )
    for count in (10, 3_000):
        chain = "[" * count + "]" * count
        yield f"brackets {count}", _replace("source: ILO 2009", f"source: {chain}"), "error"
    yield (
        "alias bomb",
        _yaml(
            "a: &a [x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n"
                for i in range(8)
            )
        ),
        "error",
    )
    yield "merge key", _yaml("base: &b {id: x}\nother:\n  <<: *b\n"), "error"
    yield "python tag", _yaml("id: !!python/object/apply:os.system [true]\n"), "error"
    yield "two documents", SMALL.encode() + b"---\nid: again\n", "error"
    yield "empty", b"", "error"
    yield "binary", bytes(rng.randrange(256) for _ in range(200)) + b"\x00", "error"
    yield "latin-1", "title: caf\xe9\n".encode("latin-1"), "error"
    yield "bom only", b"\xef\xbb\xbf", "error"
    yield "a list", b"- a\n- b\n", "error"
    yield "duplicate key", _replace('version: "1"', 'version: "1"\nversion: "2"'), "error"
    for char in CONTROL:
        where = rng.choice(['text: {en: "How old', "title: {en: Work", "source: ILO 2009"])
        text = SMALL.replace(where, where + char, 1)
        # U+2028 and a byte order mark inside text are characters YAML allows
        yield f"control {char!r}", text.encode(), "any" if char in ("\u2028", "\ufeff") else "error"
    for escape in SURROGATES:
        yield (
            f"surrogate {escape}",
            _replace("title: {en: Small, ar: صغير}", f'title: {{en: "S{escape}", ar: صغير}}'),
            "error",
        )
    for escape in ("\\e[2J", "\\a", "\\x1b]0;title\\x07", "\\N", "\\r"):
        yield (
            f"escape {escape}",
            _replace("title: {en: Small, ar: صغير}", f'title: {{en: "S{escape}", ar: صغير}}'),
            "error",
        )
        yield (
            f"escape in a key {escape}",
            _replace('version: "1"', f'version: "1"\n"k{escape}": 1'),
            "error",
        )
    yield (
        "self reference",
        _replace(
            "when: {answer: passport, equals: no}",
            "when: {answer: passport_when, equals: recruitment}",
        ),
        "error",
    )
    yield (
        "cycle",
        _replace("when: {answer: hours, gt: 12}", "when: {indicator: long_hours}"),
        "error",
    )
    # random damage to a valid file: cut short, bytes flipped, lines shuffled
    raw = SMALL.encode()
    for index in range(15):
        cut = rng.randrange(1, len(raw))
        yield f"truncated {index}", raw[:cut], "any"
    for index in range(15):
        damaged = bytearray(raw)
        for _ in range(rng.randrange(1, 8)):
            damaged[rng.randrange(len(damaged))] = rng.choice(b"{}[]:,&*!|>-'\"\\\t\n #%@`")
        yield f"flipped {index}", bytes(damaged), "any"
    lines = SMALL.splitlines()
    for index in range(10):
        shuffled = lines[:]
        rng.shuffle(shuffled)
        yield (
            f"shuffled {index}",
            "\n".join(shuffled[: rng.randrange(1, len(shuffled))]).encode(),
            "any",
        )


# ----------------------------------------------------------------------------- answers files

GOOD = {"case_id": "good", "answers": {"age": 30, "passport": "no", "passport_when": "destination"}}


def _json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=True).encode()


def bad_records(rng: random.Random) -> Iterator[tuple[str, bytes]]:
    """(name, one JSON record) that must each be refused."""
    for value in HUGE_INTEGERS:
        yield f"age {value[:12]}", b'{"answers": {"age": %s}}' % value.encode()
    for value in ("NaN", "Infinity", "-Infinity", "1e400", "-1e999"):
        yield f"age {value}", b'{"answers": {"age": %s}}' % value.encode()
    yield "age 5000 digits", b'{"answers": {"age": 1%s}}' % (b"0" * 5_000)
    for depth in (101, 1_000, 100_000):
        yield f"deep {depth}", b'{"answers": ' + b"[" * depth + b"]" * depth + b"}"
        yield f"deep objects {depth}", b'{"notes": ' + b'{"a":' * depth + b"1" + b"}" * depth + b"}"
    for escape in SURROGATES:
        yield f"text {escape}", b'{"answers": {"name": "Ma%sria"}}' % escape.encode()
        yield f"note {escape}", b'{"notes": {"name": ["x%s"]}}' % escape.encode()
        yield f"case_id {escape}", b'{"case_id": "c%s", "answers": {}}' % escape.encode()
        yield f"key {escape}", b'{"answers": {"n%se": "x"}}' % escape.encode()
        yield f"officer {escape}", b'{"officer": "o%s"}' % escape.encode()
    for char in CONTROL[:6]:
        yield f"note control {char!r}", _json({"notes": {"name": [f"a{char}b"]}})
        yield f"text control {char!r}", _json({"answers": {"name": f"a{char}b"}})
    yield "duplicate key", b'{"answers": {"age": 1, "age": 2}}'
    yield "not an object", b"[1, 2, 3]"
    yield "a string", b'"answers"'
    yield "truncated", b'{"answers": {"age": 3'
    yield "unknown key", b'{"answerz": {}}'
    yield "null answer", b'{"answers": {"age": null}}'
    yield "bool for number", b'{"answers": {"age": true}}'
    yield "list for text", b'{"answers": {"name": ["a"]}}'
    yield "bad choice", b'{"answers": {"passport": "no", "passport_when": "moon"}}'
    yield "not utf-8", b'{"answers": {"name": "caf\xe9"}}'
    for index in range(10):
        raw = bytearray(_json(GOOD))
        for _ in range(rng.randrange(1, 4)):
            raw[rng.randrange(len(raw))] = rng.choice(b'{}[]:,"\\x')
        if raw != _json(GOOD):
            yield f"damaged {index}", bytes(raw)


def answers_cases(rng: random.Random) -> Iterator[Case]:
    for name, record in bad_records(rng):
        # alone in a .json file, and in a JSON Lines batch between good records
        yield Case(
            f"json {name}",
            ["score", "{a}", "-q", "{q}"],
            {"a.json": record, "q.yaml": SMALL.encode()},
            expect="any" if name.startswith("damaged") else "error",
        )
        batch = b"\n".join([_json(GOOD), record, _json(GOOD)]) + b"\n"
        yield Case(
            f"jsonl {name}",
            ["score", "{a}", "-q", "{q}"],
            {"a.jsonl": batch, "q.yaml": SMALL.encode()},
            expect="any" if name.startswith("damaged") else "error",
            scored=None if name.startswith("damaged") else 2,
        )
    yield Case(
        "stdin deep first",
        ["score", "-", "-q", "{q}"],
        {"q.yaml": SMALL.encode()},
        stdin=b'{"answers": ' + b"[" * 5_000 + b"]" * 5_000 + b"}\n" + _json(GOOD) + b"\n",
        scored=1,
        names="<stdin>",
    )
    yield Case(
        "stdin surrogate",
        ["score", "-", "-q", "{q}"],
        {"q.yaml": SMALL.encode()},
        stdin=b'{"answers": {"name": "\\ud800"}}\n' + _json(GOOD) + b"\n",
        scored=1,
        names="<stdin>",
    )
    yield Case(
        "stdin binary",
        ["score", "-", "-q", "{q}"],
        {"q.yaml": SMALL.encode()},
        stdin=b"\x00\x01\x02",
        names="<stdin>",
    )
    for pattern in PATTERNS[:4]:  # backtracking patterns against the answers that make them slow
        quoted = pattern.replace("'", "''")
        questionnaire = SMALL.replace(
            "        pii: true\n",
            f"        pii: true\n        validation: {{pattern: '{quoted}'}}\n",
            1,
        )
        for text in ("a" * 40 + "!", "x" * 40, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"):
            yield Case(
                f"pattern {pattern[:12]} on {text[:3]}",
                ["score", "{a}", "-q", "{q}"],
                {"a.json": _json({"answers": {"name": text}}), "q.yaml": questionnaire.encode()},
                expect="any",
                names="a.json",
            )
    for name, record in (
        ("markup case_id", {"case_id": "[/bold]x[red]", "answers": {"age": 30}}),
        ("escape case_id", {"case_id": "x\x1b[2Jy", "answers": {"age": 30}}),
        ("escape officer", {"officer": "\x1b]0;pwned\x07", "answers": {"age": 30}}),
        ("escape question id", {"answers": {"age\x1b[2J": 30}}),
        ("escape top key", {"answerz\x1b[31m": {}}),
        ("escape indicator", {"indicators": ["x\x1b[2J"]}),
    ):
        batch = b"\n".join([_json(GOOD), _json(record)]) + b"\n"
        for output in ("json", "table"):
            yield Case(
                f"{output} {name}",
                ["score", "{a}", "-q", "{q}", "--format", output],
                {"a.jsonl": batch, "q.yaml": SMALL.encode()},
                expect="any",
            )
    yaml_answers = {
        "age huge": "answers: {age: 1%s}\n" % ("0" * 400),
        "age sexagesimal": "answers: {age: 1%s}\n" % (":0" * 3_000),
        "age hex": "answers: {age: 0x1F}\n",
        "age octal": "answers: {age: 017}\n",
        "age nan": "answers: {age: .nan}\n",
        "age inf": "answers: {age: -.inf}\n",
        "text surrogate": 'answers: {name: "a\\ud800"}\n',
        "note surrogate": 'notes: {name: ["\\udc00"]}\n',
        "note escape": 'notes: {name: ["red \\e[31m"]}\n',
        "note bell": 'notes: {name: ["\\a"]}\n',
        "control raw": "answers: {name: a\x1bb}\n",
        "deep": "answers: " + "[" * 500 + "]" * 500 + "\n",
        "alias bomb": "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n"
            for i in range(8)
        ),
        "tag": "answers: !!python/name:os.system\n",
    }
    for name, text in yaml_answers.items():
        yield Case(
            f"yaml {name}",
            ["score", "{a}", "-q", "{q}"],
            {"a.yaml": text.encode(), "q.yaml": SMALL.encode()},
        )


# ----------------------------------------------------------------------------- other commands


def scenario_cases(rng: random.Random) -> Iterator[Case]:
    base = (SCENARIOS / "farm-debt-bondage.yaml").read_text(encoding="utf-8")
    edits = {
        "surrogate in persona": ("Kamal, 34", "Kamal\\ud800, 34"),
        "control in persona": ("Kamal, 34", "Kamal\x1b, 34"),
        "huge answer": ("answers:\n", "answers:\n  age: 1%s\n" % ("0" * 400)),
        "sexagesimal answer": ("answers:\n", "answers:\n  age: 1%s\n" % (":0" * 2_000)),
        "deep answer": ("answers:\n", "answers:\n  age: {}{}\n".format("[" * 300, "]" * 300)),
        "nan answer": ("answers:\n", "answers:\n  age: .nan\n"),
        "duplicate id": ("id: farm_debt_bondage\n", "id: farm_debt_bondage\nid: again\n"),
    }
    for name, (old, new) in edits.items():
        assert old in base, old
        text = base.replace(old, new, 1)
        if (
            name == "surrogate in persona"
        ):  # inside a folded scalar an escape is plain text: quote it
            text = base.replace(old, '"Kamal\\ud800, 34"', 1).replace(
                '  en: >-\n    "Kamal', '  en: "Kamal', 1
            )
        yield Case(f"train check {name}", ["train", "check", "{s}"], {"s.yaml": text.encode()})
    raw = base.encode()
    for index in range(5):
        cut = rng.randrange(1, len(raw))
        yield Case(
            f"train check truncated {index}",
            ["train", "check", "{s}"],
            {"s.yaml": raw[:cut]},
            expect="any",
        )
    yield Case(
        "train list hostile folder",
        ["train", "list", "--scenarios", "{d}"],
        {"d/a.yaml": b"id: [\x1b\n", "d/b.yaml": b"\x00"},
        expect="any",
        names="a.yaml",
    )
    yield Case(
        "train check hostile questionnaire",
        ["train", "check", "-q", "{q}"],
        {"q.yaml": _replace("lt: 18", "lt: 1" + "0" * 400)},
        names="q.yaml",
    )


def indicator_cases(rng: random.Random, hostile: list[tuple[str, bytes, str]]) -> Iterator[Case]:
    for name, data, expect in rng.sample(hostile, 15):
        yield Case(
            f"indicators list {name}",
            ["indicators", "list", "-q", "{q}"],
            {"q.yaml": data},
            expect=expect,
        )
    for name, data, expect in rng.sample(hostile, 5):
        yield Case(
            f"indicators show {name}",
            ["indicators", "show", "long_hours", "-q", "{q}"],
            {"q.yaml": data},
            expect=expect,
        )
    for name, data, expect in rng.sample(hostile, 10):
        yield Case(
            f"score -q {name}",
            ["score", "{a}", "-q", "{q}"],
            {"q.yaml": data, "a.json": _json(GOOD)},
            expect=expect,
            names="q.yaml",
        )


def cases_cases(rng: random.Random) -> Iterator[Case]:
    garbage = {
        "random bytes": bytes(rng.randrange(256) for _ in range(4096)),
        "text": b"not a database\n" * 100,
        "sqlite header only": b"SQLite format 3\x00" + b"\xff" * 200,
        "empty": b"",
    }
    for name, data in garbage.items():
        for command in (["cases", "list"], ["cases", "verify"], ["cases", "show", "abc"]):
            yield Case(
                f"{' '.join(command)} store {name}",
                command,
                {"home/cases.sqlite3": data},
                expect="any",
                names="",
            )
    for case_id in rng.sample(
        ["x" * 10_000, "\x1b[2J", "../../etc/passwd", "'; DROP TABLE cases; --", "٣٠", "\u202ered"],
        3,
    ):
        for command in ("show", "export", "delete"):
            args = ["cases", command, case_id] + (["--yes"] if command == "delete" else [])
            yield Case(f"cases {command} id {case_id[:10]!r}", args, {}, expect="any", names="")
    for value in rng.sample(
        ["x" * 1_000, "-5d", "99999999999999999999d", "1:0:0", "nan", "1e400d"], 3
    ):
        yield Case(
            f"cases purge {value[:10]}",
            ["cases", "purge", "--older-than", value, "--yes"],
            {},
            expect="usage",
            names="",
        )


# ----------------------------------------------------------------------------- the corpus


def corpus(seed: int) -> list[Case]:
    """Every case, in a fixed order for a seed."""
    rng = random.Random(seed)  # noqa: S311  # a reproducible corpus, not a secret
    hostile = list(questionnaire_cases(rng))
    cases = [
        Case(f"validate {name}", ["validate", "{q}"], {"q.yaml": data}, expect=expect)
        for name, data, expect in hostile
    ]
    cases += answers_cases(rng)
    cases += scenario_cases(rng)
    cases += indicator_cases(rng, hostile)
    cases += cases_cases(rng)
    return cases


def run_case(case: Case, folder: Path, main: Callable[[list[str]], None]) -> dict[str, object]:
    """Run one case in-process; returns its exit code and output."""
    folder.mkdir(parents=True)
    paths: dict[str, str] = {}
    for name, data in case.files.items():
        path = folder / name
        if data == _SMALL:  # one file for every case, so that it is loaded once
            path = folder.parent / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        paths[name.split(".")[0].split("/")[0]] = str(path.parent if "/" in name else path)
    args = [arg.format(**paths) if "{" in arg else arg for arg in case.args]
    home = folder / "home"
    home.mkdir(exist_ok=True)
    os.environ["SCREENING_HOME"] = str(home)
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")  # as a pipe: strict
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    stdin = io.TextIOWrapper(io.BytesIO(case.stdin or b""), encoding="utf-8")
    saved = sys.stdout, sys.stderr, sys.stdin
    sys.stdout, sys.stderr, sys.stdin = out, err, stdin
    code = 0
    try:
        main(args)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException as exc:  # anything escaping main is a failure the test reports
        code = -1
        err.write(f"\nescaped main: {type(exc).__name__}\n")
    finally:
        sys.stdout, sys.stderr, sys.stdin = saved
    out.flush()
    err.flush()
    return {
        "code": code,
        "out": out.buffer.getvalue().decode("utf-8", "replace"),  # type: ignore[attr-defined]
        "err": err.buffer.getvalue().decode("utf-8", "replace"),  # type: ignore[attr-defined]
        "files": sorted(Path(p).name for p in paths.values()),
    }


def main() -> None:
    seed, folder = int(sys.argv[1]), Path(sys.argv[2])
    cases = corpus(seed)
    if "--list" in sys.argv:
        for case in cases:
            print(case.name)
        return
    from screening.cli import main as cli_main

    emit = sys.__stdout__
    assert emit is not None
    emit.write(json.dumps({"ready": len(cases)}) + "\n")
    emit.flush()
    for number, case in enumerate(cases):
        emit.write(json.dumps({"start": number}) + "\n")
        emit.flush()
        started = time.perf_counter()
        result = run_case(case, folder / str(number), cli_main)
        result["seconds"] = round(time.perf_counter() - started, 3)  # for reading, not checked
        result.update(
            case=number, name=case.name, expect=case.expect, scored=case.scored, names=case.names
        )
        emit.write(json.dumps(result) + "\n")
        emit.flush()


if __name__ == "__main__":
    main()
