"""Plain data of the compliance gate: requests, history events, decisions. No Django import.

Times are aware ``datetime`` objects; each event also carries ``us``, its instant as integer microseconds since
the Unix epoch, so that ordering and visibility never depend on the offset a time was written in.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

CHANNELS = ("call", "sms", "email", "letter", "visit", "wechat")
DIRECTIONS = ("outbound", "inbound")
OUTCOMES = ("no_answer", "busy", "voicemail", "conversation", "third_party", "wrong_number", "delivered", "failed")
PURPOSES = ("collection", "location", "service")
RELATIONS = ("friend", "spouse", "parent", "sibling", "colleague", "guarantor", "co_borrower", "attorney", "employer")
STATE_EVENTS = ("consent", "cease", "lost_contact", "contact_restored", "third_party_refused", "hold",
                "hold_released", "deceased", "attorney", "inconvenient")
HOLD_KINDS = ("complaint", "dispute", "breathing_space", "arrangement", "legal")
CONSENT_SCOPES = ("hours", "frequency", "all")
DECISIONS = ("allow", "deny")

#: An allow decision can be acted on — the contact made and its outcome recorded — from the moment it was taken
#: until this much later; after that the collector asks the gate again (the state may have changed).
DECISION_VALID = dt.timedelta(minutes=30)


def decision_usable(decided_at: dt.datetime, at: dt.datetime) -> bool:
    """Whether an allow taken at ``decided_at`` may still be acted on at ``at``."""
    return decided_at <= at <= decided_at + DECISION_VALID


#: The relation the gate gives the debtor themself.
DEBTOR = "debtor"

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
US_PER_DAY = 86_400_000_000


def to_us(at: dt.datetime) -> int:
    """An aware datetime as integer microseconds since the epoch (exact, offset-independent)."""
    d = at - EPOCH
    return (d.days * 86_400 + d.seconds) * 1_000_000 + d.microseconds


@lru_cache(maxsize=65_536)
def number_key(number: str | None) -> str | None:
    """A phone number reduced to compare equal however it was written: digits only, without an international
    prefix (``00``) or the country codes 86 (CN mobiles) and 1 (NANP, written with ``+`` or ``00``), so
    ``+86 138-0013-8000`` and ``13800138000`` are one number, and ``001 312 555 0100`` and ``3125550100``."""
    if number is None:
        return None
    digits = re.sub(r"\D", "", number)
    international = number.lstrip().startswith("+")
    if digits.startswith("00"):
        digits, international = digits[2:], True
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    elif len(digits) == 11 and digits.startswith("1") and international:
        digits = digits[1:]
    return digits or None


def debts_of(value) -> tuple[str, ...] | None:
    """A ``debt`` field (one id, a list of ids, or null) as a tuple; ``None`` means "every debt"."""
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    return tuple(value)


@dataclass(frozen=True, slots=True)
class Request:
    """A contact the collector or the system wants to make now. ``None`` marks a field the request lacks."""
    channel: str | None
    debts: tuple[str, ...] | None
    party: str | None
    purpose: str | None
    number: str | None = None
    template: str | None = None
    agents: int | None = None

    @property
    def number_key(self) -> str | None:
        return number_key(self.number)


@dataclass(frozen=True, slots=True)
class ContactEvent:
    """An attempt or contact that happened. ``debts`` None: not recorded (counts for every debt);
    ``outcome`` None: not recorded (counts for every cap it could count for)."""
    at: dt.datetime
    us: int
    channel: str
    direction: str
    party: str
    debts: tuple[str, ...] | None
    number: str | None          # as written
    outcome: str | None
    purpose: str | None = None  # known for attempts the gate allowed
    key: str | None = None      # number_key(number)


@dataclass(frozen=True, slots=True)
class StateEvent:
    """A change of state (consent, cease, hold, 失联 …); fields a kind does not use stay None."""
    at: dt.datetime
    us: int
    event: str
    party: str | None = None
    channel: str | None = None
    debts: tuple[str, ...] | None = None
    scope: str | None = None
    until_us: int | None = None
    kind: str | None = None
    attorney: str | None = None
    window: tuple[int, int] | None = None   # inconvenient: (from, to) minutes of the local day, both inside


@dataclass(frozen=True, slots=True)
class Denial:
    code: str
    key: str            # message key in ``reasons``
    args: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Decision:
    decision: str                   # "allow" | "deny"
    rules: tuple[str, ...]          # codes of every rule that denied, in pack order, without repeats
    reason_zh: str
    reason_en: str
    denials: tuple[Denial, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.decision == "allow"

    def reason(self, locale: str) -> str:
        return self.reason_zh if locale.lower().startswith("zh") else self.reason_en
