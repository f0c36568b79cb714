"""One generated appeal and its way through the lifecycle (R-3 to R-7), for `appeals-api seed`.

Each appeal draws a way out (answered, forwarded, left without consideration...) and the days
it took; if that day has not come by `today`, it is still open, at a stage that fits its age.
Its stage deadlines are computed on the working-day calendar in force, as intake would.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from appeals_api.appeals.channels import follows_channel
from appeals_api.appeals.enums import Channel, Form
from appeals_api.appeals.numbering import display_number
from appeals_api.calendar.rules import after_hours, compute_due, get_rule
from appeals_api.calendar.workdays import WorkCalendar
from appeals_api.config import Settings
from appeals_api.stats import seed_data as d
from appeals_api.stats.seed_people import applicants_for, text_for

SEED_ACTOR = "seed"
# An open appeal's stage by the share of its answer period gone.
OPEN_STEPS = (
    (0.07, "registered"),
    (0.15, "resolved"),
    (0.2, "dispatched"),
    (0.8, "in_consideration"),
    (0.92, "response_drafted"),
    (9e9, "response_signed"),
)


def pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass(frozen=True)
class Original:
    """A recent answered appeal a later duplicate can refer to (R-5.2)."""

    id: uuid.UUID
    year: int
    seq: int
    received_on: date
    completed_on: date
    due_date: date
    outcome: str
    units: list[str]


@dataclass
class Draft:
    id: uuid.UUID
    year: int
    seq: int
    received_at: datetime
    received_on: date
    registered_on: date
    channel: str
    kind: str
    form: str
    language: str
    answer_rule: str
    due_date: date
    ground: str | None = None
    status: str | None = None
    completed_on: date | None = None
    units: list[str] = field(default_factory=list)
    outcome: str | None = None
    disposal: dict[str, Any] | None = None
    joined_to: uuid.UUID | None = None
    related: dict[str, Any] | None = None
    removed_on: date | None = None
    version: int = 1
    stages: list[list[Any]] = field(default_factory=list)  # rule, start, due, done, cancelled


def _check_forms() -> None:
    """R-1.1: the proportions draw only forms their channels admit (the intake's table)."""
    for channel, (_, forms) in d.CHANNELS.items():
        wrong = [f for f in forms if not follows_channel(Form(f), Channel(channel))]
        if wrong:
            raise ValueError(f"seed_data.CHANNELS: {channel} is never {', '.join(wrong)} (R-1.1)")


class Generator:
    def __init__(
        self,
        rng: random.Random,
        calendar: WorkCalendar,
        settings: Settings,
        *,
        units: list[str],
        today: date,
    ) -> None:
        _check_forms()
        self.rng, self.calendar, self.settings, self.today = rng, calendar, settings, today
        self.tz = settings.tz
        self.units = units
        self.unit_weights = [1 / (i + 1) ** 0.8 for i in range(len(units))]
        self.recent: list[Original] = []
        self.due = lru_cache(maxsize=None)(self._due)
        self.start = lru_cache(maxsize=None)(self._start)
        self.workday = lru_cache(maxsize=None)(self._workday)
        self.ways: dict[str, Callable[[Draft, str], None]] = {
            "duplicate": self._duplicate,
            "forwarded": self._by_letter,
            "returned": self._by_letter,
            "left_without_consideration": self._decided,
            "terminated": self._decided,
            "withdrawn": self._withdrawn,
        }

    def _due(self, rule: str, start: date) -> date:
        return compute_due(get_rule(rule), start, self.calendar)

    def _start(self, day: date, after_hours: bool) -> date:
        # an e-appeal after hours or on a day off starts on the next working day.
        if after_hours or not self.calendar.is_working_day(day):
            return self.calendar.next_working_day(day)
        return day

    def appeal(
        self, year: int, seq: int, received_at: datetime, channel: str
    ) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
        """One appeal row and its stage deadline rows, in the column orders of `seed`."""
        a = self._draft(year, seq, received_at, channel)
        way = pick(self.rng, d.WAYS)
        if way == "left_without_consideration":
            grounds = ("anonymous", "no_authority_documents", "other")
            a.ground = self.rng.choices(grounds, (5, 2, 3))[0]
        applicants, representative = applicants_for(self.rng, a.language, a.ground)
        if way in self.ways:
            self.ways[way](a, way)
        if a.status is None:  # answered, or still open
            self._answered_or_open(a)
        self._close_stages(a)
        stages = [(a.id, r, s, due, due, done, False, c) for r, s, due, done, c in a.stages]
        return self._row(a, applicants, representative), stages

    def _draft(self, year: int, seq: int, received_at: datetime, channel: str) -> Draft:
        rng = self.rng
        kind, form = pick(rng, d.KINDS), pick(rng, d.CHANNELS[channel][1])
        local = received_at.astimezone(self.tz)
        registered_on = local.date()
        if form == "electronic":
            registered_on = self.start(
                local.date(), after_hours(local.time(), self.settings.work_end)
            )
        rule = "proposal_answer" if kind == "proposal" else "answer"
        due = self.due(rule, registered_on)
        return Draft(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            year=year, seq=seq, received_at=received_at, received_on=local.date(),
            registered_on=registered_on, channel=channel, kind=kind, form=form,
            language=pick(rng, d.LANGUAGES), answer_rule=rule, due_date=due,
            stages=[
                ["registration", registered_on, self.due("registration", registered_on),
                 None, False],
                [rule, registered_on, due, None, False],
            ],
        )  # fmt: skip

    def _ends(self, a: Draft, days: int) -> date | None:
        """The working day `days` after registration (or the next one), if it has come:
        letters are signed and sent, conclusions approved, on working days."""
        on = self.workday(a.registered_on + timedelta(days=days))
        return on if on <= self.today else None

    def _workday(self, day: date) -> date:
        return self.calendar.roll_forward(day)

    def _routing(self) -> list[str]:
        n = self.rng.choices((1, 2, 3), weights=(80, 15, 5))[0]
        picked: list[str] = []
        while len(picked) < min(n, len(self.units)):
            unit = self.rng.choices(self.units, weights=self.unit_weights)[0]
            if unit not in picked:
                picked.append(unit)
        return picked

    def _by_letter(self, a: Draft, way: str) -> None:
        """§31: forwarded or returned within five days, mostly before any resolution."""
        late = self.rng.random() < 0.04
        on = self._ends(a, self.rng.randint(6, 10) if late else self.rng.randint(1, 5))
        if on is None:
            return
        rule = "forward" if way == "forwarded" else "return"
        due = self.due(rule, a.registered_on)
        a.stages.append([rule, a.registered_on, due, on, False])
        a.status, a.answer_rule, a.due_date, a.completed_on = way, rule, due, on
        a.disposal = (
            {"type": "forwarded", "body": self.rng.choice(d.FORWARD_BODIES)}
            if way == "forwarded"
            else {"type": "returned"}
        )
        a.units = self._routing() if self.rng.random() < 0.2 else []

    def _decided(self, a: Draft, way: str) -> None:
        """R-7.1, R-7.2: left without consideration or terminated on a conclusion."""
        days = self.rng.randint(2, 14) if way == "terminated" else self.rng.randint(1, 8)
        on = self._ends(a, days)
        if on is None:
            return
        a.status, a.completed_on = way, on
        unrouted = way == "left_without_consideration" and self.rng.random() < 0.5
        a.units = [] if unrouted else self._routing()
        a.disposal = {
            "type": way,
            "ground": a.ground or self.rng.choice(d.TERMINATION_GROUNDS),
            "conclusion": "Generated conclusion.",
            "decided_by": f"{SEED_ACTOR} (manager)",
            "decided_on": on.isoformat(),
        }

    def _withdrawn(self, a: Draft, way: str) -> None:
        """R-7.3: withdrawn; the written answer within three days (sometimes not yet sent)."""
        asked = self._ends(a, self.rng.randint(1, 10))
        if asked is None:
            return
        due = self.due("withdrawal_answer", asked)
        sent = self.workday(
            asked + timedelta(days=self.rng.randint(0, 5 if self.rng.random() < 0.1 else 3))
        )
        sent_on = sent if sent <= self.today else None
        a.stages[1][3:] = [asked, True]  # the answer is no longer due
        a.stages.append(["withdrawal_answer", asked, due, sent_on, False])
        a.status, a.answer_rule, a.due_date, a.completed_on = way, "withdrawal_answer", due, sent_on
        a.units = self._routing()
        a.disposal = {"type": "withdrawn", "received_on": asked.isoformat()}

    def _duplicate(self, a: Draft, way: str) -> None:
        """R-5.2 (§29): joined to its open original and answered with it, or, the original
        answered already, answered with a notice."""
        candidates = [o for o in self.recent if o.received_on < a.received_on]
        if not candidates:
            return
        o = self.rng.choice(candidates)
        original = display_number(o.year, o.seq)
        if o.completed_on <= a.registered_on:
            sent = self._ends(a, self.rng.randint(1, 3))
            if sent is None:
                return  # the notice is not out yet: an open appeal for now
            a.disposal = {"type": "answered_as_duplicate", "original": original}
            a.completed_on = sent
        else:
            a.disposal = {"type": "joined", "original": original}
            a.due_date, a.completed_on, a.outcome = o.due_date, o.completed_on, o.outcome
            a.stages[1][3:] = [a.registered_on, True]
        a.status, a.joined_to, a.units = "joined", o.id, list(o.units)
        a.related = {
            "relation": "duplicate", "year": o.year, "number": o.seq, "display": original,
            "appeal_id": str(o.id), "received_on": o.received_on.isoformat(),
        }  # fmt: skip

    def _answered_or_open(self, a: Draft) -> None:
        """R-6: answered (a tenth late), closed some days later (§66); or still open."""
        span = max((a.due_date - a.registered_on).days, 1)
        late = self.rng.random() < 0.1
        on = self._ends(a, span + self.rng.randint(1, 25) if late else self.rng.randint(1, span))
        a.units = self._routing()
        if on is None:
            progress = (self.today - a.registered_on).days / span
            a.status = next(s for limit, s in OPEN_STEPS if progress < limit)
            if a.status == "registered":
                a.units = []
            return
        a.status, a.completed_on, a.version = "answered", on, 8
        a.outcome = pick(self.rng, d.OUTCOMES)
        if (self.today - on).days > 10 and self.rng.random() < 0.95:
            a.status = "closed"
            removed = self.workday(on + timedelta(days=self.rng.randint(0, 5)))
            a.removed_on = removed if removed <= self.today else on
        self.recent.append(
            Original(a.id, a.year, a.seq, a.received_on, on, a.due_date, a.outcome, a.units)
        )
        if len(self.recent) > 200:
            del self.recent[:100]

    def _close_stages(self, a: Draft) -> None:
        """Stages still open when consideration ended: met by a response, else cancelled."""
        if a.units:  # routed: the registration stage was met when the resolution came
            resolved = self.workday(a.registered_on + timedelta(days=self.rng.randint(0, 1)))
            a.stages[0][3] = min(resolved, a.completed_on or self.today)
        if a.completed_on is None:
            return
        disposal = (a.disposal or {}).get("type")
        met = a.status in ("answered", "closed") or disposal == "answered_as_duplicate"
        for stage in a.stages:
            if stage[3] is None:
                stage[3:] = [a.completed_on, not met]
        # Off control when it ended, but an answer stays on until removed (§66).
        if a.removed_on is None and a.status not in ("answered", "withdrawn"):
            a.removed_on = a.completed_on

    def _row(
        self, a: Draft, applicants: list[dict[str, Any]], representative: dict[str, Any] | None
    ) -> tuple[Any, ...]:
        rng = self.rng
        higher = d.HIGHER_BODIES.get(a.channel)
        control = {"type": "internal"}
        if higher:
            control = {"type": "higher_body", "body": higher, "reference": f"HB-{a.seq}"}
        removed_at = (
            datetime.combine(a.removed_on, time(17, 0), tzinfo=self.tz) if a.removed_on else None
        )
        identified = any(_identified(x) for x in applicants)
        text, summary = text_for(rng, a.language)
        return (
            a.id, a.year, a.seq, a.kind, a.form, a.channel, a.language, a.status, a.received_at,
            a.registered_on, a.answer_rule, a.due_date, a.completed_on,
            text, summary if rng.random() < 0.4 else None,
            "Chairman of the Board" if rng.random() < 0.6 else None,
            json.dumps(applicants, ensure_ascii=False),
            json.dumps(representative, ensure_ascii=False) if representative else None,
            not identified, bool(representative and not representative["authority_documents"]),
            rng.random() < 0.03, json.dumps(control),
            json.dumps(a.related) if a.related else None,
            f"WEB-{a.year}-{a.seq}" if a.channel == "website" else None,
            json.dumps({"sheets": rng.randint(1, 6), "envelope_check": "ok"})
            if a.channel == "post" else None,
            a.units, a.outcome, json.dumps(a.disposal) if a.disposal else None, a.joined_to,
            removed_at, f"{SEED_ACTOR} (registrar)" if removed_at else None,
            f"{rng.getrandbits(256):064x}", a.received_at, removed_at or a.received_at, a.version,
        )  # fmt: skip


def _identified(applicant: dict[str, Any]) -> bool:
    if applicant["type"] == "legal_entity":
        return bool(applicant.get("name") and applicant.get("address"))
    return all(applicant.get(k) for k in ("last_name", "first_name", "address"))
