"""The tables of the reports as the CLI, the pages and the Excel files show them: the computations of
:mod:`concord.reports.metrics` over the daily history, with names instead of ids and money in yuan (``Decimal``).

``table(name, start, end, filters)`` → list of dicts in the report's column order (``COLUMNS``)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from concord.creditors.models import Creditor
from concord.staff.models import Team, User

from . import capture
from .metrics import Filters, contact, promises, recovery, rolls

NAMES = ("recovery", "roll-rates", "promises", "contact")

#: The columns of each report's table (the JSON lines of ``concord report NAME --json`` have exactly these keys).
COLUMNS = {
    "recovery": ("creditor", "month", "placed", "recovered", "rate"),
    "roll-rates": ("from_bucket", "to_bucket", "accounts", "balance", "rate"),
    "promises": ("collector", "made", "kept", "partial", "broken", "kept_rate"),
    "contact": ("channel", "attempts", "connects", "rpc", "connect_rate", "rpc_rate"),
}


def yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))


def connect():
    return capture.store().connect()


def _names(model, ids, attr):
    ids = {i for i in ids if i is not None}
    return dict(model.objects.filter(pk__in=ids).values_list("pk", attr)) if ids else {}


def table(name: str, start: dt.date, end: dt.date, filters: Filters = Filters(), con=None) -> list[dict]:
    if name not in NAMES:
        raise ValueError(f"report: one of {', '.join(NAMES)}, not {name!r}")
    con = con or connect()
    if name == "recovery":
        raw = recovery.by_vintage(con, start, end, filters)
        codes = _names(Creditor, [r["creditor_id"] for r in raw], "code")
        return [{"creditor": codes.get(r["creditor_id"], str(r["creditor_id"])), "month": r["month"].strftime("%Y-%m"),
                 "placed": yuan(r["placed_fen"]), "recovered": yuan(r["recovered_fen"]), "rate": r["rate"]}
                for r in raw]
    if name == "roll-rates":
        return roll_totals(rolls.matrix(con, start, end, filters))
    if name == "promises":
        raw = promises.by_collector(con, start, end, filters)
        users = _names(User, [r["collector_id"] for r in raw], "username")
        return [{"collector": users.get(r["collector_id"], "—") if r["collector_id"] else "—", "made": r["made"],
                 "kept": r["kept"], "partial": r["partial"], "broken": r["broken"], "kept_rate": r["kept_rate"]}
                for r in raw]
    raw = contact.attempts(con, start, end, "channel", filters)
    return [{k: r[k] for k in COLUMNS["contact"]} for r in raw]


def roll_totals(cells: list[dict]) -> list[dict]:
    """The matrix summed over the month ends of the period (one line per from → to)."""
    acc: dict = {}
    totals: dict = {}
    for c in cells:
        key = (c["from_bucket"], c["to_bucket"])
        a = acc.setdefault(key, [0, 0])
        a[0] += c["accounts"]
        a[1] += c["balance_fen"]
        totals[c["from_bucket"]] = totals.get(c["from_bucket"], 0) + c["accounts"]
    order = {s: n for n, s in enumerate(rolls.STATES)}
    return [{"from_bucket": f, "to_bucket": t, "accounts": n, "balance": yuan(b),
             "rate": round(n / totals[f], 4) if totals[f] else None}
            for (f, t), (n, b) in sorted(acc.items(), key=lambda kv: (order[kv[0][0]], order[kv[0][1]]))]


def team_names(ids) -> dict:
    return _names(Team, ids, "name")
