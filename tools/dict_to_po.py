"""Add messages written as a Python dict to the program's gettext catalogs.

    python tools/dict_to_po.py FILE.py [FILE.py ...]        # add the new keys
    python tools/dict_to_po.py --check FILE.py [FILE.py ...]  # only say what would change

Each FILE.py holds one or more dict literals of messages, either as the argument of a
``register({...})`` call (how messages were written before the catalogs) or assigned to a
top-level ``MESSAGES`` name::

    register({
        "cases.stats.title": {"en": "Cases by status", "ar": "الحالات حسب الوضع"},
        # a plural: English singular and plural, then every form of the language's Plural-Forms
        "cases.stats.count": {
            "en": ["{count} case", "{count} cases"],
            "ar": ["لا حالات", "حالة واحدة", "حالتان", "{count} حالات", "{count} حالة", "{count} حالة"],
        },
    })

Every key not yet in ``screening/locale/messages.pot`` is appended to it (its English text) and
to ``screening/locale/<language>.po`` for each other language given. A key already there with the
same texts is skipped; one with other texts is reported and nothing is written. The dict itself is
only read (``ast.literal_eval``), never run.
"""

from __future__ import annotations

import argparse
import ast
import string
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "screening" / "locale"
sys.path.insert(0, str(ROOT))

from screening.i18n import TEMPLATE, Message, parse_po  # noqa: E402  (the checkout's own module)

Texts = dict[str, str | list[str]]


def dicts_in(path: Path) -> dict[str, Texts]:
    """Every message dict literal in ``path``, merged (a key given twice must agree)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: dict[str, Texts] = {}
    for node in ast.walk(tree):
        literal: ast.expr | None = None
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", "")) == "register"
        ):
            literal = node.args[0] if node.args and isinstance(node.args[0], ast.Dict) else None
        elif isinstance(node, ast.Assign) and any(
            getattr(t, "id", "") == "MESSAGES" for t in node.targets
        ):
            literal = node.value
        if literal is None:
            continue
        for key, texts in ast.literal_eval(literal).items():
            if key in found and found[key] != texts:
                raise SystemExit(f"{path}: {key!r} is given twice with different texts")
            found[key] = texts
    return found


def _quote(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    )
    return f'"{escaped}"'


def entry(key: str, english: str | list[str], translated: str | list[str] | None) -> str:
    """One PO entry; ``translated`` None writes the template's (empty) msgstr."""
    forms = english if isinstance(english, list) else [english]
    names = set().union(*({n for _, n, _, _ in string.Formatter().parse(f) if n} for f in forms))
    lines = ["#, python-brace-format"] if names else []
    lines += [f"msgctxt {_quote(key)}", f"msgid {_quote(forms[0])}"]
    if isinstance(english, list):
        if len(english) != 2:
            raise SystemExit(f"{key!r}: English plurals are [singular, plural]")
        lines.append(f"msgid_plural {_quote(english[1])}")
        if translated is None:
            lines += ['msgstr[0] ""', 'msgstr[1] ""']
        elif not isinstance(translated, list):
            raise SystemExit(f"{key!r}: a plural message needs every form in every language")
        else:
            lines += [f"msgstr[{i}] {_quote(form)}" for i, form in enumerate(translated)]
    else:
        if isinstance(translated, list):
            raise SystemExit(f"{key!r}: plural forms for a message whose English has one form")
        lines.append(f"msgstr {_quote(translated or '')}")
    return "\n".join(lines) + "\n"


def _same(message: Message, english: str | list[str], translated: str | list[str] | None) -> bool:
    forms = english if isinstance(english, list) else [english]
    if [message.msgid, *([message.msgid_plural] if message.plural else [])] != forms:
        return False
    if translated is None:
        return True
    return list(message.msgstr) == (translated if isinstance(translated, list) else [translated])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only report; write nothing")
    parser.add_argument("files", nargs="+", type=Path)
    options = parser.parse_args(argv)

    messages: dict[str, Texts] = {}
    for path in options.files:
        for key, texts in dicts_in(path).items():
            if key in messages and messages[key] != texts:
                raise SystemExit(f"{key!r} is given twice with different texts")
            messages[key] = texts
    languages = sorted({lang for texts in messages.values() for lang in texts} - {"en"})
    files = {"en": LOCALE / TEMPLATE, **{lang: LOCALE / f"{lang}.po" for lang in languages}}
    for path in files.values():
        if not path.exists():
            raise SystemExit(
                f"{path} does not exist: start it from {TEMPLATE} (see docs/languages.md)"
            )
    parsed = {
        lang: parse_po(path.read_text(encoding="utf-8"), str(path)) for lang, path in files.items()
    }

    additions: dict[str, list[str]] = {lang: [] for lang in files}
    conflicts: list[str] = []
    for key, texts in messages.items():
        if "en" not in texts:
            conflicts.append(f"{key!r} has no English text")
            continue
        for lang in files:
            translated = None if lang == "en" else texts.get(lang)
            existing = parsed[lang].messages.get(key)
            if existing is None:
                additions[lang].append(entry(key, texts["en"], translated))
            elif not _same(existing, texts["en"], translated):
                conflicts.append(f"{key!r} differs from {files[lang].name}")
    if conflicts:
        print("\n".join(conflicts), file=sys.stderr)
        return 1
    for lang, entries in additions.items():
        print(f"{files[lang].relative_to(ROOT)}: new messages: {len(entries)}")
        if entries and not options.check:
            with files[lang].open("a", encoding="utf-8") as out:
                out.write("".join("\n" + e for e in entries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
