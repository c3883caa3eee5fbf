"""A Polars peer of the end-of-day account stage, written from ``docs/eod.md`` (lazy API, streaming engine).

``benchmarks/eod.py`` times it beside the engine's account stage and the hand-written DuckDB baseline, on the same
snapshot files in the same process; ``concord/eod/tests/test_polars_peer.py`` checks that its rows equal the
engine's ``account_state`` in all 18 columns on synthetic books varied to exercise every rule. It is what a user
choosing a batch tool would write: one lazy query over the Parquet files, collected by the streaming engine.

The account stage, as docs/eod.md states it: today's unposted, unreversed payments (``paid_on ≤ as_of``) summed per
open or settled account and split by the product's waterfall; their principal and interest parts pay the oldest
instalments first; penalty interest per unsettled instalment more than ``grace_days`` late (unpaid principal,
plus unpaid interest where the product compounds, × daily rate × days, half-up to the fen per instalment); a late
fee per such instalment; the annual cost cap over interest charged + penalty + fees, cutting the penalty first; an
accrual never decreases; recalled and written-off accounts take no payment and accrue nothing; DPD from the oldest
unsettled instalment due before the as-of date; its bucket (``delinquency.bucket``, through its bounds); balances,
total and status open ↔ settled. Money is integer fen; ``//`` of non-negative integers is exact.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from concord.loans.allocation import COMPONENTS
from concord.loans.delinquency import bucket_bounds

EPOCH = dt.date(1970, 1, 1)
COLUMNS = ("account_id", "case_id", "dpd", "bucket", "prev_bucket", "principal_balance_fen", "interest_balance_fen",
           "penalty_balance_fen", "fees_balance_fen", "credit_balance_fen", "total_balance_fen",
           "penalty_accrued_fen", "fees_accrued_fen", "paid_fees_fen", "paid_penalty_fen", "paid_interest_fen",
           "paid_principal_fen", "status")


def _scan(path: Path) -> pl.LazyFrame:
    path = Path(path)
    return pl.scan_parquet(path if path.is_file() else path / "**" / "*.parquet")


def _days(col: str) -> pl.Expr:
    return pl.col(col).cast(pl.Int32).cast(pl.Int64)


def _bucket(dpd: pl.Expr) -> pl.Expr:
    *bounded, (_none, last) = bucket_bounds()
    expr = pl.lit(last)
    for high, name in reversed(bounded):
        expr = pl.when(dpd <= high).then(pl.lit(name)).otherwise(expr)
    return expr


def account_stage(files: dict, as_of: dt.date) -> pl.LazyFrame:
    """The account stage as one lazy query over the snapshot files (``validate.snapshot_files``)."""
    AS = (as_of - EPOCH).days
    products = _scan(files["products"]).with_columns(
        [pl.col("waterfall").str.split(",").list.eval(pl.element() == c).list.arg_max().alias(f"pos_{c}")
         for c in COMPONENTS])
    accounts = _scan(files["accounts"]).with_columns(_days("start_date").alias("start"))
    payments = _scan(files["payments"])
    instalments = _scan(files["instalments"]).select(
        "account_id", "number", _days("due_date").alias("due"), "principal_due_fen", "interest_due_fen",
        "principal_paid_fen", "interest_paid_fen")

    today = (payments.filter(~pl.col("posted") & ~pl.col("reversed") & (_days("paid_on") <= AS))
             .group_by("account_id").agg(pl.col("amount_fen").sum().alias("amount")))
    paid = (today.join(accounts.filter(pl.col("status").is_in(["open", "settled"])), on="account_id")
            .join(products, on="product_id"))
    parts = []
    for c in COMPONENTS:  # each component takes what those before it in the waterfall left, up to its balance
        before = pl.sum_horizontal([pl.when(pl.col(f"pos_{d}") < pl.col(f"pos_{c}"))
                                    .then(pl.col(f"{d}_balance_fen")).otherwise(0) for d in COMPONENTS if d != c])
        parts.append((pl.col("amount") - before).clip(0, pl.col(f"{c}_balance_fen")).alias(f"paid_{c}_fen"))
    paid = paid.select("account_id", "amount", *parts).with_columns(
        (pl.col("amount") - pl.sum_horizontal([pl.col(f"paid_{c}_fen") for c in COMPONENTS])).alias("remainder"))
    paid = paid.select("account_id", "remainder", *[f"paid_{c}_fen" for c in COMPONENTS])
    payers = paid.filter((pl.col("paid_principal_fen") > 0) | (pl.col("paid_interest_fen") > 0)).select(
        "account_id", "paid_principal_fen", "paid_interest_fen")

    terms = accounts.join(products, on="product_id").select(
        "account_id", "penalty_daily_rate_e6", "compound_on_interest", "grace_days")
    # the payers' instalments: principal and interest parts to the oldest unpaid instalments first
    pu = (pl.col("principal_due_fen") - pl.col("principal_paid_fen")).clip(0)
    iu = (pl.col("interest_due_fen") - pl.col("interest_paid_fen")).clip(0)
    repaid = (instalments.join(payers, on="account_id").sort("account_id", "number")
              .with_columns(pu.alias("pu"), iu.alias("iu"))
              .with_columns((pl.col("pu").cum_sum().over("account_id") - pl.col("pu")).alias("pu_before"),
                            (pl.col("iu").cum_sum().over("account_id") - pl.col("iu")).alias("iu_before"))
              .with_columns(
                  (pl.col("principal_paid_fen")
                   + (pl.col("paid_principal_fen") - pl.col("pu_before")).clip(0, pl.col("pu")))
                  .alias("principal_paid_fen"),
                  (pl.col("interest_paid_fen")
                   + (pl.col("paid_interest_fen") - pl.col("iu_before")).clip(0, pl.col("iu")))
                  .alias("interest_paid_fen"))
              .select(instalments.collect_schema().names()))
    rest = instalments.join(payers.select("account_id"), on="account_id", how="anti")
    inst = pl.concat([rest, repaid]).join(terms, on="account_id")
    days = pl.lit(AS, pl.Int64) - pl.col("due")
    unpaid = (pl.col("principal_due_fen") > pl.col("principal_paid_fen")) | (
        pl.col("interest_due_fen") > pl.col("interest_paid_fen"))
    overdue = unpaid & (days > pl.col("grace_days"))
    base = pu + pl.when(pl.col("compound_on_interest")).then(iu).otherwise(0)
    per = inst.group_by("account_id").agg(
        pl.when(overdue).then((base * pl.col("penalty_daily_rate_e6") * days + 500_000) // 1_000_000)
        .otherwise(0).sum().alias("penalty_raw"),
        overdue.sum().cast(pl.Int64).alias("fee_count"),
        pl.col("due").filter(unpaid & (days > 0)).min().alias("oldest_due"))

    a = (accounts.join(products.select("product_id", "late_fee_fen", "total_cost_cap_rate_e4"), on="product_id")
         .join(per, on="account_id", how="left").join(paid, on="account_id", how="left")
         .with_columns(pl.col("penalty_raw", "fee_count", "remainder", *[f"paid_{c}_fen" for c in COMPONENTS])
                       .fill_null(0)))
    fees_raw = pl.col("late_fee_fen") * pl.col("fee_count")
    cap = (pl.col("contract_amount_fen") * pl.col("total_cost_cap_rate_e4") * (AS - pl.col("start"))
           + 1_825_000) // 3_650_000
    excess = (pl.col("interest_charged_fen") + pl.col("penalty_raw") + fees_raw - cap).fill_null(0)  # no cap: 0
    pcut = pl.when(excess > 0).then(pl.min_horizontal(pl.col("penalty_raw"), excess)).otherwise(0)
    fcut = pl.when(excess > 0).then(pl.min_horizontal(fees_raw, excess - pcut)).otherwise(0)
    active = pl.col("status").is_in(["open", "settled"])
    a = a.with_columns(
        pl.when(active).then(pl.max_horizontal(pl.col("penalty_raw") - pcut, pl.col("penalty_accrued_fen")))
        .otherwise(pl.col("penalty_accrued_fen")).alias("pen_acc"),
        pl.when(active).then(pl.max_horizontal(fees_raw - fcut, pl.col("fees_accrued_fen")))
        .otherwise(pl.col("fees_accrued_fen")).alias("fee_acc"),
        (pl.lit(AS, pl.Int64) - pl.col("oldest_due")).fill_null(0).alias("dpd"))
    a = a.with_columns(
        _bucket(pl.col("dpd")).alias("bucket"),
        (pl.col("principal_balance_fen") - pl.col("paid_principal_fen")).alias("principal_balance_fen"),
        (pl.col("interest_balance_fen") - pl.col("paid_interest_fen")).alias("interest_balance_fen"),
        (pl.col("penalty_balance_fen") - pl.col("paid_penalty_fen") + pl.col("pen_acc")
         - pl.col("penalty_accrued_fen")).alias("penalty_balance_fen"),
        (pl.col("fees_balance_fen") - pl.col("paid_fees_fen") + pl.col("fee_acc")
         - pl.col("fees_accrued_fen")).alias("fees_balance_fen"),
        (pl.col("credit_balance_fen") + pl.col("remainder")).alias("credit_balance_fen"),
        pl.col("pen_acc").alias("penalty_accrued_fen"), pl.col("fee_acc").alias("fees_accrued_fen"))
    total = pl.sum_horizontal([pl.col(f"{c}_balance_fen") for c in ("principal", "interest", "penalty", "fees")])
    a = a.with_columns(total.alias("total_balance_fen")).with_columns(
        pl.when((pl.col("status") == "open") & (pl.col("total_balance_fen") == 0)).then(pl.lit("settled"))
        .when((pl.col("status") == "settled") & (pl.col("total_balance_fen") > 0)).then(pl.lit("open"))
        .otherwise(pl.col("status")).alias("status"))
    return a.select(*COLUMNS)


def run(files: dict, as_of: dt.date) -> pl.DataFrame:
    """The account stage collected by the streaming engine (rows in no particular order)."""
    return account_stage(files, as_of).collect(engine="streaming")
