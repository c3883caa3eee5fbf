"""Allocation rules (分案规则) as data: which team (or the pool, 公共池) a case belongs to and who in the team works
it. Pure: no Django import.

One rule set is an ordered list of rules (plain dicts, stored as a versioned JSON document by
``concord.allocation``). The first rule whose conditions all hold for a case decides it. A rule states:

- **conditions** (each optional; an empty list or ``None`` matches everything): ``creditors``, ``products``,
  ``placements`` (ids), ``buckets``, ``dpd_min``/``dpd_max``, ``balance_min_fen``/``balance_max_fen``,
  ``provinces``, ``cities``, ``languages``, ``score_min``/``score_max``, ``legal`` (``"none"`` or ``"active"``);
- **target**: ``team`` (an id) or ``None`` for the pool;
- **method** within the team: ``round_robin`` (the rule's cases by balance, largest first, dealt to the members in
  id order; a member without room or excluded passes the case to the next), ``balance`` (the member holding the least balance),
  ``capacity`` (the member with the most room for their case and balance capacity) or ``skill`` (only members
  with the skill ``skill`` names: ``language`` — the debtor's language, ``legal`` — a case in the legal track,
  ``field``);
- **sticky** (留案): a case already with an active member of the target team stays there;
- **rotate_days** (轮换): a case with no promise and no new assignment for this many days moves to another member;
- **exclude_days**: a case never goes back to a collector who held it in the last this-many days.

The rule is written once and applied on two paths from the same data:

- :func:`decide` decides one case (a dict of facts) — the services' preview and apply, new cases from an import;
- :func:`compile_decision` compiles the same rules to Ibis expressions over a table of the same facts — the
  end-of-day engine.

Both hand the cases to place to :func:`distribute` (one function), which picks the collector by the rule's method.
``concord/eod/tests/test_allocrules.py`` runs random rule sets and cases through both paths and compares the moves.
"""
from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass, field

METHODS = ("round_robin", "balance", "capacity", "skill")
SKILLS = ("", "language", "legal", "field")
LEGAL = ("none", "active")
LIST_CONDITIONS = ("creditors", "products", "placements", "buckets", "provinces", "cities", "languages", "legal")
RANGE_CONDITIONS = (("dpd_min", "dpd_max", "dpd"), ("balance_min_fen", "balance_max_fen", "balance_fen"),
                    ("score_min", "score_max", "score"))
#: the fact each list condition reads
LIST_FACT = {"creditors": "creditor_id", "products": "product_id", "placements": "placement_id", "buckets": "bucket",
             "provinces": "province", "cities": "city", "languages": "language", "legal": "legal"}
INT_LISTS = ("creditors", "products", "placements")
#: the columns a case's facts carry (the preview's rows and the engine's table alike)
FACTS = ("case_id", "creditor_id", "product_id", "placement_id", "bucket", "dpd", "balance_fen", "province", "city",
         "language", "score", "legal", "team_id", "collector_id", "assigned_on", "last_promise_on")

#: why a case moves (or stays); the reasons the preview shows
EPOCH = dt.date(1970, 1, 1)
REASONS = ("unmatched", "kept", "in_pool", "to_pool", "new", "unassigned", "collector_inactive", "team_change",
           "rotation", "rebalance")


def default_rule(code: str = "R1") -> dict:
    return {"code": code, "name": "", "creditors": [], "products": [], "placements": [], "buckets": [],
            "dpd_min": None, "dpd_max": None, "balance_min_fen": None, "balance_max_fen": None, "provinces": [],
            "cities": [], "languages": [], "score_min": None, "score_max": None, "legal": [], "team": None,
            "method": "round_robin", "skill": "", "sticky": True, "rotate_days": None, "exclude_days": 0}


class RuleError(ValueError):
    """A rule set that cannot be applied. ``problems``: ``(rule number from 1, field, code)``; the caller words
    the code (``concord.allocation`` translates them)."""

    def __init__(self, problems: list[tuple[int, str, str]]):
        super().__init__("; ".join(f"rule {n} {f}: {c}" for n, f, c in problems))
        self.problems = problems


def normalise(rules: list[dict], *, teams: set[int] | None = None) -> list[dict]:
    """The rule set in its stored form (every key present, lists sorted, numbers as ``int``), or
    :class:`RuleError` naming each problem. ``teams``: the ids a target may name (``None``: not checked)."""
    out, problems, codes = [], [], set()
    for n, raw in enumerate(rules, 1):
        r = default_rule(f"R{n}")
        unknown = set(raw) - set(r)
        for key in sorted(unknown):
            problems.append((n, key, "unknown_field"))
        r.update({k: v for k, v in raw.items() if k in r})
        r["code"] = str(r["code"] or f"R{n}").strip()[:20]
        r["name"] = str(r["name"] or "").strip()[:100]
        if r["code"] in codes:
            problems.append((n, "code", "duplicate_code"))
        codes.add(r["code"])
        for key in LIST_CONDITIONS:
            values = r[key] or []
            if isinstance(values, str):
                values = [v for v in (s.strip() for s in values.replace("，", ",").split(",")) if v]
            try:
                values = sorted({int(v) for v in values}) if key in INT_LISTS else sorted({str(v) for v in values})
            except (TypeError, ValueError):
                problems.append((n, key, "not_a_number"))
                values = []
            r[key] = values
        for v in r["legal"]:
            if v not in LEGAL:
                problems.append((n, "legal", "unknown_legal"))
        for lo, hi, _fact in RANGE_CONDITIONS:
            for key in (lo, hi):
                if r[key] in ("", None):
                    r[key] = None
                    continue
                try:
                    r[key] = int(r[key])
                except (TypeError, ValueError):
                    problems.append((n, key, "not_a_number"))
                    r[key] = None
            if r[lo] is not None and r[hi] is not None and r[lo] > r[hi]:
                problems.append((n, hi, "empty_range"))
        if r["team"] in ("", None):
            r["team"] = None
        else:
            try:
                r["team"] = int(r["team"])
            except (TypeError, ValueError):
                problems.append((n, "team", "unknown_team"))
                r["team"] = None
            if teams is not None and r["team"] is not None and r["team"] not in teams:
                problems.append((n, "team", "unknown_team"))
        if r["method"] not in METHODS:
            problems.append((n, "method", "unknown_method"))
        r["skill"] = r["skill"] or ""
        if r["skill"] not in SKILLS:
            problems.append((n, "skill", "unknown_skill"))
        if r["method"] == "skill" and not r["skill"]:
            problems.append((n, "skill", "skill_needed"))
        r["sticky"] = bool(r["sticky"])
        for key in ("rotate_days", "exclude_days"):
            if r[key] in ("", None):
                r[key] = None if key == "rotate_days" else 0
                continue
            try:
                r[key] = int(r[key])
            except (TypeError, ValueError):
                problems.append((n, key, "not_a_number"))
                r[key] = None if key == "rotate_days" else 0
                continue
            if r[key] < (1 if key == "rotate_days" else 0):
                problems.append((n, key, "out_of_range"))
        out.append(r)
    if problems:
        raise RuleError(problems)
    return out


# -- the decision of one case -------------------------------------------------------------------------------------
def matches(rule: dict, f: dict) -> bool:
    for key in LIST_CONDITIONS:
        if rule[key] and f.get(LIST_FACT[key]) not in rule[key]:
            return False
    for lo, hi, fact in RANGE_CONDITIONS:
        v = f.get(fact)
        if rule[lo] is not None and (v is None or v < rule[lo]):
            return False
        if rule[hi] is not None and (v is None or v > rule[hi]):
            return False
    return True


def first_rule(rules: list[dict], f: dict) -> int | None:
    for i, rule in enumerate(rules):
        if matches(rule, f):
            return i
    return None


@dataclass(frozen=True)
class Decision:
    rule: int | None   # index into the rule set; None: no rule matched
    action: str        # "stay" (no change), "pool" (to the pool), "place" (a member of the target team chosen)
    reason: str


def quiet_days(f: dict, today: dt.date) -> int:
    """Days since the case was assigned or last given a promise, whichever is later (0 when neither is known)."""
    since = [d for d in (f.get("assigned_on"), f.get("last_promise_on")) if d is not None]
    return (today - max(since)).days if since else 0


def decide(rules: list[dict], f: dict, members: dict[int, int], today: dt.date) -> Decision:
    """The rule set's decision for the case ``f`` (its facts, :data:`FACTS`); ``members``: active collector id →
    team id."""
    i = first_rule(rules, f)
    if i is None:
        return Decision(None, "stay", "unmatched")
    rule = rules[i]
    team, collector = f.get("team_id"), f.get("collector_id")
    if rule["team"] is None:
        if team is None and collector is None:
            return Decision(i, "stay", "in_pool")
        return Decision(i, "pool", "to_pool")
    if collector is not None and team == rule["team"] and members.get(collector) == rule["team"]:
        if rule["rotate_days"] is not None and quiet_days(f, today) >= rule["rotate_days"]:
            return Decision(i, "place", "rotation")
        if rule["sticky"]:
            return Decision(i, "stay", "kept")
        return Decision(i, "place", "rebalance")
    if collector is None:
        return Decision(i, "place", "new" if team is None else "unassigned")
    if collector not in members:
        return Decision(i, "place", "collector_inactive")
    return Decision(i, "place", "team_change")


# -- who in the team -----------------------------------------------------------------------------------------------
@dataclass
class Member:
    collector_id: int
    team_id: int
    capacity: int                 # cases
    balance_capacity_fen: int = 0  # 0: no limit
    skills: frozenset = field(default_factory=frozenset)


@dataclass(frozen=True)
class ToPlace:
    case_id: int
    rule: int
    balance_fen: int
    language: str = ""
    legal: str = "none"
    excluded: frozenset = frozenset()


def needed_skill(rule: dict, language: str, legal: str) -> str | None:
    """The skill a member must have for this case under a ``skill`` rule (None: any member)."""
    if rule["method"] != "skill":
        return None
    if rule["skill"] == "language":
        lang = (language or "").lower()
        return None if not lang or lang.startswith("zh") else lang.split("-")[0]
    if rule["skill"] == "legal":
        return "legal" if legal == "active" else None
    return rule["skill"] or None


def excluded_holders(holders, today: dt.date, days: int, current: int | None, rotating: bool) -> frozenset:
    """Collectors a case may not go to: those who held it in the last ``days`` days (``holders``: ``(collector id,
    ended on)`` of its past assignments) and, when it rotates, its current collector."""
    out = {c for c, ended in holders or () if c is not None and ended is not None and (today - ended).days < days}
    if rotating and current is not None:
        out.add(current)
    return frozenset(out)


def place_order(cases: list[ToPlace]) -> list[ToPlace]:
    """The order in which cases are placed: rule by rule, the largest balance first, then the case id."""
    return sorted(cases, key=lambda c: (c.rule, -c.balance_fen, c.case_id))


def distribute(rules: list[dict], cases: list[ToPlace], members: list[Member],
               load: dict[int, tuple[int, int]]) -> dict[int, int | None]:
    """Each case to place → the collector the rule's method chooses (None: nobody in the team has room or the
    skill). ``load``: collector → (cases, balance fen) they keep; it grows as cases are placed. Never beyond a
    member's capacity in cases, nor in balance when they have one; never to an excluded collector."""
    load = {k: list(v) for k, v in load.items()}
    by_team: dict[int, list[Member]] = {}
    for m in sorted(members, key=lambda m: m.collector_id):
        by_team.setdefault(m.team_id, []).append(m)
        load.setdefault(m.collector_id, [0, 0])
    out: dict[int, int | None] = {}
    ordered = place_order(cases)
    start = 0
    while start < len(ordered):
        r = ordered[start].rule
        end = start
        while end < len(ordered) and ordered[end].rule == r:
            end += 1
        rule = rules[r]
        team = by_team.get(rule["team"], [])
        _place_rule(rule, ordered[start:end], team, load, out)
        start = end
    return out


def _room(m: Member, load, balance: int) -> bool:
    n, bal = load[m.collector_id]
    return n < m.capacity and (not m.balance_capacity_fen or bal + balance <= m.balance_capacity_fen)


def _key(method: str, m: Member, load) -> tuple:
    n, bal = load[m.collector_id]
    if method == "balance":
        return (bal, n, m.collector_id)
    if method == "capacity":
        share = n / m.capacity if m.capacity else 1.0
        if m.balance_capacity_fen:
            share = max(share, bal / m.balance_capacity_fen)
        return (share, n, m.collector_id)
    return (n, bal, m.collector_id)  # skill: the least loaded member who has it


def _place_rule(rule: dict, cases: list[ToPlace], team: list[Member], load, out: dict) -> None:
    method = rule["method"]
    if method == "round_robin":  # the i-th case of the rule to the (i mod n)-th member, else the next with room
        for i, c in enumerate(cases):
            chosen = None
            for step in range(len(team)):
                m = team[(i + step) % len(team)]
                if m.collector_id not in c.excluded and _room(m, load, c.balance_fen):
                    chosen = m
                    break
            out[c.case_id] = _take(chosen, c, load)
        return
    heap = [(_key(method, m, load), i) for i, m in enumerate(team)]
    heapq.heapify(heap)
    for c in cases:
        skill = needed_skill(rule, c.language, c.legal)
        skipped, chosen = [], None
        while heap:
            k, i = heapq.heappop(heap)
            m = team[i]
            if (m.collector_id not in c.excluded and (skill is None or skill in m.skills)
                    and _room(m, load, c.balance_fen)):
                chosen = m
                break
            if load[m.collector_id][0] < m.capacity:  # still has room for another case: keep it for later ones
                skipped.append((k, i))
        out[c.case_id] = _take(chosen, c, load)
        if chosen is not None:
            heapq.heappush(heap, (_key(method, chosen, load), team.index(chosen)))
        for item in skipped:
            heapq.heappush(heap, item)


def _take(m: Member | None, c: ToPlace, load) -> int | None:
    if m is None:
        return None
    entry = load[m.collector_id]
    entry[0] += 1
    entry[1] += c.balance_fen
    return m.collector_id


# -- the whole plan, case by case ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Move:
    case_id: int
    from_team: int | None
    from_collector: int | None
    to_team: int | None
    to_collector: int | None
    rule: str
    reason: str
    balance_fen: int = 0


def plan(rules: list[dict], cases: list[dict], members: list[Member], today: dt.date,
         holders: dict[int, list] | None = None, base: dict[int, tuple[int, int]] | None = None
         ) -> tuple[list[Move], dict]:
    """Decide every case (:func:`decide`), place the ones to place (:func:`distribute`); return the moves (only
    the cases whose team or collector changes, by case id) and a summary ``{"moved", "unassigned", "by_team",
    "by_reason"}``. ``holders``: case id → its past assignments ``[(collector id, ended on), …]``; ``base``:
    collector → (cases, balance fen) they hold outside ``cases`` (when only part of the book is planned)."""
    holders = holders or {}
    member_team = {m.collector_id: m.team_id for m in members}
    load: dict[int, list] = {k: list(v) for k, v in (base or {}).items()}
    to_place, decided = [], {}
    for f in cases:
        d = decide(rules, f, member_team, today)
        decided[f["case_id"]] = (f, d)
        if d.action == "place":
            rule = rules[d.rule]
            to_place.append(ToPlace(
                f["case_id"], d.rule, int(f.get("balance_fen") or 0), f.get("language") or "",
                f.get("legal") or "none",
                excluded_holders(holders.get(f["case_id"]), today, rule["exclude_days"], f.get("collector_id"),
                                 d.reason == "rotation")))
        elif d.action == "stay" and f.get("collector_id") is not None:
            entry = load.setdefault(f["collector_id"], [0, 0])
            entry[0] += 1
            entry[1] += int(f.get("balance_fen") or 0)
    chosen = distribute(rules, to_place, members, {k: tuple(v) for k, v in load.items()})
    moves = []
    for case_id in sorted(decided):
        f, d = decided[case_id]
        if d.action == "stay":
            continue
        rule = rules[d.rule]
        to_team = rule["team"]
        to_col = chosen.get(case_id) if d.action == "place" else None
        reason = d.reason if d.action != "place" or to_col is not None else d.reason + ":no_capacity"
        if (to_team, to_col) != (f.get("team_id"), f.get("collector_id")):
            moves.append(Move(case_id, f.get("team_id"), f.get("collector_id"), to_team, to_col, rule["code"],
                              reason, int(f.get("balance_fen") or 0)))
    return moves, summarise(moves, decided)


def summarise(moves: list[Move], decided: dict) -> dict:
    by_team: dict[str, dict] = {}
    by_reason: dict[str, int] = {}
    for m in moves:
        key = "pool" if m.to_team is None else str(m.to_team)
        t = by_team.setdefault(key, {"in": 0, "balance_fen": 0})
        t["in"] += 1
        t["balance_fen"] += m.balance_fen
        by_reason[m.reason] = by_reason.get(m.reason, 0) + 1
    moved_to = {m.case_id: m.to_collector for m in moves}
    unassigned = sum(1 for cid, (f, _d) in decided.items()
                     if (moved_to[cid] if cid in moved_to else f.get("collector_id")) is None)
    return {"moved": len(moves), "unassigned": unassigned, "by_team": by_team, "by_reason": by_reason}


# -- the same rules as engine expressions -------------------------------------------------------------------------
def compile_decision(rules: list[dict], t, today: dt.date, member_team):
    """The rule set as Ibis expressions over ``t`` (a table with the :data:`FACTS` columns, dates as whole day
    numbers since 1970-01-01 as the engine loads them) and ``member_team`` (the team of the case's collector when
    they are an active member, else null). Returns ``(rule, action, reason)`` columns — what :func:`decide` gives
    case by case."""
    import ibis

    def cond(rule):
        parts = []
        for key in LIST_CONDITIONS:
            if rule[key]:
                parts.append(t[LIST_FACT[key]].isin(rule[key]).fill_null(False))
        for lo, hi, fact in RANGE_CONDITIONS:
            if rule[lo] is not None:
                parts.append((t[fact] >= rule[lo]).fill_null(False))
            if rule[hi] is not None:
                parts.append((t[fact] <= rule[hi]).fill_null(False))
        out = ibis.literal(True)
        for p in parts:
            out = out & p
        return out

    if not rules:
        return ibis.literal(-1, "int64"), ibis.literal("stay"), ibis.literal("unmatched")
    rule_no = ibis.cases(*[(cond(r), ibis.literal(i, "int64")) for i, r in enumerate(rules)],
                         else_=ibis.literal(-1, "int64"))

    def per_rule(fn, typ, default):
        return rule_no.cases(*[(i, ibis.literal(fn(r), typ)) for i, r in enumerate(rules)],
                             else_=ibis.literal(default, typ))

    target = per_rule(lambda r: r["team"], "int64", None)
    to_pool = per_rule(lambda r: r["team"] is None, "boolean", False)
    sticky = per_rule(lambda r: r["sticky"], "boolean", False)
    rotate = per_rule(lambda r: r["rotate_days"], "int64", None)
    AS = ibis.literal((today - EPOCH).days, "int64")
    since = ibis.greatest(t.assigned_on.fill_null(t.last_promise_on), t.last_promise_on.fill_null(t.assigned_on))
    quiet = (AS - since.cast("int64")).fill_null(0)
    in_team = (t.collector_id.notnull() & (t.team_id == target).fill_null(False)
               & (member_team == target).fill_null(False))
    rotating = rotate.notnull() & (quiet >= rotate).fill_null(False)
    reason = ibis.cases(
        (rule_no == -1, "unmatched"),
        (to_pool & t.team_id.isnull() & t.collector_id.isnull(), "in_pool"),
        (to_pool, "to_pool"),
        (in_team & rotating, "rotation"),
        (in_team & sticky, "kept"),
        (in_team, "rebalance"),
        (t.collector_id.isnull() & t.team_id.isnull(), "new"),
        (t.collector_id.isnull(), "unassigned"),
        (member_team.isnull(), "collector_inactive"),
        else_="team_change")
    action = ibis.cases((reason.isin(["unmatched", "in_pool", "kept"]), "stay"), (reason == "to_pool", "pool"),
                        else_="place")
    return rule_no, action, reason
