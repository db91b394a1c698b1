"""Cleaning user text: stored as typed, minus control characters and escape sequences."""

from __future__ import annotations

import re
import unicodedata

# ANSI escape sequences first (so an OSC title change leaves no residue), then any
# remaining C0/C1 control character.
_ESCAPES = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL / ST
    r"|\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b[P^_][^\x1b]*(?:\x1b\\)?"  # DCS, PM, APC
    r"|\x1b[@-Z\\-_]?"  # other two-character escapes, or a lone ESC
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
# C0/C1 controls, plus the bidirectional overrides that can make shown text lie about
# what it says (U+202A-U+202E, U+2066-U+2069).
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


# Letters and symbols that render as blank space: the Braille blank and the Hangul
# fillers (categories So and Lo, so the category test alone would keep them).
_FILLERS = frozenset("\u2800\u115f\u1160\u3164\uffa0")
# Marks (combining, enclosing), format characters (zero-width, joiners, variation
# selectors' kin) and separators: none is visible by itself.
_INVISIBLE_CATEGORIES = frozenset({"Mn", "Me", "Cf", "Zs", "Zl", "Zp"})


def has_visible(text: str) -> bool:
    """Whether `text` shows something: a character that is not white space, a mark,
    a format character or a blank filler. The one rule for "this title is empty"."""
    return any(
        not ch.isspace()
        and ch not in _FILLERS
        and unicodedata.category(ch) not in _INVISIBLE_CATEGORIES
        for ch in text
    )


def clean_line(text: str) -> str:
    """One line of user text: escapes and control characters removed, tabs and
    newlines turned into spaces, outer white space trimmed."""
    text = _ESCAPES.sub("", text)
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ").replace("\r", " ")
    return _CONTROL_LINE.sub("", text).strip()


def clean_block(text: str) -> str:
    """Multi-line user text (descriptions, criteria): newlines and tabs kept, line
    endings normalised, other control characters and escapes removed."""
    text = _ESCAPES.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_MULTILINE.sub("", text).strip("\n")


# What Markdown would read as markup in a line of text: HTML and entities (< > &), code
# spans, emphasis and strike-through, links and images ([ ]), table cells (|), and the
# backslash that escapes them all.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|&~])")


def markdown_text(text: str) -> str:
    """A line of user text for a Markdown document: shown as typed, never read as markup
    (no raw HTML, images, links or stray table columns)."""
    # Most text has nothing to escape; and a replacement given as a template ("\\\1")
    # is parsed again on every call (~18 µs): a status report escapes thousands.
    if _MARKDOWN.search(text) is None:
        return text
    return _MARKDOWN.sub(_escaped, text)


def _escaped(found: re.Match[str]) -> str:
    return "\\" + found[1]


def counted(count: int, word: str, plural: str | None = None) -> str:
    """`1 item`, `3 items` (`plural` where adding an s is wrong)."""
    return f"{count} {word if count == 1 else plural or word + 's'}"
