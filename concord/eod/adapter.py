"""The end-of-day run against the application database (the EOD service).

``run_eod(as_of)``: export a snapshot of the database to Arrow (:mod:`concord.eod.export`), run the pure engine
(:mod:`concord.eod.engine`, DuckDB or Spark), and write every result back in ONE transaction
(:mod:`concord.eod.writeback`) with one audit event for the run (``eod.run``). The run is recorded in an ``EodRun``
row, created before (``eod.start``) and finished after: a failure anywhere leaves the domain tables as they were and
the row ``failed`` (``eod.fail``, with the error); the run can simply be started again. The time the commit took is
added to the row once it is known (``eod.timing``). Each of these writes is its own transaction with its event.

This adapter is the one exception to "services are the only writers": it is itself the EOD service, and writes
accounts, cases and assignments in bulk SQL (the same rules as ``loans``' accrual, ``refresh_case_summary`` and
``assign_case``) because a million ORM saves would take hours. See ``docs/eod.md``.
"""
from __future__ import annotations

import datetime as dt
import time
import traceback

import numpy as np
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from concord.core import audit, clock

from . import dbio, engine, followers, scorecards, strategies, writeback
from .export import case_facts, export, prepare_accounts
from .models import EodRun, RunStatus


def last_run(before_id: int | None = None) -> EodRun | None:
    qs = EodRun.objects.filter(status=RunStatus.SUCCEEDED)
    if before_id:
        qs = qs.exclude(pk=before_id)
    return qs.order_by("-finished_at", "-id").first()


def backdated(prev: EodRun | None) -> tuple[dt.date | None, list[int]]:
    """Payments recorded or reversed since the last run began, dated on or before that run's date: the earliest
    such date and the accounts they touch."""
    from concord.loans.models import Payment

    if prev is None:
        return None, []
    since = prev.started_at
    rows = Payment.objects.filter(Q(recorded_at__gte=since) | Q(reversed_at__gte=since)).values_list(
        "account_id", "paid_at")
    hits = [(acc, timezone.localtime(paid).date()) for acc, paid in rows
            if timezone.localtime(paid).date() <= prev.as_of]
    if not hits:
        return None, []
    return min(d for _a, d in hits), sorted({a for a, _d in hits})


def changed_since(moment: dt.datetime) -> np.ndarray:
    """Accounts whose payments changed after ``moment`` (recorded live while the engine ran): their rows are
    left to the live services this time; the next run takes them."""
    from concord.loans.models import Payment

    ids = Payment.objects.filter(Q(recorded_at__gte=moment) | Q(reversed_at__gte=moment)).values_list(
        "account_id", flat=True).distinct()
    return np.array(sorted(ids), np.int64)


LOCK_KEY = 0x45_4F_44  # "EOD": PostgreSQL advisory lock held while a run is in progress


class RunInProgress(RuntimeError):
    pass


def run_eod(as_of: dt.date, *, engine_name: str = "duckdb", actor=None, progress=None, spark=None) -> EodRun:
    """Run the end of day for ``as_of`` against the database. Returns the finished ``EodRun``; on failure the run
    is marked failed (with the error) and the exception raised again. Two runs never overlap: on PostgreSQL a
    session advisory lock (released even if the process dies) refuses a second one; SQLite has one writer."""
    if engine_name not in ("duckdb", "spark"):
        raise ValueError(f"engine: must be duckdb or spark, not {engine_name!r}")
    latest = EodRun.objects.filter(status=RunStatus.SUCCEEDED).order_by("-as_of").first()
    if latest and as_of < latest.as_of:
        raise ValueError(f"as_of: {as_of} is before the date of the last run ({latest.as_of}); runs go forward — "
                         f"rerun {latest.as_of} or run a later date")
    if not dbio.is_postgres():
        run = _run(as_of, engine_name, actor, progress, spark)
        followers.run_finished(run)
        return run
    with dbio.connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        if not cur.fetchone()[0]:
            raise RunInProgress("another end-of-day run is in progress; start this one when it has finished")
    try:
        run = _run(as_of, engine_name, actor, progress, spark)
    finally:
        with dbio.connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
    followers.run_finished(run)
    return run


def _run(as_of, engine_name, actor, progress, spark) -> EodRun:
    with transaction.atomic():
        run = EodRun.objects.create(as_of=as_of, engine=engine_name, started_at=clock.now(),
                                    started_by=actor if getattr(actor, "pk", None) else None)
        audit.record(actor, "eod.start", run, {"as_of": as_of.isoformat(), "engine": engine_name})
    seconds: dict[str, float] = {}
    t_start = time.perf_counter()

    def tick(stage, sec):
        seconds[stage] = round(sec, 3)
        if progress:
            progress(stage, seconds[stage])

    try:
        t0 = time.perf_counter()
        prev = last_run(before_id=run.pk)
        recompute_from, restore = backdated(prev)
        ex = export(as_of)
        tables = dict(ex.tables)
        tables["accounts"] = prepare_accounts(ex.accounts_db, as_of, np.array(restore, np.int64))
        card_name, card = scorecards.current(as_of)  # an approved learned scorecard, else the expert one
        if card is not None:
            tables["scorecard"] = card
        # the live strategy's champion version (and a running experiment's challengers), else the shipped table
        strategy_name, strategy, arms, budget, arm_budgets = strategies.current(as_of)
        if strategy is not None:
            tables["strategy"] = strategy
            if "case_facts" not in tables and any(strategy.column("legal_status").to_pylist()):
                tables["case_facts"] = case_facts()  # the legal status its rules read (as the allocation rules do)
        if arms is not None:
            tables["strategy_arms"] = arms
        tick("export", time.perf_counter() - t0)

        # the instalment states the run changed only: the database keeps every instalment (no full state needed)
        result = engine.run(tables, as_of, engine=engine_name, spark=spark, instalments="changes",
                            params=engine.Params(allocation_rules=ex.allocation_rules, strategy_budget=budget,
                                                  challenger_budgets=arm_budgets),
                            progress=lambda stage, sec: tick(stage if stage != "write" else "fetch", sec))

        t0 = time.perf_counter()
        with transaction.atomic():
            written = _write(run, ex, tables, result, as_of, actor)
            tick("write", time.perf_counter() - t0)
            seconds["total"] = round(time.perf_counter() - t_start, 3)
            summary = {k: v for k, v in result.summary.items() if k != "seconds"}
            summary.update({
                "database": dbio.connection.vendor, "written": written,
                "recomputed": {"from": recompute_from.isoformat() if recompute_from else None,
                               "accounts": len(restore),
                               "rerun": bool(prev and prev.as_of == as_of)},
                "notes": ex.notes, "scorecard": card_name, "strategy": strategy_name,
                "seconds": seconds})
            run.summary, run.stage_seconds = summary, seconds
            run.recomputed_from = recompute_from
            run.status, run.finished_at = RunStatus.SUCCEEDED, clock.now()
            run.save()
            audit.record(actor, "eod.run", run, {
                "as_of": as_of.isoformat(), "engine": engine_name, "accounts": summary["accounts"],
                "cases": summary["cases"], "moves": written["moves"], "queue": written["queue"],
                "recomputed_from": summary["recomputed"]["from"]})
            t0 = time.perf_counter()
        tick("commit", time.perf_counter() - t0)
        seconds["total"] = round(time.perf_counter() - t_start, 3)
        with transaction.atomic():  # the time the commit took is known only after it
            run.summary["seconds"] = run.stage_seconds = seconds
            run.save(update_fields=["summary", "stage_seconds"])
            audit.record(actor, "eod.timing", run, {"commit": seconds["commit"], "total": seconds["total"]})
        return run
    except BaseException as exc:
        with transaction.atomic():
            run.status, run.finished_at = RunStatus.FAILED, clock.now()
            run.error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:4000]
            run.stage_seconds = seconds
            run.save(update_fields=["status", "finished_at", "error", "stage_seconds"])
            audit.record(actor, "eod.fail", run, {"as_of": as_of.isoformat(), "engine": engine_name,
                                                  "error": run.error[:500], "seconds": dict(seconds)})
        raise


def _write(run, ex, tables, result, as_of, actor) -> dict:
    if dbio.is_postgres():
        # no payment may be recorded or reversed between the check below and the commit
        dbio.execute(f"LOCK TABLE {writeback._t('loans.Payment')} IN SHARE MODE")
    skip = changed_since(run.started_at)
    out = result.tables
    took: dict[str, float] = {}
    t0 = time.perf_counter()

    def lap(name):
        nonlocal t0
        now = time.perf_counter()
        took[name] = round(now - t0, 3)
        t0 = now

    n_acc = writeback.accounts(ex.accounts_db, out["account_state"], as_of, skip)
    n_inst = writeback.instalments(out["instalment_state"], skip)
    lap("accounts")
    n_state = writeback.account_states(ex.accounts_db, tables["accounts"], out["account_state"], as_of, skip)
    lap("account_states")
    plan = writeback.case_plan(ex.cases_db, out["account_state"], skip)
    moved, moves = writeback.moves(out["assignments"], ex.cases_db, plan.after)
    n_cases, n_settled = writeback.cases(plan, moved, as_of)
    lap("cases")
    writeback.case_states(out["case_state"], tables["cases"], as_of, tables.get("case_segments"))
    lap("case_states")
    writeback.assignments(moved, getattr(actor, "pk", None), clock.now())
    lap("assignments")
    n_queue = writeback.queue(run.pk, out["contact_queue"], as_of + dt.timedelta(days=1), plan.after)
    lap("queue")
    return {"accounts": n_acc, "instalments": n_inst, "account_states": n_state, "cases": n_cases, "cases_settled": n_settled,
            "moves": moves, "queue": n_queue, "skipped_accounts": int(len(skip)), "seconds": took}


def abandon_running(since, reason: str, actor=None) -> list[int]:
    """Runs left *running* by a worker that died (its transaction was rolled back by the database: the domain tables
    are as they were): marked failed with ``reason`` (``eod.fail``). Only runs started at ``since`` or later."""
    ids = []
    for run in EodRun.objects.filter(status=RunStatus.RUNNING, started_at__gte=since):
        with transaction.atomic():
            run.status, run.finished_at, run.error = RunStatus.FAILED, clock.now(), reason[:4000]
            run.save(update_fields=["status", "finished_at", "error"])
            audit.record(actor, "eod.fail", run, {"as_of": run.as_of.isoformat(), "engine": run.engine,
                                                  "error": reason[:500]})
        ids.append(run.pk)
    return ids
