"""The strategy editor's form rows: a tree to the strings of its inputs and back (one row of inputs per rule)."""
from __future__ import annotations

from . import tree as trees

ROW_FIELDS = trees.ENGINE_COLUMNS + ("path", "hours", "discount", "months")


def _s(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def rows_of(tree: dict) -> list[dict]:
    """Each rule as the strings of the editor's inputs: path ``0:sms, 2:call``, hours ``9-20``."""
    out = []
    for r in tree.get("rules", []):
        row = {c: _s(r.get(c)) for c in trees.ENGINE_COLUMNS}
        row["path"] = ", ".join(f"{s['day']}:{s['action']}" for s in r.get("path") or [])
        row["hours"] = f"{r['hours'][0]}-{r['hours'][1]}" if r.get("hours") else ""
        offer = r.get("offer") or {}
        row["discount"], row["months"] = _s(offer.get("max_discount_pct")), _s(offer.get("max_months"))
        out.append(row)
    return out


def blank_row(order: int) -> dict:
    row = {f: "" for f in ROW_FIELDS}
    row.update(rule_order=str(order), segment=f"segment_{order}", treatment="call", channel="call", priority="50")
    return row


def _path(text: str):
    steps = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        day, sep, action = part.partition(":")
        if not sep:
            return text  # not a path: the tree's check says so beside the field
        steps.append({"day": day.strip(), "action": action.strip()})
    return steps


def _hours(text: str):
    if not text.strip():
        return None
    lo, sep, hi = text.partition("-")
    return [lo.strip(), hi.strip()] if sep else text


def tree_of(post, n_rows: int) -> tuple[dict, list[dict]]:
    """The tree a POST of the editor describes, and its rows (to show again with the errors). Rows whose ``delete``
    box is ticked are left out."""
    rows, rules = [], []
    for i in range(n_rows):
        p = f"r-{i}-"
        if not any(post.get(p + f) for f in ROW_FIELDS) or post.get(p + "delete"):
            continue
        row = {f: post.get(p + f, "").strip() for f in ROW_FIELDS}
        rows.append(row)
        rule = {c: (row[c] or None) for c in trees.ENGINE_COLUMNS}
        rule["path"] = _path(row["path"])
        rule["hours"] = _hours(row["hours"])
        rule["offer"] = ({"max_discount_pct": row["discount"] or None, "max_months": row["months"] or None}
                         if row["discount"] or row["months"] else None)  # an empty bound bounds nothing
        rules.append(rule)
    budget = {k: post.get(f"budget-{k}", "").strip() or None for k in trees.BUDGET_KEYS}
    tree = {"name": post.get("name", "").strip(), "description": post.get("description", "").strip(),
            "budget": budget, "rules": rules}
    return tree, rows
