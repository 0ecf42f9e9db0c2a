"""Urdu on a terminal without bidi (--rtl reorder): its own letters joined, its digits in order."""

from __future__ import annotations

import unicodedata

import pytest

from screening.bidi import RtlMode, cell_width, display, display_lines
from screening.textwidth import clusters

# Questions and sentences of the kind the interview puts to a worker, in Urdu.
SENTENCES = [
    # Does someone else keep your passport or ID card, so that you cannot have it when you want?
    "کیا کوئی اور آپ کا پاسپورٹ یا شناختی کارڈ اپنے پاس رکھتا ہے، تاکہ آپ جب چاہیں اسے نہ لے سکیں؟",
    # Are you allowed to leave the house?
    "کیا آپ کو گھر چھوڑنے کی اجازت ہے؟",
    # Does your sponsor or agent frighten or threaten you?
    "کیا آپ کا کفیل یا ایجنٹ آپ کو ڈراتا یا دھمکاتا ہے؟",
    # Do you owe money that you had to borrow to come here?
    "کیا آپ پر کوئی قرض ہے جو آپ کو یہاں آنے کے لیے لینا پڑا؟",
    # You can file a complaint with the labour department.
    "آپ شعبۂ محنت میں شکایت درج کرا سکتے ہیں۔",
    # When did you come from Pakistan? (with the older spelling of "came", آۓ)
    "آپ پاکستان سے کب آۓ؟",
    # For help, call the hotline on 995 (Urdu digits) or 999.
    "مدد کے لیے ہاٹ لائن ۹۹۵ یا 999 پر فون کریں۔",
    # Is there a television in your room? (zhe, as in ویژن)
    "کیا آپ کے کمرے میں ٹیلی ویژن ہے؟",
]


def names(text: str) -> list[str]:
    return [unicodedata.name(char).removeprefix("ARABIC ").removeprefix("LETTER ") for char in text]


def _is_unjoined_letter(char: str) -> bool:
    """A letter of the Arabic block itself, not one of its joined presentation forms."""
    return "\u0620" <= char <= "\u06ff" and unicodedata.category(char) == "Lo"


@pytest.mark.parametrize("sentence", SENTENCES)
def test_every_urdu_letter_is_joined(sentence: str) -> None:
    shown = display(sentence, RtlMode.REORDER, rtl=True)
    assert [char for char in shown if _is_unjoined_letter(char)] == []
    if not any(char.isdigit() for char in sentence):
        # read back (joined forms to letters, visual to logical order): the same text
        read_back = "".join(reversed(clusters(shown)))
        assert unicodedata.normalize("NFKC", read_back) == unicodedata.normalize("NFKC", sentence)


@pytest.mark.parametrize(
    ("word", "forms"),
    [
        (
            "پاکستان",
            [
                "PEH INITIAL FORM",
                "ALEF FINAL FORM",
                "KEHEH INITIAL FORM",
                "SEEN MEDIAL FORM",
                "TEH MEDIAL FORM",
                "ALEF FINAL FORM",
                "NOON ISOLATED FORM",
            ],
        ),
        (
            "چھوڑنے",
            [
                "TCHEH INITIAL FORM",
                "HEH DOACHASHMEE MEDIAL FORM",
                "WAW FINAL FORM",
                "RREH ISOLATED FORM",
                "NOON INITIAL FORM",
                "YEH BARREE FINAL FORM",
            ],
        ),
        ("ٹیکسی", ["TTEH INITIAL FORM", "FARSI YEH MEDIAL FORM", "KEHEH MEDIAL FORM"]),
        ("گاڑی", ["GAF INITIAL FORM", "ALEF FINAL FORM", "RREH ISOLATED FORM"]),
        ("ڈرائیور", ["DDAL ISOLATED FORM", "REH ISOLATED FORM", "ALEF ISOLATED FORM"]),
        ("سکیں", ["SEEN INITIAL FORM", "KEHEH MEDIAL FORM", "FARSI YEH MEDIAL FORM"]),
        ("ویژن", ["WAW ISOLATED FORM", "FARSI YEH INITIAL FORM", "JEH FINAL FORM"]),
        (
            "آۓ",
            ["ALEF WITH MADDA ABOVE ISOLATED FORM", "YEH BARREE WITH HAMZA ABOVE ISOLATED FORM"],
        ),
        ("کہہ", ["KEHEH INITIAL FORM", "HEH GOAL MEDIAL FORM", "HEH GOAL FINAL FORM"]),
        # HEH GOAL WITH HAMZA ABOVE has no joined forms of its own: shown as its canonical
        # equivalent, HEH GOAL joined, with the hamza mark after it
        ("شعبۂ", ["SHEEN INITIAL FORM", "AIN MEDIAL FORM", "BEH MEDIAL FORM"]),
    ],
)
def test_urdu_letters_take_their_joined_forms(word: str, forms: list[str]) -> None:
    shown = display(word, RtlMode.REORDER, rtl=True)
    logical_order = names("".join(reversed(clusters(shown))))
    assert logical_order[: len(forms)] == forms


def test_heh_goal_with_hamza_joins_the_letter_before_it() -> None:
    shown = display("شعبۂ", RtlMode.REORDER, rtl=True)
    # visual order: the last letter first; the mark stays after its letter
    assert names(shown)[:2] == ["HEH GOAL FINAL FORM", "HAMZA ABOVE"]
    assert unicodedata.normalize("NFKC", "".join(reversed(clusters(shown)))) == "شعبۂ"
    # a letter between two others takes its medial form
    assert names(display("بۂب", RtlMode.REORDER, rtl=True))[1:3] == [
        "HEH GOAL MEDIAL FORM",
        "HAMZA ABOVE",
    ]


def test_teh_marbuta_goal_has_no_joined_forms() -> None:
    """Unicode has no presentation forms for U+06C3 (docs/languages.md): it stays as written."""
    shown = display("صلوٰۃ", RtlMode.REORDER, rtl=True)
    assert [char for char in shown if _is_unjoined_letter(char)] == ["\u06c3"]


def test_urdu_digits_and_latin_digits_read_left_to_right() -> None:
    shown = display("ہاٹ لائن ۹۸۵ یا 123 پر", RtlMode.REORDER, rtl=True)
    assert "۹۸۵" in shown
    assert "123" in shown
    assert shown.index("123") < shown.index("۹۸۵")  # the later number stands further left


@pytest.mark.parametrize("columns", [80, 40, 20])
def test_urdu_lines_end_at_the_right_edge(columns: int) -> None:
    lines = display_lines(SENTENCES[0], columns, RtlMode.REORDER, rtl=True)
    assert all(cell_width(line) == columns for line in lines)
    assert all(not line.endswith(" ") for line in lines)
    # the first words of the question are on the first line, at its right end
    assert display("کیا", RtlMode.REORDER, rtl=True) in lines[0][-10:]
