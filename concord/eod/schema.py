"""Snapshot and result table schemas of the end-of-day engine. Pure: no Django import.

Every money column is an ``int64`` number of fen (suffix ``_fen``); every rate is an ``int64`` in fixed units
(suffix ``_e6`` = millionths, ``_e4`` = ten-thousandths), so no float ever holds money or a rate. Dates are
Arrow ``date32``. ``docs/eod.md`` describes each column.
"""
from __future__ import annotations

import pyarrow as pa

I64, I32, STR, BOOL, DATE, TS = pa.int64(), pa.int32(), pa.string(), pa.bool_(), pa.date32(), pa.timestamp("us", tz="UTC")

# name -> (schema, required). Optional tables may be absent: an empty table (or a shipped default) is used.
INPUT_TABLES: dict[str, tuple[pa.Schema, bool]] = {
    "creditors": (pa.schema([("creditor_id", I64), ("policy_pack", STR)]), True),
    "products": (pa.schema([
        ("product_id", I64), ("creditor_id", I64), ("kind", STR),
        ("penalty_daily_rate_e6", I64), ("compound_on_interest", BOOL), ("grace_days", I32),
        ("late_fee_fen", I64), ("total_cost_cap_rate_e4", I64),  # null: no cap
        ("waterfall", STR),  # e.g. "fees,penalty,interest,principal"
        ("promise_grace_days", I32),
    ]), True),
    "persons": (pa.schema([("person_id", I64), ("time_zone", STR), ("deceased", BOOL)]), True),
    "cases": (pa.schema([
        ("case_id", I64), ("creditor_id", I64), ("person_id", I64), ("status", STR),
        ("team_id", I64), ("collector_id", I64), ("assigned_on", DATE),  # nulls: unassigned
    ]), True),
    "accounts": (pa.schema([
        ("account_id", I64), ("case_id", I64), ("product_id", I64), ("status", STR),
        ("start_date", DATE), ("contract_amount_fen", I64),
        ("principal_balance_fen", I64), ("interest_balance_fen", I64), ("penalty_balance_fen", I64),
        ("fees_balance_fen", I64), ("credit_balance_fen", I64), ("interest_charged_fen", I64),
        ("penalty_accrued_fen", I64), ("fees_accrued_fen", I64),
        ("prev_bucket", STR),  # bucket after the previous run (M0 … M7+)
    ]), True),
    "instalments": (pa.schema([
        ("account_id", I64), ("number", I32), ("due_date", DATE),
        ("principal_due_fen", I64), ("interest_due_fen", I64), ("principal_paid_fen", I64),
        ("interest_paid_fen", I64),
    ]), True),
    "payments": (pa.schema([
        ("payment_id", I64), ("account_id", I64), ("amount_fen", I64), ("paid_on", DATE),
        ("posted", BOOL),  # true: already in the balances and instalments of the snapshot
        ("reversed", BOOL),
    ]), True),
    "promises": (pa.schema([
        ("promise_id", I64), ("case_id", I64), ("amount_fen", I64), ("promised_on", DATE), ("due_date", DATE),
    ]), False),
    "arrangement_instalments": (pa.schema([
        ("arrangement_id", I64), ("case_id", I64), ("number", I32), ("due_date", DATE), ("amount_fen", I64),
        ("paid_fen", I64), ("grace_days", I32),
    ]), False),
    "teams": (pa.schema([("team_id", I64), ("buckets", STR), ("skills", STR)]), True),
    "collectors": (pa.schema([
        ("collector_id", I64), ("team_id", I64), ("capacity", I64), ("skills", STR), ("active", BOOL),
    ]), True),
    "holds": (pa.schema([("person_id", I64), ("kind", STR), ("starts_on", DATE), ("ends_on", DATE)]), False),
    # what the allocation rules (``eod.allocrules``) read beyond the case: the case's first product, its placement,
    # the debtor's region and language, whether it is in the legal track ("none" / "active")
    "case_facts": (pa.schema([
        ("case_id", I64), ("product_id", I64), ("placement_id", I64), ("province", STR), ("city", STR),
        ("language", STR), ("legal", STR),
    ]), False),
    # past assignments that ended recently: a case never goes back to a collector who held it in a rule's days
    "holders": (pa.schema([("case_id", I64), ("collector_id", I64), ("ended_on", DATE)]), False),
    "collector_limits": (pa.schema([("collector_id", I64), ("balance_capacity_fen", I64)]), False),
    "contacts": (pa.schema([
        ("person_id", I64), ("contact_on", DATE), ("channel", STR), ("outcome", STR),
    ]), False),
    "scorecard": (pa.schema([
        ("characteristic", STR), ("lower", I64), ("upper", I64), ("points", I64),  # lower ≤ x < upper; null: open
    ]), False),
    # the champion/challenger arm of each case in a running experiment (concord.strategy): arm n > 0 applies the
    # strategy rows whose rule_order lies in [n * rules.ARM_OFFSET, (n + 1) * rules.ARM_OFFSET)
    "strategy_arms": (pa.schema([("case_id", I64), ("arm", I32)]), False),
    "strategy": (pa.schema([
        ("rule_order", I32), ("segment", STR), ("treatment", STR), ("channel", STR), ("priority", I64),
        ("skill", STR), ("buckets", STR), ("min_balance_fen", I64), ("max_balance_fen", I64),
        ("min_score", I64), ("max_score", I64), ("product_kind", STR), ("promise_state", STR), ("held", BOOL),
        ("arrangement", BOOL), ("legal_status", STR),  # none / active / closed (case_facts.legal); null: any
        # the rule's treatment: its path as text ("0:sms,2:call"; null: none) and preferred local hours [from, to)
        ("path", STR), ("hours_from", I32), ("hours_to", I32),
    ]), False),
    # each case's segment after the previous run and the date it entered it (absent: every case enters today)
    "case_segments": (pa.schema([("case_id", I64), ("segment", STR), ("segment_since", DATE)]), False),
}

NON_NEGATIVE = {
    "products": ["penalty_daily_rate_e6", "grace_days", "late_fee_fen", "total_cost_cap_rate_e4",
                 "promise_grace_days"],
    "accounts": ["contract_amount_fen", "principal_balance_fen", "interest_balance_fen", "penalty_balance_fen",
                 "fees_balance_fen", "credit_balance_fen", "interest_charged_fen", "penalty_accrued_fen",
                 "fees_accrued_fen"],
    "instalments": ["principal_due_fen", "interest_due_fen", "principal_paid_fen", "interest_paid_fen"],
    "payments": ["amount_fen"],
    "promises": ["amount_fen"],
    "arrangement_instalments": ["amount_fen", "paid_fen", "grace_days"],
    "collectors": ["capacity"],
}
NOT_NULL = {
    "creditors": ["creditor_id", "policy_pack"],
    "products": ["product_id", "creditor_id", "penalty_daily_rate_e6", "compound_on_interest", "grace_days",
                 "late_fee_fen", "waterfall", "promise_grace_days"],
    "persons": ["person_id"],
    "cases": ["case_id", "creditor_id", "person_id", "status"],
    "accounts": [c for c in INPUT_TABLES["accounts"][0].names],
    "instalments": [c for c in INPUT_TABLES["instalments"][0].names],
    "payments": [c for c in INPUT_TABLES["payments"][0].names],
    "promises": [c for c in INPUT_TABLES["promises"][0].names],
    "arrangement_instalments": [c for c in INPUT_TABLES["arrangement_instalments"][0].names],
    "teams": ["team_id"],
    "collectors": ["collector_id", "team_id", "capacity", "active"],
    "holds": ["person_id", "kind", "starts_on"],
    "contacts": ["person_id", "contact_on", "channel", "outcome"],
    "scorecard": ["characteristic", "points"],
    "strategy": ["rule_order", "segment", "treatment", "channel", "priority"],
    "case_segments": ["case_id", "segment", "segment_since"],
}
UNIQUE = {"creditors": ["creditor_id"], "products": ["product_id"], "persons": ["person_id"], "cases": ["case_id"],
          "accounts": ["account_id"], "instalments": ["account_id", "number"], "payments": ["payment_id"],
          "promises": ["promise_id"], "teams": ["team_id"], "collectors": ["collector_id"],
          "case_segments": ["case_id"]}

# Limits that keep integer fen arithmetic exact in int64 (and in a float64 quotient below 2**53):
MAX_FEN = 10**10           # ¥100 000 000 per amount
MAX_DAYS = 36_500          # from contract start to the as-of date
MAX_PENALTY_RATE_E6 = 10_000  # 1% a day
MAX_CAP_RATE_E4 = 10_000   # 100% a year

OUTPUT_TABLES: dict[str, pa.Schema] = {
    "account_state": pa.schema([
        ("account_id", I64), ("case_id", I64), ("dpd", I64), ("bucket", STR), ("prev_bucket", STR),
        ("principal_balance_fen", I64), ("interest_balance_fen", I64), ("penalty_balance_fen", I64),
        ("fees_balance_fen", I64), ("credit_balance_fen", I64), ("total_balance_fen", I64),
        ("penalty_accrued_fen", I64), ("fees_accrued_fen", I64), ("paid_fees_fen", I64),
        ("paid_penalty_fen", I64), ("paid_interest_fen", I64), ("paid_principal_fen", I64),
        ("status", STR),
    ]),
    "instalment_state": pa.schema([
        ("account_id", I64), ("number", I64), ("due_date", DATE), ("principal_paid_fen", I64),
        ("interest_paid_fen", I64), ("settled", BOOL),
    ]),
    "promise_state": pa.schema([
        ("promise_id", I64), ("case_id", I64), ("amount_fen", I64), ("paid_fen", I64), ("state", STR),
    ]),
    "arrangement_state": pa.schema([
        ("arrangement_id", I64), ("case_id", I64), ("number", I64), ("state", STR), ("arrangement_broken", BOOL),
    ]),
    "case_state": pa.schema([
        ("case_id", I64), ("person_id", I64), ("creditor_id", I64), ("max_dpd", I64), ("bucket", STR),
        ("total_balance_fen", I64), ("score", I64), ("segment", STR), ("treatment", STR), ("channel", STR),
        ("priority", I64), ("held", BOOL), ("promise_state", STR), ("arrangement", BOOL),
        ("segment_since", DATE),  # the as-of date of the run in which the case entered its segment
        ("path_action", STR),     # what the rule's path asks for on the queue day (null: no path, or nothing)
    ]),
    "assignments": pa.schema([
        ("case_id", I64), ("team_id", I64), ("collector_id", I64), ("prev_team_id", I64),
        ("prev_collector_id", I64), ("moved", BOOL), ("reason", STR),
    ]),
    "contact_queue": pa.schema([
        ("collector_id", I64), ("position", I64), ("case_id", I64), ("person_id", I64), ("channel", STR),
        ("priority", I64), ("earliest_at", TS),
    ]),
    "roll_rates": pa.schema([
        ("from_bucket", STR), ("to_bucket", STR), ("accounts", I64), ("balance_fen", I64), ("rate_bp", I64),
    ]),
}

# The order in which each output is sorted when it is returned as Arrow (identical rows, identical order, on every
# backend); the Parquet files of a run with ``out`` hold the same rows in no particular order.
OUTPUT_ORDER = {
    "account_state": ["account_id"], "instalment_state": ["account_id", "number"], "promise_state": ["promise_id"],
    "arrangement_state": ["arrangement_id", "number"], "case_state": ["case_id"], "assignments": ["case_id"],
    "contact_queue": ["collector_id", "position"], "roll_rates": ["from_bucket", "to_bucket"],
}


def input_table(name: str, rows: list) -> pa.Table:
    """Rows (tuples in the columns' order) as the engine's input table ``name`` (its schema in ``INPUT_TABLES``)."""
    sch = INPUT_TABLES[name][0]
    cols = list(zip(*rows)) if rows else [[] for _ in sch.names]
    return pa.Table.from_arrays([pa.array(list(c), t) for c, t in zip(cols, sch.types)], schema=sch)
