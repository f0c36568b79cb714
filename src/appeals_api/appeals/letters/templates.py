"""What each kind of letter prints (R-6.4): one composition in the letter's language, which the
HTML page and the DOCX both lay out, so the two never say different things."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from appeals_api.appeals.enums import LetterKind, LetterState
from appeals_api.appeals.letters.catalogue import Catalogue, catalogue
from appeals_api.appeals.letters.schemas import LetterRead

K = LetterKind


@dataclass(frozen=True)
class KindTemplate:
    """A kind's parts beyond the letterhead, the opening and the text."""

    outcome: bool = False  # the outcome line, and the grounds of a rejection (§39)
    appeal_right: bool = False  # how to appeal the decision (§39, §64)


TEMPLATES: dict[LetterKind, KindTemplate] = {
    K.RESPONSE: KindTemplate(outcome=True, appeal_right=True),
    K.INTERIM: KindTemplate(),
    K.WITHDRAWAL_ANSWER: KindTemplate(),
    K.FORWARD: KindTemplate(),
    K.RETURN: KindTemplate(),
    K.DUPLICATE_NOTICE: KindTemplate(),
    K.CLARIFICATION: KindTemplate(),
    K.STUDY_NOTICE: KindTemplate(),
    K.LEFT_WITHOUT_CONSIDERATION: KindTemplate(appeal_right=True),
    K.TERMINATION: KindTemplate(appeal_right=True),
    K.ENVELOPE_REPORT: KindTemplate(),
}
assert set(TEMPLATES) == set(LetterKind)

BLANK = "________________"  # filled in by hand on paper: the number and date before sending


def printed_date(value: date | None) -> str:
    """Dates on letters: dd.mm.yyyy."""
    return value.strftime("%d.%m.%Y") if value else BLANK


@dataclass(frozen=True)
class Composed:
    """Every string of a printed letter, not yet escaped; `None` where a part is left out."""

    words: Catalogue
    title: str
    number: str
    date: str
    addressee: str
    appeal_number: str
    opening: str
    text: str
    outcome: str | None
    grounds: str | None
    appeal_right: str | None
    signer: str
    signed_on: str
    draft: str | None


def compose(letter: LetterRead, *, received_on: date) -> Composed:
    """R-6.4: the letter as printed, in its language (§40)."""
    words = catalogue(letter.language)
    template = TEMPLATES[letter.kind]
    outcome = words.outcomes[letter.outcome] if template.outcome and letter.outcome else None
    unsigned = letter.state in (LetterState.DRAFT, LetterState.RETURNED)
    return Composed(
        words=words,
        title=words.titles[letter.kind],
        number=letter.letter_number or BLANK,
        date=printed_date(letter.sent_on),
        addressee=letter.addressee or BLANK,
        appeal_number=letter.appeal_number,
        opening=words.openings[letter.kind].format(
            number=letter.appeal_number, received=printed_date(received_on)
        ),
        text=letter.text or "",
        outcome=outcome,
        grounds=letter.grounds if outcome else None,
        appeal_right=words.appeal_right if template.appeal_right else None,
        signer=letter.signed_by or BLANK,
        signed_on=printed_date(letter.signed_on),
        draft=words.draft if unsigned else None,
    )
