"""A person's history, indexed once so that each evaluation reads only what it needs.

``History`` holds the contact events (sorted by instant, file order kept at the same instant) with each event's
local calendar day in the debtor's zone computed once, and the state events, from which ``state(us)`` derives the
state visible at an instant (holds, ceases, consents, 失联, refusals, deaths, attorneys, inconvenient times). An
event dated after the evaluated instant is invisible; one at the same instant is visible. Pure: no Django.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from .model import DEBTOR, US_PER_DAY, ContactEvent, StateEvent

ALL = None  # a ``debts``/``channel``/``party`` of None on a state event means "every …"


@dataclass(slots=True)
class Hold:
    kind: str
    debts: tuple[str, ...] | None
    start: int
    until: int | None


@dataclass(slots=True)
class Consent:
    party: str
    channel: str | None
    scope: str
    debts: tuple[str, ...] | None
    start: int
    until: int | None


@dataclass(slots=True)
class State:
    """What is in force at one instant, derived from the visible state events in order."""
    holds: list[Hold] = field(default_factory=list)
    ceases: list[tuple[str, str | None, tuple[str, ...] | None]] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    lost: set[str] = field(default_factory=set)
    refused: set[str | None] = field(default_factory=set)     # None: every third party refused
    deceased: set[str] = field(default_factory=set)
    attorneys: list[tuple[str, str | None, tuple[str, ...] | None]] = field(default_factory=list)
    inconvenient: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.holds or self.ceases or self.consents or self.lost or self.refused or self.deceased
                    or self.attorneys or self.inconvenient)


EMPTY_STATE = State()


class History:
    """The contact and state history of one person (the debtor) with their related parties.

    ``tz`` is the debtor's zone (``None`` when unknown: time rules then deny as DATA). ``relations`` maps each
    related party's id to its relation (``friend``, ``guarantor`` …)."""

    __slots__ = ("debtor", "tz", "relations", "c_us", "c_day", "c_ev", "s_us", "s_ev", "_states")

    def __init__(self, debtor: str | None, tz: ZoneInfo | None, relations: dict[str, str] | None = None,
                 events=()):
        self.debtor = debtor
        self.tz = tz
        self.relations = dict(relations or {})
        self.c_us: list[int] = []
        self.c_day: list[int | None] = []
        self.c_ev: list[ContactEvent] = []
        self.s_us: list[int] = []
        self.s_ev: list[StateEvent] = []
        self._states: dict[int, State] = {}
        for ev in sorted(events, key=lambda e: e.us):     # stable: file order at the same instant
            if isinstance(ev, ContactEvent):
                self.c_us.append(ev.us)
                self.c_day.append(self.day_of(ev))
                self.c_ev.append(ev)
            else:
                self.s_us.append(ev.us)
                self.s_ev.append(ev)

    # -- building -------------------------------------------------------------------------------------------
    def add(self, ev) -> None:
        """Add an event after every event at or before its instant (so same-instant events keep their order)."""
        if isinstance(ev, ContactEvent):
            i = bisect_right(self.c_us, ev.us)
            self.c_us.insert(i, ev.us)
            self.c_day.insert(i, self.day_of(ev))
            self.c_ev.insert(i, ev)
        else:
            i = bisect_right(self.s_us, ev.us)
            self.s_us.insert(i, ev.us)
            self.s_ev.insert(i, ev)
            self._states.clear()

    def day_of(self, ev) -> int | None:
        return ev.at.astimezone(self.tz).toordinal() if self.tz is not None else None

    # -- reading --------------------------------------------------------------------------------------------
    def relation(self, party: str | None, state: State) -> str | None:
        """The party's relation to the debtor: ``debtor``, a declared relation, ``attorney`` when named as the
        representative in an attorney event, or None when unknown."""
        if party is None:
            return None
        if party == self.debtor:
            return DEBTOR
        rel = self.relations.get(party)
        if rel is not None:
            return rel
        for _represented, attorney, _debts in state.attorneys:
            if attorney == party:
                return "attorney"
        return None

    def contacts(self, us: int, since_us: int | None = None) -> range:
        """Indexes into ``c_ev``/``c_day`` of the contact events visible at ``us`` (at or before it), from
        ``since_us`` on when given."""
        hi = bisect_right(self.c_us, us)
        lo = 0 if since_us is None else bisect_left(self.c_us, since_us, 0, hi)
        return range(lo, hi)

    def recent(self, us: int, days: int) -> range:
        """Visible contact events of the last ``days`` local days, with a day's margin for zone offsets; callers
        filter on ``c_day``."""
        return self.contacts(us, us - (days + 1) * US_PER_DAY)

    def state(self, us: int) -> State:
        n = bisect_right(self.s_us, us)
        if n == 0:
            return EMPTY_STATE
        st = self._states.get(n)
        if st is None:
            st = self._states[n] = derive_state(self.s_ev[:n], self.debtor)
        return st


def _matches(debts: tuple[str, ...] | None, released: tuple[str, ...] | None) -> bool:
    return released is None or (debts is not None and set(debts) <= set(released))


def derive_state(events: list[StateEvent], debtor: str | None) -> State:
    st = State()
    for ev in events:
        kind = ev.event
        party = ev.party if ev.party is not None else debtor
        if kind == "hold":
            st.holds.append(Hold(ev.kind or "unspecified", ev.debts, ev.us, ev.until_us))
        elif kind == "hold_released":
            # Same kind, same debt; a release without a debt releases every hold of that kind. A release
            # without a kind releases nothing (the stricter reading).
            st.holds = [h for h in st.holds
                        if not (ev.kind is not None and h.kind == ev.kind and _matches(h.debts, ev.debts))]
        elif kind == "cease":
            st.ceases.append((party, ev.channel, ev.debts))
        elif kind == "consent":
            st.consents.append(Consent(party, ev.channel, ev.scope or "all", ev.debts, ev.us, ev.until_us))
        elif kind == "lost_contact":
            st.lost.add(party)
        elif kind == "contact_restored":
            st.lost.discard(party)
        elif kind == "third_party_refused":
            st.refused.add(ev.party)
        elif kind == "deceased":
            st.deceased.add(party)
        elif kind == "attorney":
            st.attorneys.append((party, ev.attorney, ev.debts))
        elif kind == "inconvenient":
            st.inconvenient.setdefault(party, []).append(ev.window)
    return st
