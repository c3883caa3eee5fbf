"""Keeping the daily history (:mod:`concord.reports.store`) from the application database.

* ``after_run(run)`` — followed by every successful end-of-day run (``concord.eod.followers``): the run's day is
  written whole (each account as the run left it, and the day's facts); if the run found back-dated payments
  (``EodRun.recomputed_from``), the days from that date up to the day before are restated first.
* ``restate(day)`` — a kept day brought up to date with the payments recorded or reversed since it was written:
  ``paid_fen`` and the facts are read again from the raw tables; ``balance_fen`` loses what those payments took
  off the balances (their allocation: amount less the part that went to credit balance) — or gets back what a
  reversal put back. Bucket and DPD of past days are not re-aged (the engine does not replay past runs either).
  Nights without a run between the last kept day and the run's day are rebuilt first (``backfill``); months closed
  before the run's month are compacted after it (``HistoryStore.compact``).
* ``backfill(start, end)`` — days before the history began (a new installation, the demo's replayed nights)
  rebuilt from the raw tables (``reconstruct``), marked ``source = backfill`` in the day's manifest.
"""
from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pyarrow as pa
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from concord.arrangements.models import Arrangement
from concord.cases.models import Assignment
from concord.compliance.models import Complaint, ContactAttempt, ContactDecision
from concord.core import clock
from concord.loans.delinquency import bucket as bucket_of
from concord.loans.models import Instalment, LoanAccount, Payment
from concord.workbench.models import Promise

from .store import ACCOUNTS, FACT_TABLES, HistoryStore

RESOLVED = ("kept", "partial", "broken")


def store() -> HistoryStore:
    return HistoryStore(settings.CONCORD_HISTORY_DIR)


def fen(amount) -> int:
    return int((Decimal(amount or 0) * 100).to_integral_value())


def bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _table(schema: pa.Schema, rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema)


# -- the day's facts ----------------------------------------------------------------------------------------------
def facts(day: dt.date) -> dict[str, pa.Table]:
    start, end = bounds(day)
    on_day = {"__gte": start, "__lt": end}

    def within(field):
        return {f"{field}{k}": v for k, v in on_day.items()}

    payments = [{"payment_id": p, "account_id": a, "case_id": c, "creditor_id": cr, "amount_fen": fen(amt),
                 "channel": ch, "reversed": rev is not None}
                for p, a, c, cr, amt, ch, rev in Payment.objects.filter(**within("paid_at")).order_by("pk")
                .values_list("pk", "account_id", "account__case_id", "creditor_id", "amount", "channel", "reversed_at")]
    contacts = []
    for pk, case, cred, coll, ch, direction, party, outcome, at in ContactAttempt.objects.filter(
            **within("at")).order_by("pk").values_list("pk", "case_id", "creditor_id", "collector_id", "channel",
                                                        "direction", "party_kind", "outcome", "at"):
        local = timezone.localtime(at)
        contacts.append({"attempt_id": pk, "case_id": case, "creditor_id": cred, "collector_id": coll, "channel": ch,
                         "direction": direction, "party": party, "outcome": outcome or "", "hour": local.hour,
                         "weekday": local.isoweekday()})
    decisions = [{"decision_id": pk, "case_id": case, "creditor_id": cred, "actor_id": actor, "channel": ch,
                  "allowed": allowed, "rules": rules or ""}
                 for pk, case, cred, actor, ch, allowed, rules in ContactDecision.objects.filter(**within("at"))
                 .order_by("pk").values_list("pk", "case_id", "creditor_id", "actor_id", "channel", "allowed",
                                             "rules_text")]
    promises = []
    fields = ("pk", "case_id", "case__creditor_id", "created_by_id", "amount", "paid_amount", "due_date", "status")
    for pk, case, cred, by, amount, paid, due, _status in Promise.objects.filter(**within("made_at")).exclude(
            status="superseded").order_by("pk").values_list(*fields):
        promises.append({"promise_id": pk, "case_id": case, "creditor_id": cred, "collector_id": by, "event": "made",
                         "amount_fen": fen(amount), "paid_fen": 0, "due_date": due})
    for pk, case, cred, by, amount, paid, due, status in Promise.objects.filter(
            **within("resolved_at"), status__in=RESOLVED).order_by("pk").values_list(*fields):
        promises.append({"promise_id": pk, "case_id": case, "creditor_id": cred, "collector_id": by, "event": status,
                         "amount_fen": fen(amount), "paid_fen": fen(paid), "due_date": due})
    arrangements = [{"arrangement_id": pk, "case_id": case, "kind": kind, "status": status, "total_fen": fen(total)}
                    for pk, case, kind, status, total in Arrangement.objects.filter(**within("proposed_at"))
                    .order_by("pk").values_list("pk", "case_id", "kind", "status", "total")]
    complaints = [{"complaint_id": pk, "case_id": case, "creditor_id": cred, "kind": kind, "category": cat,
                   "severity": sev, "status": status}
                  for pk, case, cred, kind, cat, sev, status in Complaint.objects.filter(**within("received_at"))
                  .order_by("pk").values_list("pk", "case_id", "creditor_id", "kind", "category", "severity",
                                              "status")]
    rows = {"payments": payments, "contacts": contacts, "decisions": decisions, "promises": promises,
            "arrangements": arrangements, "complaints": complaints}
    return {name: _table(FACT_TABLES[name], rows[name]) for name in FACT_TABLES}


def _paid_on(day: dt.date) -> dict[int, int]:
    start, end = bounds(day)
    paid: dict[int, int] = defaultdict(int)
    for acc, amount in Payment.objects.filter(paid_at__gte=start, paid_at__lt=end, reversed_at__isnull=True) \
            .values_list("account_id", "amount"):
        paid[acc] += fen(amount)
    return paid


# -- each account as the run left it -------------------------------------------------------------------------------
ACCOUNT_FIELDS = ("pk", "case_id", "creditor_id", "product_id", "case__placement_id", "case__placement__placed_on",
                  "case__assigned_team_id", "case__assigned_collector_id", "status", "bucket", "dpd",
                  "principal_balance", "interest_balance", "penalty_balance", "fees_balance",
                  "case__eod_state__segment", "case__eod_state__score", "case__eod_state__treatment")


def accounts_now(day: dt.date) -> pa.Table:
    paid = _paid_on(day)
    rows = []
    for (pk, case, cred, product, placement, placed_on, team, coll, status, bucket, dpd, p, i, pen, fees, segment,
         score, treatment) in LoanAccount.objects.filter(case__isnull=False).order_by("pk").values_list(
            *ACCOUNT_FIELDS):
        rows.append({"account_id": pk, "case_id": case, "creditor_id": cred, "product_id": product,
                     "placement_id": placement, "placed_on": placed_on, "team_id": team, "collector_id": coll,
                     "status": status, "bucket": bucket, "dpd": dpd, "balance_fen": fen(p) + fen(i) + fen(pen) + fen(fees),
                     "paid_fen": paid.get(pk, 0), "segment": segment, "score": score, "treatment": treatment})
    return _table(ACCOUNTS, rows)


def capture(day: dt.date, *, run_id: int | None = None) -> None:
    """Write ``day`` whole from the database as it is now (call right after that day's run)."""
    basis = clock.now()
    tables = {"accounts": accounts_now(day), **facts(day)}
    store().write_day(day, tables, {"basis_at": basis.isoformat(), "source": "eod", "run_id": run_id,
                                    "accounts": tables["accounts"].num_rows})


# -- restating a kept day -------------------------------------------------------------------------------------------
def _applied(amount, allocation) -> int:
    """What a payment took off the balances: its amount less the part that went to credit balance."""
    return fen(amount) - fen((allocation or {}).get("remainder", "0"))


def _counted(recorded_at, reversed_at, at: dt.datetime) -> bool:
    return recorded_at < at and (reversed_at is None or reversed_at >= at)


def restate(day: dt.date) -> bool:
    """Bring a kept day up to date with the payments recorded or reversed since it was written (see the module's
    docstring). Returns False when the day is not kept."""
    st = store()
    meta = st.meta(day)
    if meta is None:
        return False
    basis = dt.datetime.fromisoformat(meta["basis_at"])
    now = clock.now()
    _start, end = bounds(day)
    delta: dict[int, int] = defaultdict(int)
    for acc, amount, allocation, recorded, reversed_at in Payment.objects.filter(
            Q(recorded_at__gte=basis) | Q(reversed_at__gte=basis), paid_at__lt=end).values_list(
            "account_id", "amount", "allocation", "recorded_at", "reversed_at"):
        applied = _applied(amount, allocation)
        delta[acc] += applied * (int(_counted(recorded, reversed_at, now)) - int(_counted(recorded, reversed_at, basis)))
    accounts = st.read("accounts", day).to_pylist()
    paid = _paid_on(day)
    for row in accounts:
        row["balance_fen"] -= delta.get(row["account_id"], 0)
        row["paid_fen"] = paid.get(row["account_id"], 0)
    restated = [*meta.get("restated", []), now.isoformat()]
    st.write_day(day, {"accounts": _table(ACCOUNTS, accounts), **facts(day)},
                 {**{k: v for k, v in meta.items() if k != "day"}, "basis_at": now.isoformat(), "restated": restated})
    return True


def after_run(run) -> None:
    """The follower of the end-of-day run: restate the days a back-dated payment reaches, rebuild the nights
    without a run since the last kept day from the raw tables, then keep the run's day."""
    if run.recomputed_from:
        day = run.recomputed_from
        while day < run.as_of:
            restate(day)
            day += dt.timedelta(days=1)
    earlier = [d for d in store().days() if d < run.as_of]
    if earlier and (run.as_of - earlier[-1]).days > 1:
        backfill(earlier[-1] + dt.timedelta(days=1), run.as_of - dt.timedelta(days=1))
    capture(run.as_of, run_id=run.pk)
    store().compact_before(run.as_of)  # closed months: one sorted file per table


# -- days before the history began ----------------------------------------------------------------------------------
def backfill(start: dt.date, end: dt.date, *, replace: bool = False) -> list[dt.date]:
    """Rebuild from the raw tables every day from ``start`` to ``end`` that is not kept yet (every day with
    ``replace``). Returns the days written."""
    st = store()
    kept = set(st.days())
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    days = [d for d in days if replace or d not in kept]
    if not days:
        return []
    book = _Book.load()
    basis = clock.now()
    for day in days:
        tables = {"accounts": book.accounts_on(day), **facts(day)}
        st.write_day(day, tables, {"basis_at": basis.isoformat(), "source": "backfill", "run_id": None,
                                   "accounts": tables["accounts"].num_rows})
    return days


class _Book:
    """The raw tables a backfilled day is rebuilt from, read once."""

    @classmethod
    def load(cls) -> "_Book":
        book = cls()
        book.accounts = list(LoanAccount.objects.filter(case__isnull=False).order_by("pk").values_list(
            "pk", "case_id", "creditor_id", "product_id", "case__placement_id", "case__placement__placed_on",
            "case__opened_on", "case__placement__recalled_at", "case__closed_on", "status", "principal_balance", "interest_balance",
            "penalty_balance", "fees_balance"))
        book.due: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))  # account → (due dates, cumulative due)
        for acc, due_date, p, i in Instalment.objects.order_by("account_id", "number").values_list(
                "account_id", "due_date", "principal_due", "interest_due"):
            dates, cum = book.due[acc]
            dates.append(due_date)
            cum.append((cum[-1] if cum else 0) + fen(p) + fen(i))
        book.payments: dict[int, list] = defaultdict(list)  # account → [(day, amount, applied, principal+interest)]
        for acc, paid_at, amount, allocation in Payment.objects.filter(reversed_at__isnull=True).values_list(
                "account_id", "paid_at", "amount", "allocation"):
            parts = (allocation or {}).get("parts", {})
            book.payments[acc].append((local_day(paid_at), fen(amount), _applied(amount, allocation),
                                       fen(parts.get("principal", "0")) + fen(parts.get("interest", "0"))))
        book.assignments: dict[int, list] = defaultdict(list)
        for case, team, coll, started, ended in Assignment.objects.order_by("started_at", "pk").values_list(
                "case_id", "team_id", "collector_id", "started_at", "ended_at"):
            book.assignments[case].append((started, ended, team, coll))
        return book

    def _owner(self, case: int, end: dt.datetime):
        owner = (None, None)
        for started, ended, team, coll in self.assignments.get(case, ()):
            if started < end and (ended is None or ended >= end):
                owner = (team, coll)
        return owner

    def accounts_on(self, day: dt.date) -> pa.Table:
        _start, end = bounds(day)
        rows = []
        for (pk, case, cred, product, placement, placed_on, opened_on, recalled_at, closed_on, status, p, i, pen,
             fees) in self.accounts:
            if (placed_on or opened_on) > day:
                continue
            pays = self.payments.get(pk, ())
            balance = fen(p) + fen(i) + fen(pen) + fen(fees) + sum(a for d, _amt, a, _pi in pays if d > day)
            paid_pi = sum(pi for d, _amt, _a, pi in pays if d <= day)
            dates, cum = self.due.get(pk, ([], []))
            k = bisect.bisect_right(cum, paid_pi)  # the oldest instalment not covered by what was paid by then
            dpd = (day - dates[k]).days if k < len(dates) and dates[k] < day else 0
            recalled_on = local_day(recalled_at) if recalled_at else closed_on
            if status == "recalled" and (recalled_on is None or recalled_on > day):
                status = "open"
            elif status == "settled" and balance > 0:
                status = "open"
            team, coll = self._owner(case, end)
            rows.append({"account_id": pk, "case_id": case, "creditor_id": cred, "product_id": product,
                         "placement_id": placement, "placed_on": placed_on, "team_id": team, "collector_id": coll,
                         "status": status, "bucket": bucket_of(dpd), "dpd": dpd, "balance_fen": balance,
                         "paid_fen": sum(amt for d, amt, _a, _pi in pays if d == day), "segment": None, "score": None,
                         "treatment": None})
        return _table(ACCOUNTS, rows)
