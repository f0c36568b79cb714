"""The service's four languages (API.md): uz (Latin, the default), uz-Cyrl, ru, en.

Every human-facing word comes from a gettext message catalog read with Babel: one `.po` file
per part of the service and language, `locale/<language>/LC_MESSAGES/<part>.po`
(`uz_Cyrl` for uz-Cyrl). A language's files are merged into one catalog; a message is looked
up by its context and its English text (or a key, with the part as context: `pgettext("card",
"title")`). Code labels are messages of context "code": `label("registered")`.
`tests/test_i18n.py` fails when a catalog misses a message another has or the code asks for.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.messages.pofile import read_po

LANGUAGES = ("uz", "uz-Cyrl", "ru", "en")
DEFAULT = "uz"
LOCALE_DIR = Path(__file__).parent / "locale"
TASHKENT = ZoneInfo("Asia/Tashkent")
_DIRS = {"uz": "uz", "uz-Cyrl": "uz_Cyrl", "ru": "ru", "en": "en"}
_ALIASES = {"uz": "uz", "uz-latn": "uz", "uz-cyrl": "uz-Cyrl", "ru": "ru", "en": "en"}

# A message's key: (context or None, English text).
Key = tuple[str | None, str]


def negotiate(lang: str | None, accept_language: str | None) -> str:
    """`?lang=` wins, else the first language of `Accept-Language` we print (a region or
    script we do not know falls back to its language: ru-RU is ru, uz-UZ is uz), else uz."""
    for candidate in [lang or "", *(accept_language or "").split(",")]:
        tag = candidate.split(";", 1)[0].strip().lower().replace("_", "-")
        if tag in _ALIASES:
            return _ALIASES[tag]
        base = tag.split("-", 1)[0]
        if base in _ALIASES:
            return _ALIASES["uz-cyrl" if tag.startswith("uz-cyrl") else base]
    return DEFAULT


def catalog_files(lang: str) -> list[Path]:
    return sorted((LOCALE_DIR / _DIRS[lang] / "LC_MESSAGES").glob("*.po"))


@functools.cache
def catalog(lang: str) -> dict[Key, str]:
    """Every message of `lang`'s files: {(context, msgid): translation}. The same message
    translated two ways in two files is an error, not a coin toss."""
    out: dict[Key, str] = {}
    for path in catalog_files(lang):
        with path.open("rb") as f:
            po = read_po(f, locale=_DIRS[lang])
        for message in po:
            if not message.id or not isinstance(message.id, str):
                continue
            key: Key = (message.context, message.id)
            text = str(message.string or "")
            if key in out and out[key] != text:
                raise ValueError(f"{path.name}: {key} translated twice in {lang}")
            out[key] = text
    return out


class Translator:
    """The words of one language: `t.gettext("Not found")`, `t.pgettext("status", code)`,
    dates as Uzbek and Russian offices print them (dd.mm.yyyy)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT
        self._messages = catalog(self.lang)

    def gettext(self, message: str, **values: object) -> str:
        return self._find(None, message).format(**values) if values else self._find(None, message)

    def pgettext(self, context: str, message: str, **values: object) -> str:
        text = self._find(context, message)
        return text.format(**values) if values else text

    def label(self, code: str) -> str:
        """A code's label (codes.po); a code no catalog knows prints as itself, spaced."""
        return self._messages.get(("code", code)) or code.replace("_", " ")

    def _find(self, context: str | None, message: str) -> str:
        return self._messages.get((context, message)) or message

    @staticmethod
    def date(value: date) -> str:
        return value.strftime("%d.%m.%Y")

    @staticmethod
    def instant(value: datetime) -> str:
        """dd.mm.yyyy HH:MM in Tashkent time."""
        return value.astimezone(TASHKENT).strftime("%d.%m.%Y %H:%M")


@functools.cache
def translator(lang: str) -> Translator:
    return Translator(lang)
