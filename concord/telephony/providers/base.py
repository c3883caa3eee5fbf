"""The telephony provider interface: what Concord asks of a switch or a cloud call centre, and what it hears back.

A provider:

* ``originate(DialRequest)`` places a call from the collector's phone to the number under the gate's permit (the
  allowed ``ContactDecision``); it returns the provider's call id, or raises :class:`ProviderError` when the call
  could not be placed (the permit is then released);
* ``hang_up(call_id, agent)`` and ``set_agent_state(agent, state)`` (``ready`` / ``busy`` / ``offline``);
* ``verify_push(headers, body)`` checks a pushed event's signature; ``split_push(body)`` gives its raw events
  (dicts), each keyed by ``event_key(raw)`` so a push repeated or replayed is stored once;
* ``normalise(raw)`` turns one raw event into :class:`CallEvent` values Concord understands;
* ``pull_records(since, until)`` gives the raw final call records (话单) of that window, to reconcile lost pushes;
* ``fetch_recording(ref)`` gives a recording's bytes and file suffix.

Raw events, from pushes and from pulls alike, are stored as they came (``ProviderEvent``) before anything is done
with them; the worker turns them into calls (``services.process_events``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


class ProviderError(Exception):
    """The provider refused or failed a request."""


@dataclass(frozen=True)
class DialRequest:
    call_ref: str           # Concord's id of the call, passed through the provider (userField) and back
    agent: str              # the collector's login / seat
    number: str             # digits to dial
    permit: int             # the gate's allow (ContactDecision id)
    case: str               # case reference (for the provider's screen pop; never a list of numbers)
    mode: str = "click"     # click, power or predictive (the switch plays ``abandon_message`` when no one takes it)
    abandon_message: str = ""   # predictive: the message for an answered call no collector took (the provider's)


@dataclass(frozen=True)
class CallRecord:
    """A call's final record (话单), normalised."""
    result: str                         # outcomes.RESULTS
    started_at: dt.datetime
    ended_at: dt.datetime
    answered_at: dt.datetime | None = None
    ring_seconds: int = 0
    talk_seconds: int = 0
    hangup_by: str = "system"           # outcomes.HANGUP_BY
    end_reason: str = ""
    sip_cause: str = ""
    recording_ref: str = ""


@dataclass(frozen=True)
class CallEvent:
    """One normalised event of one call: ``ringing``, ``answered`` or ``ended`` (with its record)."""
    kind: str
    call_ref: str
    provider_call_id: str = ""
    at: dt.datetime | None = None
    record: CallRecord | None = None
    extra: dict = field(default_factory=dict)


class Provider:
    name = "base"
    pushes = False          # the provider pushes events (webhooks) to Concord

    def __init__(self, options: dict | None = None):
        self.options = dict(options or {})

    def originate(self, request: DialRequest) -> str:
        raise NotImplementedError

    def hang_up(self, call_id: str, agent: str) -> None:
        raise NotImplementedError

    def set_agent_state(self, agent: str, state: str) -> None:
        raise NotImplementedError

    def verify_push(self, headers: dict, body: bytes) -> bool:
        return False

    def split_push(self, body: bytes) -> list[dict]:
        return []

    def event_key(self, raw: dict) -> str:
        raise NotImplementedError

    def normalise(self, raw: dict) -> list[CallEvent]:
        return []

    def pull_records(self, since: dt.datetime, until: dt.datetime) -> list[dict]:
        return []

    def fetch_recording(self, ref: str) -> tuple[bytes, str]:
        raise ProviderError("no recordings")
