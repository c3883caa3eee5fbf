"""Case actions: open a case for a debtor's accounts with a creditor, assign it, change its status."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from concord.core import audit, clock
from concord.core.services import save_validated
from concord.core.text import translated
from concord.loans import summary
from concord.staff.roles import Capability, may

from . import merge
from .models import ACTIVE_STATUSES, Assignment, Case, CaseStatus


@transaction.atomic
def open_case(actor, *, creditor, debtor, placement=None, opened_on: dt.date | None = None) -> tuple[Case, bool]:
    """The case of this debtor with this creditor: the existing one — reopened in ``placement`` when it had been
    recalled or closed (:func:`merge.reopens`, the rule placement files share) — or a new one."""
    if placement is not None and placement.creditor_id != creditor.pk:
        raise ValidationError({"placement": [_("委案批次不属于该委托方")]})
    existing = Case.objects.select_for_update().filter(creditor=creditor, debtor=debtor).first()
    if existing:
        if merge.reopens(existing.status):
            _reopen(actor, existing, placement)
        return existing, False
    case = save_validated(Case(creditor=creditor, debtor=debtor, placement=placement,
                               reference=merge.case_reference(creditor.code, debtor.pk),
                               opened_on=opened_on or clock.today()))
    audit.record(actor, "case.open", case, {"reference": case.reference, "creditor": creditor.code,
                                             "placement": placement.reference if placement else None})
    return case, True


def _reopen(actor, case: Case, placement) -> None:
    """A recalled or closed case placed again: new, in the new placement, its assignment ended (history kept)."""
    before = case.status
    case.assignments.filter(ended_at__isnull=True).update(ended_at=clock.now())
    case.status, case.closed_on, case.placement = CaseStatus.NEW, None, placement
    case.assigned_team = case.assigned_collector = None
    case.save(update_fields=["status", "closed_on", "placement", "assigned_team", "assigned_collector"])
    audit.record(actor, "case.reopen", case, {"status": [before, case.status],
                                               "placement": placement.reference if placement else None})


@transaction.atomic
def assign_case(actor, case: Case, *, team=None, collector=None, reason: str = "") -> Case:
    """Give a case to a team and/or collector; the previous assignment is closed, both kept in history."""
    if case.status not in ACTIVE_STATUSES:
        raise ValidationError({"case": [_("案件已结束，不能分配")]})
    if len(reason) > 200:
        raise ValidationError({"reason": [_("原因不能超过 200 个字符")]})
    if collector is not None:
        if not may(collector, Capability.TAKE_CASES):
            raise ValidationError({"collector": [_("%(u)s 不是在岗的催收人员") % {"u": collector}]})
        team = team or collector.team
        if collector.team_id and team and collector.team_id != team.pk:
            raise ValidationError({"collector": [_("催收员不属于所选小组")]})
    now = clock.now()
    case.assignments.filter(ended_at__isnull=True).update(ended_at=now)
    Assignment.objects.create(case=case, team=team, collector=collector, reason=reason, started_at=now,
                              assigned_by=actor if getattr(actor, "pk", None) else None)
    before = (case.assigned_team_id, case.assigned_collector_id)
    case.assigned_team, case.assigned_collector = team, collector
    if case.status == CaseStatus.NEW and collector is not None:
        case.status = CaseStatus.OPEN
    case.save(update_fields=["assigned_team", "assigned_collector", "status"])
    audit.record(actor, "case.assign", case, {"team": [before[0], team.pk if team else None],
                                               "collector": [before[1], collector.pk if collector else None],
                                               "reason": reason})
    return case


@transaction.atomic
def set_case_status(actor, case: Case, status: str, *, reason: str = "") -> Case:
    if status not in CaseStatus.values:
        raise ValidationError({"status": [_("未知案件状态：%(v)s") % {"v": status}]})
    before = case.status
    case.status = status
    case.closed_on = None if status in ACTIVE_STATUSES else (case.closed_on or clock.today())
    case.save(update_fields=["status", "closed_on"])
    audit.record(actor, "case.status", case, {"status": [before, status], "reason": reason})
    return case


def on_account_changed(account) -> None:
    """The ledger's follower: an account's figures changed, so its case's summary follows."""
    if account.case_id:
        refresh_case_summary(account.case)


def refresh_case_summary(case: Case) -> None:
    """Recompute the case's cached totals and status from its accounts by the rule of ``loans.summary`` (derived
    data; the account change that caused it carries the audit event)."""
    figures = [summary.AccountFigures(status, p + i + pe + f, dpd) for status, p, i, pe, f, dpd in
               case.accounts.values_list("status", "principal_balance", "interest_balance", "penalty_balance",
                                         "fees_balance", "dpd")]
    s = summary.summarize(case.status, figures, closed=case.closed_on, today=clock.today(), zero=Decimal("0.00"))
    case.total_balance, case.max_dpd, case.bucket = s.total, s.max_dpd, s.bucket
    fields = ["total_balance", "max_dpd", "bucket"]
    if s.status != case.status:
        case.status, case.closed_on = s.status, s.closed_on
        fields += ["status", "closed_on"]
    case.save(update_fields=fields)


@transaction.atomic
def place_single_account(actor, *, creditor, product, full_name: str, id_type: str, id_number: str, mobile: str,
                         account: dict, placement=None, home_address: str = "", employer: str = "",
                         emergency_contact: dict | None = None) -> Case:
    """One placement entered by hand, all or nothing: the debtor registered (or found by ID; a person on file
    keeps their name), what the placement says of them merged into their file by the rules placement files share
    (:mod:`concord.debtors.merge`: the mobile, the home address, the employer, the emergency contact —
    ``{"full_name", "relation", "phone"}``), their case with this creditor opened or reopened
    (:mod:`concord.cases.merge`) and one account. ``account`` holds the ``open_account`` terms (reference,
    contract_amount, …)."""
    from concord.debtors import services as debtors
    from concord.debtors.models import AddressType, ContactStatus
    from concord.loans import services as loans

    debtor, _created = debtors.find_or_register_debtor(actor, full_name=full_name, id_type=id_type,
                                                       id_number=id_number)
    if mobile:
        from concord.debtors.identity import IdentityError, normalize_mobile

        try:
            number = normalize_mobile(mobile)
        except IdentityError as exc:
            raise ValidationError({"mobile": [translated(exc.template, exc.params)]})
        debtors.merge_contact_point(actor, debtor, kind="mobile", value=number, status=ContactStatus.VALID,
                                    source_detail=creditor.code, supplied_by=creditor)
    if home_address:
        debtors.merge_contact_point(actor, debtor, kind="address", value=home_address, address_type=AddressType.HOME,
                                    status=ContactStatus.UNKNOWN, source_detail=creditor.code, supplied_by=creditor)
    if employer:
        debtors.merge_employer(actor, debtor, employer_name=employer)
    if emergency_contact:
        debtors.merge_related_party(actor, debtor, **emergency_contact)
    case, _new = open_case(actor, creditor=creditor, debtor=debtor, placement=placement)
    loans.open_account(actor, case=case, product=product, **account)
    case.refresh_from_db()
    if case.placement_id is not None:
        from concord.creditors.services import register_accounts
        register_accounts(actor, case.placement)
    return case


@transaction.atomic
def recall_placement(actor, placement, *, reason: str, returned: bool = False) -> int:
    """The creditor takes a whole batch back (撤案): every open account of its active cases is recalled as by
    :func:`recall_accounts` (cases end, their assignments close, the history stays), then the batch is marked
    recalled. Returns the number of cases recalled."""
    from concord.creditors.models import PlacementStatus
    from concord.creditors.services import close_placement
    from concord.loans.models import AccountStatus, LoanAccount

    if placement.status != PlacementStatus.ACTIVE:
        raise ValueError(_("该批次已不在案，无法撤案"))
    accounts = LoanAccount.objects.filter(case__placement=placement, case__status__in=ACTIVE_STATUSES,
                                          status=AccountStatus.OPEN)
    recalled = recall_accounts(actor, accounts, reason=reason)["cases"] if accounts.exists() else []
    close_placement(actor, placement, reason=reason, cases=len(recalled), returned=returned)
    return len(recalled)


@transaction.atomic
def recall_accounts(actor, accounts, *, reason: str = "", on: dt.date | None = None) -> dict:
    """The creditor takes accounts back (退案): each open account leaves the workable book (status recalled); a
    case none of whose accounts stays open becomes recalled — its current assignment ends (the assignment
    history is kept) and it leaves the collector's and the team's queue. Accounts that are not open (already
    recalled, settled, written off) are left as they are. One audit event per case touched.

    Returns ``{"accounts": [recalled account ids], "cases": [recalled case ids]}``."""
    from concord.loans.models import AccountStatus, LoanAccount

    on = on or clock.today()
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise ValidationError({"reason": [_("原因不能超过 200 个字符")]})
    ids = [a.pk for a in accounts]
    rows = list(LoanAccount.objects.select_for_update().filter(pk__in=ids, status=AccountStatus.OPEN)
                .only("id", "reference", "case_id"))
    if not rows:
        return {"accounts": [], "cases": []}
    LoanAccount.objects.filter(pk__in=[a.pk for a in rows]).update(status=AccountStatus.RECALLED)
    by_case: dict[int | None, list[str]] = {}
    for account in rows:
        by_case.setdefault(account.case_id, []).append(account.reference)
    recalled_cases = []
    now = clock.now()
    for case in Case.objects.select_for_update().filter(pk__in=[c for c in by_case if c is not None]):
        still_open = case.accounts.filter(status=AccountStatus.OPEN).exists()
        before = case.status
        if not still_open and case.status in ACTIVE_STATUSES:
            case.assignments.filter(ended_at__isnull=True).update(ended_at=now)
            case.status, case.closed_on = CaseStatus.RECALLED, on
            case.assigned_collector = case.assigned_team = None
            case.save(update_fields=["status", "closed_on", "assigned_collector", "assigned_team"])
            recalled_cases.append(case.pk)
        refresh_case_summary(case)
        audit.record(actor, "case.recall_accounts", case, {
            "accounts": sorted(by_case[case.pk]), "reason": reason, "on": on.isoformat(),
            "status": [before, case.status]})
    for account in rows:
        if account.case_id is None:
            audit.record(actor, "account.recall", account, {"reason": reason, "on": on.isoformat()})
    from concord.creditors.services import mark_recalled

    from . import recall_reports
    items = recall_reports.open_items(by_case)
    mark_recalled(None, [a.pk for a in rows], reason=reason, on=on,
                  open_items={a.pk: items.get(a.case_id, []) for a in rows})
    return {"accounts": [a.pk for a in rows], "cases": recalled_cases}
