"""The program's own strings exist in every language it speaks."""

from __future__ import annotations

import importlib
import pkgutil

import screening
from screening.i18n import LANGUAGES, catalog, t


def _import_everything() -> None:
    """Import every module, so that every module's messages are registered."""
    for module in pkgutil.walk_packages(screening.__path__, "screening."):
        if module.name.endswith("__main__"):
            continue
        importlib.import_module(module.name)


def test_every_message_has_every_language() -> None:
    _import_everything()
    messages = catalog()
    assert len(messages) > 20
    missing = [(key, lang) for key, texts in messages.items() for lang in LANGUAGES if not texts.get(lang, "").strip()]
    assert missing == []


def test_placeholders_agree_across_languages() -> None:
    import string

    _import_everything()
    for key, texts in catalog().items():
        fields = {lang: {f for _, f, _, _ in string.Formatter().parse(text) if f} for lang, text in texts.items()}
        assert len({frozenset(v) for v in fields.values()}) == 1, key


def test_unknown_language_falls_back_to_english() -> None:
    assert t("answer.dont_know", "fr") == "Don't know"
    assert t("answer.dont_know", "ar") == "لا أعرف"
