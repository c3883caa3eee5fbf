"""Load a synthetic EOD snapshot into the application tables of a PostgreSQL database, fast (COPY), for
``benchmarks/eod.py --postgres URL``. The database must be a dedicated benchmark database: its domain tables are
emptied first. Every NOT NULL column the book does not give gets a neutral value (so new fields added by other
apps do not break the loader)."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.apps import apps
from django.db import connection, transaction

from concord.eod import dbio

NOW = dt.datetime(2026, 11, 1, 2, 0, tzinfo=dt.UTC)


def _t(label):
    return apps.get_model(label)._meta.db_table


def _fill(table: str, data: dict[str, pa.Array | list], n: int) -> pa.Table:
    """Add a neutral value for every NOT NULL column without a default that ``data`` lacks."""
    with connection.cursor() as cur:
        cur.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
                    "AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'", [table])
        needed = cur.fetchall()
    for col, typ in needed:
        if col in data:
            continue
        if typ in ("integer", "bigint", "smallint", "numeric", "double precision"):
            data[col] = pa.array(np.zeros(n, np.int64))
        elif typ == "boolean":
            data[col] = pa.array(np.zeros(n, bool))
        elif typ in ("jsonb", "json"):
            data[col] = pa.array(["{}"] * n)
        elif typ.startswith("timestamp"):
            data[col] = pa.array([NOW] * n, pa.timestamp("us", tz="UTC"))
        elif typ == "date":
            data[col] = pa.array([NOW.date()] * n, pa.date32())
        else:
            data[col] = pa.array([""] * n)
    return pa.table({k: (v if isinstance(v, (pa.Array, pa.ChunkedArray)) else pa.array(v)) for k, v in data.items()})


def _money(col) -> pa.Array:
    """fen → decimal(18, 2) with the same unscaled integer (no per-row Python; CSV writes ``123.45``)."""
    v = np.asarray(pc.fill_null(col, 0).to_numpy(zero_copy_only=False), np.int64)
    words = np.empty((len(v), 2), np.int64)
    words[:, 0] = v
    words[:, 1] = np.where(v < 0, -1, 0)
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(v), [None, pa.py_buffer(words.tobytes())])


def _copy(label: str, data: dict, n: int) -> None:
    table = _t(label)
    dbio.copy_into(table, _fill(table, data, n))


def _one_case_per_creditor_and_person(snap):
    """The database allows one case per (creditor, debtor): a second one goes to a new debtor."""
    ca = snap["cases"]
    cred = ca.column("creditor_id").to_numpy()
    person = ca.column("person_id").to_numpy().copy()
    order = np.lexsort((ca.column("case_id").to_numpy(), person, cred))
    dup = np.zeros(len(person), bool)
    dup[order[1:]] = (cred[order[1:]] == cred[order[:-1]]) & (person[order[1:]] == person[order[:-1]])
    k = int(dup.sum())
    if not k:
        return snap
    start = int(snap["persons"].column("person_id").to_numpy().max()) + 1
    person[dup] = np.arange(start, start + k)
    snap = dict(snap)
    snap["cases"] = ca.set_column(ca.schema.get_field_index("person_id"), "person_id", pa.array(person, pa.int64()))
    extra = pa.table({"person_id": pa.array(np.arange(start, start + k), pa.int64()),
                      "time_zone": pa.nulls(k, pa.string()), "deceased": pa.array(np.zeros(k, bool))})
    snap["persons"] = pa.concat_tables([snap["persons"], extra.cast(snap["persons"].schema)])
    return snap


def _case_summary(accounts: pa.Table, cases: pa.Table) -> tuple[pa.Array, pa.Array]:
    """Each case's total balance and bucket of yesterday (its open accounts' balances, their worst
    ``prev_bucket``), aligned with ``cases``: the book as the previous run would have left it, so that the first
    run only changes what a normal day changes."""
    is_open = pc.equal(accounts.column("status"), "open")
    total = pc.add(pc.add(accounts.column("principal_balance_fen"), accounts.column("interest_balance_fen")),
                   pc.add(accounts.column("penalty_balance_fen"), accounts.column("fees_balance_fen")))
    a = pa.table({"case_id": accounts.column("case_id"), "total": pc.if_else(is_open, total, 0),
                  "bucket": pc.if_else(is_open, accounts.column("prev_bucket"), "M0")})
    g = a.group_by("case_id").aggregate([("total", "sum"), ("bucket", "max")])
    j = cases.select(["case_id"]).join(g, "case_id", join_type="left outer")
    order = pc.sort_indices(j, [("case_id", "ascending")])
    j = j.take(order)
    back = pc.sort_indices(pc.sort_indices(cases.column("case_id")))  # j is sorted; put it back in cases' order
    j = j.take(back)
    return pc.fill_null(j.column("total_sum"), 0), pc.fill_null(j.column("bucket_max"), "M0")


def load(snap: dict[str, pa.Table], as_of: dt.date) -> dict[str, int]:
    snap = _one_case_per_creditor_and_person(snap)
    tables = ["eod_queueentry", "eod_casestate", "eod_accountstate", "eod_eodrun", _t("loans.Payment"),
              _t("loans.Instalment"), _t("loans.LoanAccount"), _t("cases.Assignment"), _t("workbench.Promise"),
              _t("compliance.Hold"), _t("compliance.ContactAttempt"), _t("cases.Case"), _t("debtors.Debtor"),
              _t("creditors.Product"), _t("creditors.Creditor"), _t("staff.User"), _t("staff.Team")]
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        cr = snap["creditors"]
        n = cr.num_rows
        ids = cr.column("creditor_id")
        _copy("creditors.Creditor", {"id": ids, "code": pc.binary_join_element_wise("c", pc.cast(ids, pa.string()), ""),
                                     "name": pc.binary_join_element_wise("Creditor ", pc.cast(ids, pa.string()), ""),
                                     "kind": ["bank"] * n, "policy_pack": cr.column("policy_pack"),
                                     "currency": ["CNY"] * n, "time_zone": ["Asia/Shanghai"] * n,
                                     "active": [True] * n}, n)
        pr = snap["products"]
        n = pr.num_rows
        _copy("creditors.Product", {
            "id": pr.column("product_id"), "creditor_id": pr.column("creditor_id"),
            "code": pc.binary_join_element_wise("p", pc.cast(pr.column("product_id"), pa.string()), ""),
            "name": pc.binary_join_element_wise("Product ", pc.cast(pr.column("product_id"), pa.string()), ""),
            "kind": pr.column("kind"),
            "penalty_daily_rate": [f"{r / 1e6:.6f}" for r in pr.column("penalty_daily_rate_e6").to_pylist()],
            "compound_on_interest": pr.column("compound_on_interest"), "grace_days": pr.column("grace_days"),
            "late_fee": _money(pr.column("late_fee_fen")),
            "total_cost_cap_rate": [None if r is None else f"{r / 1e4:.4f}"
                                    for r in pr.column("total_cost_cap_rate_e4").to_pylist()],
            "waterfall": [json.dumps(w.split(",")) for w in pr.column("waterfall").to_pylist()],
            "min_payment_rate": ["0.10"] * n, "min_payment_floor": ["0"] * n,
            "promise_grace_days": pr.column("promise_grace_days")}, n)
        te = snap["teams"]
        _copy("staff.Team", {"id": te.column("team_id"),
                             "name": pc.binary_join_element_wise("Team ", pc.cast(te.column("team_id"), pa.string()), ""),
                             "buckets": [json.dumps([x for x in (s or "").split(",") if x])
                                         for s in te.column("buckets").to_pylist()],
                             "capacity": [0] * te.num_rows}, te.num_rows)
        co = snap["collectors"]
        n = co.num_rows
        field_teams = {r["team_id"] for r in te.to_pylist() if "field" in (r["skills"] or "")}
        _copy("staff.User", {
            "id": co.column("collector_id"),
            "username": pc.binary_join_element_wise("collector", pc.cast(co.column("collector_id"), pa.string()), ""),
            "password": ["!"] * n, "is_active": co.column("active"), "team_id": co.column("team_id"),
            "role": ["field_agent" if t in field_teams else "collector" for t in co.column("team_id").to_pylist()],
            "capacity": co.column("capacity"), "skills": ["[]"] * n,
            "date_joined": pa.array([NOW] * n, pa.timestamp("us", tz="UTC"))}, n)
        pe = snap["persons"]
        n = pe.num_rows
        pid = pc.cast(pe.column("person_id"), pa.string())
        _copy("debtors.Debtor", {"id": pe.column("person_id"), "full_name": pc.binary_join_element_wise("D", pid, ""),
                                 "id_type": ["cn_ric"] * n, "id_number": pc.binary_join_element_wise("bench", pid, ""),
                                 "id_number_index": pc.binary_join_element_wise("bench", pid, ""),
                                 "locale": ["zh-hans"] * n, "time_zone": pc.fill_null(pe.column("time_zone"), "Asia/Shanghai"),
                                 "deceased": pe.column("deceased")}, n)
        ca = snap["cases"]
        n = ca.num_rows
        total_fen, bucket = _case_summary(snap["accounts"], ca)
        _copy("cases.Case", {"id": ca.column("case_id"), "creditor_id": ca.column("creditor_id"),
                             "debtor_id": ca.column("person_id"),
                             "reference": pc.binary_join_element_wise("B", pc.cast(ca.column("case_id"), pa.string()), ""),
                             "status": ca.column("status"), "assigned_team_id": ca.column("team_id"),
                             "assigned_collector_id": ca.column("collector_id"), "total_balance": _money(total_fen),
                             "bucket": bucket, "opened_on": pa.array([as_of] * n, pa.date32())}, n)
        asg = ca.filter(pc.is_valid(ca.column("collector_id")))
        started = pc.cast(pc.add(pc.cast(pc.cast(asg.column("assigned_on"), pa.int32()), pa.int64()), 0), pa.int64())
        _copy("cases.Assignment", {"case_id": asg.column("case_id"), "team_id": asg.column("team_id"),
                                   "collector_id": asg.column("collector_id"), "reason": ["bench"] * asg.num_rows,
                                   "started_at": pc.cast(pc.multiply(started, 86_400_000_000),
                                                         pa.timestamp("us", tz="UTC"))}, asg.num_rows)
        ac = snap["accounts"].join(ca.select(["case_id", "creditor_id", "person_id"]), "case_id").sort_by("account_id")
        n = ac.num_rows
        data = {"id": ac.column("account_id"), "creditor_id": ac.column("creditor_id"),
                "product_id": ac.column("product_id"), "debtor_id": ac.column("person_id"),
                "case_id": ac.column("case_id"),
                "reference": pc.binary_join_element_wise("A", pc.cast(ac.column("account_id"), pa.string()), ""),
                "contract_amount": _money(ac.column("contract_amount_fen")), "annual_rate": ["0.18"] * n,
                "method": ["equal_installment"] * n, "start_date": ac.column("start_date"),
                "bucket": ac.column("prev_bucket"), "status": ac.column("status")}
        for c in ("principal_balance", "interest_balance", "penalty_balance", "fees_balance", "credit_balance",
                  "interest_charged", "penalty_accrued", "fees_accrued"):
            data[c] = _money(ac.column(f"{c}_fen"))
        _copy("loans.LoanAccount", data, n)
        ins = snap["instalments"]
        data = {"account_id": ins.column("account_id"), "number": ins.column("number"), "due_date": ins.column("due_date")}
        for c in ("principal_due", "interest_due", "principal_paid", "interest_paid"):
            data[c] = _money(ins.column(f"{c}_fen"))
        _copy("loans.Instalment", data, ins.num_rows)
        pay = snap["payments"].join(ac.select(["account_id", "creditor_id"]), "account_id")
        n = pay.num_rows
        paid_at = pc.cast(pc.add(pc.multiply(pc.cast(pc.cast(pay.column("paid_on"), pa.int32()), pa.int64()),
                                             86_400_000_000), 2 * 3_600_000_000), pa.timestamp("us", tz="UTC"))
        _copy("loans.Payment", {"id": pay.column("payment_id"), "account_id": pay.column("account_id"),
                                "creditor_id": pay.column("creditor_id"), "amount": _money(pay.column("amount_fen")),
                                "paid_at": paid_at, "channel": ["bank_transfer"] * n,
                                "external_reference": pc.binary_join_element_wise(
                                    "P", pc.cast(pay.column("payment_id"), pa.string()), ""),
                                "allocation": ["{}"] * n,
                                "reversed_at": pc.if_else(pay.column("reversed"), paid_at, pa.scalar(None, paid_at.type)),
                                "recorded_at": pa.array([NOW] * n, pa.timestamp("us", tz="UTC"))}, n)
        ho = snap["holds"]
        n = ho.num_rows

        def day_ts(col):
            return pc.cast(pc.multiply(pc.cast(pc.cast(col, pa.int32()), pa.int64()), 86_400_000_000),
                           pa.timestamp("us", tz="UTC"))
        _copy("compliance.Hold", {"debtor_id": ho.column("person_id"), "kind": ho.column("kind"),
                                  "reason": ["bench"] * n, "placed_at": day_ts(ho.column("starts_on")),
                                  "until": day_ts(ho.column("ends_on"))}, n)
        pr = snap["promises"]
        n = pr.num_rows
        _copy("workbench.Promise", {"case_id": pr.column("case_id"), "amount": _money(pr.column("amount_fen")),
                                "due_date": pr.column("due_date"), "grace_days": [1] * n, "status": ["pending"] * n,
                                "paid_amount": ["0"] * n, "made_at": day_ts(pr.column("promised_on"))}, n)
        co = snap["contacts"]
        n = co.num_rows
        _copy("compliance.ContactAttempt", {"debtor_id": co.column("person_id"), "at": day_ts(co.column("contact_on")),
                                            "channel": co.column("channel"), "outcome": co.column("outcome"),
                                            "party_kind": ["debtor"] * n, "direction": ["outbound"] * n}, n)
        with connection.cursor() as cur:
            for label in ("creditors.Creditor", "creditors.Product", "staff.Team", "staff.User", "debtors.Debtor",
                          "cases.Case", "loans.LoanAccount", "loans.Payment"):
                t = _t(label)
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), COALESCE(MAX(id), 1)) FROM {t}")
    with connection.cursor() as cur:
        # as a long-lived database would be: statistics, visibility map and hint bits set (so the first run does
        # not pay for setting them); COPY already left each page the table's fillfactor free for updates
        cur.execute("VACUUM (ANALYZE)")
    return {k: v.num_rows for k, v in snap.items()}
