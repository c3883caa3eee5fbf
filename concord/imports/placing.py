"""Writing placement rows: debtors, contact points, related parties, employers, cases and accounts, in bulk.

:class:`PlacementWriter` takes a chunk of checked rows (:class:`~concord.imports.rows.RowResult`) and writes
them with a handful of queries per chunk instead of a few hundred per row: one lookup per table, then multi-row
inserts and updates (:mod:`concord.core.bulk`). Every row ends as ``created`` (a new account), ``updated`` (an
existing account or its borrower's file changed) or ``unchanged``; a row the database refuses (an account reference
that already belongs to another person, a product the creditor does not offer) gets its reason instead.

What a placement row becomes:

- the person, found by the blind index of the ID (15 and 18 digits are one person, across creditors and
  files); a new person takes the name, birth date and gender from the row, an existing one keeps their name
  (a different name is a warning);
- the mobile and home address as contact points, the employer, the emergency contact as a related party
  (a spouse by relation words), each added only when the person does not have it yet, with its source
  (the creditor and the batch) — the rules of :mod:`concord.debtors.merge`, which
  ``cases.services.place_single_account`` applies to a placement entered by hand;
- the case of this person with this creditor (opened in the batch's placement, reopened when it had been
  recalled or closed: :mod:`concord.cases.merge`, as ``cases.services.open_case``);
- the account: terms from the row, balances as the creditor states them (remaining principal, else overdue
  principal, else the contract amount; overdue interest; penalty), one overdue instalment due on
  ``today − 逾期天数`` (else the due date), from which DPD and bucket follow exactly as in the ledger.
  An account that already has payments recorded in Concord keeps its balances (a warning says so).

The caller runs each chunk in a transaction and records one audit event per chunk.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

from django.db.models import Count
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from concord.core import bulk, clock
from concord.cases import merge as case_merge
from concord.cases.models import Assignment, Case, CaseStatus
from concord.loans.models import ProductKind
from concord.debtors import merge, provenance, region
from concord.debtors.models import (AddressType, ContactKind, ContactPoint, ContactSource, ContactStatus, Debtor,
                                    Employment, IdType, PartyRole, RelatedParty)
from concord.loans import delinquency, schedule, summary
from concord.loans.models import AccountStatus, Instalment, LoanAccount, RepaymentMethod

from .rows import FieldProblem, PlacementRecord, RowResult

ZERO = Decimal("0.00")
DEFAULT_PLACEMENT_DAYS = 90  # a row without 退案日期 is placed for this many days

CREATED, UPDATED, UNCHANGED, REJECTED = "created", "updated", "unchanged", "rejected"

# Account fields a placement row sets; an update compares exactly these.
TERM_FIELDS = ("product_id", "contract_amount", "annual_rate", "term_months", "method", "start_date",
               "credit_limit")
BALANCE_FIELDS = ("principal_balance", "interest_balance", "penalty_balance", "interest_charged",
                  "penalty_accrued", "minimum_payment", "dpd", "bucket", "balances_as_of", "status")
#: The parts of an account's balance (``LoanAccount.total_balance``).
BALANCES = ("principal_balance", "interest_balance", "penalty_balance", "fees_balance")


@dataclass
class Terms:
    """The account a row describes, before it touches the database."""

    values: dict  # LoanAccount field → value
    due_date: dt.date
    principal_due: Decimal
    interest_due: Decimal


@dataclass(slots=True)
class _Row:
    """A row written by this chunk without a model instance: what later steps read of it."""

    pk: int
    full_name: str = ""


class PlacementWriter:
    """Writes chunks of placement rows for one creditor and one batch."""

    def __init__(self, creditor, *, batch_label: str, today: dt.date, placement_for):
        self.creditor = creditor
        self.today = today
        self.source_detail = f"{creditor.code} {batch_label}"[:100]
        self.placement_for = placement_for  # (placed_on, return_on) -> Placement
        self.products = {}
        for product in creditor.products.order_by("code"):
            self.products.setdefault(product.kind, product)

    # --- the chunk -------------------------------------------------------------------------------------

    def write(self, results: list[RowResult]) -> dict[int, str]:
        """Write the rows of one chunk (no account reference twice); returns row number → outcome.
        Rows refused here get their reason appended to ``result.errors``."""
        outcome: dict[int, str] = {}
        self._indexes = bulk.BlindIndexes()  # each blind index computed once per chunk (lookups and inserts)
        rows = [r for r in results if self._product_known(r)]
        debtors = self._debtors(rows)
        accounts = self._accounts([r.record.account_reference for r in rows])
        rows = [r for r in rows if self._same_person(r, accounts, debtors)]
        for r in results:
            if r.errors:
                outcome[r.row_number] = REJECTED
        terms = {r.row_number: self.terms(r.record) for r in rows}
        cases, summed = self._cases(rows, debtors, accounts, terms)
        touched_files = self._borrower_files(rows, debtors)
        created, updated = self._write_accounts(rows, debtors, cases, accounts, terms)
        self.refresh_cases({c.pk for c in cases.values()} - summed)
        #: the cases without a team after this chunk (new or reopened): the import's followers allocate them
        self.placed_cases = sorted(c.pk for c in cases.values() if not isinstance(c, Case) or (
            c.assigned_team_id is None and c.assigned_collector_id is None
            and c.status in (CaseStatus.NEW, CaseStatus.OPEN)))
        for r in rows:
            debtor = debtors[r.record.national_id]
            if r.record.account_reference in created:
                outcome[r.row_number] = CREATED
            elif r.record.account_reference in updated or debtor.pk in touched_files.get(r.row_number, ()):
                outcome[r.row_number] = UPDATED
            else:
                outcome[r.row_number] = UNCHANGED
        return outcome

    def _product_known(self, result: RowResult) -> bool:
        if result.record.product in self.products:
            return True
        result.errors.append(FieldProblem("product", None, "product_not_offered", format_lazy(
            _("委托方 {creditor} 没有“{kind}”产品；请先用 concord creditor 添加该产品"), creditor=self.creditor.code,
            kind=ProductKind(result.record.product).label), result.record.product))
        return False

    def _same_person(self, result: RowResult, accounts: dict, debtors: dict) -> bool:
        account = accounts.get(result.record.account_reference)
        if account is None or account.debtor_id == debtors[result.record.national_id].pk:
            return True
        result.errors.append(FieldProblem("account_reference", None, "account_other_debtor", format_lazy(
            _("借据号 {ref} 已属于另一位债务人；同一借据不能换人"), ref=result.record.account_reference),
            result.record.account_reference))
        return False

    # --- people ----------------------------------------------------------------------------------------

    def _debtors(self, rows: list[RowResult]) -> dict[str, _Row]:
        """national ID → the person (existing or new: id and name) for every row; a different name on file is a
        warning."""
        by_index: dict[str, PlacementRecord] = {}
        for r in rows:  # a person new to Concord takes the name of their first row, as if the rows came one by one
            by_index.setdefault(self._indexes.of(Debtor, "id_number_index", r.record.national_id), r.record)
        found = {index: _Row(pk, full_name) for pk, full_name, index in Debtor.objects.filter(
            id_type=IdType.CN_RIC, id_number_index__any_of=list(by_index)).values_list("id", "full_name",
                                                                                   "id_number_index")}
        new_indexes, new = [], []
        for index, record in by_index.items():
            if index not in found:
                new_indexes.append(index)
                new.append({"full_name": record.full_name, "id_type": IdType.CN_RIC, "id_number": record.national_id,
                            "id_number_index": index, "id_last4": record.national_id[-4:],
                            "birth_date": record.birth_date, "gender": record.gender,
                            **dict(zip(("province", "city"), region.parse(record.home_address or "")))})
        for index, row, pk in zip(new_indexes, new, bulk.insert_rows(Debtor, new, indexes=self._indexes)):
            found[index] = _Row(pk, row["full_name"])
        by_id = {record.national_id: found[index] for index, record in by_index.items()}
        for r in rows:
            debtor = by_id[r.record.national_id]
            if merge.name_differs(debtor.full_name, r.record.full_name):
                r.warnings.append(FieldProblem("full_name", None, "name_mismatch", format_lazy(
                    _("该身份证号已登记为“{known}”，文件中为“{given}”；保留已登记的姓名"), known=debtor.full_name,
                    given=r.record.full_name), r.record.full_name))
        return by_id

    def _borrower_files(self, rows: list[RowResult], debtors: dict[str, _Row]) -> dict[int, set[int]]:
        """Add the contact points, employers and emergency contacts the people do not have yet.
        Returns row number → {debtor id} for rows that added something."""
        ids = {d.pk for d in debtors.values()}
        points: dict[int, list] = {pk: [] for pk in ids}
        on_file: dict[tuple, tuple[int, list]] = {}  # (debtor, kind, index) → (point id, suppliers)
        for point_id, debtor_id, kind, index, primary, suppliers in ContactPoint.objects.filter(
                debtor_id__any_of=ids).values_list("id", "debtor_id", "kind", "value_index", "is_primary", "suppliers"):
            points[debtor_id].append((kind, index, primary))
            on_file[(debtor_id, kind, index)] = (point_id, suppliers)
        supplied: dict[int, list] = {}  # points on file that this creditor now supplies too
        books = {pk: merge.ContactBook(known) for pk, known in points.items()}
        jobs: dict[int, list] = {pk: [] for pk in ids}
        for debtor_id, *job in Employment.objects.filter(debtor_id__any_of=ids).values_list(
                "debtor_id", "employer_name", "is_current"):
            jobs[debtor_id].append(job)
        employers = {pk: merge.EmployerBook(known) for pk, known in jobs.items()}
        parties = {(p["debtor_id"], merge.party_key(p["phone_index"], p["full_name"])) for p in
                   RelatedParty.objects.filter(debtor_id__any_of=ids).values("debtor_id", "phone_index", "full_name")}
        new_points, new_jobs, new_parties = [], [], []
        regions: dict[tuple[str, str], set[int]] = {}
        touched: dict[int, set[int]] = {}
        for r in rows:
            record, debtor = r.record, debtors[r.record.national_id]
            added = False
            for kind, value, status, address_type in self._contact_values(record):
                index = self._indexes.of(ContactPoint, "value_index", value)
                primary = books[debtor.pk].merge(kind, index, status)
                if primary is None:
                    known = on_file.get((debtor.pk, kind, index))
                    if known is not None and self.creditor.pk not in known[1]:
                        supplied[known[0]] = provenance.with_supplier(known[1], self.creditor.pk)
                    continue
                if kind == ContactKind.ADDRESS:
                    regions.setdefault(region.parse(value), set()).add(debtor.pk)
                new_points.append({"debtor_id": debtor.pk, "kind": kind, "value": value, "value_index": index,
                                   "address_type": address_type, "source": ContactSource.CREDITOR,
                                   "source_detail": self.source_detail, "status": status, "is_primary": primary,
                                   "suppliers": [self.creditor.pk]})
                added = True
            current = employers[debtor.pk].merge(record.employer)
            if current is not None:
                new_jobs.append({"debtor_id": debtor.pk, "employer_name": record.employer, "is_current": current})
                added = True
            party = self._party(record, debtor)
            if party is not None:
                party["phone_index"] = self._indexes.of(RelatedParty, "phone_index", party["phone"])
                key = (debtor.pk, merge.party_key(party["phone_index"], party["full_name"]))
                if key not in parties:
                    parties.add(key)
                    new_parties.append(party)
                    added = True
            if added:
                touched.setdefault(r.row_number, set()).add(debtor.pk)
        bulk.insert_rows(ContactPoint, new_points, indexes=self._indexes)
        for (province, city), pks in regions.items():  # a person on file without a region gets their address's
            if province:
                Debtor.objects.filter(pk__in=sorted(pks), province="").update(province=province, city=city)
        if supplied:
            ContactPoint.objects.bulk_update([ContactPoint(pk=pk, suppliers=value) for pk, value in supplied.items()],
                                             ["suppliers"])
        bulk.insert_rows(Employment, new_jobs, indexes=self._indexes)
        bulk.insert_rows(RelatedParty, new_parties, indexes=self._indexes)
        return touched

    @staticmethod
    def _contact_values(record: PlacementRecord) -> Iterable[tuple[str, str, str, str]]:
        if record.mobile is not None:
            status = ContactStatus.VALID if record.mobile.status == "valid" else ContactStatus.INVALID
            yield ContactKind.MOBILE, record.mobile.value, status, AddressType.NONE
        if record.home_address:
            yield ContactKind.ADDRESS, record.home_address, ContactStatus.UNKNOWN, AddressType.HOME

    @staticmethod
    def _party(record: PlacementRecord, debtor: _Row) -> dict | None:
        """The emergency contact as a RelatedParty row (field → value), or None."""
        phone = record.emergency_contact_phone.value if record.emergency_contact_phone else ""
        name = record.emergency_contact_name or record.emergency_contact_relation
        if not (phone or record.emergency_contact_name):
            return None
        relation = record.emergency_contact_relation
        return {"debtor_id": debtor.pk, "role": merge.party_role(relation, otherwise=PartyRole.EMERGENCY_CONTACT),
                "full_name": (name or str(_("紧急联系人")))[:100], "relation": relation[:50], "phone": phone}

    # --- cases and accounts ----------------------------------------------------------------------------

    def _cases(self, rows: list[RowResult], debtors: dict[str, _Row], accounts: dict,
               terms: dict[int, Terms]) -> tuple[dict[int, Case | _Row], set[int]]:
        """debtor id → this creditor's case for every row's person (a new one only by its id); new ones opened,
        ended ones reopened. Also returns the ids of the new cases whose accounts are all new in this chunk: their
        totals are written with them (from the rows' terms), so they need no refresh afterwards."""
        ids = {debtors[r.record.national_id].pk for r in rows}
        cases = {c.debtor_id: c for c in Case.objects.filter(creditor=self.creditor, debtor_id__any_of=ids)}
        new, new_rows, reopened = [], [], []
        of_new_case: dict[int, list[dict] | None] = {}  # debtor id → account values of the new case (None: mixed)
        code = self.creditor.code.upper()
        for r in rows:
            debtor = debtors[r.record.national_id]
            placement = self.placement_for(r.record.placed_on, r.record.return_on)
            case = cases.get(debtor.pk)
            if case is None:
                case = cases[debtor.pk] = _Row(0)
                new.append(case)
                of_new_case[debtor.pk] = []
                new_rows.append({"creditor_id": self.creditor.pk, "debtor_id": debtor.pk,
                                 "placement_id": placement.pk if placement is not None else None,
                                 "reference": case_merge.case_reference(code, debtor.pk),
                                 "opened_on": r.record.placed_on or self.today})
            if isinstance(case, _Row):
                values = of_new_case[debtor.pk]
                if values is not None and r.record.account_reference in accounts:
                    of_new_case[debtor.pk] = None  # an existing account moves in: the refresh sums the case
                elif values is not None:
                    values.append(terms[r.row_number].values)
            elif isinstance(case, Case) and case_merge.reopens(case.status) and case not in reopened:
                case.status, case.closed_on, case.placement = CaseStatus.NEW, None, placement
                case.assigned_team = case.assigned_collector = None
                reopened.append(case)
        summed_debtors = [debtor_id for debtor_id, values in of_new_case.items() if values is not None]
        for new_row in new_rows:
            values = of_new_case[new_row["debtor_id"]]
            if values is not None:
                new_row.update(self._case_figures(CaseStatus.NEW, None, [summary.AccountFigures(
                    v["status"], sum((v.get(f, ZERO) for f in BALANCES), ZERO), v["dpd"]) for v in values]))
        for case, pk in zip(new, bulk.insert_rows(Case, new_rows)):
            case.pk = pk
        bulk.update(Case, reopened, ["status", "closed_on", "placement", "assigned_team",
                                            "assigned_collector"])
        if reopened:  # their assignment ends (the history stays), as cases.services.open_case does
            Assignment.objects.filter(case_id__any_of=[c.pk for c in reopened], ended_at__isnull=True).update(
                ended_at=clock.now())
        return cases, {cases[debtor_id].pk for debtor_id in summed_debtors}

    def _case_figures(self, status: str, closed: dt.date | None, accounts: list[summary.AccountFigures]) -> dict:
        """A case's totals and status from its accounts, by the rule of ``loans.summary`` (the one the ledger's
        follower and the end-of-day run apply)."""
        s = summary.summarize(status, accounts, closed=closed, today=self.today, zero=ZERO)
        figures = {"total_balance": s.total, "max_dpd": s.max_dpd, "bucket": s.bucket, "status": s.status}
        if s.status != status:
            figures["closed_on"] = s.closed_on
        return figures

    def _accounts(self, references: list[str]) -> dict[str, LoanAccount]:
        accounts = {a.reference: a for a in LoanAccount.objects.filter(creditor=self.creditor,
                                                                       reference__any_of=references)
                    .annotate(instalment_count=Count("instalments", distinct=True),
                              payment_count=Count("payments", distinct=True))}
        return accounts

    def terms(self, record: PlacementRecord) -> Terms:
        """The account a row describes (pure: no queries)."""
        product = self.products[record.product]
        card = record.product == ProductKind.CREDIT_CARD
        method = record.repayment_method or (RepaymentMethod.REVOLVING if card else RepaymentMethod.BULLET)
        if record.dpd is not None:
            due = self.today - dt.timedelta(days=record.dpd)
        else:
            due = record.due_date or self.today
        start = record.loan_date or min(due, self.today)
        principal = (record.remaining_principal if record.remaining_principal is not None
                     else record.overdue_principal if record.overdue_principal is not None
                     else record.contract_amount)
        interest = record.overdue_interest or ZERO
        penalty = record.penalty or ZERO
        principal_due = record.overdue_principal if record.overdue_principal is not None else principal
        item = delinquency.DueItem(due, principal_due, interest, ZERO, ZERO)
        dpd = delinquency.days_past_due([item], self.today)
        minimum = ZERO
        if card:
            minimum = schedule.card_minimum_payment(principal + interest, fees_and_interest=interest + penalty,
                                                    rate=product.min_payment_rate, floor=product.min_payment_floor)
        values = {
            "product_id": product.pk, "contract_amount": record.contract_amount,
            "annual_rate": record.annual_rate if record.annual_rate is not None else ZERO,
            "term_months": 0 if card else (record.term_months or 1), "method": method, "start_date": start,
            "credit_limit": record.contract_amount if card else None,
            "principal_balance": principal, "interest_balance": interest, "penalty_balance": penalty,
            "interest_charged": interest, "penalty_accrued": penalty, "minimum_payment": minimum,
            "dpd": dpd, "bucket": delinquency.bucket(dpd), "balances_as_of": self.today,
            "status": AccountStatus.OPEN if principal + interest + penalty > 0 else AccountStatus.SETTLED,
        }
        return Terms(values, due, principal_due, interest)

    def _write_accounts(self, rows, debtors, cases, accounts, terms) -> tuple[set[str], set[str]]:
        new_accounts, new_items, changed, created, updated = [], [], [], set(), set()
        item_updates: list[Instalment] = []
        # new_items: (existing LoanAccount | position of the new account in new_accounts, terms)
        for r in rows:
            record, debtor = r.record, debtors[r.record.national_id]
            case, row_terms = cases[debtor.pk], terms[r.row_number]
            account = accounts.get(record.account_reference)
            if account is None:
                new_items.append((len(new_accounts), row_terms))
                new_accounts.append({"creditor_id": self.creditor.pk, "debtor_id": debtor.pk, "case_id": case.pk,
                                     "reference": record.account_reference, **row_terms.values})
                created.add(record.account_reference)
                continue
            fields = [f for f in TERM_FIELDS if getattr(account, f) != row_terms.values[f]]
            if account.case_id != case.pk:
                account.case_id = case.pk
                fields.append("case")
            if account.payment_count or account.instalment_count > 1:
                if any(getattr(account, f) != row_terms.values[f] for f in BALANCE_FIELDS if f != "balances_as_of"):
                    r.warnings.append(FieldProblem("remaining_principal", None, "balances_kept", _(
                        "该账户在系统中已有还款或还款计划，余额以系统为准，未按文件更新")))
            else:
                balance_changes = [f for f in BALANCE_FIELDS
                                   if f != "balances_as_of" and getattr(account, f) != row_terms.values[f]]
                item = account.instalments.first()
                if item is None or (item.due_date, item.principal_due, item.interest_due) != (
                        row_terms.due_date, row_terms.principal_due, row_terms.interest_due):
                    if item is None:
                        new_items.append((account, row_terms))
                    else:
                        item.due_date, item.principal_due, item.interest_due = (
                            row_terms.due_date, row_terms.principal_due, row_terms.interest_due)
                        item_updates.append(item)
                    balance_changes = balance_changes or ["balances_as_of"]
                if balance_changes:
                    fields += [f for f in BALANCE_FIELDS if f not in fields]
            if fields:
                for f in fields:
                    if f in row_terms.values:
                        setattr(account, f, row_terms.values[f])
                changed.append(account)
                updated.add(record.account_reference)
        new_ids = bulk.insert_rows(LoanAccount, new_accounts)
        bulk.insert_rows(Instalment, [
            {"account_id": new_ids[account] if isinstance(account, int) else account.pk, "number": 1,
             "due_date": t.due_date, "principal_due": t.principal_due, "interest_due": t.interest_due}
            for account, t in new_items])
        bulk.update(Instalment, item_updates, ["due_date", "principal_due", "interest_due"])
        if changed:
            fields = sorted({*TERM_FIELDS, *BALANCE_FIELDS, "case"} - {"product_id"} | {"product"})
            bulk.update(LoanAccount, changed, fields)
        return created, updated

    def refresh_cases(self, case_ids: set[int]) -> None:
        """Case totals and status from their accounts (one query), by the rule of ``loans.summary``."""
        if not case_ids:
            return
        of_case: dict[int, list[summary.AccountFigures]] = {}
        for case_id, status, *balances, dpd in LoanAccount.objects.filter(case_id__any_of=case_ids).values_list(
                "case_id", "status", *BALANCES, "dpd"):
            of_case.setdefault(case_id, []).append(summary.AccountFigures(status, sum(balances, ZERO), dpd))
        cases = list(Case.objects.filter(pk__any_of=case_ids).only("id", "status", "closed_on", "total_balance",
                                                                "max_dpd", "bucket"))
        for case in cases:
            for name, value in self._case_figures(case.status, case.closed_on, of_case.get(case.pk, [])).items():
                setattr(case, name, value)
        bulk.update(Case, cases, ["total_balance", "max_dpd", "bucket", "status", "closed_on"])


def placement_key(record_placed: dt.date | None, record_return: dt.date | None, today: dt.date):
    placed = record_placed or today
    returned = record_return or placed + dt.timedelta(days=DEFAULT_PLACEMENT_DAYS)
    return placed, max(returned, placed)

