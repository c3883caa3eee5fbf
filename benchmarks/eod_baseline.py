"""Hand-written single-query DuckDB baselines of the end-of-day account step, read straight from a snapshot's
Parquet files (``benchmarks/eod.py`` times them against the engine's account stage).

``ACCOUNT_STEP`` computes what the engine's account stage computes (``_Run.accounts`` in
``concord/eod/engine.py``): every row and column of ``account_state`` (plus the product ``kind`` the stage also
keeps) — today's payments through the product's waterfall, their principal and interest parts to the oldest
instalments first, the penalty per overdue instalment, late fees, the total cost cap, accrual, DPD, bucket, balances
and status. ``concord/eod/tests/test_baseline.py`` checks it equals the engine's output column for column.
``DPD_AND_PENALTY`` is the earlier, partial baseline: the oldest overdue due date and the raw penalty per account.

Money is integer fen throughout; ``//`` on non-negative integers is exact (DuckDB truncates toward zero, which
is the floor here), so ``(x + 500000) // 1000000`` is ``x / 10⁶`` rounded half-up.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

ACCOUNT_STEP = """
WITH
product AS (  -- the waterfall as positions: a component is paid before those with a higher one
    SELECT product_id, kind, penalty_daily_rate_e6, compound_on_interest, grace_days, late_fee_fen,
           total_cost_cap_rate_e4,
           list_position(string_split(waterfall, ','), 'fees') AS pos_fees,
           list_position(string_split(waterfall, ','), 'penalty') AS pos_penalty,
           list_position(string_split(waterfall, ','), 'interest') AS pos_interest,
           list_position(string_split(waterfall, ','), 'principal') AS pos_principal
    FROM {products}),
today AS (  -- the payments not yet in the balances
    SELECT account_id, sum(amount_fen)::BIGINT AS amount
    FROM {payments}
    WHERE NOT posted AND NOT reversed AND paid_on <= {as_of}
    GROUP BY account_id),
paid AS (  -- of open and settled accounts: each component takes what those before it left, up to its balance
    SELECT account_id, amount,
           greatest(least(amount - (CASE WHEN pos_penalty < pos_fees THEN penalty_balance_fen ELSE 0 END
                                    + CASE WHEN pos_interest < pos_fees THEN interest_balance_fen ELSE 0 END
                                    + CASE WHEN pos_principal < pos_fees THEN principal_balance_fen ELSE 0 END),
                          fees_balance_fen), 0) AS paid_fees_fen,
           greatest(least(amount - (CASE WHEN pos_fees < pos_penalty THEN fees_balance_fen ELSE 0 END
                                    + CASE WHEN pos_interest < pos_penalty THEN interest_balance_fen ELSE 0 END
                                    + CASE WHEN pos_principal < pos_penalty THEN principal_balance_fen ELSE 0 END),
                          penalty_balance_fen), 0) AS paid_penalty_fen,
           greatest(least(amount - (CASE WHEN pos_fees < pos_interest THEN fees_balance_fen ELSE 0 END
                                    + CASE WHEN pos_penalty < pos_interest THEN penalty_balance_fen ELSE 0 END
                                    + CASE WHEN pos_principal < pos_interest THEN principal_balance_fen ELSE 0 END),
                          interest_balance_fen), 0) AS paid_interest_fen,
           greatest(least(amount - (CASE WHEN pos_fees < pos_principal THEN fees_balance_fen ELSE 0 END
                                    + CASE WHEN pos_penalty < pos_principal THEN penalty_balance_fen ELSE 0 END
                                    + CASE WHEN pos_interest < pos_principal THEN interest_balance_fen ELSE 0 END),
                          principal_balance_fen), 0) AS paid_principal_fen
    FROM today JOIN {accounts} USING (account_id) JOIN product USING (product_id)
    WHERE status IN ('open', 'settled')),
rate AS (  -- per account: its product's penalty terms, and whether today's payment reaches its instalments
    SELECT a.account_id, p.penalty_daily_rate_e6, p.compound_on_interest, p.grace_days,
           coalesce(x.paid_principal_fen > 0 OR x.paid_interest_fen > 0, false) AS payer
    FROM {accounts} a JOIN product p USING (product_id) LEFT JOIN paid x USING (account_id)),
repaid AS (  -- the payers' principal and interest parts, to their oldest unpaid instalments first
    SELECT account_id, due_date, principal_due_fen, interest_due_fen,
           principal_paid_fen + greatest(least(paid_principal_fen - (sum(pu) OVER w - pu), pu), 0)::BIGINT
               AS principal_paid_fen,
           interest_paid_fen + greatest(least(paid_interest_fen - (sum(iu) OVER w - iu), iu), 0)::BIGINT
               AS interest_paid_fen
    FROM (SELECT i.*, greatest(i.principal_due_fen - i.principal_paid_fen, 0) AS pu,
                 greatest(i.interest_due_fen - i.interest_paid_fen, 0) AS iu,
                 p.paid_principal_fen, p.paid_interest_fen
          FROM {instalments} i JOIN paid p USING (account_id)
          WHERE p.paid_principal_fen > 0 OR p.paid_interest_fen > 0)
    WINDOW w AS (PARTITION BY account_id ORDER BY number)),
instalment AS (  -- every instalment after today's payments (only the payers' change), with its penalty terms
    SELECT account_id, due_date, principal_due_fen, interest_due_fen, principal_paid_fen, interest_paid_fen,
           penalty_daily_rate_e6, compound_on_interest, grace_days
    FROM {instalments} JOIN rate USING (account_id)
    WHERE NOT payer
    UNION ALL
    SELECT account_id, due_date, principal_due_fen, interest_due_fen, principal_paid_fen, interest_paid_fen,
           penalty_daily_rate_e6, compound_on_interest, grace_days
    FROM repaid JOIN rate USING (account_id)),
per_account AS (  -- penalty: half-up(unpaid base × daily rate × days) per instalment overdue beyond grace
    SELECT account_id,
           sum(CASE WHEN overdue THEN (base * penalty_daily_rate_e6 * days + 500000) // 1000000 ELSE 0 END)::BIGINT
               AS penalty_raw,
           count(*) FILTER (WHERE overdue) AS fee_count,
           min(due_date) FILTER (WHERE unpaid AND days > 0) AS oldest_due
    FROM (SELECT account_id, due_date, days, penalty_daily_rate_e6, unpaid, unpaid AND days > grace_days AS overdue,
                 greatest(principal_due_fen - principal_paid_fen, 0)
                 + CASE WHEN compound_on_interest THEN greatest(interest_due_fen - interest_paid_fen, 0) ELSE 0 END
                     AS base
          FROM (SELECT *, {as_of} - due_date AS days,
                       principal_due_fen > principal_paid_fen OR interest_due_fen > interest_paid_fen AS unpaid
                FROM instalment))
    GROUP BY account_id),
account AS (  -- (DuckDB lets a select list reuse its earlier aliases: penalty_raw, fees_raw)
    SELECT a.*, p.kind, coalesce(g.penalty_raw, 0) AS penalty_raw,
           p.late_fee_fen * coalesce(g.fee_count, 0) AS fees_raw,
           coalesce({as_of} - g.oldest_due, 0) AS dpd,
           coalesce(x.paid_fees_fen, 0) AS paid_fees_fen, coalesce(x.paid_penalty_fen, 0) AS paid_penalty_fen,
           coalesce(x.paid_interest_fen, 0) AS paid_interest_fen,
           coalesce(x.paid_principal_fen, 0) AS paid_principal_fen,
           coalesce(x.amount - x.paid_fees_fen - x.paid_penalty_fen - x.paid_interest_fen - x.paid_principal_fen, 0)
               AS remainder,
           -- over the cost cap (half-up of contract × annual rate e4 × days / 365·10⁴); null: the product has none
           a.interest_charged_fen + penalty_raw + fees_raw
               - (a.contract_amount_fen * p.total_cost_cap_rate_e4 * ({as_of} - a.start_date) + 1825000) // 3650000
               AS excess
    FROM {accounts} a JOIN product p USING (product_id)
    LEFT JOIN per_account g USING (account_id) LEFT JOIN paid x USING (account_id)),
accrued AS (  -- the cap cuts the penalty first, then the fees; an accrual never decreases (open and settled only)
    SELECT *,
           CASE WHEN status NOT IN ('open', 'settled') THEN penalty_accrued_fen
                ELSE greatest(penalty_raw - CASE WHEN excess > 0 THEN least(penalty_raw, excess) ELSE 0 END,
                              penalty_accrued_fen) END AS penalty_accrued,
           CASE WHEN status NOT IN ('open', 'settled') THEN fees_accrued_fen
                ELSE greatest(fees_raw - CASE WHEN excess > 0 THEN least(fees_raw, greatest(excess - penalty_raw, 0))
                                              ELSE 0 END,
                              fees_accrued_fen) END AS fees_accrued
    FROM account),
balance AS (
    SELECT account_id, case_id, dpd,
           ['M0', 'M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7+'][least((dpd + 29) // 30, 7) + 1] AS bucket, prev_bucket,
           principal_balance_fen - paid_principal_fen AS principal_balance_fen,
           interest_balance_fen - paid_interest_fen AS interest_balance_fen,
           penalty_balance_fen - paid_penalty_fen + penalty_accrued - penalty_accrued_fen AS penalty_balance_fen,
           fees_balance_fen - paid_fees_fen + fees_accrued - fees_accrued_fen AS fees_balance_fen,
           credit_balance_fen + remainder AS credit_balance_fen,
           penalty_accrued AS penalty_accrued_fen, fees_accrued AS fees_accrued_fen,
           paid_fees_fen, paid_penalty_fen, paid_interest_fen, paid_principal_fen, status, kind
    FROM accrued)
SELECT account_id, case_id, dpd, bucket, prev_bucket, principal_balance_fen, interest_balance_fen,
       penalty_balance_fen, fees_balance_fen, credit_balance_fen,
       principal_balance_fen + interest_balance_fen + penalty_balance_fen + fees_balance_fen AS total_balance_fen,
       penalty_accrued_fen, fees_accrued_fen, paid_fees_fen, paid_penalty_fen, paid_interest_fen, paid_principal_fen,
       CASE WHEN status = 'open' AND total_balance_fen = 0 THEN 'settled'
            WHEN status = 'settled' AND total_balance_fen > 0 THEN 'open'
            ELSE status END AS status,
       kind
FROM balance
"""

DPD_AND_PENALTY = """
SELECT i.account_id,
       COALESCE(MIN(i.due_date) FILTER (WHERE (i.principal_due_fen > i.principal_paid_fen OR
                i.interest_due_fen > i.interest_paid_fen) AND i.due_date < {as_of}), NULL) AS oldest,
       SUM(CASE WHEN ({as_of} - i.due_date) > p.grace_days AND
                     (i.principal_due_fen > i.principal_paid_fen OR i.interest_due_fen > i.interest_paid_fen)
                THEN ((i.principal_due_fen - i.principal_paid_fen) * p.penalty_daily_rate_e6 *
                      ({as_of} - i.due_date) + 500000) // 1000000 ELSE 0 END) AS penalty
FROM {instalments} i
JOIN {accounts} a USING (account_id)
JOIN {products} p USING (product_id)
GROUP BY i.account_id
"""

TABLES = ("products", "accounts", "instalments", "payments")


def scan(path: Path) -> str:
    return f"read_parquet('{path if path.is_file() else path / '**' / '*.parquet'}')"


def sql(query: str, files: dict[str, Path], as_of: dt.date) -> str:
    """``query`` over the snapshot files (``validate.snapshot_files``) for ``as_of``."""
    return query.format(as_of=f"DATE '{as_of.isoformat()}'", **{name: scan(files[name]) for name in TABLES})


def connect():
    """A DuckDB connection with the engine's settings that matter here (every core, rows in no particular order)."""
    import duckdb

    con = duckdb.connect(config={"threads": os.cpu_count() or 1, "preserve_insertion_order": False})
    con.execute("SET enable_progress_bar = false")
    return con
