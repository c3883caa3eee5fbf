"""Scenarios (shared/compliance/SCENARIOS.md): parse a scenario file and replay its checks. Pure: no Django.

``parse`` turns the JSON into plain data and raises ``ScenarioError`` naming the field at fault
(``checks[3].request.channel: unknown channel "fax"``). Malformed means the file cannot be read as a scenario:
bad JSON, wrong types, unknown enumeration values, unparseable times or zones. A fact the gate needs and the
file simply lacks (a US debtor's time zone, a request's purpose) is not malformed: the gate denies it as DATA.

``replay`` decides the checks in the order of their ``at`` (file order at the same instant); a history event
after a check's instant is invisible to it, one at the same instant visible; an allowed check's ``then`` outcome
is added to the history at the check's instant before the next check.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .gate import deny_data, evaluate
from .history import History
from .model import (CHANNELS, CONSENT_SCOPES, DECISIONS, DIRECTIONS, OUTCOMES, PURPOSES, STATE_EVENTS,
                    ContactEvent, Decision, Request, StateEvent, number_key, to_us)
from .packs import PACK_NAMES, Pack, load_pack


class ScenarioError(ValueError):
    """A malformed scenario; the message starts with the path of the field at fault."""


@dataclass(frozen=True)
class Check:
    index: int
    at: dt.datetime
    us: int
    request: Request
    expect: str | None
    then: str | None


@dataclass
class Scenario:
    name: str
    policy: str | None
    locale: str
    debtor: str | None
    timezone: ZoneInfo | None          # the zone the gate uses (the pack's default when the file has none)
    relations: dict[str, str | None]
    debts: list[str]
    events: list = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    @property
    def pack(self) -> Pack | None:
        return load_pack(self.policy) if self.policy else None

    def history(self) -> History:
        return History(self.debtor, self.timezone, {k: v for k, v in self.relations.items() if v}, self.events)


# -- field readers ----------------------------------------------------------------------------------------------
def _q(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _obj(value, path: str) -> dict:
    if not isinstance(value, dict):
        raise ScenarioError(f"{path}: must be an object, got {_q(value)}")
    return value


def _list(value, path: str) -> list:
    if not isinstance(value, list):
        raise ScenarioError(f"{path}: must be a list, got {_q(value)}")
    return value


def _str(obj: dict, key: str, path: str, *, required: bool = False) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise ScenarioError(f"{_join(path, key)}: required")
        return None
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError(f"{_join(path, key)}: must be a non-empty string, got {_q(value)}")
    return value


def _enum(obj: dict, key: str, path: str, allowed, what: str, *, required: bool = False) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise ScenarioError(f"{_join(path, key)}: required")
        return None
    if value not in allowed:
        raise ScenarioError(f"{_join(path, key)}: unknown {what} {_q(value)} (one of {', '.join(allowed)})")
    return value


def _time(obj: dict, key: str, path: str, *, required: bool = True) -> dt.datetime | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise ScenarioError(f"{_join(path, key)}: required")
        return None
    try:
        if not isinstance(value, str):
            raise ValueError
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ScenarioError(f"{_join(path, key)}: not an ISO 8601 time with an offset: {_q(value)}") from None
    if at.tzinfo is None or at.utcoffset() is None:
        raise ScenarioError(f"{_join(path, key)}: the time needs an offset (e.g. +08:00 or Z): {_q(value)}")
    return at


def _debts(obj: dict, key: str, path: str) -> tuple[str, ...] | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, str) and value.strip():
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(value)
    raise ScenarioError(f"{_join(path, key)}: must be a debt id, a non-empty list of debt ids or null, got {_q(value)}")


def _clock(obj: dict, key: str, path: str) -> int:
    value = obj.get(key)
    try:
        if not isinstance(value, str) or len(value) != 5 or value[2] != ":":
            raise ValueError
        hh, mm = int(value[:2]), int(value[3:])
        if not (0 <= hh < 24 and 0 <= mm < 60):
            raise ValueError
    except ValueError:
        problem = "required" if value is None else f"not a time of day HH:MM: {_q(value)}"
        raise ScenarioError(f"{_join(path, key)}: {problem}") from None
    return hh * 60 + mm


# -- parts ------------------------------------------------------------------------------------------------------
def _contact(e: dict, path: str, debtor: str | None) -> ContactEvent:
    at = _time(e, "at", path)
    number = _str(e, "number", path)
    return ContactEvent(
        at=at, us=to_us(at), channel=_enum(e, "channel", path, CHANNELS, "channel", required=True),
        direction=_enum(e, "direction", path, DIRECTIONS, "direction") or "outbound",
        party=_str(e, "party", path) or debtor, debts=_debts(e, "debt", path), number=number,
        outcome=_enum(e, "outcome", path, OUTCOMES, "outcome"), key=number_key(number))


# Fields each state event reads; other keys are ignored, as the format says of keys it does not list.
STATE_FIELDS = {
    "consent": ("party", "channel", "scope", "debt", "until"),
    "cease": ("party", "channel", "debt"),
    "lost_contact": ("party",), "contact_restored": ("party",), "third_party_refused": ("party",),
    "deceased": ("party",),
    "hold": ("kind", "until", "debt"),
    "hold_released": ("kind", "debt"),
    "attorney": ("party", "attorney", "debt"),
    "inconvenient": ("party", "from"),
}


def _state(e: dict, path: str) -> StateEvent:
    at = _time(e, "at", path)
    kind = e["event"]
    if kind not in STATE_EVENTS:
        raise ScenarioError(f"{path}.event: unknown event {_q(kind)} (one of {', '.join(STATE_EVENTS)})")
    fields = STATE_FIELDS[kind]
    until = _time(e, "until", path, required=False) if "until" in fields else None
    return StateEvent(
        at=at, us=to_us(at), event=kind,
        party=_str(e, "party", path) if "party" in fields else None,
        channel=_enum(e, "channel", path, CHANNELS, "channel") if "channel" in fields else None,
        debts=_debts(e, "debt", path) if "debt" in fields else None,
        scope=_enum(e, "scope", path, CONSENT_SCOPES, "consent scope") if "scope" in fields else None,
        until_us=to_us(until) if until is not None else None,
        kind=_str(e, "kind", path) if "kind" in fields else None,
        attorney=_str(e, "attorney", path) if "attorney" in fields else None,
        window=(_clock(e, "from", path), _clock(e, "to", path)) if kind == "inconvenient" else None)


def _request(r: dict, path: str) -> Request:
    agents = r.get("agents")
    if agents is not None and (not isinstance(agents, int) or isinstance(agents, bool) or agents < 0):
        raise ScenarioError(f"{path}.agents: must be a whole number ≥ 0, got {_q(agents)}")
    template = r.get("template")
    if template is not None and not isinstance(template, str):
        raise ScenarioError(f"{path}.template: must be a string, got {_q(template)}")
    return Request(channel=_enum(r, "channel", path, CHANNELS, "channel"), debts=_debts(r, "debt", path),
                   party=_str(r, "party", path), purpose=_enum(r, "purpose", path, PURPOSES, "purpose"),
                   number=_str(r, "number", path), template=template, agents=agents)


def _locale(value, policy: str | None) -> str:
    if value is None:
        return "en" if policy in ("us_reg_f", "uk_conc") else "zh-CN"
    if isinstance(value, str) and value.lower().replace("_", "-").split("-")[0] in ("zh", "en"):
        return "zh-CN" if value.lower().startswith("zh") else "en"
    raise ScenarioError(f"locale: unsupported locale {_q(value)} (zh-CN or en)")


def parse(data) -> Scenario:
    """A scenario from its JSON text (str/bytes) or the decoded object."""
    if isinstance(data, (str, bytes)):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise ScenarioError(f"(file): not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    top = _obj(data, "(file)")
    policy = _enum(top, "policy", "", PACK_NAMES, "policy")
    name = top.get("name")
    if name is not None and not isinstance(name, str):
        raise ScenarioError(f"name: must be a string, got {_q(name)}")
    locale = _locale(top.get("locale"), policy)

    debtor_obj = _obj(top.get("debtor") or {}, "debtor")
    debtor = _str(debtor_obj, "id", "debtor")
    tz_name = _str(debtor_obj, "timezone", "debtor")
    tz = None
    if tz_name is not None:
        try:
            tz = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ScenarioError(f"debtor.timezone: unknown time zone {_q(tz_name)}") from None
    elif policy is not None:
        tz = load_pack(policy).tz                    # CN packs: Asia/Shanghai; the others: none (DATA)

    debts = []
    for i, d in enumerate(_list(top.get("debts") or [], "debts")):
        debts.append(_str(_obj(d, f"debts[{i}]"), "id", f"debts[{i}]", required=True))
    relations: dict[str, str | None] = {}
    for i, p in enumerate(_list(top.get("parties") or [], "parties")):
        path = f"parties[{i}]"
        pid = _str(_obj(p, path), "id", path, required=True)
        if pid in relations or pid == debtor:
            raise ScenarioError(f"{path}.id: duplicate party {_q(pid)}")
        relations[pid] = _str(p, "relation", path)

    events = []
    for i, e in enumerate(_list(top.get("history") or [], "history")):
        path = f"history[{i}]"
        _obj(e, path)
        if "event" in e:
            events.append(_state(e, path))
        elif "channel" in e:
            events.append(_contact(e, path, debtor))
        else:
            raise ScenarioError(f'{path}: an event needs "channel" (a contact) or "event" (a change of state)')

    if "checks" not in top:
        raise ScenarioError("checks: required")
    checks = []
    for i, c in enumerate(_list(top["checks"], "checks")):
        path = f"checks[{i}]"
        _obj(c, path)
        at = _time(c, "at", path)
        if c.get("request") is None:
            raise ScenarioError(f"{path}.request: required")
        req = _request(_obj(c["request"], f"{path}.request"), f"{path}.request")
        checks.append(Check(i, at, to_us(at), req, _enum(c, "expect", path, DECISIONS, "decision"),
                            _enum(c, "then", path, OUTCOMES, "outcome")))
    return Scenario(name=name or "", policy=policy, locale=locale, debtor=debtor, timezone=tz,
                    relations=relations, debts=debts, events=events, checks=checks)


def load(path) -> Scenario:
    """Parse the scenario file at ``path``; an unreadable file is a ``ScenarioError`` too."""
    try:
        text = Path(path).read_bytes()
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read the file: {exc.strerror}") from None
    try:
        return parse(text.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not UTF-8 text") from None


# -- replay -----------------------------------------------------------------------------------------------------
def decide(scenario: Scenario) -> list[Decision]:
    """The decision of every check, in file order (decided in time order, applying ``then``)."""
    pack = scenario.pack
    if pack is None:
        return [deny_data("policy") for _ in scenario.checks]
    history = scenario.history()
    decisions: list[Decision | None] = [None] * len(scenario.checks)
    for check in sorted(scenario.checks, key=lambda c: (c.us, c.index)):
        decision = decisions[check.index] = evaluate(check.request, check.at, history, pack)
        if decision.allowed and check.then is not None:
            r = check.request
            history.add(ContactEvent(at=check.at, us=check.us, channel=r.channel, direction="outbound",
                                     party=r.party, debts=r.debts, number=r.number, outcome=check.then,
                                     purpose=r.purpose, key=number_key(r.number)))
    return decisions


def replay(scenario: Scenario) -> list[dict]:
    """One result per check, in file order: ``{"check", "decision", "rules", "reason"}`` (reason in the
    scenario's locale)."""
    return [{"check": i, "decision": d.decision, "rules": list(d.rules), "reason": d.reason(scenario.locale)}
            for i, d in enumerate(decide(scenario))]
