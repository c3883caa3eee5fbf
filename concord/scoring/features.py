"""The modelling table: one row per case and observation day, built from the daily history (docs/reports.md) with
DuckDB. Pure: no Django import.

Features are what the case looked like at the end of day ``t`` (only that day and earlier days are read); targets
are what happened in the 30 days after it. The scorecard characteristics are exactly those the end-of-day engine
computes for every case (``concord.eod.rules.SCORE_CHARACTERISTICS``), with the same definitions, so that a
scorecard trained here scores the same case the same way in the run:

================== ==================================================================================================
max_dpd            largest DPD of the case's accounts on day t
total_balance_fen  sum of the accounts' balances (principal + interest + penalty + fees), integer fen
paid_90d_fen       unreversed payments of the case dated in (t − 90, t]
kept_promises      promises of the case resolved kept on or before t
broken_promises    promises of the case resolved broken on or before t
conversations_30d  conversations with the debtor (outcome ``conversation``, party ``debtor``) in (t − 30, t]
================== ==================================================================================================

The challenger (LightGBM) reads these and a few more that the engine does not compute: ``days_since_payment``
(999 without a payment), ``contacts_30d`` (outbound attempts in (t − 30, t]), ``product_id`` and ``accounts``.

Targets (``TARGETS``):

* ``paid_30d`` — an unreversed payment dated in (t, t + 30].
* ``self_cure_30d`` — a payment in (t, t + 30] before the first outbound contact after t (or with none).
* ``promise_kept`` — one row per promise made on day t (the case's features that day); 1 when the promise was
  later resolved ``kept`` (``partial`` and ``broken`` are 0; unresolved promises are left out).

Rows: cases with an open account and DPD > 0 on day t. For the 30-day targets only days t with t + 30 on or before
the history's last day are used (the outcome must be known).
"""
from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa

SCORECARD_FEATURES = ("max_dpd", "total_balance_fen", "paid_90d_fen", "kept_promises", "broken_promises",
                      "conversations_30d")
EXTRA_FEATURES = ("days_since_payment", "contacts_30d", "product_id", "accounts")
FEATURES = SCORECARD_FEATURES + EXTRA_FEATURES
TARGETS = ("paid_30d", "self_cure_30d", "promise_kept")
HORIZON = 30


class NoData(ValueError):
    """The history has no usable rows for the period asked."""


def _case_days(days_sql: str, sample: float = 1.0) -> str:
    """SQL for the features of every delinquent case on the days selected by ``days_sql`` (a query of ``day``); with
    ``sample`` < 1, only that share of the cases, always the same ones (a multiplicative hash of the case id)."""
    keep = "" if sample >= 1 else f"WHERE (a.case_id * 2654435761) % 10000 < {int(round(sample * 10000))}"
    return f"""
    WITH obs AS ({days_sql}),
    cs AS (
      SELECT a.day, a.case_id, max(a.dpd) AS max_dpd, sum(a.balance_fen) AS total_balance_fen,
             min(a.product_id) AS product_id, count(*) AS accounts
      FROM accounts a JOIN obs USING (day) {keep}
      GROUP BY a.day, a.case_id
      HAVING bool_or(a.status = 'open') AND max(a.dpd) > 0),
    pay AS (SELECT day, case_id, sum(amount_fen) AS amount_fen FROM payments WHERE NOT reversed GROUP BY day, case_id),
    con AS (SELECT day, case_id,
                   count(*) FILTER (WHERE direction = 'outbound') AS attempts,
                   count(*) FILTER (WHERE outcome = 'conversation' AND party = 'debtor') AS conversations
            FROM contacts GROUP BY day, case_id),
    prom AS (SELECT day, case_id, count(*) FILTER (WHERE event = 'kept') AS kept,
                    count(*) FILTER (WHERE event = 'broken') AS broken
             FROM promises GROUP BY day, case_id),
    f_pay AS (SELECT cs.day, cs.case_id,
                     coalesce(sum(p.amount_fen) FILTER (WHERE p.day > cs.day - 90), 0) AS paid_90d_fen,
                     min(date_diff('day', p.day, cs.day)) AS since_pay
              FROM cs JOIN pay p ON p.case_id = cs.case_id AND p.day <= cs.day GROUP BY cs.day, cs.case_id),
    f_con AS (SELECT cs.day, cs.case_id, sum(c.attempts) AS contacts_30d, sum(c.conversations) AS conversations_30d
              FROM cs JOIN con c ON c.case_id = cs.case_id AND c.day <= cs.day AND c.day > cs.day - 30
              GROUP BY cs.day, cs.case_id),
    f_prom AS (SELECT cs.day, cs.case_id, sum(p.kept) AS kept_promises, sum(p.broken) AS broken_promises
               FROM cs JOIN prom p ON p.case_id = cs.case_id AND p.day <= cs.day GROUP BY cs.day, cs.case_id)
    SELECT cs.day, cs.case_id,
           CAST(cs.max_dpd AS BIGINT) AS max_dpd, CAST(cs.total_balance_fen AS BIGINT) AS total_balance_fen,
           CAST(coalesce(f_pay.paid_90d_fen, 0) AS BIGINT) AS paid_90d_fen,
           CAST(coalesce(f_prom.kept_promises, 0) AS BIGINT) AS kept_promises,
           CAST(coalesce(f_prom.broken_promises, 0) AS BIGINT) AS broken_promises,
           CAST(coalesce(f_con.conversations_30d, 0) AS BIGINT) AS conversations_30d,
           CAST(least(coalesce(f_pay.since_pay, 999), 999) AS BIGINT) AS days_since_payment,
           CAST(coalesce(f_con.contacts_30d, 0) AS BIGINT) AS contacts_30d,
           CAST(coalesce(cs.product_id, 0) AS BIGINT) AS product_id, CAST(cs.accounts AS BIGINT) AS accounts
    FROM cs LEFT JOIN f_pay USING (day, case_id) LEFT JOIN f_con USING (day, case_id)
            LEFT JOIN f_prom USING (day, case_id)
    """


LOOKBACK = 90  # the longest look back of a feature (paid_90d_fen)


def last_day(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    return con.sql("SELECT max(day) FROM accounts").fetchall()[0][0]


def first_day(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    return con.sql("SELECT min(day) FROM accounts").fetchall()[0][0]


def lookback_short(con: duckdb.DuckDBPyConnection, start: dt.date) -> dict | None:
    """``{"history_from", "complete_from", "days"}`` when observation days from ``start`` see less history than the
    features look back: their ``paid_90d_fen`` (and promise counts) miss what happened before the history began, so
    the training population differs from the later days the model scores (and drift shows it); else None."""
    first = first_day(con)
    if first is not None and start < first + dt.timedelta(days=LOOKBACK):
        return {"history_from": first.isoformat(), "complete_from": (first + dt.timedelta(days=LOOKBACK)).isoformat(),
                "days": LOOKBACK}
    return None


def modelling_table(con: duckdb.DuckDBPyConnection, target: str, start: dt.date, end: dt.date, *,
                    every: int = 7, sample: float = 1.0) -> pa.Table:
    """Rows ``day, case_id, <FEATURES>, target`` for the observation days in [start, end] (every ``every``-th day
    from ``start`` for the 30-day targets; every day for ``promise_kept``), sorted by day and case; ``sample``: the
    share of the cases kept (the same cases on every day). ``con`` is a connection with the history's views
    (:meth:`concord.reports.store.HistoryStore.connect`)."""
    if target not in TARGETS:
        raise ValueError(f"target: one of {', '.join(TARGETS)}, not {target!r}")
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    if every < 1:
        raise ValueError("every: at least 1 day")
    if not 0 < sample <= 1:
        raise ValueError("sample: a share of the cases above 0 and at most 1")
    last = last_day(con)
    if last is None:
        raise NoData("the daily history is empty")
    if target == "promise_kept":
        days = ("SELECT DISTINCT day FROM promises WHERE event = 'made' AND day BETWEEN $start AND $end")
        sql = f"""
        WITH f AS ({_case_days(days, sample)}),
        made AS (SELECT day, case_id, promise_id FROM promises WHERE event = 'made' AND day BETWEEN $start AND $end),
        res AS (SELECT promise_id, arg_max(event, day) AS event FROM promises
                WHERE event IN ('kept', 'partial', 'broken') GROUP BY promise_id)
        SELECT f.*, CAST(res.event = 'kept' AS INTEGER) AS promise_kept
        FROM made JOIN f USING (day, case_id) JOIN res USING (promise_id)
        ORDER BY day, case_id, promise_id"""
        params = {"start": start, "end": end}
    else:
        upto = min(end, last - dt.timedelta(days=HORIZON))
        if upto < start:
            raise NoData(f"the outcome of {target} needs {HORIZON} days after each observation day: the history "
                         f"ends {last}, so the period must start on or before {last - dt.timedelta(days=HORIZON)}")
        days = ("SELECT DISTINCT day FROM accounts WHERE day BETWEEN $start AND $end "
                "AND date_diff('day', $start, day) % $every = 0")
        sql = f"""
        WITH f AS ({_case_days(days, sample)}),
        pay AS (SELECT day, case_id FROM payments WHERE NOT reversed),
        out_con AS (SELECT day, case_id FROM contacts WHERE direction = 'outbound'),
        nxt AS (SELECT f.day, f.case_id,
                       min(p.day) AS first_pay
                FROM f JOIN pay p ON p.case_id = f.case_id AND p.day > f.day AND p.day <= f.day + {HORIZON}
                GROUP BY f.day, f.case_id),
        nxc AS (SELECT f.day, f.case_id, min(c.day) AS first_contact
                FROM f JOIN out_con c ON c.case_id = f.case_id AND c.day > f.day AND c.day <= f.day + {HORIZON}
                GROUP BY f.day, f.case_id)
        SELECT f.*,
               CAST(nxt.first_pay IS NOT NULL AS INTEGER) AS paid_30d,
               CAST(nxt.first_pay IS NOT NULL AND (nxc.first_contact IS NULL OR nxt.first_pay < nxc.first_contact)
                    AS INTEGER) AS self_cure_30d
        FROM f LEFT JOIN nxt USING (day, case_id) LEFT JOIN nxc USING (day, case_id)
        ORDER BY day, case_id"""
        params = {"start": start, "end": upto, "every": every}
    table = con.sql(sql, params=params).to_arrow_table()
    keep = ["day", "case_id", *FEATURES, target]
    table = table.select(keep)
    if table.num_rows == 0:
        raise NoData(f"no delinquent cases with a known {target} outcome between {start} and {end}")
    return table


def day_features(con: duckdb.DuckDBPyConnection, day: dt.date, case_id: int | None = None) -> pa.Table:
    """The features of every delinquent case on ``day`` (no target): what drift is measured on; with ``case_id``,
    that case's row only (none when it was not delinquent that day)."""
    sql = _case_days("SELECT CAST($day AS DATE) AS day")
    params: dict = {"day": day}
    if case_id is not None:
        sql = f"SELECT * FROM ({sql}) WHERE case_id = $case"
        params["case"] = case_id
    return con.sql(sql + " ORDER BY case_id", params=params).to_arrow_table()
