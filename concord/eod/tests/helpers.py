"""Build small snapshots from plain Python rows for the engine tests."""
from __future__ import annotations

import pyarrow as pa

from concord.eod.schema import INPUT_TABLES


def table(name: str, rows: list[dict]) -> pa.Table:
    sch = INPUT_TABLES[name][0]
    return pa.Table.from_pylist(rows, schema=sch)


def base_snapshot(products: list[dict], accounts: list[dict], instalments: list[dict], payments: list[dict],
                  cases: list[dict] | None = None) -> dict[str, pa.Table]:
    case_ids = sorted({a["case_id"] for a in accounts})
    cases = cases or [{"case_id": c, "creditor_id": 1, "person_id": c, "status": "open", "team_id": None,
                       "collector_id": None, "assigned_on": None} for c in case_ids]
    return {
        "creditors": table("creditors", [{"creditor_id": 1, "policy_pack": "cn_online_lending"}]),
        "products": table("products", products),
        "persons": table("persons", [{"person_id": c["person_id"], "time_zone": None, "deceased": False}
                                     for c in cases]),
        "cases": table("cases", cases),
        "accounts": table("accounts", accounts),
        "instalments": table("instalments", instalments),
        "payments": table("payments", payments),
        "teams": table("teams", [{"team_id": 1, "buckets": "", "skills": ""}]),
        "collectors": table("collectors", [{"collector_id": 1, "team_id": 1, "capacity": 1000, "skills": "",
                                            "active": True}]),
    }
