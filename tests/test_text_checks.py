"""The character checks on answers, notes and ids mean exactly their Unicode definitions."""

from __future__ import annotations

import re
import unicodedata

from screening.answers import has_control_characters, has_surrogates, id_problem

_BIDI_AND_BREAKS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"


def test_each_check_matches_its_definition_for_every_character_of_the_first_planes() -> None:
    control = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")  # Cc but the tab
    control_but_newline = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
    unsafe_id = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_AND_BREAKS}\ud800-\udfff]")
    surrogate = re.compile("[\ud800-\udfff]")
    for code in range(0x20000):
        char = chr(code)
        assert (unicodedata.category(char) == "Cc") == (
            char == "\t" or has_control_characters(char)
        )
        for text in (char, f"ab{char}c", f"نعم{char}"):
            assert has_control_characters(text) == bool(control.search(text)), hex(code)
            assert has_control_characters(text, newlines=True) == bool(
                control_but_newline.search(text)
            ), hex(code)
            assert bool(id_problem("the case id", text)) == bool(unsafe_id.search(text)), hex(code)
            assert has_surrogates(text) == bool(surrogate.search(text)), hex(code)
