"""API.md conventions, R-8.1: every human-facing word in the four languages, from catalogs.

A catalog that misses a message another language has, or one the code asks for, fails here."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from appeals_api import i18n

SRC = Path(i18n.__file__).resolve().parents[1]
# How the code asks for words: t.gettext("…"), t.pgettext("context", "…").
KEYWORDS = {"gettext": None, "pgettext": ((1, "c"), 2)}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _asked_for() -> set[i18n.Key]:
    asked: set[i18n.Key] = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        SRC, method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        if isinstance(message, str):
            asked.add((context, message))
    return asked


def test_every_language_has_every_message() -> None:
    """API.md: a message one catalog has, every catalog has, translated (not left empty)."""
    every = set().union(*(i18n.catalog(lang) for lang in i18n.LANGUAGES))
    assert every, "no catalog read"
    for lang in i18n.LANGUAGES:
        words = i18n.catalog(lang)
        missing = sorted(str(k) for k in every if not words.get(k))
        assert not missing, f"{lang} misses {len(missing)}: {missing[:10]}"


def test_every_message_the_code_asks_for_is_in_the_catalogs() -> None:
    """API.md: the code never prints an English fallback because a catalog lacks the text."""
    asked = _asked_for()
    known = i18n.catalog(i18n.DEFAULT)
    missing = sorted(str(k) for k in asked if k not in known)
    assert not missing, f"not in the catalogs: {missing[:10]}"


def test_translations_keep_the_placeholders() -> None:
    """A translation that drops or misspells `{days}` would print wrong or fail at runtime:
    every language's text has the English one's placeholders."""
    english = i18n.catalog("en")
    for lang in i18n.LANGUAGES:
        for key, text in i18n.catalog(lang).items():
            assert _fields(text) == _fields(english.get(key, "")), (lang, key, text)


@pytest.mark.parametrize(
    ("lang", "accept", "chosen"),
    [
        (None, None, "uz"),
        ("ru", "en", "ru"),
        (None, "ru-RU,ru;q=0.9,en;q=0.8", "ru"),
        (None, "uz-Cyrl-UZ", "uz-Cyrl"),
        (None, "uz_Latn", "uz"),
        (None, "de-DE, en;q=0.5", "en"),
        ("xx", "fr", "uz"),
    ],
)
def test_language_negotiation(lang: str | None, accept: str | None, chosen: str) -> None:
    """API.md: `?lang=` wins, else Accept-Language's first language we print, else uz."""
    assert i18n.negotiate(lang, accept) == chosen


def test_dates_print_as_offices_write_them() -> None:
    """API.md / DEVELOPERS.md: dates in documents as dd.mm.yyyy."""
    from datetime import UTC, date, datetime

    t = i18n.translator("ru")
    assert t.date(date(2026, 3, 9)) == "09.03.2026"
    assert re.fullmatch(r"01\.12\.2026 05:30", t.instant(datetime(2026, 12, 1, 0, 30, tzinfo=UTC)))
