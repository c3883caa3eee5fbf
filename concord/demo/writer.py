"""Writing the demo book and its history through the bulk path the imports use (``concord.core.bulk``: executemany
on SQLite, COPY on PostgreSQL; blind indexes and encryption computed as a save would).

Every row is checked first — the services' own checks where they are pure functions (``ledger``, ``identity``, the
compliance content checker, ``loans.services._validate_payment``) and the model's field checks
(``bulk.check_rows``: choices, lengths, digits, validators) — then written in one transaction per chunk with one
audit event for the chunk, as an import writes a chunk of rows (``imports.services._Run._flush``).
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from decimal import Decimal
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from concord.cases.models import Activity, Assignment, Case
from concord.compliance import content, live
from concord.compliance.models import ContactAttempt, ContactDecision, Outcome
from concord.core import audit, bulk
from concord.core.masking import mask
from concord.creditors.models import PlacementAccount
from concord.debtors.models import (Asset, BankStatementSummary, ContactPoint, CreditReport, Debtor, Employment,
                                    FinancialProfile, OtherLoan, RelatedParty)
from concord.eod.models import EodRun, RunStatus
from concord.loans import services as loan_services
from concord.loans.models import Instalment, LoanAccount, Payment
from concord.outreach.models import Channel, MessageStatus, OutboundMessage

from . import ledger, work
from .records import Journal, clock_at

CHUNK = 1000  # borrowers per transaction
FILE_MODELS = {"contacts": ContactPoint, "parties": RelatedParty, "jobs": Employment, "profiles": FinancialProfile,
               "assets": Asset, "reports": CreditReport, "statements": BankStatementSummary,
               "other_loans": OtherLoan}
ACCOUNT_STATE = ("principal_balance", "interest_balance", "penalty_balance", "fees_balance", "interest_charged",
                 "penalty_accrued", "fees_accrued", "credit_balance", "minimum_payment", "dpd", "bucket", "status",
                 "balances_as_of")


def insert(model, rows: list[dict], **options) -> list[int]:
    bulk.check_rows(model, rows)
    return bulk.insert_rows(model, rows, **options)


class Writer:
    def __init__(self, *, creditors: dict, products: dict, placements: dict, staff, packs: dict):
        self.creditors, self.products, self.placements, self.staff = creditors, products, placements, staff
        self.pack_versions = {name: pack.version for name, pack in packs.items()}
        self.indexes = bulk.BlindIndexes()
        self.notes_checked: set[tuple[str, bool]] = set()
        self.counts = Counter()

    # --- borrowers -------------------------------------------------------------------------------------------
    def borrowers(self, borrowers, progress=None) -> None:
        """The people and their files, ``CHUNK`` people per transaction, one audit event each."""
        for start in range(0, len(borrowers), CHUNK):
            chunk = borrowers[start:start + CHUNK]
            with transaction.atomic():
                ids = insert(Debtor, [b.debtor for b in chunk], indexes=self.indexes)
                for b, pk in zip(chunk, ids):
                    b.pk = pk
                counts = {"debtors": len(chunk)}
                for name, model in FILE_MODELS.items():
                    rows, owners = [], []
                    for b in chunk:
                        for row in b.rows()[name]:
                            rows.append({**row, "debtor_id": b.pk})
                            owners.append(row)
                    for row, pk in zip(owners, insert(model, rows, indexes=self.indexes)):
                        row["pk"] = pk
                    counts[name] = len(rows)
                audit.record(None, "demo.seed.borrowers", object_type="debtors.debtor",
                             object_id=f"{ids[0]}-{ids[-1]}", changes={**counts, "demo": True})
            self.counts.update(counts)
            if progress:
                progress(start + len(chunk))

    # --- placements: cases, accounts, instalments ------------------------------------------------------------
    def placed(self, cases, accounts, day: dt.date) -> None:
        """The cases that arrive on ``day`` and the accounts placed that day (into them or into cases already
        written), as the book stands now; one audit event per placement batch."""
        new_cases = [c for c in cases if c.pk is None]
        rows = [{"creditor_id": self.creditors[c.spec.code].pk, "debtor_id": c.borrower.pk,
                 "placement_id": self.placements[(c.spec.code, day)].pk, "reference": c.reference,
                 "status": c.status, "assigned_team_id": c.team.pk if c.team else None,
                 "assigned_collector_id": c.collector.pk if c.collector else None,
                 "total_balance": c.total_balance, "max_dpd": c.max_dpd, "bucket": c.bucket,
                 "opened_on": c.placed_on, "closed_on": c.closed_on} for c in new_cases]
        for case, pk in zip(new_cases, insert(Case, rows)):
            case.pk = pk
        account_rows = [self._account_row(a) for a in accounts]
        for account, pk in zip(accounts, insert(LoanAccount, account_rows)):
            account.pk = pk
        insert(PlacementAccount, [{  # each account's balance and bucket at placement, in its batch
            "placement_id": self.placements[(a.case.spec.code, day)].pk, "account_id": a.pk, "state": "placed",
            "balance": row["principal_balance"] + row["interest_balance"] + row["penalty_balance"]
            + row["fees_balance"], "bucket": row["bucket"], "recall_reason": "", "retained_reason": "",
            "open_items": []} for a, row in zip(accounts, account_rows)])
        items = [(i, {"account_id": a.pk, "number": i.number, "due_date": i.due_date, "principal_due": i.principal_due,
                      "interest_due": i.interest_due, "principal_paid": i.principal_paid,
                      "interest_paid": i.interest_paid}) for a in accounts for i in a.items]
        for (item, _row), pk in zip(items, insert(Instalment, [r for _i, r in items])):
            item.pk = pk
        joined = {a.case for a in accounts if a.case not in new_cases}  # refresh_case_summary of the cases they join
        bulk.update(Case, [Case(pk=c.pk, total_balance=c.total_balance, max_dpd=c.max_dpd, bucket=c.bucket,
                                status=c.status, closed_on=c.closed_on) for c in joined],
                    ["total_balance", "max_dpd", "bucket", "status", "closed_on"])
        by_batch: dict = {}
        for account in accounts:
            by_batch.setdefault(account.case.spec.code, []).append(account.reference)
        for code, references in sorted(by_batch.items()):
            placement = self.placements[(code, day)]
            audit.record(None, "demo.seed.placement", placement, {
                "cases": sum(1 for c in new_cases if c.spec.code == code), "accounts": len(references),
                "references": references[:5000], "demo": True})
        self.counts.update(cases=len(new_cases), accounts=len(accounts), instalments=len(items))

    def _account_row(self, a: ledger.Account) -> dict:
        case = a.case
        return {"creditor_id": self.creditors[case.spec.code].pk,
                "product_id": self.products[(case.spec.code, a.terms.kind)].pk, "debtor_id": case.borrower.pk,
                "case_id": case.pk, "reference": a.reference, "contract_amount": a.contract_amount,
                "annual_rate": a.annual_rate, "term_months": a.term_months, "method": a.method,
                "start_date": a.start_date, "statement_day": a.statement_day, "due_day": a.due_day,
                "credit_limit": a.credit_limit, **{f: getattr(a, f) for f in ACCOUNT_STATE}}

    # --- a day of work ---------------------------------------------------------------------------------------
    def day(self, journal: Journal, *, updates: bool) -> None:
        """The day's contacts, promises, tasks, payments and moves; with ``updates`` also the rows they change
        (accounts, instalments and cases paid, promises resolved, tasks done) — days written before the engine
        takes over are written with the state the rows have reached, so they need none."""
        d = journal.day
        self._contacts(journal.contacts)
        self._promises(journal.promises)
        self._tasks(journal.tasks)
        self._payments(journal.payments)
        self._moves(journal.moves)
        if updates:
            self._updates(journal)
        c = Counter(contact.channel if contact.outcome else "denied" for contact in journal.contacts)
        audit.record(None, "demo.seed.day", object_type="demo.day", object_id=d.isoformat(), changes={
            "day": d.isoformat(), "calls": c["call"], "sms": c["sms"], "denied": c["denied"],
            "promises": len(journal.promises), "tasks": len(journal.tasks), "payments": len(journal.payments),
            "paid": str(sum((p.amount for p in journal.payments), Decimal("0.00"))), "moves": len(journal.moves),
            "references": [p.reference for p in journal.payments][:5000], "demo": True})
        self.counts.update(contacts=len(journal.contacts), promises=len(journal.promises), tasks=len(journal.tasks),
                           payments=len(journal.payments), moves=len(journal.moves))

    def _check_note(self, note: str, third_party: bool) -> None:
        """``cases.activities.check_note``: a note with prohibited content is refused."""
        if (note, third_party) not in self.notes_checked:
            findings = content.check(note, third_party=third_party)
            if findings:
                raise ValidationError({"note": [content.summary(findings, "zh")]})
            self.notes_checked.add((note, third_party))

    def _contacts(self, contacts) -> None:
        decisions = []
        for c in contacts:
            d, case = c.decision, c.case
            pack = c.case.spec.policy_pack
            ids = [str(a.pk) for a in c.accounts]
            party = f"R{c.party['pk']}" if c.party is not None else live.DEBTOR_KEY
            masked = live.masked(c.number)
            decisions.append({
                "at": c.at, "debtor_id": case.borrower.pk, "case_id": case.pk,
                "creditor_id": self.creditors[case.spec.code].pk, "actor_id": c.actor.pk, "channel": c.channel,
                "purpose": c.purpose, "party_kind": "related" if c.party is not None else "debtor",
                "related_party_id": c.party["pk"] if c.party is not None else None, "number_key": c.token,
                "number_masked": masked, "accounts": ids, "allowed": d.allowed, "rules": list(d.rules),
                "rules_text": (" " + " ".join(d.rules) + " ") if d.rules else "", "reason_zh": d.reason_zh,
                "reason_en": d.reason_en, "pack": pack, "pack_version": self.pack_versions[pack],
                "inputs": {"party": party, "relation": c.relation, "debts": ids, "channel": c.channel,
                           "purpose": c.purpose, "number": masked, "agents": None, "template": c.template_text[:500],
                           "timezone": "Asia/Shanghai", "contacts_seen": c.seen[0], "states_seen": c.seen[1],
                           "denials": [{"code": x.code, "key": x.key} for x in d.denials]}})
        for c, pk in zip(contacts, insert(ContactDecision, decisions)):
            c.pk = pk
        made = [c for c in contacts if c.outcome]
        attempts, activities, messages = [], [], []
        labels = dict(Outcome.choices)
        code_labels = dict(work.result_code_labels())
        for c in made:
            case = c.case
            masked = live.masked(c.number)
            logged = c.at + dt.timedelta(seconds=c.duration + 40) if c.channel == "call" else c.at
            if not c.at <= logged <= c.at + dt.timedelta(minutes=30):  # record_contact_outcome's window
                raise ValidationError({"at": ["放行决定仅在 30 分钟内有效"]})
            related = c.party["pk"] if c.party is not None else None
            attempts.append({"at": logged, "debtor_id": case.borrower.pk, "case_id": case.pk,
                             "creditor_id": self.creditors[case.spec.code].pk, "decision_id": c.pk,
                             "collector_id": c.actor.pk, "channel": c.channel, "direction": "outbound",
                             "party_kind": "related" if related else "debtor", "related_party_id": related,
                             "number_key": c.token, "number_masked": masked,
                             "accounts": [str(a.pk) for a in c.accounts] or None, "outcome": c.outcome,
                             "purpose": c.purpose, "note": c.note[:500]})
            if c.channel == "call":
                self._check_note(c.note, third_party=c.outcome == "third_party")
                summary = _("电话 %(n)s：%(o)s") % {"n": masked or "—", "o": labels.get(c.outcome, c.outcome)}
                if c.codes:
                    summary += " · " + "、".join(str(code_labels[x]) for x in c.codes)
                activities.append({"case_id": case.pk, "kind": "call", "direction": "outbound", "channel": "call",
                                   "related_party_id": related, "outcome": c.outcome, "result_codes": list(c.codes),
                                   "summary": summary[:200], "note": c.note,
                                   "details": {"duration_seconds": c.duration, "number": masked},
                                   "decision_id": c.pk, "actor_id": c.actor.pk, "at": logged})
            else:
                m, template = c.message, c.message["template"]
                public_id = uuid.UUID(m["public_id"])
                status_label = MessageStatus(m["status"]).label
                to_masked = mask("mobile", c.number)[:80]
                messages.append({"public_id": public_id, "case_id": case.pk, "channel": Channel.SMS,
                                 "template_id": template.pk, "template_version": template.version,
                                 "language": template.language, "to": c.number, "to_masked": to_masked,
                                 "subject": "", "body": m["body"], "extra": {}, "status": m["status"],
                                 "status_reason": "" if m["status"] == "delivered" else "运营商回执：号码暂时无法接收",
                                 "provider": "sink", "provider_id": f"sink-{public_id.hex[:16]}", "decision_id": c.pk,
                                 "actor_id": c.actor.pk, "created_at": c.at, "updated_at": c.at})
                activities.append({"case_id": case.pk, "kind": "sms", "direction": "outbound", "channel": "sms",
                                   "outcome": m["status"], "result_codes": [],
                                   "summary": (_("%(c)s：%(t)s（%(s)s）") % {"c": Channel.SMS.label, "t": template.name,
                                                                          "s": status_label})[:200],
                                   "details": {"message": str(public_id), "template": template.code,
                                               "version": template.version, "to": to_masked, "provider": "sink",
                                               "reason": ""},
                                   "decision_id": c.pk, "actor_id": c.actor.pk, "at": c.at})
        insert(ContactAttempt, attempts)
        for c, pk in zip(made, insert(Activity, activities)):
            c.activity_pk = pk
        insert(OutboundMessage, messages, keep_stamps=True)

    def _promises(self, promises) -> None:
        rows = []
        for p in promises:
            if not (p.amount > 0 and p.amount == p.amount.quantize(Decimal("0.01"))):
                raise ValidationError({"amount": ["承诺金额必须大于 0，最多两位小数"]})
            if p.due_date < p.made_at.date():
                raise ValidationError({"due_date": ["承诺还款日期不能早于今天"]})
            rows.append({"case_id": p.case.pk, "amount": p.amount, "due_date": p.due_date, "grace_days": p.grace_days,
                         "status": p.status, "paid_amount": p.paid_amount, "made_at": p.made_at,
                         "resolved_at": p.resolved_at, "activity_id": p.contact.activity_pk,
                         "created_by_id": p.created_by.pk if p.created_by else None, "note": p.note})
        for p, pk in zip(promises, insert(work.Promise, rows)):
            p.pk = pk

    def _tasks(self, tasks) -> None:
        rows = []
        for t in tasks:
            if t.due_at < t.created_at - dt.timedelta(minutes=5):  # create_task: not due in the past
                raise ValidationError({"due_at": ["到期时间不能早于现在"]})
            self._check_note(t.title, third_party=False)
            rows.append(self._task_row(t))
        for t, pk in zip(tasks, insert(work.Task, rows, keep_stamps=True)):
            t.pk = pk

    @staticmethod
    def _task_row(t) -> dict:
        return {"case_id": t.case.pk, "kind": t.kind, "title": t.title, "due_at": t.due_at,
                "assigned_to_id": t.assigned_to.pk if t.assigned_to else None,
                "promise_id": t.promise.pk if t.promise else None,
                "created_by_id": t.created_by.pk if t.created_by else None, "created_at": t.created_at,
                "done_at": t.done_at, "done_by_id": t.done_by.pk if t.done_by else None, "result": t.result}

    def _payments(self, payments) -> None:
        rows = []
        for p in payments:
            a = p.account
            loan_services._validate_payment(SimpleNamespace(start_date=a.start_date), p.amount, p.paid_at, p.channel,
                                            p.reference)
            rows.append({"account_id": a.pk, "creditor_id": self.creditors[a.case.spec.code].pk, "amount": p.amount,
                         "paid_at": p.paid_at, "channel": p.channel, "external_reference": p.reference,
                         "allocation": p.allocation, "recorded_by_id": None,
                         "recorded_at": p.paid_at + dt.timedelta(minutes=2)})
        insert(Payment, rows, keep_stamps=True)

    def _moves(self, moves) -> None:
        if not moves:
            return
        rows = [{"case_id": m.case.pk, "team_id": m.team.pk if m.team else None,
                 "collector_id": m.collector.pk if m.collector else None, "assigned_by_id": None, "reason": m.reason,
                 "started_at": m.at, "ended_at": m.ended_at} for m in moves]
        insert(Assignment, rows)  # each ends when the next move of its case starts (written in the same state)

    def _updates(self, journal: Journal) -> None:
        """The rows the day's payments, promises and tasks changed (the services' saves, in bulk)."""
        accounts = list(journal.touched)
        bulk.update(LoanAccount, [LoanAccount(pk=a.pk, **{f: getattr(a, f) for f in ACCOUNT_STATE})
                                  for a in accounts], ACCOUNT_STATE)
        bulk.update(Instalment, [Instalment(pk=i.pk, principal_paid=i.principal_paid, interest_paid=i.interest_paid)
                                 for a in accounts for i in a.items], ["principal_paid", "interest_paid"])
        cases = {a.case for a in accounts}
        bulk.update(Case, [Case(pk=c.pk, total_balance=c.total_balance, max_dpd=c.max_dpd, bucket=c.bucket,
                                status=c.status, closed_on=c.closed_on)
                           for c in cases], ["total_balance", "max_dpd", "bucket", "status", "closed_on"])
        promises = [p for p in journal.changed_promises if p.pk is not None]
        bulk.update(work.Promise, [work.Promise(pk=p.pk, status=p.status, paid_amount=p.paid_amount,
                                                resolved_at=p.resolved_at) for p in promises],
                    ["status", "paid_amount", "resolved_at"])
        tasks = [t for t in journal.done_tasks if t.pk is not None]
        bulk.update(work.Task, [work.Task(pk=t.pk, done_at=t.done_at, done_by_id=t.done_by.pk if t.done_by else None,
                                          result=t.result) for t in tasks], ["done_at", "done_by", "result"])

    # --- the nights the seeder replays ------------------------------------------------------------------------
    def replay_run(self, day: dt.date, summary: dict) -> EodRun:
        at = clock_at(day, dt.time(23, 30))
        run = EodRun.objects.create(as_of=day, engine="replay", status=RunStatus.SUCCEEDED, started_at=at,
                                    finished_at=at, summary=summary, stage_seconds={})
        audit.record(None, "eod.replay", run, {"as_of": day.isoformat(), "accounts": summary["accounts"],
                                               "cases": summary["cases"], "moves": sum(summary["moves"].values()),
                                               "demo": True})
        return run
