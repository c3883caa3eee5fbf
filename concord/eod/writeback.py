"""Write the engine's results back into the application database, in bulk, inside the caller's transaction.

Tables written: ``loans_loanaccount`` (dpd, bucket, balances, charges accrued, status, balances_as_of — only rows
that change), ``loans_instalment`` (the paid amounts of the instalments the run changed), ``cases_case`` (total, max DPD, bucket, settled/open status — the rule of ``loans.summary``, which
``cases.services.refresh_case_summary`` applies too — and the assignment), ``cases_assignment`` (the moves),
``eod_accountstate``, ``eod_casestate`` and ``eod_queueentry``. Each domain table gets ONE ``UPDATE … FROM`` a
temporary table of the changed rows only (loaded by COPY on PostgreSQL), so each changed row gets one new
version; none of the columns written daily is indexed, so on PostgreSQL the update can be HOT.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.apps import apps

from concord.eod import dbio
from concord.loans import summary
from concord.loans.delinquency import bucket_bounds

ACTIVE = summary.ACTIVE_CASE_STATUSES
QUEUE_KEEP_DAYS = 14


def _t(label: str) -> str:
    return apps.get_model(label)._meta.db_table


def _money(col: str) -> str:
    return f"CAST(t.{col} AS NUMERIC) / 100" if dbio.is_postgres() else f"t.{col} / 100.0"


def _empty(table: str) -> None:
    """Empty one of the EOD's own tables (TRUNCATE on PostgreSQL: transactional, and far faster than DELETE for
    a million rows; the deferred foreign-key checks are run first, as TRUNCATE requires)."""
    if dbio.is_postgres():
        dbio.execute("SET CONSTRAINTS ALL IMMEDIATE")
        dbio.execute(f"TRUNCATE {table}")
        dbio.execute("SET CONSTRAINTS ALL DEFERRED")
    else:
        dbio.execute(f"DELETE FROM {table}")


def accounts(acc_db: pa.Table, out: pa.Table, as_of: dt.date, skip_ids: np.ndarray) -> int:
    """Update the accounts whose state changed (or whose balances are older than ``as_of``)."""
    db = acc_db.sort_by("account_id")
    if not out.column("account_id").equals(db.column("account_id")):
        raise RuntimeError("account_state does not match the exported accounts")
    fields = ["dpd", "bucket", "principal_balance_fen", "interest_balance_fen", "penalty_balance_fen",
              "fees_balance_fen", "credit_balance_fen", "penalty_accrued_fen", "fees_accrued_fen", "status"]
    changed = np.zeros(out.num_rows, bool)
    for name in fields:
        changed |= pc.fill_null(pc.not_equal(out.column(name), db.column(name)), True).to_numpy(zero_copy_only=False)
    stale = pc.fill_null(pc.less(db.column("balances_as_of"), pa.scalar(as_of, pa.date32())), True)
    changed |= stale.to_numpy(zero_copy_only=False)
    changed &= ~np.isin(out.column("account_id").to_numpy(), skip_ids)
    rows = out.filter(pa.array(changed)).select(["account_id"] + fields)
    if rows.num_rows == 0:
        return 0
    tmp = dbio.temp_table("accounts", rows)
    m = _money
    sets = (f"dpd = t.dpd, bucket = t.bucket, principal_balance = {m('principal_balance_fen')}, "
            f"interest_balance = {m('interest_balance_fen')}, penalty_balance = {m('penalty_balance_fen')}, "
            f"fees_balance = {m('fees_balance_fen')}, credit_balance = {m('credit_balance_fen')}, "
            f"penalty_accrued = {m('penalty_accrued_fen')}, fees_accrued = {m('fees_accrued_fen')}, "
            f"status = t.status, balances_as_of = %s")
    table = _t("loans.LoanAccount")
    n = dbio.execute(f"UPDATE {table} SET {sets} FROM {tmp} t WHERE {table}.id = t.account_id", [as_of])
    dbio.drop_temp(tmp)
    return n


def instalments(changed: pa.Table, skip_ids: np.ndarray) -> int:
    """Apply the instalment states the run changed (``instalment_state`` in changes: the instalments that took a
    part of today's payments) to ``loans_instalment``: their paid principal and interest. In the database every
    payment is posted when it is recorded (``record_payment`` applies it to the instalments at once), so a run
    normally changes none; an account skipped this time keeps its rows."""
    keep = pc.invert(pa.array(np.isin(changed.column("account_id").to_numpy(), skip_ids)))
    rows = changed.filter(keep).select(["account_id", "number", "principal_paid_fen", "interest_paid_fen"])
    if rows.num_rows == 0:
        return 0
    tmp = dbio.temp_table("instalments", rows)
    table = _t("loans.Instalment")
    n = dbio.execute(f"UPDATE {table} SET principal_paid = {_money('principal_paid_fen')}, "
                     f"interest_paid = {_money('interest_paid_fen')} FROM {tmp} t "
                     f"WHERE {table}.account_id = t.account_id AND {table}.number = t.number")
    dbio.drop_temp(tmp)
    return n


def account_states(acc_db: pa.Table, acc_in: pa.Table, out: pa.Table, as_of: dt.date, skip_ids: np.ndarray) -> int:
    """Replace ``eod_accountstate``: this run's date, bucket, and what it started from (an account skipped this
    time keeps its previous row)."""
    db = acc_db.sort_by("account_id")
    inp = acc_in.sort_by("account_id")
    skip = pa.array(np.isin(out.column("account_id").to_numpy(), skip_ids))
    day = pa.array(np.full(out.num_rows, as_of), pa.date32())
    rows = pa.table({
        "account_id": out.column("account_id"),
        "as_of": pc.if_else(skip, db.column("st_as_of"), day),
        "bucket": pc.if_else(skip, db.column("st_bucket"), out.column("bucket")),
        "prev_bucket": pc.if_else(skip, db.column("st_prev_bucket"), inp.column("prev_bucket")),
        "penalty_before_fen": pc.if_else(skip, db.column("st_penalty_before_fen"), inp.column("penalty_accrued_fen")),
        "fees_before_fen": pc.if_else(skip, db.column("st_fees_before_fen"), inp.column("fees_accrued_fen")),
    }).filter(pc.is_valid(pc.if_else(skip, db.column("st_as_of"), day)))
    table = _t("eod.AccountState")
    _empty(table)
    dbio.copy_into(table, rows)
    return rows.num_rows


@dataclass
class CasePlan:
    """What the run makes of every case (sorted by case_id): the summary figures to write where they change
    (``figures`` = 1), whether it settles or reopens, and its status after the run."""
    rows: pa.Table     # case_id, total_fen, max_dpd, bucket, status, closed, opened, figures
    after: pa.Table    # case_id, status (after this run; a skipped case keeps its status)


def _np(values) -> np.ndarray:
    return values.to_numpy() if hasattr(values, "to_numpy") else np.asarray(values)


def buckets(dpd) -> pa.Array:
    """``delinquency.bucket`` of every DPD, through its bounds (a sorted search)."""
    *bounded, (_none, last) = bucket_bounds()
    names = np.array([name for _high, name in bounded] + [last], dtype=object)
    idx = np.searchsorted(np.array([high for high, _name in bounded]), _np(dpd), side="left")
    return pa.array(names[idx], pa.string())


def next_statuses(status, any_open, any_account) -> pa.Array:
    """``summary.next_status`` of every case, looked up in the rule's whole table (an unknown status is kept)."""
    table = summary.status_table()
    lut = np.array([table[(s, o, a)] for s in summary.CASE_STATUSES for o in (False, True) for a in (False, True)],
                   dtype=object)
    code = _np(pc.fill_null(pc.index_in(status, pa.array(summary.CASE_STATUSES)), -1)).astype(np.int64)
    key = np.maximum(code, 0) * 4 + _np(any_open).astype(np.int64) * 2 + _np(any_account).astype(np.int64)
    return pa.array(np.where(code >= 0, lut[key], _np(status).astype(object)), pa.string())


def case_plan(cases_db: pa.Table, acc_out: pa.Table, skip_ids: np.ndarray) -> CasePlan:
    """The summary of every case by the rule of ``loans.summary`` (total of the open accounts, their worst DPD and
    its bucket, settled when nothing is left open, open again when something is). Cases holding an account skipped
    this time are left as they are."""
    a = acc_out.select(["case_id", "total_balance_fen", "dpd", "status"])
    is_open = pc.equal(a.column("status"), summary.OPEN_ACCOUNT)
    a = a.append_column("open_total", pc.if_else(is_open, a.column("total_balance_fen"), 0))
    a = a.append_column("open_dpd", pc.if_else(is_open, a.column("dpd"), 0))
    a = a.append_column("n_open", pc.cast(is_open, pa.int64()))
    g = a.group_by("case_id").aggregate([("open_total", "sum"), ("open_dpd", "max"), ("n_open", "sum"),
                                        ([], "count_all")])
    c = cases_db.join(g, "case_id", join_type="left outer").sort_by("case_id")
    total = pc.fill_null(c.column("open_total_sum"), 0)
    dpd = pc.fill_null(c.column("open_dpd_max"), 0)
    n_open = pc.fill_null(c.column("n_open_sum"), 0)
    n_acc = pc.fill_null(c.column("count_all"), 0)
    bucket = buckets(dpd)
    status = c.column("status")
    skip_cases = pc.is_in(c.column("case_id"), acc_out.filter(
        pa.array(np.isin(acc_out.column("account_id").to_numpy(), skip_ids))).column("case_id"))
    keep = pc.invert(skip_cases)
    ruled = next_statuses(status, pc.greater(n_open, 0), pc.greater(n_acc, 0))
    moved = pc.and_(pc.not_equal(ruled, status), keep)
    settle = pc.and_(moved, pc.equal(ruled, summary.SETTLED))
    reopen = pc.and_(pc.and_(moved, pc.equal(status, summary.SETTLED)), pc.equal(ruled, summary.OPEN))
    new_status = pc.if_else(moved, ruled, status)
    changed = pc.or_(pc.or_(pc.not_equal(total, c.column("total_fen")), pc.not_equal(dpd, c.column("max_dpd"))),
                     pc.or_(pc.not_equal(bucket, c.column("bucket")), pc.not_equal(new_status, status)))
    rows = pa.table({"case_id": c.column("case_id"), "total_fen": total, "max_dpd": dpd, "bucket": bucket,
                     "status": new_status, "closed": pc.cast(settle, pa.int64()),
                     "opened": pc.cast(reopen, pa.int64()),
                     "figures": pc.cast(pc.and_(changed, keep), pa.int64())})
    return CasePlan(rows=rows, after=pa.table({"case_id": c.column("case_id"), "status": new_status}))


def moves(allocation: pa.Table, cases_db: pa.Table, after: pa.Table) -> tuple[pa.Table, dict[str, int]]:
    """The allocation's changes to apply: cases still active after this run whose team or collector it changes
    (against the database, so a rerun that decides the same again moves nothing). Returns the rows (case_id,
    team_id, collector_id, reason) and the count per reason."""
    still = after.filter(pc.is_in(after.column("status"), pa.array(ACTIVE))).column("case_id")
    cur = cases_db.select(["case_id", "team_id", "collector_id"]).rename_columns(["case_id", "db_team", "db_col"])
    j = allocation.join(cur, "case_id")
    differs = pc.or_(pc.not_equal(pc.fill_null(j.column("team_id"), -1), pc.fill_null(j.column("db_team"), -1)),
                     pc.not_equal(pc.fill_null(j.column("collector_id"), -1), pc.fill_null(j.column("db_col"), -1)))
    m = j.filter(pc.and_(differs, pc.is_in(j.column("case_id"), still)))
    counts: dict[str, int] = {}
    for r in m.group_by("reason").aggregate([([], "count_all")]).to_pylist():
        counts[r["reason"]] = r["count_all"]
    return m.select(["case_id", "team_id", "collector_id", "reason"]), counts


def cases(plan: CasePlan, moved: pa.Table, as_of: dt.date) -> tuple[int, int]:
    """ONE update of ``cases_case`` for every case whose figures or status change or that the allocation moves
    (each row gets one new version, not two): the figures, settled/open status and closed_on of the plan; the
    assigned team and collector of a move, and a new case that gets a collector becomes open (``assign_case``).
    Returns (cases updated, cases settled)."""
    mv = moved.select(["case_id", "team_id", "collector_id"])
    mv = mv.append_column("moved", pa.array(np.ones(mv.num_rows, np.int64)))
    j = plan.rows.join(mv, "case_id", join_type="left outer")
    moved_flag = pc.fill_null(j.column("moved"), 0)
    rows = j.set_column(j.schema.get_field_index("moved"), "moved", moved_flag).filter(
        pc.or_(pc.equal(j.column("figures"), 1), pc.equal(moved_flag, 1)))
    if rows.num_rows == 0:
        return 0, 0
    figures = pc.equal(rows.column("figures"), 1)
    opens = pc.and_(pc.equal(rows.column("moved"), 1), pc.is_valid(rows.column("collector_id")))
    # the status a figures row gets, with assign_case's new → open; NULL: keep the stored status (but new → open)
    status = pc.if_else(pc.and_(opens, pc.equal(rows.column("status"), "new")), "open", rows.column("status"))
    rows = rows.set_column(rows.schema.get_field_index("status"), "status",
                           pc.if_else(figures, status, pa.scalar(None, pa.string())))
    rows = rows.append_column("opens", pc.cast(opens, pa.int64()))
    for name in ("total_fen", "max_dpd", "bucket"):
        i = rows.schema.get_field_index(name)
        none = pa.scalar(None, rows.schema.field(i).type)
        rows = rows.set_column(i, name, pc.if_else(figures, rows.column(name), none))
    rows = rows.select(["case_id", "total_fen", "max_dpd", "bucket", "status", "closed", "opened", "figures",
                        "moved", "team_id", "collector_id", "opens"])
    tmp = dbio.temp_table("cases", rows)
    c = _t("cases.Case")
    n = dbio.execute(
        f"UPDATE {c} SET total_balance = COALESCE({_money('total_fen')}, {c}.total_balance), "
        f"max_dpd = COALESCE(t.max_dpd, {c}.max_dpd), bucket = COALESCE(t.bucket, {c}.bucket), "
        f"status = CASE WHEN t.figures = 1 THEN t.status WHEN t.opens = 1 AND {c}.status = 'new' THEN 'open' "
        f"ELSE {c}.status END, "
        f"closed_on = CASE WHEN t.figures = 1 AND t.closed = 1 THEN %s WHEN t.figures = 1 AND t.opened = 1 "
        f"THEN NULL ELSE {c}.closed_on END, "
        f"assigned_team_id = CASE WHEN t.moved = 1 THEN t.team_id ELSE {c}.assigned_team_id END, "
        f"assigned_collector_id = CASE WHEN t.moved = 1 THEN t.collector_id ELSE {c}.assigned_collector_id END "
        f"FROM {tmp} t WHERE {c}.id = t.case_id", [as_of])
    dbio.drop_temp(tmp)
    settled = pc.and_(figures, pc.equal(rows.column("closed"), 1))
    return n, int(pc.sum(pc.cast(settled, pa.int64())).as_py() or 0)


def case_states(case_out: pa.Table, case_in: pa.Table, as_of: dt.date, segments_in: pa.Table | None = None) -> int:
    """Replace ``eod_casestate``: the run's case state, with what it started from — the case's status and
    assignment, and its segment and segment date after the previous run (``segments_in``, the engine's
    ``case_segments`` input), so that a rerun for the same date starts from them again."""
    rows = case_out.select(["case_id", "score", "segment", "treatment", "channel", "priority", "held",
                            "promise_state", "arrangement", "segment_since"])
    rows = rows.append_column("path_action", pc.fill_null(case_out.column("path_action"), ""))
    rows = rows.append_column("as_of", pa.array(np.full(rows.num_rows, as_of), pa.date32()))
    start = case_in.sort_by("case_id")
    rows = rows.append_column("start_status", start.column("status"))
    rows = rows.append_column("start_team_id", start.column("team_id"))
    rows = rows.append_column("start_collector_id", start.column("collector_id"))
    rows = rows.append_column("start_assigned_on", start.column("assigned_on"))
    if segments_in is None:
        segments_in = pa.table({"case_id": pa.array([], pa.int64()), "segment": pa.array([], pa.string()),
                                "segment_since": pa.array([], pa.date32())})
    at = pc.index_in(rows.column("case_id"), segments_in.column("case_id"))
    rows = rows.append_column("start_segment", pc.fill_null(pc.take(segments_in.column("segment"), at), ""))
    rows = rows.append_column("start_segment_since", pc.take(segments_in.column("segment_since"), at))
    table = _t("eod.CaseState")
    _empty(table)
    dbio.copy_into(table, rows)
    return rows.num_rows


def assignments(moved: pa.Table, actor_id, now: dt.datetime) -> int:
    """The assignment history of the moves: the open assignment ends, a new one starts with reason
    ``eod:<reason>`` (when the case gets a team or collector) — ``cases.services.assign_case`` in bulk (the case
    rows themselves are written by :func:`cases`). Returns the assignments started."""
    if moved.num_rows == 0:
        return 0
    rows = moved.set_column(3, "reason", pc.binary_join_element_wise("eod:", moved.column("reason"), ""))
    tmp = dbio.temp_table("moves", rows)
    assignment = _t("cases.Assignment")
    dbio.execute(f"UPDATE {assignment} SET ended_at = %s WHERE ended_at IS NULL AND case_id IN "
                 f"(SELECT case_id FROM {tmp})", [dbio.ts(now)])
    n = dbio.execute(f"INSERT INTO {assignment} (case_id, team_id, collector_id, assigned_by_id, reason, started_at) "
                     f"SELECT case_id, team_id, collector_id, %s, reason, %s FROM {tmp} "
                     f"WHERE team_id IS NOT NULL OR collector_id IS NOT NULL", [actor_id, dbio.ts(now)])
    dbio.drop_temp(tmp)
    return n


def queue(run_id: int, queue_out: pa.Table, day: dt.date, case_status: pa.Table) -> int:
    """Replace the queue of ``day`` (and forget queues older than two weeks)."""
    table = _t("eod.QueueEntry")
    dbio.execute(f"DELETE FROM {table} WHERE day = %s OR day < %s", [day, day - dt.timedelta(days=QUEUE_KEEP_DAYS)])
    active = case_status.filter(pc.is_in(case_status.column("status"), pa.array(ACTIVE))).column("case_id")
    q = queue_out.filter(pc.is_in(queue_out.column("case_id"), active))
    rows = pa.table({
        "run_id": pa.array(np.full(q.num_rows, run_id), pa.int64()),
        "day": pa.array(np.full(q.num_rows, day), pa.date32()),
        "collector_id": q.column("collector_id"), "position": q.column("position"), "case_id": q.column("case_id"),
        "channel": q.column("channel"), "priority": q.column("priority"), "earliest_at": q.column("earliest_at")})
    dbio.copy_into(table, rows)
    return rows.num_rows
