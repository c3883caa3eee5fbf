"""The end-of-day run (日终) as Ibis expressions, executed on DuckDB or PySpark. Pure: no Django import.

Stages (each materialised and timed): accounts → promises → arrangements → cases → allocation → queue →
roll rates. The account step agrees to the fen with ``concord.loans`` (allocation waterfall, penalty interest,
late fees, cost cap, DPD, bucket): integer fen, explicit half-up rounding, no float holds money.
``docs/eod.md`` describes every input and output.
"""
from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import ibis
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from concord.loans.allocation import COMPONENTS
from concord.loans.delinquency import BUCKETS, bucket_bounds
from concord.loans.summary import ACTIVE_CASE_STATUSES

from . import allocrules, rules, schema
from .backend import Backend
from .validate import SMALL_TABLES, open_snapshot, snapshot_files

EPOCH = dt.date(1970, 1, 1)
ACTIVE_CASE = ACTIVE_CASE_STATUSES
BUCKET_INDEX = {b: i for i, b in enumerate(BUCKETS)}


@dataclass(frozen=True)
class Params:
    rotation_days: int = 90        # a collector keeps a case at most this long, then it is rotated
    score_payment_days: int = 90
    score_contact_days: int = 30
    #: the allocation rule set (``{"version": n, "rules": [...]}`` as JSON, ``eod.allocrules``); None: the teams'
    #: buckets and skills route cases (the built-in allocation below)
    allocation_rules: str | None = None
    #: the live strategy's (the champion's) contact budget per person, ``(daily_max, window_days, window_max)``
    #: (None: no limit of its own); it binds the people with an active case outside every challenger arm
    strategy_budget: tuple[int | None, int | None, int | None] | None = None
    #: a running experiment's challenger budgets, ``((arm, daily_max, window_days, window_max), ...)``: arm ``n``'s
    #: binds the people with an active case in arm ``n`` (an arm not listed has none of its own). A person gets no
    #: more than the lowest of their packs' budgets and the budgets of the arms of their active cases (the strictest)
    challenger_budgets: tuple[tuple[int, int | None, int | None, int | None], ...] = ()


@dataclass
class RunResult:
    as_of: dt.date
    engine: str
    tables: dict[str, pa.Table]  # the result tables (empty when the run wrote them to Parquet: see ``files``)
    summary: dict
    timings: dict[str, float] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)

    def write(self, directory: str | Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        for name, table in self.tables.items():
            pq.write_table(table, directory / f"{name}.parquet")
        _write_summary(self.summary, directory)


def _write_summary(summary: dict, directory: Path) -> None:
    (directory / "summary.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False), encoding="utf-8")


def day(d: dt.date) -> int:
    return (d - EPOCH).days


def full_instalments_on(as_of: dt.date) -> bool:
    """The schedule of full instalment states: the last day of each month (every other day writes the changes)."""
    return (as_of + dt.timedelta(days=1)).month != as_of.month


def div_floor(num, den: int):
    """``num // den`` for a non-negative int64 ``num``: exact on every backend (the quotient of an exact
    multiple is rounded, never floored from a float)."""
    r = num % den
    return ((num - r) / den).round().cast("int64")


def div_half_up(num, den: int):
    """``num / den`` rounded half-up to an integer, for non-negative ``num``: ⌊(num + den/2) / den⌋ for an even
    ``den`` (``num`` is written out twice in the expression instead of four times)."""
    if den % 2 == 0:
        return div_floor(num + den // 2, den)
    r = num % den
    return div_floor(num, den) + ibis.ifelse(r * 2 >= den, 1, 0).cast("int64")


def clamp(x, lo, hi):
    return ibis.greatest(ibis.least(x, hi), lo)


def bucket_of(dpd):
    """The ledger's bucket rule (``delinquency.bucket``), compiled into a CASE over its bounds."""
    *bounded, (_none, last) = bucket_bounds()
    return ibis.cases(*[(dpd <= high, ibis.literal(name)) for high, name in bounded], else_=ibis.literal(last))


def run(snapshot: dict[str, pa.Table] | str | Path, as_of: dt.date, *, engine: str = "duckdb",
        params: Params = Params(), progress=None, spark=None, threads: int | None = None,
        out: str | Path | None = None, memory_limit: str | None = None, instalments: str = "auto") -> RunResult:
    """Validate ``snapshot`` and run every stage for ``as_of``; ``progress(stage, seconds)`` is called after
    each stage. Raises ``SnapshotError`` before any computation when the snapshot is refused.

    ``snapshot`` is a mapping ``table -> pyarrow.Table`` or a snapshot directory (``<table>.parquet`` files or
    ``<table>/`` datasets), which DuckDB reads itself. Without ``out`` the result tables come back as Arrow tables
    (``RunResult.tables``, each sorted by ``schema.OUTPUT_ORDER``); with ``out`` they are written to
    ``<out>/<table>.parquet`` with ``summary.json`` (on DuckDB by ``COPY``, never held in Python, rows in no
    particular order) and ``RunResult.files`` lists them.

    ``instalments``: what ``instalment_state`` holds — ``"changes"``, only the instalments this run changed (today's
    payments reached them); ``"full"``, every instalment; ``"auto"`` (the default), full at month end
    (:func:`full_instalments_on`), the changes on every other day. Any day's instalments are the last full state
    with each later day's changes applied in order (:func:`concord.eod.history.instalments_on`)."""
    if instalments not in ("auto", "full", "changes"):
        raise ValueError(f"instalments must be auto, full or changes, got {instalments!r}")
    full = full_instalments_on(as_of) if instalments == "auto" else instalments == "full"
    timings: dict[str, float] = {}
    started = time.perf_counter()
    t0 = started

    def tick(stage):
        nonlocal t0
        now = time.perf_counter()
        timings[stage] = round(now - t0, 3)
        t0 = now
        if progress:
            progress(stage, timings[stage])

    sources = snapshot_files(snapshot) if isinstance(snapshot, (str, Path)) else dict(snapshot)
    be = Backend(engine, spark=spark, threads=threads, memory_limit=memory_limit)
    try:
        if engine == "duckdb":
            opened = open_snapshot(be.duck, sources, as_of)
            big = {name: view for name, view in opened.views.items() if name not in SMALL_TABLES}
        else:  # checked by DuckDB over the same sources, then loaded into Spark as Arrow
            import duckdb

            with duckdb.connect() as con:
                opened = open_snapshot(con, sources, as_of)
            big = {name: _read(sources.get(name), schema.INPUT_TABLES[name][0])
                   for name in schema.INPUT_TABLES if name not in SMALL_TABLES}
        small = dict(opened.small)
        if small["scorecard"].num_rows == 0:
            small["scorecard"] = rules.default_scorecard()
        if small["strategy"].num_rows == 0:
            small["strategy"] = rules.default_strategy()
        tick("validate")
        exprs = _Run(be, small, big, as_of, params, tick, full_instalments=full).execute()
        tables: dict[str, pa.Table] = {}
        files: dict[str, Path] = {}
        if out is not None:
            directory = Path(out)
            directory.mkdir(parents=True, exist_ok=True)
            for name, expr in exprs.items():
                files[name] = directory / f"{name}.parquet"
                sch = schema.OUTPUT_TABLES[name]
                if engine == "duckdb":
                    be.copy_to_parquet(expr.select(*sch.names), sch, files[name])
                else:
                    pq.write_table(_finish(name, be.fetch(expr.select(*sch.names))), files[name])
        else:
            for name, expr in exprs.items():
                tables[name] = _finish(name, be.fetch(expr.select(*schema.OUTPUT_TABLES[name].names)))
        tick("write")
        summary = _summary(files or tables, as_of, engine, timings, started, full)
        if out is not None:
            _write_summary(summary, Path(out))
    finally:
        be.close()
    return RunResult(as_of=as_of, engine=engine, tables=tables, summary=summary, timings=timings, files=files)


def _read(source, sch: pa.Schema) -> pa.Table:
    """An input table as Arrow in its exact schema (Spark loads Arrow), read from Parquet when it is a path."""
    if source is None:
        return sch.empty_table()
    table = source if isinstance(source, pa.Table) else pq.read_table(source)
    return pa.Table.from_arrays([table.column(f.name).cast(f.type) for f in sch], schema=sch)


class _Run:
    def __init__(self, be: Backend, data: dict[str, pa.Table], big: dict, as_of: dt.date, params: Params, tick,
                 full_instalments: bool = False):
        """``data``: the small tables as Arrow; ``big``: the others, as Arrow tables or (DuckDB) typed views."""
        self.be, self.data, self.as_of, self.p, self.tick = be, data, as_of, params, tick
        self.full_instalments = full_instalments
        self.AS = day(as_of)
        self.QD = self.AS + 1  # the queue is for the next day
        self.t = {name: be.load(name, _prepare(name, table)) for name, table in data.items()}
        for name, source in big.items():
            sch = schema.INPUT_TABLES[name][0]
            self.t[name] = be.load(name, source) if isinstance(source, pa.Table) else be.view(name, source, sch)
        self.t["budgets"] = be.load("budgets", rules.budgets_table())
        self.t["counted"] = be.load("counted", rules.counted_outcomes_table())
        self.t["hold_kinds"] = be.load("hold_kinds", rules.hold_kinds_table())
        self._scratch: list[ibis.Table] = []

    def scratch(self, expr: ibis.Table) -> ibis.Table:
        """Materialise an intermediate table that only the current stage reads (dropped by :meth:`release`)."""
        table = self.be.materialise(expr)
        self._scratch.append(table)
        return table

    def release(self) -> None:
        """Drop the intermediate tables of the stages done: on DuckDB they would hold memory (or spill) until the
        end of the run."""
        for table in self._scratch:
            self.be.drop(table)
        self._scratch.clear()
        self.t.pop("case_payments", None)
        self.t.pop("case_grace", None)

    def execute(self) -> dict[str, ibis.Table]:
        """Run the stages; return the output expressions (computed when fetched or written)."""
        acc = self.accounts()
        inst = self.instalment_state(self.full_instalments)
        self.release()  # the instalments read for the stage
        self.tick("accounts")
        prom = self.be.materialise(self.promises())
        self.tick("promises")
        arr = self.be.materialise(self.arrangements())
        self.tick("arrangements")
        cases = self.be.materialise(self.cases(acc, prom, arr))
        self.release()  # what the promises, arrangements and cases needed (the outputs do not read it)
        self.tick("cases")
        assign = self.be.materialise(self.allocation(cases))
        self.release()
        self.tick("allocation")
        queue = self.queue(cases, assign)
        self.tick("queue")
        roll = self.roll_rates(acc)
        return {"account_state": acc, "instalment_state": inst, "promise_state": prom, "arrangement_state": arr,
                "case_state": cases, "assignments": assign, "contact_queue": queue, "roll_rates": roll}

    # -- accounts: payments through the waterfall, instalments, accrual, DPD, bucket ------------------------------
    def accounts(self):
        """The account stage: one read of the instalments that can still accrue (due before the as-of date and
        not settled), joined with their account's penalty terms and summed per account; the few accounts paid
        today have their instalments read and repaid (oldest first) on their own. Returns the account state and
        the instalment state (see :meth:`instalment_state`)."""
        t, AS = self.t, self.AS
        pr, acc_all, i0 = t["products"], t["accounts"], t["instalments"]
        paid_today = self._paid_today()
        # principal and interest parts go to the oldest instalments first (loans.services._apply_to_instalments):
        # only the instalments of accounts paid today need running totals (a window over the few of them)
        payers = paid_today.filter((paid_today.paid_interest_fen > 0) | (paid_today.paid_principal_fen > 0))
        payers = payers.select("account_id", "paid_interest_fen", "paid_principal_fen")
        terms = acc_all.join(pr, "product_id").left_join(payers, acc_all.account_id == payers.account_id).select(
            acc_all.account_id, "penalty_daily_rate_e6", "compound_on_interest", "grace_days",
            payer=payers.account_id.notnull(), to_principal=payers.paid_principal_fen.fill_null(0),
            to_interest=payers.paid_interest_fen.fill_null(0))

        def accruing(x):  # unsettled and due before the as-of date: the others add no penalty, no fee, no DPD
            return (x.due_date < AS) & ((x.principal_due_fen > x.principal_paid_fen)
                                        | (x.interest_due_fen > x.interest_paid_fen))

        # ONE read of the instalments: those that accrue, and every instalment of an account paid today (its
        # payment may reach any of them), each with its account's terms
        x = i0.filter(accruing(i0) | i0.account_id.isin(payers.account_id)).join(terms, "account_id")
        x = self.scratch(x)
        ip = x.filter(x.payer)
        # principal and interest parts go to the oldest instalments first (loans.services._apply_to_instalments):
        # only the instalments of accounts paid today need running totals (a window over the few of them)
        iu = ibis.greatest(ip.interest_due_fen - ip.interest_paid_fen, 0)
        pu = ibis.greatest(ip.principal_due_fen - ip.principal_paid_fen, 0)
        w = ibis.cumulative_window(group_by=ip.account_id, order_by=ip.number)
        ip = ip.mutate(iu=iu, pu=pu)
        ip = ip.mutate(iu_before=ip.iu.sum().over(w) - ip.iu, pu_before=ip.pu.sum().over(w) - ip.pu)
        pay_p = clamp(ip.to_principal - ip.pu_before, 0, ip.pu)
        pay_i = clamp(ip.to_interest - ip.iu_before, 0, ip.iu)
        ip = ip.mutate(principal_paid_fen=ip.principal_paid_fen + pay_p, interest_paid_fen=ip.interest_paid_fen + pay_i,
                       changed=(pay_p > 0) | (pay_i > 0))
        self.repaid = ip = self.be.materialise(ip)

        cols = ["account_id", "due_date", "principal_due_fen", "interest_due_fen", "principal_paid_fen",
                "interest_paid_fen", "penalty_daily_rate_e6", "compound_on_interest", "grace_days"]
        rest = x.filter(~x.payer).select(*cols)
        i = rest.union(ip.filter(accruing(ip)).select(*cols))
        unp_i = ibis.greatest(i.interest_due_fen - i.interest_paid_fen, 0)
        unp_p = ibis.greatest(i.principal_due_fen - i.principal_paid_fen, 0)
        days = AS - i.due_date
        overdue = days > i.grace_days
        base = unp_p + ibis.ifelse(i.compound_on_interest, unp_i, 0)
        i = i.mutate(overdue=overdue,
                     penalty=ibis.ifelse(overdue, div_half_up(base * i.penalty_daily_rate_e6 * days, 1_000_000), 0))
        per = i.group_by("account_id").aggregate(  # int64 sums (DuckDB would carry 128-bit sums onwards)
            penalty_raw=i.penalty.sum().cast("int64"), fee_count=i.overdue.cast("int64").sum().cast("int64"),
            oldest_due=i.due_date.min())
        a = acc_all.join(pr, "product_id").select(
            acc_all, pr.late_fee_fen, pr.total_cost_cap_rate_e4, pr.kind)
        a = a.left_join(per, "account_id").select(
            a, penalty_raw=per.penalty_raw.fill_null(0), fee_count=per.fee_count.fill_null(0),
            oldest_due=per.oldest_due)
        a = a.left_join(paid_today, "account_id").select(
            a, **{f"paid_{c}_fen": paid_today[f"paid_{c}_fen"].fill_null(0) for c in COMPONENTS},
            remainder_fen=paid_today.remainder_fen.fill_null(0))
        active = a.status.isin(["open", "settled"])
        fees_raw = a.late_fee_fen * a.fee_count
        has_cap = a.total_cost_cap_rate_e4.notnull()
        cap = div_half_up(a.contract_amount_fen * a.total_cost_cap_rate_e4.fill_null(0) * (AS - a.start_date),
                          365 * 10_000)
        excess = a.interest_charged_fen + a.penalty_raw + fees_raw - cap
        pcut = ibis.ifelse(has_cap & (excess > 0), ibis.least(a.penalty_raw, excess), 0)
        fcut = ibis.ifelse(has_cap & (excess > 0), ibis.least(fees_raw, excess - pcut), 0)
        pen_acc = ibis.ifelse(active, ibis.greatest(a.penalty_raw - pcut, a.penalty_accrued_fen), a.penalty_accrued_fen)
        fee_acc = ibis.ifelse(active, ibis.greatest(fees_raw - fcut, a.fees_accrued_fen), a.fees_accrued_fen)
        dpd = ibis.ifelse(a.oldest_due.notnull(), AS - a.oldest_due, 0).cast("int64")
        a = a.mutate(
            dpd=dpd, bucket=bucket_of(dpd),
            principal_balance_fen=a.principal_balance_fen - a.paid_principal_fen,
            interest_balance_fen=a.interest_balance_fen - a.paid_interest_fen,
            penalty_balance_fen=a.penalty_balance_fen - a.paid_penalty_fen + pen_acc - a.penalty_accrued_fen,
            fees_balance_fen=a.fees_balance_fen - a.paid_fees_fen + fee_acc - a.fees_accrued_fen,
            credit_balance_fen=a.credit_balance_fen + a.remainder_fen,
            penalty_accrued_fen=pen_acc, fees_accrued_fen=fee_acc)
        total = a.principal_balance_fen + a.interest_balance_fen + a.penalty_balance_fen + a.fees_balance_fen
        a = a.mutate(total_balance_fen=total, status=ibis.cases(
            ((a.status == "open") & (total == 0), "settled"), ((a.status == "settled") & (total > 0), "open"),
            else_=a.status))
        # keep only what later stages and the output read (a narrower table is written and read faster)
        return self.be.materialise(a.select(*schema.OUTPUT_TABLES["account_state"].names, "kind"))

    def instalment_state(self, full: bool) -> ibis.Table:
        """The instalments after today's payments: only those the run changed (the payers' instalments that took
        a part of a payment), or — ``full`` — every instalment (the others as they were)."""
        ip = self.repaid
        if full:
            payer_ids = ip.select("account_id").distinct()
            rest = self.t["instalments"].anti_join(payer_ids, "account_id")
            cols = ["account_id", "number", "due_date", "principal_due_fen", "interest_due_fen",
                    "principal_paid_fen", "interest_paid_fen"]
            x = rest.select(*cols).union(ip.select(*cols))
        else:
            x = ip.filter(ip.changed)
        return x.select("account_id", x.number.cast("int64").name("number"), "due_date", "principal_paid_fen",
                        "interest_paid_fen", settled=(x.principal_paid_fen >= x.principal_due_fen)
                        & (x.interest_paid_fen >= x.interest_due_fen))

    def _paid_today(self):
        """Today's unposted, unreversed payments through the product's waterfall: only the accounts paid today (a
        few per cent) are computed and kept; every other account pays nothing (its paid_* are 0)."""
        t, AS = self.t, self.AS
        pay = t["payments"]
        new = (pay.filter(~pay.posted & ~pay.reversed & (pay.paid_on <= AS))
               .group_by("account_id").aggregate(new_paid_fen=pay.amount_fen.sum()))
        pr = t["products"]
        # today's payments through the waterfall: only the accounts paid today (a few per cent) are computed and
        # kept; every other account pays nothing (its paid_* are 0)
        a = t["accounts"]
        a = a.join(new, "account_id").join(pr, "product_id")
        a = a.filter(a.status.isin(["open", "settled"]))
        amount = a.new_paid_fen
        bal = {c: a[f"{c}_balance_fen"] for c in COMPONENTS}
        paid = {}
        for c in COMPONENTS:
            before = ibis.literal(0, "int64")
            for d in COMPONENTS:
                if d != c:
                    before = before + ibis.ifelse(a[f"pos_{d}"] < a[f"pos_{c}"], bal[d], 0)
            paid[c] = clamp(amount - before, 0, bal[c])
        a = a.select("account_id", "new_paid_fen", **{f"paid_{c}_fen": paid[c] for c in COMPONENTS})
        return self.be.materialise(a.select(
            "account_id", *[f"paid_{c}_fen" for c in COMPONENTS],
            remainder_fen=a.new_paid_fen - sum(a[f"paid_{c}_fen"] for c in COMPONENTS)))

    # -- promises and arrangements ------------------------------------------------------------------------------
    def _case_payments(self):
        if "case_payments" not in self.t:
            self.t["case_payments"] = self.scratch(self._case_payments_expr())
        return self.t["case_payments"]

    def _case_grace(self):
        if "case_grace" not in self.t:
            self.t["case_grace"] = self.scratch(self._case_grace_expr())
        return self.t["case_grace"]

    def _case_payments_expr(self):
        t = self.t
        pay, a = t["payments"], t["accounts"]
        pay = pay.filter(~pay.reversed & (pay.paid_on <= self.AS))
        return pay.join(a.select("account_id", "case_id"), "account_id").select("case_id", "paid_on", "amount_fen")

    def _case_grace_expr(self):
        a, pr = self.t["accounts"], self.t["products"]
        j = a.join(pr, "product_id")
        return j.group_by("case_id").aggregate(grace=j.promise_grace_days.max().cast("int64"))

    def promises(self):
        AS = self.AS
        p = self.t["promises"]
        g = self._case_grace()
        p = self.be.materialise(p.left_join(g, "case_id").select(p, grace=g.grace.fill_null(1)))
        cp = self._case_payments()
        j = p.left_join(cp, [p.case_id == cp.case_id, cp.paid_on >= p.promised_on,
                             cp.paid_on <= p.due_date + p.grace])
        paid = j.group_by([j.promise_id, j.case_id, j.amount_fen, j.due_date, j.grace]).aggregate(
            paid_fen=j.amount_fen_right.sum().fill_null(0))
        state = ibis.cases((paid.paid_fen >= paid.amount_fen, "kept"), (AS <= paid.due_date + paid.grace, "pending"),
                           (paid.paid_fen > 0, "partially_kept"), else_="broken")
        return paid.mutate(state=state, promised_due=paid.due_date)

    def arrangements(self):
        AS = self.AS
        ai = self.t["arrangement_instalments"]
        # the arrangement's own grace days, as its daily check applies them (arrangements.calculator.first_missed)
        state = ibis.cases((ai.paid_fen >= ai.amount_fen, "paid"), (AS <= ai.due_date, "due"),
                           (AS <= ai.due_date + ai.grace_days.cast("int64"), "late"), else_="missed")
        ai = ai.mutate(state=state, number=ai.number.cast("int64"))
        w = ibis.window(group_by=ai.arrangement_id)
        return ai.mutate(arrangement_broken=(ai.state == "missed").cast("int64").max().over(w) == 1,
                         open_item=(ai.state != "paid").cast("int64").max().over(w) == 1)

    # -- cases: score, segment, treatment -----------------------------------------------------------------------
    def cases(self, acc, prom, arr):
        t, AS, QD = self.t, self.AS, self.QD
        c = t["cases"]
        agg = acc.group_by("case_id").aggregate(
            max_dpd=acc.dpd.max(), total_balance_fen=acc.total_balance_fen.sum(), product_kind=acc.kind.max())
        cp = self._case_payments()
        cp = cp.filter(cp.paid_on > AS - self.p.score_payment_days)
        paid90 = cp.group_by("case_id").aggregate(paid_90d_fen=cp.amount_fen.sum())
        pc_ = prom.group_by("case_id").aggregate(
            kept_promises=(prom.state == "kept").cast("int64").sum(),
            broken_promises=(prom.state == "broken").cast("int64").sum())
        w = ibis.window(group_by=prom.case_id, order_by=[ibis.desc(prom.promised_due), ibis.desc(prom.promise_id)])
        latest = prom.mutate(rn=ibis.row_number().over(w)).filter(lambda x: x.rn == 0).select(
            "case_id", promise_state="state")
        arr_open = arr.filter(~arr.arrangement_broken & arr.open_item).select("case_id").distinct().mutate(
            arrangement=ibis.literal(True))
        con = t["contacts"]
        con = con.filter((con.outcome == "conversation") & (con.contact_on > AS - self.p.score_contact_days)
                         & (con.contact_on <= AS))
        conv = con.group_by("person_id").aggregate(conversations_30d=con.count())
        cred = t["creditors"]
        c = c.join(cred, "creditor_id").select(c, cred.policy_pack)
        # held: an active hold (on the queue day) of a kind the case's pack stops collection for, or deceased
        h, hk = t["holds"], t["hold_kinds"]
        h = h.filter((h.starts_on <= QD) & (h.ends_on.isnull() | (h.ends_on >= QD)))
        ch = c.select("case_id", "person_id", "policy_pack").join(h, "person_id").join(hk, "policy_pack")
        ch = ch.filter((ch.hold_kind == "*") | (ch.hold_kind == ch.kind))
        held_cases = self.scratch(ch.select("case_id").distinct().mutate(on_hold=ibis.literal(True)))
        persons = t["persons"]
        x = (c.left_join(agg, "case_id").select(c, max_dpd=agg.max_dpd.fill_null(0),
                                                total_balance_fen=agg.total_balance_fen.fill_null(0),
                                                product_kind=agg.product_kind))
        x = x.left_join(paid90, "case_id").select(x, paid_90d_fen=paid90.paid_90d_fen.fill_null(0))
        x = x.left_join(pc_, "case_id").select(x, kept_promises=pc_.kept_promises.fill_null(0),
                                               broken_promises=pc_.broken_promises.fill_null(0))
        x = x.left_join(latest, "case_id").select(x, promise_state=latest.promise_state.fill_null("none"))
        x = x.left_join(arr_open, "case_id").select(x, arrangement=arr_open.arrangement.fill_null(False))
        x = x.left_join(conv, "person_id").select(x, conversations_30d=conv.conversations_30d.fill_null(0))
        x = x.left_join(held_cases, "case_id").select(x, on_hold=held_cases.on_hold.fill_null(False))
        x = x.join(persons, "person_id").select(x, persons.deceased, persons.time_zone)
        arms = t["strategy_arms"]
        x = x.left_join(arms, "case_id").select(x, arm=arms.arm.fill_null(0))
        x = x.mutate(bucket=bucket_of(x.max_dpd),
                     held=x.on_hold | x.deceased.fill_null(False) | (x.status == "on_hold"))
        values = {k: x[k] for k in rules.SCORE_CHARACTERISTICS if k != "base"}
        x = x.mutate(score=rules.compile_scorecard(self.data["scorecard"], values))
        strat = self.data["strategy"].to_pylist()
        facts = {"bucket": x.bucket, "total_balance_fen": x.total_balance_fen, "score": x.score,
                 "product_kind": x.product_kind, "promise_state": x.promise_state, "held": x.held,
                 "arrangement": x.arrangement, "arm": x.arm}
        if any(r["legal_status"] for r in strat):
            # the legal status the allocation rules read too (``case_facts.legal``; no row: no legal case)
            cf = t["case_facts"]
            cf = cf.select(lf_case=cf.case_id, lf_legal=cf.legal)
            x = x.left_join(cf, x.case_id == cf.lf_case).select(x, legal_status=cf.lf_legal.fill_null("none"))
            facts = {k: x[k] for k in facts} | {"legal_status": x.legal_status}
        x = x.mutate(rule_order=rules.compile_strategy(self.data["strategy"], facts))

        def pick(col, default, typ):
            return x.rule_order.cases(*[(r["rule_order"], ibis.literal(r[col], typ)) for r in strat],
                                      else_=ibis.literal(default, typ))

        x = x.mutate(segment=pick("segment", "unmatched", "string"),
                     treatment=pick("treatment", "none", "string"),
                     channel=pick("channel", "none", "string"), priority=pick("priority", 0, "int64"),
                     skill=pick("skill", "", "string").fill_null(""),
                     hours_from=pick("hours_from", -1, "int32").fill_null(-1),
                     hours_to=pick("hours_to", -1, "int32").fill_null(-1))
        with_path = [r["rule_order"] for r in strat if rules.parse_path(r["path"])]
        x = x.mutate(has_path=x.rule_order.isin(with_path) if with_path else ibis.literal(False))
        # the date the case entered its segment: carried over from the previous run while the segment is the same,
        # else today; the path's day is counted from it (0: the run in which the case entered the segment)
        ps = t["case_segments"]
        ps = ps.select(ps_case=ps.case_id, ps_segment=ps.segment, ps_since=ps.segment_since)
        x = x.left_join(ps, x.case_id == ps.ps_case).select(x, ps.ps_segment, ps.ps_since)
        same = (x.ps_segment == x.segment).fill_null(False) & x.ps_since.notnull()
        x = x.mutate(segment_since=ibis.ifelse(same, x.ps_since.cast("int64"), ibis.literal(AS, "int64")))
        x = x.mutate(path_action=rules.compile_path_action(self.data["strategy"], x.rule_order,
                                                           ibis.literal(AS, "int64") - x.segment_since))
        # keep what the output, the allocation and the queue read (a narrower table is written and read faster)
        return x.select(*schema.OUTPUT_TABLES["case_state"].names, "status", "team_id", "collector_id",
                        "assigned_on", "skill", "policy_pack", "time_zone", "hours_from", "hours_to",
                        "has_path", "arm")

    # -- allocation ----------------------------------------------------------------------------------------------
    def allocation(self, cases):
        if self.p.allocation_rules:
            return self.rule_allocation(cases)
        t, AS = self.t, self.AS
        teams, cols = self.data["teams"], self.data["collectors"]
        route, eligible = _routing(teams)
        elig = self.be.load("eligible", eligible)
        routes = self.be.load("routes", route)
        co = t["collectors"]
        c = cases.filter(cases.status.isin(ACTIVE_CASE))
        # keep: active collector whose team works the bucket and skill, held for less than rotation_days
        cs = co.select(prev_col=co.collector_id, col_team=co.team_id, col_active=co.active)
        k = c.left_join(cs, c.collector_id == cs.prev_col)
        # the eligible (team, bucket, skill) of the collector's team; its columns renamed so that the join's
        # result cannot confuse its team with the case's own (``team_id``)
        el = elig.select(el_team=elig.team_id, el_bucket=elig.bucket, el_skill=elig.skill)
        k = k.left_join(el, [k.col_team == el.el_team, k.bucket == el.el_bucket, k.skill == el.el_skill])
        k = k.select(c.case_id, c.total_balance_fen, c.priority, c.bucket, c.skill, prev_team_id=c.team_id,
                     prev_collector_id=c.collector_id, col_team=k.col_team, col_active=k.col_active,
                     eligible=k.el_team.notnull(), held_days=(AS - c.assigned_on.fill_null(AS)).cast("int64"))
        reason = ibis.cases(
            (k.prev_collector_id.isnull(), "new"),
            (~k.col_active.fill_null(False), "collector_inactive"),
            (~k.eligible, "bucket_change"),
            (k.held_days >= self.p.rotation_days, "rotation"),
            else_="kept")
        k = k.mutate(reason=reason)
        w = ibis.window(group_by=k.prev_collector_id,
                        order_by=[ibis.desc(k.priority), ibis.desc(k.total_balance_fen), k.case_id])
        k = k.mutate(rank=ibis.row_number().over(w))
        k = self.scratch(k)
        caps = co.select(cap_id=co.collector_id, capacity=co.capacity)
        k = k.left_join(caps, k.prev_collector_id == caps.cap_id)
        k = k.select(*[k[n] for n in ("case_id", "total_balance_fen", "priority", "bucket", "skill", "prev_team_id",
                                       "prev_collector_id", "col_team", "reason", "rank")], capacity=k.capacity)
        # the rank counts kept cases only: recompute over kept rows so a moved case frees no slot twice
        kept0 = k.filter(k.reason == "kept")
        w2 = ibis.window(group_by=kept0.prev_collector_id,
                         order_by=[ibis.desc(kept0.priority), ibis.desc(kept0.total_balance_fen), kept0.case_id])
        kept0 = kept0.mutate(krank=ibis.row_number().over(w2))
        over = self.scratch(kept0.filter(kept0.krank >= kept0.capacity).select(
            "case_id", over=ibis.literal(True)))
        k = k.left_join(over, "case_id").select(k, overflow=over.over.fill_null(False))
        k = self.scratch(k.mutate(reason=ibis.ifelse(k.overflow, "overflow", k.reason)))
        kept = k.filter(k.reason == "kept")
        load = self.be.fetch(kept.group_by(kept.prev_collector_id.name("collector_id")).aggregate(
            n=kept.count(), bal=kept.total_balance_fen.sum()))
        free = k.filter(k.reason != "kept").join(routes, ["bucket", "skill"])
        free_counts = self.be.fetch(free.group_by("route_team").aggregate(n=free.count()))
        slots = self.be.load("slots", _slots(cols, load, free_counts))
        wf = ibis.window(group_by=free.route_team,
                         order_by=[ibis.desc(free.priority), ibis.desc(free.total_balance_fen), free.case_id])
        free = free.mutate(slot=ibis.row_number().over(wf).cast("int64"))
        placed = self.scratch(free.join(slots, [free.route_team == slots.team_id, free.slot == slots.slot])
                                     .select("case_id", new_team=slots.team_id, new_collector=slots.collector_id))
        k = k.left_join(placed, "case_id").select(k, placed.new_team, placed.new_collector)
        team = ibis.ifelse(k.reason == "kept", k.col_team, k.new_team)
        collector = ibis.ifelse(k.reason == "kept", k.prev_collector_id, k.new_collector)
        reason = ibis.ifelse((k.reason != "kept") & k.new_collector.isnull(),
                             k.reason + ":no_capacity", k.reason)
        active_rows = k.select("case_id", team_id=team, collector_id=collector, prev_team_id=k.prev_team_id,
                               prev_collector_id=k.prev_collector_id, reason=reason)
        closed = cases.filter(~cases.status.isin(ACTIVE_CASE)).select(
            "case_id", team_id=ibis.null("int64"), collector_id=ibis.null("int64"), prev_team_id=cases.team_id,
            prev_collector_id=cases.collector_id, reason=ibis.literal("closed"))
        allr = active_rows.union(closed)
        moved = (allr.collector_id.fill_null(-1) != allr.prev_collector_id.fill_null(-1)) | (
            allr.team_id.fill_null(-1) != allr.prev_team_id.fill_null(-1))
        return allr.mutate(moved=moved)

    def rule_allocation(self, cases):
        """The allocation rules (``eod.allocrules``): the rule set compiled to expressions decides every active
        case (which rule, stay / pool / place, why); the cases to place are handed to ``allocrules.distribute``,
        the function the services' preview and apply use. The reason written is ``v<version>:<rule>:<reason>``."""
        spec = json.loads(self.p.allocation_rules)
        rules = allocrules.normalise(spec["rules"])
        version = spec.get("version", 0)
        t = self.t
        col = self.data["collectors"]
        active = [r for r in col.to_pylist() if r["active"]]
        mt = self.be.load("alloc_members", pa.table({
            "m_id": pa.array([r["collector_id"] for r in active], pa.int64()),
            "member_team": pa.array([r["team_id"] for r in active], pa.int64())}))
        c = cases.filter(cases.status.isin(ACTIVE_CASE))
        cf = t["case_facts"]
        pr = t["promises"]
        lp = pr.group_by(lp_case=pr.case_id).aggregate(last_promise_on=pr.promised_on.max())
        x = c.left_join(cf, c.case_id == cf.case_id).select(
            c.case_id, c.creditor_id, cf.product_id, cf.placement_id, c.bucket, dpd=c.max_dpd,
            balance_fen=c.total_balance_fen, province=cf.province.fill_null(""), city=cf.city.fill_null(""),
            language=cf.language.fill_null(""), score=c.score,
            # the allocation rules know "active" and "none" (a case whose legal cases are all closed is "none")
            legal=ibis.ifelse(cf.legal.fill_null("none") == "active", "active", "none"),
            team_id=c.team_id, collector_id=c.collector_id, assigned_on=c.assigned_on)
        x = x.left_join(lp, x.case_id == lp.lp_case).select(x, last_promise_on=lp.last_promise_on)
        x = x.left_join(mt, x.collector_id == mt.m_id).select(x, member_team=mt.member_team)
        rule_no, action, reason = allocrules.compile_decision(rules, x, self.as_of, x.member_team)
        d = self.scratch(x.mutate(rule=rule_no, action=action, reason=reason))
        stay = d.filter((d.action == "stay") & d.collector_id.notnull())
        load = {r["collector_id"]: (r["n"], r["bal"] or 0) for r in self.be.fetch(
            stay.group_by("collector_id").aggregate(n=stay.count(), bal=stay.balance_fen.sum())).to_pylist()}
        place = d.filter(d.action == "place")
        todo = self.be.fetch(place.select("case_id", "rule", "balance_fen", "language", "legal", "collector_id",
                                          "reason"))
        days = max([r["exclude_days"] for r in rules] + [0])
        past: dict[int, list] = {}
        if days and todo.num_rows:
            h = t["holders"]
            pc_ = place.select(p_case=place.case_id)
            h = h.filter(h.ended_on > self.AS - days).join(pc_, h.case_id == pc_.p_case)
            for r in self.be.fetch(h.select("case_id", "collector_id", "ended_on")).to_pylist():
                past.setdefault(r["case_id"], []).append((r["collector_id"], EPOCH + dt.timedelta(days=r["ended_on"])))
        limits = {r["collector_id"]: r["balance_capacity_fen"] or 0
                  for r in self.be.fetch(t["collector_limits"]).to_pylist()}
        members = [allocrules.Member(r["collector_id"], r["team_id"], r["capacity"], limits.get(r["collector_id"], 0),
                                     frozenset(_split(r["skills"]))) for r in active]
        to_place = [allocrules.ToPlace(
            r["case_id"], r["rule"], r["balance_fen"], r["language"] or "", r["legal"] or "none",
            allocrules.excluded_holders(past.get(r["case_id"]), self.as_of, rules[r["rule"]]["exclude_days"],
                                        r["collector_id"], r["reason"] == "rotation"))
            for r in todo.to_pylist()]
        chosen = allocrules.distribute(rules, to_place, members, load)
        placed = self.be.load("alloc_placed", pa.table({
            "pl_case": pa.array(list(chosen), pa.int64()),
            "pl_collector": pa.array(list(chosen.values()), pa.int64())}))
        k = d.left_join(placed, d.case_id == placed.pl_case).select(d, pl_collector=placed.pl_collector)
        target = k.rule.cases(*[(i, ibis.literal(r["team"], "int64")) for i, r in enumerate(rules)],
                              else_=ibis.null("int64"))
        code = k.rule.cases(*[(i, r["code"]) for i, r in enumerate(rules)], else_="")
        team = ibis.cases((k.action == "stay", k.team_id), (k.action == "pool", ibis.null("int64")), else_=target)
        collector = ibis.cases((k.action == "stay", k.collector_id), (k.action == "pool", ibis.null("int64")),
                               else_=k.pl_collector)
        why = ibis.ifelse((k.action == "place") & k.pl_collector.isnull(), k.reason + ":no_capacity", k.reason)
        active_rows = k.select("case_id", team_id=team, collector_id=collector, prev_team_id=k.team_id,
                               prev_collector_id=k.collector_id,
                               reason=ibis.literal(f"v{version}:") + code + ":" + why)
        closed = cases.filter(~cases.status.isin(ACTIVE_CASE)).select(
            "case_id", team_id=ibis.null("int64"), collector_id=ibis.null("int64"), prev_team_id=cases.team_id,
            prev_collector_id=cases.collector_id, reason=ibis.literal("closed"))
        allr = active_rows.union(closed)
        moved = (allr.collector_id.fill_null(-1) != allr.prev_collector_id.fill_null(-1)) | (
            allr.team_id.fill_null(-1) != allr.prev_team_id.fill_null(-1))
        return allr.mutate(moved=moved)

    # -- the contact queue ---------------------------------------------------------------------------------------
    def queue(self, cases, assign):
        t, QD = self.t, self.QD
        # a rule with a treatment path contacts by the path's action for the day (none, or a legal review: no entry)
        path_channel = ibis.ifelse(cases.path_action.isin(rules.QUEUED_ACTIONS), cases.path_action, "none")
        cases = cases.mutate(q_channel=ibis.ifelse(cases.has_path, path_channel.fill_null("none"), cases.channel))
        queued = ~cases.held & (cases.q_channel != "none") & cases.status.isin(ACTIVE_CASE)
        q = cases.filter(queued).join(assign.select("case_id", q_collector=assign.collector_id), "case_id")
        q = q.filter(q.q_collector.notnull())
        # the person's remaining budget for the queue day under each pack of their cases; the lowest applies
        b = t["budgets"]
        con, cnt = t["contacts"], t["counted"]
        maxw = max([r or 0 for r in self.data_budget_windows()] + [1])
        recent = con.filter((con.contact_on >= QD - maxw) & (con.contact_on < QD))
        # every pack of every case of a queued person (held or closed cases too): the strictest one binds
        qp = self.be.materialise(q.select("person_id").distinct())
        per_pack = self.be.materialise(
            cases.select("person_id", "policy_pack").distinct().join(qp, "person_id").select("person_id", "policy_pack"))
        rc = per_pack.join(b, "policy_pack").filter(lambda x: x.window_days.notnull())
        rc = rc.join(recent, "person_id")
        rc = rc.left_join(cnt, [rc.policy_pack == cnt.policy_pack, rc.outcome == cnt.outcome])
        rc = rc.mutate(in_window=rc.contact_on >= QD - rc.window_days,
                       counted=rc.outcome_right.notnull(), conv=(rc.outcome == "conversation")
                       & (rc.contact_on >= QD - rc.conversation_days))
        used = rc.group_by(["person_id", "policy_pack"]).aggregate(
            used=(rc.in_window & rc.counted).cast("int64").sum(), conv=rc.conv.cast("int64").max())
        pb = per_pack.join(b, "policy_pack").left_join(used, ["person_id", "policy_pack"])
        big = ibis.literal(1 << 40, "int64")
        window_left = ibis.ifelse(pb.window_max.notnull(),
                                  ibis.ifelse(pb.conv.fill_null(0) == 1, 0,
                                              ibis.greatest(pb.window_max - pb.used.fill_null(0), 0)), big)
        allowed = ibis.least(pb.daily_max.fill_null(big), window_left)
        person = pb.group_by(pb.person_id).aggregate(budget=allowed.min())
        person = self.be.materialise(self._strategy_budget(person, qp, cases))
        q = q.join(person, "person_id")
        wp = ibis.window(group_by=q.person_id, order_by=[ibis.desc(q.priority), ibis.desc(q.total_balance_fen),
                                                         q.case_id])
        q = q.mutate(prank=ibis.row_number().over(wp))
        q = q.filter(q.prank < q.budget)
        # the (zone, pack) pairs of the cases that may be queued (a superset of the queue's; the join keeps what it
        # needs), so the queue itself is computed once, when it is written
        may = cases.filter(queued)
        combos = self.be.fetch(may.select("time_zone", "policy_pack", "hours_from", "hours_to").distinct())
        early = self.be.load("earliest", rules.earliest_table(
            [(r["time_zone"], r["policy_pack"], r["hours_from"], r["hours_to"]) for r in combos.to_pylist()],
            self.as_of + dt.timedelta(days=1)))
        q = q.mutate(tz_key=q.time_zone.fill_null(""))
        # the start of the pack's hours on the queue day, or of the rule's preferred hours within them
        q = q.join(early, [q.tz_key == early.tz_key, q.policy_pack == early.policy_pack,
                           q.hours_from == early.pref_from, q.hours_to == early.pref_to])
        wc = ibis.window(group_by=q.q_collector, order_by=[ibis.desc(q.priority), ibis.desc(q.total_balance_fen),
                                                           q.case_id])
        return q.select(collector_id=q.q_collector, position=(ibis.row_number().over(wc) + 1).cast("int64"),
                        case_id=q.case_id, person_id=q.person_id, channel=q.q_channel, priority=q.priority,
                        earliest_at=q.earliest_us)

    def strategy_budgets(self) -> pa.Table | None:
        """The strategy budget of each arm, ``(arm, daily_max, window_days, window_max)``: the champion's
        (``Params.strategy_budget``) as arm 0, each challenger's (``Params.challenger_budgets``) as its arm; an arm
        that limits nothing has no row. None: no arm has a budget."""
        rows = [(0, *self.p.strategy_budget)] if self.p.strategy_budget else []
        rows += [tuple(r) for r in self.p.challenger_budgets]
        rows = [r for r in rows if any(v is not None for v in r[1:])]
        if not rows:
            return None
        cols = list(zip(*rows))
        return pa.table({"arm": pa.array(cols[0], pa.int32()),
                         **{k: pa.array(v, pa.int64()) for k, v in zip(("s_daily", "s_wdays", "s_wmax"), cols[1:])}})

    def _strategy_budget(self, person, qp, cases):
        """The packs' budget per person, lowered to the strategy budgets of the arms of the person's active cases
        (:meth:`strategy_budgets`; no experiment: the champion's alone), the strictest of them: each arm's daily
        maximum, and its window maximum less every contact the person had in its window (any channel, any outcome).
        The packs stay the ceiling: a strategy budget only ever lowers it, and an arm without one lowers nothing."""
        table = self.strategy_budgets()
        if table is None:
            return person
        con, QD = self.t["contacts"], self.QD
        sb = self.be.load("strategy_budgets", table)
        if self.be.fetch(self.t["strategy_arms"].select("arm").limit(1)).num_rows == 0:
            # no experiment: every case is the champion's (and a queued person has an active case): no read of cases
            pa_ = qp.mutate(arm=ibis.literal(0, "int32")).join(sb, "arm")
        else:
            active = cases.filter(cases.status.isin(ACTIVE_CASE)).select("person_id", "arm").distinct()
            pa_ = active.join(qp, "person_id").join(sb, "arm")
        windows = [w for w, m in zip(table.column("s_wdays").to_pylist(), table.column("s_wmax").to_pylist())
                   if w is not None and m is not None]
        has_window = pa_.s_wdays.notnull() & pa_.s_wmax.notnull()
        if windows:
            recent = con.filter((con.contact_on >= QD - max(windows)) & (con.contact_on < QD))
            win = pa_.filter(has_window).select("person_id", "arm", "s_wdays")
            win = win.join(recent.select("person_id", "contact_on"), "person_id")
            used = win.filter(win.contact_on >= QD - win.s_wdays).group_by(["person_id", "arm"]).aggregate(
                s_used=ibis._.count())
            pa_ = pa_.left_join(used, ["person_id", "arm"]).select(pa_, s_used=used.s_used.fill_null(0))
        else:
            pa_ = pa_.mutate(s_used=ibis.literal(0, "int64"))
        big = ibis.literal(1 << 40, "int64")
        has_window = pa_.s_wdays.notnull() & pa_.s_wmax.notnull()
        left = ibis.ifelse(has_window, ibis.greatest(pa_.s_wmax - pa_.s_used.cast("int64"), 0), big)
        allowed = ibis.least(pa_.s_daily.fill_null(big), left)
        strictest = pa_.group_by("person_id").aggregate(s_budget=allowed.min())
        person = person.left_join(strictest, "person_id").select(person.person_id, person.budget,
                                                                 strictest.s_budget)
        budget = ibis.least(person.budget, person.s_budget.fill_null(big))
        return person.select("person_id", budget=budget.cast("int64"))

    def data_budget_windows(self):
        return rules.budgets_table().column("window_days").to_pylist()

    # -- roll rates ----------------------------------------------------------------------------------------------
    def roll_rates(self, acc):
        g = acc.group_by(["prev_bucket", "bucket"]).aggregate(accounts=acc.count(),
                                                              balance_fen=acc.total_balance_fen.sum())
        tot = acc.group_by("prev_bucket").aggregate(from_total=acc.count())
        g = g.join(tot, "prev_bucket")
        return g.select(from_bucket=g.prev_bucket, to_bucket=g.bucket, accounts=g.accounts.cast("int64"),
                        balance_fen=g.balance_fen.cast("int64"),
                        rate_bp=_rate_bp(g.accounts.cast("int64"), g.from_total.cast("int64")))


def _rate_bp(n, total):
    """Share in basis points, half-up: (n·10000 / total)."""
    num = n * 10_000
    r = num % total
    q = ((num - r) / total).round().cast("int64")
    return q + ibis.ifelse(r * 2 >= total, 1, 0).cast("int64")


# -- small tables prepared in Python ------------------------------------------------------------------------------
def _prepare(name: str, table: pa.Table) -> pa.Table:
    if name == "products":
        waterfalls = table.column("waterfall").to_pylist()
        for comp in COMPONENTS:
            table = table.append_column(f"pos_{comp}", pa.array([w.split(",").index(comp) for w in waterfalls],
                                                                 pa.int32()))
    return table


def _split(text) -> list[str]:
    return [s.strip() for s in (text or "").split(",") if s.strip()]


def _routing(teams: pa.Table) -> tuple[pa.Table, pa.Table]:
    """(bucket, skill) → the team a free case goes to (the first eligible team by id), and every eligible
    (team, bucket, skill). A team works the buckets it lists (none listed: all) and serves a skill it has;
    a case that needs no skill ("") goes to a team with no skills first."""
    rows = sorted(teams.to_pylist(), key=lambda r: r["team_id"])
    skills = sorted({s for r in rows for s in _split(r["skills"])} | {""})
    elig, route = [], []
    for b in BUCKETS:
        for s in skills:
            ok = [r for r in rows if (not _split(r["buckets"]) or b in _split(r["buckets"]))
                  and (s == "" or s in _split(r["skills"]))]
            elig += [(r["team_id"], b, s) for r in ok]
            if ok:
                plain = [r for r in ok if not _split(r["skills"])] if s == "" else ok
                route.append((b, s, (plain or ok)[0]["team_id"]))
    return (pa.table({"bucket": [r[0] for r in route], "skill": [r[1] for r in route],
                      "route_team": pa.array([r[2] for r in route], pa.int64())}),
            pa.table({"team_id": pa.array([e[0] for e in elig], pa.int64()), "bucket": [e[1] for e in elig],
                      "skill": [e[2] for e in elig]}))


def _slots(collectors: pa.Table, load: pa.Table, free_counts: pa.Table) -> pa.Table:
    """Free places per team, in the order they are filled: water-filling by case count (the collector with the
    fewest cases first), ties by balance held then collector id; never beyond a collector's capacity."""
    loads = {r["collector_id"]: (r["n"], r["bal"] or 0) for r in load.to_pylist()}
    need = {r["route_team"]: r["n"] for r in free_counts.to_pylist()}
    teams, slots, cols = [], [], []
    by_team: dict[int, list] = {}
    for r in collectors.to_pylist():
        if r["active"]:
            n, bal = loads.get(r["collector_id"], (0, 0))
            by_team.setdefault(r["team_id"], []).append((r["collector_id"], n, bal, r["capacity"]))
    for team, members in sorted(by_team.items()):
        want = need.get(team, 0)
        if not want:
            continue
        counts = np.array([m[1] for m in members], np.int64)
        caps = np.array([max(m[3], m[1]) for m in members], np.int64)
        room = caps - counts
        if room.sum() == 0:
            continue
        lo, hi = int(counts.min()), int(caps.max())  # water level: smallest L giving ≥ want places
        while lo < hi:
            mid = (lo + hi) // 2
            if np.minimum(np.maximum(mid - counts, 0), room).sum() >= want:
                hi = mid
            else:
                lo = mid + 1
        take = np.minimum(np.maximum(lo - counts, 0), room)
        # one entry per place (level n+1 … n+take of its collector), ordered by level, balance, collector id
        ids = np.array([m[0] for m in members], np.int64)
        bals = np.array([m[2] for m in members], np.int64)
        owner = np.repeat(np.arange(len(members)), take)
        level = counts[owner] + (np.arange(len(owner)) - np.repeat(np.cumsum(take) - take, take)) + 1
        order = np.lexsort((ids[owner], bals[owner], level))[:want]
        teams.append(np.full(len(order), team, np.int64))
        slots.append(np.arange(len(order), dtype=np.int64))
        cols.append(ids[owner][order])

    def cat(parts):
        return pa.array(np.concatenate(parts) if parts else np.zeros(0, np.int64), pa.int64())

    return pa.table({"team_id": cat(teams), "slot": cat(slots), "collector_id": cat(cols)})


def _finish(name: str, table: pa.Table) -> pa.Table:
    sch = schema.OUTPUT_TABLES[name]
    arrays = []
    for f in sch:
        col = table.column(f.name)
        if pa.types.is_date32(f.type):
            col = col.cast(pa.int32()).cast(pa.date32())
        elif pa.types.is_timestamp(f.type):
            col = col.cast(pa.int64()).cast(f.type)
        else:
            col = col.cast(f.type)
        arrays.append(col)
    out = pa.Table.from_arrays(arrays, schema=sch)
    return out.sort_by([(k, "ascending") for k in schema.OUTPUT_ORDER[name]])


def _summary(outputs: dict, as_of, engine, timings, started, full_instalments: bool) -> dict:
    """The run summary, computed by DuckDB over the outputs (Arrow tables or the Parquet files written)."""
    import duckdb

    con = duckdb.connect()
    try:
        rel = {}
        for name, source in outputs.items():
            if isinstance(source, pa.Table):
                con.register(f"out_{name}", source)
                rel[name] = f"out_{name}"
            else:
                rel[name] = "read_parquet('" + str(source).replace("'", "''") + "')"

        def rows(sql):
            return con.execute(sql).fetchall()

        n_acc, total_bal = rows(f"SELECT count(*), coalesce(sum(total_balance_fen), 0) FROM {rel['account_state']}")[0]
        buckets = {b: 0 for b in BUCKETS}
        buckets.update(rows(f"SELECT bucket, count(*) FROM {rel['account_state']} GROUP BY bucket"))
        promises = {s: 0 for s in ("pending", "kept", "partially_kept", "broken")}
        promises.update(rows(f"SELECT state, count(*) FROM {rel['promise_state']} GROUP BY state"))
        moves = rows(f"SELECT reason, count(*) FROM {rel['assignments']} WHERE moved GROUP BY reason ORDER BY reason")
        contacts, collectors, most = rows(
            f"SELECT coalesce(sum(n), 0), count(*), coalesce(max(n), 0) FROM "
            f"(SELECT collector_id, count(*) AS n FROM {rel['contact_queue']} GROUP BY collector_id)")[0]
        roll = rows(f"SELECT from_bucket, to_bucket, accounts, rate_bp FROM {rel['roll_rates']} "
                    f"ORDER BY from_bucket, to_bucket")
        n_cases = rows(f"SELECT count(*) FROM {rel['case_state']}")[0][0]
        path_actions = rows(f"SELECT path_action, count(*) FROM {rel['case_state']} WHERE path_action IS NOT NULL "
                            f"GROUP BY path_action ORDER BY path_action")
        n_inst = rows(f"SELECT count(*) FROM {rel['instalment_state']}")[0][0]
    finally:
        con.close()
    return {
        "as_of": as_of.isoformat(), "engine": engine, "accounts": int(n_acc), "cases": int(n_cases),
        "buckets": buckets, "total_balance_fen": int(total_bal),
        "roll_rates": [list(r) for r in roll],
        "promises": promises,
        "path_actions": dict(path_actions),
        "moves": dict(moves),
        "queue": {"contacts": int(contacts), "collectors": int(collectors), "max_per_collector": int(most)},
        "instalment_state": {"kind": "full" if full_instalments else "changes", "rows": int(n_inst)},
        "seconds": {**timings, "total": round(time.perf_counter() - started, 3)},
    }
