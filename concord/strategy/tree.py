"""A strategy tree as data (docs/strategy.md "Strategies as data"): validation and compilation. Pure: no Django.

A tree is a dict::

    {"name": "...", "description": "...",
     "budget": {"daily_max": 2, "window_days": 7, "window_max": 7},       # contacts per person it may spend
     "rules": [{"rule_order": 10, "segment": "early", "treatment": "call", "channel": "call", "priority": 60,
                "skill": null,                                              # the team skill the case needs
                # segment conditions (null: any) — every non-null one must hold; the first rule that matches wins
                "buckets": "M1,M2", "min_balance_fen": null, "max_balance_fen": null, "min_score": null,
                "max_score": null, "product_kind": null, "promise_state": null, "held": null, "arrangement": null,
                "legal_status": null,                                       # none / active / closed
                # the treatment path, channel and hour preferences, and the offer bounds
                "path": [{"day": 0, "action": "sms"}, {"day": 2, "action": "call"}],
                "hours": [9, 20],                                           # preferred local hours [from, to)
                "offer": {"max_discount_pct": 20, "max_months": 12}}]}      # null: no bound (a key null: none on it)

:func:`normalise` checks a tree and returns its clean form, or raises :class:`TreeError` listing every problem as
``(rule number or None, field, code)`` — number 1 is the first rule, ``None`` the tree itself. :func:`engine_rows`
gives the rows of the end-of-day run's ``strategy`` table (``concord.eod.schema``), the shape of
``eod/data/strategy.json``, which the engine compiles into its column expressions.
"""
from __future__ import annotations

ENGINE_COLUMNS = ("rule_order", "segment", "treatment", "channel", "priority", "skill", "buckets", "min_balance_fen",
                  "max_balance_fen", "min_score", "max_score", "product_kind", "promise_state", "held", "arrangement",
                  "legal_status")
CONDITIONS = ENGINE_COLUMNS[6:]
#: the end-of-day ``strategy`` table's columns: the rule's columns, then its treatment path as text
#: (``"0:sms,2:call"``, null: none) and its preferred hours ``[hours_from, hours_to)`` (nulls: none)
TABLE_COLUMNS = ENGINE_COLUMNS + ("path", "hours_from", "hours_to")
CHANNELS = ("none", "call", "sms", "letter", "visit", "email")
ACTIONS = ("call", "sms", "letter", "visit", "email", "legal_review")
BUCKETS = ("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7+")
PRODUCT_KINDS = ("online_loan", "credit_card", "consumer_loan", "mortgage", "auto_loan", "other")
PROMISE_STATES = ("pending", "kept", "broken", "none")
#: the legal track's states (``concord.legal.models.LegalStatus``: a case whose legal cases are all closed is
#: ``closed``) and ``none`` for a case never taken to law
LEGAL_STATUSES = ("none", "active", "closed")
SKILLS = ("field", "legal", "senior", "language")
BUDGET_KEYS = ("daily_max", "window_days", "window_max")
RULE_KEYS = ENGINE_COLUMNS + ("path", "hours", "offer")
MAX_RULES = 200
MAX_PATH = 20
MAX_PATH_DAY = 365
MAX_MONTHS = 60
SLUG = set("abcdefghijklmnopqrstuvwxyz0123456789_-")


class TreeError(ValueError):
    def __init__(self, problems: list[tuple[int | None, str, str]]):
        super().__init__("; ".join(f"{n or '-'}:{f}:{c}" for n, f, c in problems))
        self.problems = problems


def _int(v, lo=None, hi=None):
    """An integer (a whole-number string too) within [lo, hi], else raise ValueError(code)."""
    if isinstance(v, bool) or v is None or v == "":
        raise ValueError("not_a_number")
    if isinstance(v, str):
        v = v.strip()
        if not v.lstrip("-").isdigit():
            raise ValueError("not_a_number")
        v = int(v)
    if isinstance(v, float):
        if v != int(v):
            raise ValueError("not_a_number")
        v = int(v)
    if not isinstance(v, int):
        raise ValueError("not_a_number")
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise ValueError("out_of_range")
    return v


def _opt_int(v, lo=None, hi=None):
    return None if v is None or v == "" else _int(v, lo, hi)


def _opt_bool(v):
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.lower() in ("true", "false", "yes", "no", "1", "0"):
        return v.lower() in ("true", "yes", "1")
    raise ValueError("not_a_boolean")


def _choice(v, choices, code, optional=True):
    if (v is None or v == "") and optional:
        return None
    if v not in choices:
        raise ValueError(code)
    return v


def _slug(v, optional=False):
    if (v is None or v == "") and optional:
        return None
    if not isinstance(v, str) or not v or len(v) > 40 or not set(v) <= SLUG:
        raise ValueError("bad_name")
    return v


def _buckets(v):
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    parts = v if isinstance(v, list) else str(v).split(",")
    parts = [p.strip() for p in parts if str(p).strip()]
    if any(p not in BUCKETS for p in parts) or len(set(parts)) != len(parts):
        raise ValueError("unknown_bucket")
    return ",".join(sorted(parts, key=BUCKETS.index))


def _path(v):
    if v in (None, ""):
        return []
    if not isinstance(v, list) or len(v) > MAX_PATH:
        raise ValueError("bad_path")
    out = []
    for step in v:
        if not isinstance(step, dict) or set(step) - {"day", "action"}:
            raise ValueError("bad_path")
        day = _int(step.get("day"), 0, MAX_PATH_DAY)
        if step.get("action") not in ACTIONS:
            raise ValueError("unknown_action")
        out.append({"day": day, "action": step["action"]})
    days = [s["day"] for s in out]
    if days != sorted(days) or len(set(days)) != len(days):
        raise ValueError("path_order")
    return out


def _hours(v):
    if v in (None, "", []):
        return None
    if not isinstance(v, (list, tuple)) or len(v) != 2:
        raise ValueError("bad_hours")
    start, end = _int(v[0], 0, 23), _int(v[1], 1, 24)
    if end <= start:
        raise ValueError("empty_range")
    return [start, end]


def _offer(v):
    """The rule's offer bounds; a bound left out or null bounds nothing (docs/strategy.md "Offer bounds")."""
    if v in (None, "", {}):
        return None
    if not isinstance(v, dict) or set(v) - {"max_discount_pct", "max_months"}:
        raise ValueError("bad_offer")
    out = {"max_discount_pct": _opt_int(v.get("max_discount_pct"), 0, 100),
           "max_months": _opt_int(v.get("max_months"), 1, MAX_MONTHS)}
    return out if any(x is not None for x in out.values()) else None


def _rule(r: dict, n: int, problems: list) -> dict:
    out: dict = {}

    def take(key, fn):
        try:
            out[key] = fn(r.get(key))
        except ValueError as exc:
            problems.append((n, key, str(exc)))

    for key in sorted(set(r) - set(RULE_KEYS)):
        problems.append((n, key, "unknown_field"))
    take("rule_order", lambda v: _int(v, 0, 1_000_000))
    take("segment", _slug)
    take("treatment", _slug)
    take("channel", lambda v: _choice(v, CHANNELS, "unknown_channel", optional=False))
    take("priority", lambda v: _int(v, 0, 1000))
    take("skill", lambda v: _choice(v, SKILLS, "unknown_skill"))
    take("buckets", _buckets)
    for key in ("min_balance_fen", "max_balance_fen"):
        take(key, lambda v: _opt_int(v, 0, 10**13))
    for key in ("min_score", "max_score"):
        take(key, lambda v: _opt_int(v, -100_000, 100_000))
    take("product_kind", lambda v: _choice(v, PRODUCT_KINDS, "unknown_product"))
    take("promise_state", lambda v: _choice(v, PROMISE_STATES, "unknown_promise_state"))
    take("held", _opt_bool)
    take("arrangement", _opt_bool)
    take("legal_status", lambda v: _choice(v, LEGAL_STATUSES, "unknown_legal_status"))
    take("path", _path)
    take("hours", _hours)
    take("offer", _offer)
    for lo, hi in (("min_balance_fen", "max_balance_fen"), ("min_score", "max_score")):
        if out.get(lo) is not None and out.get(hi) is not None and out[hi] < out[lo]:
            problems.append((n, hi, "empty_range"))
    return out


def normalise(tree: dict, caps: dict[str, dict] | None = None) -> dict:
    """The clean tree, or :class:`TreeError`. ``caps``: each policy pack's contact caps, ``{pack: {"daily_max":
    int|None, "window_days": int|None, "window_max": int|None}}``; the tree's budget may not exceed any of them (a
    strategy can never ask for more than a pack allows: the compliance gate stays the last word on each contact)."""
    problems: list[tuple[int | None, str, str]] = []
    if not isinstance(tree, dict):
        raise TreeError([(None, "tree", "not_an_object")])
    for key in sorted(set(tree) - {"name", "description", "budget", "rules"}):
        problems.append((None, key, "unknown_field"))
    name = tree.get("name") or ""
    if not isinstance(name, str) or not name.strip() or len(name) > 80:
        problems.append((None, "name", "bad_title"))
    description = tree.get("description") or ""
    if not isinstance(description, str) or len(description) > 2000:
        problems.append((None, "description", "too_long"))
    budget = _budget(tree.get("budget"), caps or {}, problems)
    raw = tree.get("rules")
    if not isinstance(raw, list) or not raw:
        problems.append((None, "rules", "no_rules"))
        raw = []
    if len(raw) > MAX_RULES:
        problems.append((None, "rules", "too_many_rules"))
    rules = []
    for n, r in enumerate(raw, 1):
        if not isinstance(r, dict):
            problems.append((n, "rule", "not_an_object"))
            continue
        rules.append(_rule(r, n, problems))
    orders = [r.get("rule_order") for r in rules if r.get("rule_order") is not None]
    for n, r in enumerate(rules, 1):
        if r.get("rule_order") is not None and orders.count(r["rule_order"]) > 1:
            problems.append((n, "rule_order", "duplicate_order"))
    if problems:
        raise TreeError(problems)
    rules.sort(key=lambda r: r["rule_order"])
    return {"name": name.strip(), "description": description.strip(), "budget": budget, "rules": rules}


def _budget(v, caps: dict, problems: list) -> dict:
    v = v if isinstance(v, dict) else {}
    out = {}
    for key in sorted(set(v) - set(BUDGET_KEYS)):
        problems.append((None, f"budget.{key}", "unknown_field"))
    for key, lo, hi in (("daily_max", 0, 50), ("window_days", 1, 90), ("window_max", 0, 500)):
        try:
            out[key] = _opt_int(v.get(key), lo, hi)
        except ValueError as exc:
            problems.append((None, f"budget.{key}", str(exc)))
    if (out.get("window_days") is None) != (out.get("window_max") is None):
        problems.append((None, "budget.window_max", "window_incomplete"))
    for pack, cap in sorted(caps.items()):
        if out.get("daily_max") is not None and cap.get("daily_max") is not None and out["daily_max"] > cap["daily_max"]:
            problems.append((None, "budget.daily_max", f"over_cap:{pack}:{cap['daily_max']}"))
        if None not in (out.get("window_max"), out.get("window_days"), cap.get("window_max"), cap.get("window_days")):
            # the most the strategy's rolling window lets through in one of the pack's windows
            most = out["window_max"] * -(-cap["window_days"] // out["window_days"])
            if most > cap["window_max"]:
                problems.append((None, "budget.window_max",
                                 f"over_cap:{pack}:{cap['window_max']}/{cap['window_days']}"))
    return out


def path_action(path: list[dict], days_in: int) -> str | None:
    """What a rule's treatment path asks for on day ``days_in`` (0: the day the case entered the rule's segment), or
    None for nothing that day. A one-off step (``sms``, ``letter``, ``visit``, ``email``, ``legal_review``) happens
    on its own day only, except ``legal_review``. A ``call`` step starts a calling phase: from its day on, the case
    is called on every day no other step falls on. A ``legal_review`` step ends the path: from its day on the case
    stays due for legal review (no contact), until the legal track takes it or it leaves the segment. Steps are in
    increasing ``day`` order (:func:`normalise`)."""
    calling = False
    for step in path:
        if step["day"] > days_in:
            break
        if step["day"] == days_in or step["action"] == "legal_review":
            return step["action"]
        if step["action"] == "call":
            calling = True
    return "call" if calling else None


def preferred_hours(hours: list[int] | None, allowed: tuple[int, int]) -> tuple[int, int]:
    """The local hours ``[from, to)`` to contact in: a rule's preferred ``hours`` within the pack's ``allowed``
    ones. A preference never widens what the pack allows; one that does not meet it is ignored (the pack's hours)."""
    if not hours:
        return allowed
    start, end = max(hours[0], allowed[0]), min(hours[1], allowed[1])
    return (start, end) if start < end else allowed


def path_text(path: list[dict] | None) -> str | None:
    """A path as the ``strategy`` table's text: ``"0:sms,2:call"`` (None: no path)."""
    return ",".join(f"{s['day']}:{s['action']}" for s in path) if path else None


def engine_rows(tree: dict) -> list[list]:
    """The rows of the end-of-day run's ``strategy`` table (column order :data:`TABLE_COLUMNS`): the rule's
    columns, its path as text and its preferred hours."""
    out = []
    for r in tree["rules"]:
        hours = r.get("hours") or [None, None]
        out.append([r.get(c) for c in ENGINE_COLUMNS] + [path_text(r.get("path")), hours[0], hours[1]])
    return out


def from_engine_json(data: dict) -> dict:
    """A tree from the shape of ``eod/data/strategy.json`` (the table's columns; no offer or budget)."""
    assert tuple(data["columns"]) == TABLE_COLUMNS, data["columns"]
    rules = []
    for row in data["rules"]:
        r = dict(zip(TABLE_COLUMNS, row))
        text, lo, hi = r.pop("path"), r.pop("hours_from"), r.pop("hours_to")
        r["path"] = [{"day": int(d), "action": a} for d, _s, a in (p.partition(":") for p in text.split(","))] \
            if text else []
        r["hours"] = [lo, hi] if lo is not None else None
        rules.append(r)
    return {"name": data["name"], "description": data.get("description", ""), "budget": {}, "rules": rules}


def diff(before: dict, after: dict) -> dict:
    """What a version changed: rules by ``segment`` — added, removed, changed (the fields) — and the budget."""
    old = {r["segment"]: r for r in before.get("rules", [])}
    new = {r["segment"]: r for r in after.get("rules", [])}
    changed = {s: sorted(k for k in set(new[s]) | set(old[s]) if new[s].get(k) != old[s].get(k))
               for s in new if s in old and new[s] != old[s]}
    budget = sorted(k for k in BUDGET_KEYS if (before.get("budget") or {}).get(k) != (after.get("budget") or {}).get(k))
    return {"added": sorted(set(new) - set(old)), "removed": sorted(set(old) - set(new)), "changed": changed,
            "budget": budget, "renamed": before.get("name") != after.get("name")}
