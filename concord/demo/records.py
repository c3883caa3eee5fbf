"""The records of the demo's history: what the simulation (``concord.demo.history``) produces and the writer
(``concord.demo.writer``) turns into rows. Plain data pointing at the in-memory book; ``pk`` once written."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from concord.compliance.history import History

from . import ledger
from .book import CaseRec

SHANGHAI = ZoneInfo("Asia/Shanghai")
ZERO = Decimal("0.00")


def clock_at(day: dt.date, time: dt.time) -> dt.datetime:
    """``time`` on ``day`` in the demo's zone (every demo debtor lives in Asia/Shanghai)."""
    return dt.datetime.combine(day, time, tzinfo=SHANGHAI)


@dataclass(eq=False)
class Contact:
    """One request to the gate and, when allowed, the contact made under it."""

    at: dt.datetime
    case: CaseRec
    actor: object  # staff.User
    channel: str  # call | sms
    purpose: str
    accounts: list  # ledger.Account: the debts it is about
    decision: object  # compliance.model.Decision
    relation: str | None
    seen: tuple[int, int]
    party: dict | None = None  # a related party row, None for the debtor
    number: str = ""  # E.164
    token: str = ""
    template_text: str = ""
    outcome: str = ""  # "" when denied
    codes: tuple = ()
    note: str = ""
    duration: int = 0
    message: dict | None = None  # an SMS: template, body, status, public id
    pk: int | None = None
    activity_pk: int | None = None


@dataclass(eq=False)
class PromiseRec:
    case: CaseRec
    amount: Decimal
    due_date: dt.date
    grace_days: int
    made_at: dt.datetime
    contact: Contact
    created_by: object
    note: str = ""
    status: str = "pending"
    paid_amount: Decimal = ZERO
    resolved_at: dt.datetime | None = None
    reminded: bool = False
    pk: int | None = None

    @property
    def window_end(self) -> dt.date:
        """The last day a payment counts towards it."""
        return self.due_date + dt.timedelta(days=self.grace_days)


@dataclass(eq=False)
class TaskRec:
    case: CaseRec
    kind: str
    title: str
    due_at: dt.datetime
    assigned_to: object
    created_at: dt.datetime
    created_by: object = None
    promise: PromiseRec | None = None
    done_at: dt.datetime | None = None
    done_by: object = None
    result: str = ""
    pk: int | None = None


@dataclass(eq=False)
class PaymentRec:
    account: ledger.Account
    amount: Decimal
    paid_at: dt.datetime
    channel: str
    reference: str
    allocation: dict


@dataclass(eq=False)
class MoveRec:
    case: CaseRec
    team: object
    collector: object
    reason: str
    at: dt.datetime
    ended_at: dt.datetime | None = None


@dataclass
class Journal:
    """What one day produced, in the order it happened."""

    day: dt.date
    contacts: list[Contact] = field(default_factory=list)
    promises: list[PromiseRec] = field(default_factory=list)
    tasks: list[TaskRec] = field(default_factory=list)
    payments: list[PaymentRec] = field(default_factory=list)
    moves: list[MoveRec] = field(default_factory=list)
    changed_promises: set = field(default_factory=set)  # resolved or paid towards on this day
    done_tasks: set = field(default_factory=set)
    touched: set = field(default_factory=set)  # accounts paid on this day
    summary: dict | None = None  # the night's run, when replayed


@dataclass(eq=False)
class Person:
    """What the simulation knows of a debtor: the gate's history of them, how often they answer, how likely they
    are to pay."""

    history: History
    answer: float
    propensity: float
    parties: list[tuple[str, dict]]  # (gate party key, related party row) with a phone
    calls_today: dict = field(default_factory=dict)  # day → sessions


@dataclass(eq=False)
class Work:
    """The case as its collector works it."""

    next_contact: dt.date
    promise: PromiseRec | None = None
    callback: TaskRec | None = None
    payments: list[PaymentRec] = field(default_factory=list)
    promises: list[PromiseRec] = field(default_factory=list)
    tried_deceased: bool = False
    closed: dt.date | None = None  # the day the case's balances were last brought to the night before
    held: list = field(default_factory=list)  # the case's accounts placed so far


@dataclass(eq=False)
class Planned:
    case: CaseRec
    kind: str  # settle | cure | partial | spontaneous
    amount: Decimal
    at: dt.datetime
    account: ledger.Account | None = None
    promise: PromiseRec | None = None
