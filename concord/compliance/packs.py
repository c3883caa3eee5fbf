"""Policy packs as data: load and validate them, and tighten them (never loosen). Pure: no Django import.

A pack is one JSON file under ``packs/``: the pack's name, titles, locale, default time zone and its rules. Each
rule has an ``id`` (unique in the pack), a ``code`` as in RULES.md (CN1 … US15 … UK7, or a house code for a
Concord policy the law texts leave to the operator: HOLD, CEASE, ATTORNEY, DECEASED), a ``kind`` (the one
function that decides it, see ``rules``), its jurisdiction, source, effective date, confidence (P primary text,
S secondary, U unverified, H house policy) and parameters. Rules of kind ``info`` are listed for completeness but
are not decided at contact time.
"""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .model import CHANNELS, OUTCOMES, PURPOSES

PACK_DIR = Path(__file__).resolve().parent / "packs"
PACK_NAMES = ("cn_online_lending", "cn_bank", "us_reg_f", "uk_conc")
CONFIDENCE = ("P", "S", "U", "P/S", "S/U", "H")
UNCERTAIN = ("S", "U", "P/S", "S/U")     # shown with a mark: secondary or unverified source, configurable

# Parameter types of each rule kind, with the direction in which a value is stricter:
#   max: a whole number, lower is stricter; min: a whole number, higher is stricter;
#   time: "HH:MM[:SS]" (the hours window is compared as a whole); false / true: the stricter boolean;
#   superset / subset: a list of strings, stricter when it holds more / fewer.
KINDS: dict[str, dict[str, str]] = {
    "hours": {"start": "time", "end": "time", "end_inclusive": "false", "consent_lifts": "false"},
    "inconvenient": {},
    "connected_cap": {"max": "max", "outcomes": "superset", "consent_lifts": "false"},
    "unanswered_cap": {"max": "max", "outcomes": "superset", "consent_lifts": "false"},
    "call_frequency": {"max_calls": "max", "window_days": "min", "conversation_days": "min",
                       "counted_outcomes": "superset", "consent_exempt": "false"},
    "third_party": {"purposes": "subset", "not_third_party": "subset", "require_lost_contact": "true",
                    "once_per_party": "true", "answered_outcomes": "superset"},
    "disclosure": {"terms": "superset", "amounts": "true"},
    "content": {"terms": "superset"},
    "hold": {"kinds": "superset", "allowed_purposes": "subset"},
    "cease": {"allowed_purposes": "subset", "cease_channels": "superset"},
    "attorney": {},
    "deceased": {},
    "visit_agents": {"min": "min"},
    "info": {},
}
LIST_VALUES = {"outcomes": OUTCOMES, "counted_outcomes": OUTCOMES, "answered_outcomes": OUTCOMES,
               "purposes": PURPOSES, "allowed_purposes": PURPOSES, "cease_channels": ("all", *CHANNELS)}
TIME_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")


#: Retention when a pack names none: an import's files 90 days after the batch; a closed case's personal data five
#: years after it closed.
DEFAULT_RETENTION = {"upload_days": 90, "closed_case_days": 1825}


class PackError(ValueError):
    """A pack file that does not validate; the message names the pack, the rule and the field."""


def parse_clock(text: str) -> int:
    """``HH:MM`` or ``HH:MM:SS`` as seconds after midnight."""
    m = TIME_RE.match(text)
    if not m:
        raise ValueError(f"not a time of day HH:MM[:SS]: {text!r}")
    return int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3] or 0)


@dataclass(frozen=True)
class Rule:
    id: str
    code: str
    kind: str
    jurisdiction: str
    source: str
    effective: dt.date
    confidence: str
    title_zh: str
    title_en: str
    params: MappingProxyType
    note: str = ""

    @property
    def enforced(self) -> bool:
        return self.kind != "info"

    @property
    def uncertain(self) -> bool:
        return self.confidence in UNCERTAIN


@dataclass(frozen=True)
class Pack:
    name: str
    title_zh: str
    title_en: str
    jurisdiction: str
    locale: str
    default_timezone: str | None
    consent_max_days: int | None
    rules: tuple[Rule, ...]
    version: str
    data: MappingProxyType = field(repr=False, compare=False, default_factory=lambda: MappingProxyType({}))
    #: how long an import's files are kept after the batch ends, and a closed case's personal data after it closes
    #: (``retention``; ``concord retention`` deletes them when the period ends)
    retention_upload_days: int = DEFAULT_RETENTION["upload_days"]
    retention_closed_case_days: int = DEFAULT_RETENTION["closed_case_days"]

    @property
    def tz(self) -> ZoneInfo | None:
        return ZoneInfo(self.default_timezone) if self.default_timezone else None

    def rule(self, key: str) -> Rule:
        return self.rules[_resolve(self, key, {})]

    def __hash__(self):
        return hash(self.version)


# -- loading ----------------------------------------------------------------------------------------------------
def _need(obj: dict, key: str, where: str, kind=str):
    if key not in obj or obj[key] is None:
        raise PackError(f"{where}.{key}: required")
    value = obj[key]
    if not isinstance(value, kind) or (kind is str and not value.strip()):
        raise PackError(f"{where}.{key}: must be {'a non-empty string' if kind is str else kind.__name__}")
    return value


def _check_param(kind: str, name: str, value, where: str) -> None:
    ptype = KINDS[kind].get(name)
    if ptype is None:
        known = ", ".join(KINDS[kind]) or "none"
        raise PackError(f"{where}: unknown parameter {name!r} for kind {kind!r} (known: {known})")
    if ptype in ("max", "min"):
        if not isinstance(value, int) or isinstance(value, bool) or value < (0 if ptype == "max" else 1):
            raise PackError(f"{where}: must be a whole number {'≥ 0' if ptype == 'max' else '≥ 1'}, got {value!r}")
    elif ptype == "time":
        try:
            parse_clock(value if isinstance(value, str) else "")
        except ValueError:
            raise PackError(f"{where}: must be a time of day HH:MM[:SS], got {value!r}") from None
    elif ptype in ("true", "false"):
        if not isinstance(value, bool):
            raise PackError(f"{where}: must be true or false, got {value!r}")
    else:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise PackError(f"{where}: must be a list of strings, got {value!r}")
        allowed = LIST_VALUES.get(name)
        for v in value:
            if allowed is not None and v not in allowed:
                raise PackError(f"{where}: unknown value {v!r} (one of {', '.join(allowed)})")


def _build_rule(raw: dict, where: str) -> Rule:
    if not isinstance(raw, dict):
        raise PackError(f"{where}: must be an object")
    kind = _need(raw, "kind", where)
    if kind not in KINDS:
        raise PackError(f"{where}.kind: unknown kind {kind!r} (one of {', '.join(KINDS)})")
    confidence = _need(raw, "confidence", where)
    if confidence not in CONFIDENCE:
        raise PackError(f"{where}.confidence: must be one of {', '.join(CONFIDENCE)}, got {confidence!r}")
    effective_text = _need(raw, "effective", where)
    try:
        effective = dt.date.fromisoformat(effective_text)
    except ValueError:
        raise PackError(f"{where}.effective: not a date YYYY-MM-DD: {effective_text!r}") from None
    params = raw.get("params") or {}
    if not isinstance(params, dict):
        raise PackError(f"{where}.params: must be an object")
    for name, value in params.items():
        _check_param(kind, name, value, f"{where}.params.{name}")
    missing = [p for p in KINDS[kind] if p not in params]
    if missing:
        raise PackError(f"{where}.params: missing {', '.join(missing)} for kind {kind!r}")
    if kind == "hours" and parse_clock(params["start"]) >= parse_clock(params["end"]):
        raise PackError(f"{where}.params: start must be before end")
    title = raw.get("title") or {}
    return Rule(id=_need(raw, "id", where), code=_need(raw, "code", where), kind=kind,
                jurisdiction=_need(raw, "jurisdiction", where), source=_need(raw, "source", where),
                effective=effective, confidence=confidence, title_zh=title.get("zh", ""),
                title_en=title.get("en", ""), params=MappingProxyType(copy.deepcopy(params)),
                note=raw.get("note", ""))


def build_pack(data: dict, where: str = "pack") -> Pack:
    """Validate a pack's data (as read from its JSON file) and build the ``Pack``."""
    if not isinstance(data, dict):
        raise PackError(f"{where}: must be a JSON object")
    name = _need(data, "pack", where)
    where = name
    locale = data.get("locale", "zh-CN")
    if locale not in ("zh-CN", "en"):
        raise PackError(f"{where}.locale: must be zh-CN or en, got {locale!r}")
    tz = data.get("default_timezone")
    if tz is not None:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise PackError(f"{where}.default_timezone: unknown time zone {tz!r}") from None
    cmd = data.get("consent_max_days")
    if cmd is not None and (not isinstance(cmd, int) or isinstance(cmd, bool) or cmd < 0):
        raise PackError(f"{where}.consent_max_days: must be a whole number ≥ 0 or null, got {cmd!r}")
    retention = {**DEFAULT_RETENTION, **(data.get("retention") or {})}
    for key, value in retention.items():
        if key not in DEFAULT_RETENTION:
            raise PackError(f"{where}.retention.{key}: unknown (known: {', '.join(DEFAULT_RETENTION)})")
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise PackError(f"{where}.retention.{key}: must be a whole number of days ≥ 1, got {value!r}")
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise PackError(f"{where}.rules: must be a non-empty list")
    rules = tuple(_build_rule(r, f"{where}.rules[{i}]") for i, r in enumerate(raw_rules))
    seen: set[str] = set()
    for i, r in enumerate(rules):
        if r.id in seen:
            raise PackError(f"{where}.rules[{i}].id: duplicate rule id {r.id!r}")
        seen.add(r.id)
    title = data.get("title") or {}
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:10]
    return Pack(name=name, title_zh=title.get("zh", name), title_en=title.get("en", name),
                jurisdiction=_need(data, "jurisdiction", where), locale=locale, default_timezone=tz,
                consent_max_days=cmd, rules=rules, version=f"{data.get('version', '0')}+{digest}",
                data=MappingProxyType(copy.deepcopy(data)), retention_upload_days=retention["upload_days"],
                retention_closed_case_days=retention["closed_case_days"])


@lru_cache(maxsize=None)
def load_pack(name: str) -> Pack:
    """The shipped pack ``name`` (one of ``PACK_NAMES``)."""
    path = PACK_DIR / f"{name}.json"
    if name not in PACK_NAMES or not path.exists():
        raise PackError(f"unknown policy pack {name!r} (one of {', '.join(PACK_NAMES)})")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise PackError(f"{path.name}: not valid JSON: {exc}") from None
    pack = build_pack(data, path.name)
    if pack.name != name:
        raise PackError(f"{path.name}.pack: names {pack.name!r}, expected {name!r}")
    return pack


def all_packs() -> list[Pack]:
    return [load_pack(n) for n in PACK_NAMES]


# -- tightening -------------------------------------------------------------------------------------------------
def _resolve(pack: Pack, key: str, params: dict) -> int:
    """Index of the rule that ``key`` names: a rule id, or a code when it names one rule (or one rule that has
    every parameter given)."""
    for i, r in enumerate(pack.rules):
        if r.id == key:
            return i
    found = [i for i, r in enumerate(pack.rules) if r.code == key]
    if len(found) > 1:
        narrowed = [i for i in found if all(p in pack.rules[i].params for p in params)] if params else []
        if len(narrowed) == 1:
            return narrowed[0]
        ids = ", ".join(pack.rules[i].id for i in found)
        raise KeyError(f"{pack.name}: {key} names several rules ({ids}); use the rule id")
    if not found:
        raise KeyError(f"{pack.name}: no rule {key!r}")
    return found[0]


def _looser(kind: str, old: dict, new: dict) -> str | None:
    """Why ``new`` parameters are looser than ``old``, or None when they are as strict or stricter."""
    for name, ptype in KINDS[kind].items():
        a, b = old.get(name), new.get(name)
        if a == b or ptype == "time" or name == "end_inclusive" and kind == "hours":
            continue
        if ptype == "max" and b > a:
            return f"{name}={b} is looser than {a} (lower is stricter) / {name}={b} 比 {a} 宽松（数值越小越严）"
        if ptype == "min" and b < a:
            return f"{name}={b} is looser than {a} (higher is stricter) / {name}={b} 比 {a} 宽松（数值越大越严）"
        if ptype == "false" and b and not a:
            return f"{name}=true is looser than false / {name}=true 比 false 宽松"
        if ptype == "true" and a and not b:
            return f"{name}=false is looser than true / {name}=false 比 true 宽松"
        if ptype == "superset" and not set(a) <= set(b):
            gone = ", ".join(sorted(set(a) - set(b)))
            return f"{name} drops {gone} (items may only be added) / {name} 删除了 {gone}（只能增加）"
        if ptype == "subset" and not set(b) <= set(a):
            extra = ", ".join(sorted(set(b) - set(a)))
            return f"{name} adds {extra} (items may only be removed) / {name} 增加了 {extra}（只能减少）"
    if kind == "hours":
        s0, e0, s1, e1 = (parse_clock(x) for x in (old["start"], old["end"], new["start"], new["end"]))
        if s1 < s0:
            return (f"start={new['start']} is earlier than {old['start']} (the window may only shrink) / "
                    f"开始时间 {new['start']} 早于 {old['start']}（时段只能缩短）")
        if e1 > e0:
            return (f"end={new['end']} is later than {old['end']} (the window may only shrink) / "
                    f"结束时间 {new['end']} 晚于 {old['end']}（时段只能缩短）")
        if e1 == e0 and new["end_inclusive"] and not old["end_inclusive"]:
            return (f"end_inclusive=true widens the window to include {old['end']} / "
                    f"end_inclusive=true 把 {old['end']} 也纳入允许时段（只能缩短）")
    return None


def tighten(pack: Pack, overrides: dict, *, catalogue: list[Pack] | None = None) -> Pack:
    """A copy of ``pack`` with stricter parameters. ``overrides`` maps a rule id or code to the parameters to
    change (``{"CN2": {"max": 2}}``); a rule the pack lacks is added from the catalogue of shipped packs (a
    creditor may add the other CN pack's cap), and ``"consent_max_days": n`` shortens consents. A looser value,
    an unknown rule or parameter raises ``ValueError`` naming the rule and why."""
    data = copy.deepcopy(dict(pack.data))
    rules = data["rules"]
    for key, change in overrides.items():
        if key == "consent_max_days":
            old = data.get("consent_max_days")
            if not isinstance(change, int) or isinstance(change, bool) or change < 0:
                raise ValueError(f"{pack.name}: consent_max_days must be a whole number ≥ 0, got {change!r}")
            if old is not None and change > old:
                raise ValueError(f"{pack.name}: consent_max_days={change} is looser than {old} / "
                                 f"同意有效期 {change} 天比 {old} 天宽松（只能收紧）")
            data["consent_max_days"] = change
            continue
        if not isinstance(change, dict):
            raise ValueError(f"{pack.name}.{key}: overrides must be an object of parameters")
        try:
            index = _resolve(pack, key, change)
            base = rules[index]
        except KeyError as exc:
            base = _from_catalogue(key, change, catalogue)
            if base is None:
                raise ValueError(f"{exc.args[0]}, nor in any shipped pack") from None
            if any(r["id"] == base["id"] for r in rules):
                base = dict(base, id=f"{base['id']}_{base['code'].lower()}")
            rules.append(base)
            index = len(rules) - 1
        label = f"{pack.name}/{base['code']} ({base['id']})"
        for name, value in change.items():
            try:
                _check_param(base["kind"], name, value, f"{label}.{name}")
            except PackError as exc:
                raise ValueError(str(exc)) from None
        new_params = {**base.get("params", {}), **change}
        why = _looser(base["kind"], base.get("params", {}), new_params)
        if why:
            raise ValueError(f"{label}: refused, a rule may only be made stricter: {why}")
        rules[index] = dict(base, params=new_params)
    data["tightened"] = {**data.get("tightened", {}), **overrides}
    try:
        return build_pack(data, pack.name)
    except PackError as exc:
        raise ValueError(str(exc)) from None


def _from_catalogue(key: str, change: dict, catalogue: list[Pack] | None) -> dict | None:
    for other in catalogue if catalogue is not None else all_packs():
        try:
            i = _resolve(other, key, change)
        except KeyError:
            continue
        return copy.deepcopy(dict(other.data)["rules"][i])
    return None
