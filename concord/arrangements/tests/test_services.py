"""Arrangement services: proposing within the calculator's limits, authority, the creditor's approval, holds,
payments, breaking after grace and completion."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from concord.arrangements import authority, selectors, services, tracking
from concord.arrangements.models import Arrangement
from concord.arrangements.models import ArrangementStatus as S
from concord.cases.models import Activity
from concord.compliance.models import Hold
from concord.core import clock
from concord.core.audit import verify_chain
from concord.core.models import AuditEvent
from concord.loans import services as loans

D = Decimal
TODAY = dt.date(2026, 11, 29)
FIRST = dt.date(2026, 12, 10)


def propose(world, user="col_a", case="a", *, kind="instalment_plan", months=12, discount="0", reason="借款人收入稳定，可按月还款",
            **kw):
    return services.propose(world.users[user], world.cases[case], kind=kind, months=months,
                            discount_amount=D(discount), first_due=kw.pop("first_due", FIRST), reason=reason,
                            today=TODAY, **kw)


def balance(world, case="a"):
    return selectors.case_balance(world.cases[case]).total


def pct(world, rate, case="a"):
    """A discount of ``rate`` of the case's balance, rounded down to the fen."""
    return str((balance(world, case) * D(rate)).quantize(D("0.01"), rounding="ROUND_DOWN"))


def test_collector_plan_without_discount_is_approved_within_own_authority(arr):
    a = propose(arr)
    assert a.status == S.APPROVED and a.required_role == "collector"
    assert a.total == balance(arr) and a.discount_amount == 0 and a.months == 12
    rows = list(a.instalments.order_by("number"))
    assert sum(r.amount for r in rows) == a.total and len(rows) == 12 and rows[0].due_date == FIRST
    assert a.monthly_amount == max(r.amount for r in rows) <= D("2250.00")
    approval = a.approvals.get()
    assert (approval.approver, approval.decision) == (arr.users["col_a"], "approve")
    assert a.affordability["disposable"] == "4500.00" and a.affordability["monthly_cap"] == "2250.00"
    assert Activity.objects.filter(case=arr.cases["a"], kind="arrangement").count() == 1
    assert AuditEvent.objects.filter(action="arrangement.propose", object_id=str(a.pk)).exists()
    assert verify_chain().ok


def test_settlement_beyond_collector_authority_waits_for_a_team_lead(arr):
    a = propose(arr, kind="settlement", months=12, discount=pct(arr, "0.10"))
    assert a.status == S.PROPOSED and a.required_role == "team_lead"
    with pytest.raises(ValidationError) as exc:
        services.approve(arr.users["col_a"], a, reason="同意")
    assert "actor" in exc.value.message_dict
    services.approve(arr.users["lead_a"], a, reason="核实收入流水，同意减免")
    a.refresh_from_db()
    assert a.status == S.APPROVED and a.decided_at is not None
    assert list(a.approvals.values_list("approver__username", "decision", "limit_rate")) == [
        ("lead_a", "approve", D("0.1000"))]
    with pytest.raises(ValidationError):  # decided already
        services.reject(arr.users["manager"], a, reason="晚了")


def test_team_lead_cannot_approve_beyond_ten_percent_but_a_manager_can(arr):
    a = propose(arr, kind="settlement", months=12, discount=pct(arr, "0.20"))
    assert a.required_role == "manager"
    with pytest.raises(ValidationError) as exc:
        services.approve(arr.users["lead_a"], a, reason="同意")
    assert "超出您的审批权限" in exc.value.message_dict["actor"][0]
    services.reject(arr.users["manager"], a, reason="减免过高，请重新协商")
    a.refresh_from_db()
    assert a.status == S.REJECTED
    # a rejected arrangement no longer blocks a new proposal
    assert propose(arr).status == S.APPROVED


def test_approver_must_see_the_case_and_never_approves_own_proposal(arr):
    a = propose(arr, "col_b", "b", kind="settlement", months=6, discount=pct(arr, "0.05", "b"))
    with pytest.raises(ValidationError) as exc:  # lead_a leads team A; case b is team B's
        services.approve(arr.users["lead_a"], a, reason="同意")
    assert "arrangement" in exc.value.message_dict
    own = propose(arr, "lead_a", kind="settlement", months=12, discount=pct(arr, "0.15"))
    assert own.status == S.PROPOSED
    authority.set_approval_limit(arr.users["manager"], arr.creditors["bank"], role="team_lead",
                                 max_discount_rate="0.20")
    with pytest.raises(ValidationError) as exc:
        services.approve(arr.users["lead_a"], own, reason="同意")
    assert "不能审批自己提出的方案" in exc.value.message_dict["actor"][0]


def test_discount_beyond_the_house_needs_the_creditor(arr):
    a = propose(arr, kind="settlement", months=12, discount=pct(arr, "0.40"), reason="重病住院，家属协助一次性筹款")
    assert a.status == S.AWAITING_CREDITOR and a.required_role == "creditor"
    with pytest.raises(ValidationError):
        services.approve(arr.users["manager"], a, reason="同意")
    with pytest.raises(ValidationError) as exc:
        services.record_creditor_decision(arr.users["lead_a"], a, approved=True, reference="BANK-2026-1", reason="x")
    assert "actor" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.record_creditor_decision(arr.users["manager"], a, approved=True, reference=" ", reason="银行同意")
    assert "reference" in exc.value.message_dict
    services.record_creditor_decision(arr.users["manager"], a, approved=True, reference="BANK-2026-118",
                                      reason="银行书面同意减免")
    a.refresh_from_db()
    assert a.status == S.APPROVED
    assert a.approvals.get().decision == "creditor_approve" and a.approvals.get().reference == "BANK-2026-118"


def test_creditor_limits_are_configured_per_creditor_and_role(arr):
    bank, fin = arr.creditors["bank"], arr.creditors["fin"]
    assert authority.limits(bank)["team_lead"] == D("0.10")
    authority.set_approval_limit(arr.users["manager"], bank, role="collector", max_discount_rate="0.05")
    assert authority.limit_for(bank, "collector") == D("0.05") and authority.limit_for(fin, "collector") == 0
    a = propose(arr, kind="settlement", months=12, discount=pct(arr, "0.05"))
    assert a.status == S.APPROVED  # now within the collector's own authority at this creditor
    for bad in ("1.2", "-0.1", "abc", "0.12345"):
        with pytest.raises(ValidationError) as exc:
            authority.set_approval_limit(arr.users["manager"], bank, role="collector", max_discount_rate=bad)
        assert "max_discount_rate" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        authority.set_approval_limit(arr.users["lead_a"], bank, role="collector", max_discount_rate="0.5")
    assert "actor" in exc.value.message_dict
    assert authority.limit_for(bank, "collector") == D("0.05")


@pytest.mark.parametrize("changes,field", [
    (dict(months=61), "months"),
    (dict(months=0), "months"),
    (dict(months=2), "months"),  # 2 months would ask more than 2 250 a month
    (dict(kind="settlement", months=13, discount="100"), "months"),  # bank settlements: 12 months at most
    (dict(kind="holiday"), "kind"),
    (dict(discount="-1"), "discount_amount"),
    (dict(discount="1.001"), "discount_amount"),
    (dict(discount="99999999"), "discount_amount"),
    (dict(reason="  "), "reason"),
    (dict(reason="再不还钱就曝光你，通知你全家"), "reason"),
    (dict(first_due=dt.date(2026, 11, 1)), "first_due"),
    (dict(first_due=dt.date(2027, 3, 1)), "first_due"),
    (dict(grace_days=31), "grace_days"),
])
def test_bad_proposals_name_the_field_and_write_nothing(arr, changes, field):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        propose(arr, **changes)
    assert field in exc.value.message_dict, exc.value.message_dict
    assert Arrangement.objects.count() == 0 and AuditEvent.objects.count() == events


def test_online_loans_are_limited_to_36_months(arr):
    with pytest.raises(ValidationError) as exc:
        propose(arr, "col_b", "b", months=37)
    assert "36" in exc.value.message_dict["months"][0]
    assert propose(arr, "col_b", "b", months=36).months == 36


def test_who_may_propose_and_on_what(arr):
    for user in ("viewer", "compliance", "legal"):
        with pytest.raises(ValidationError) as exc:
            propose(arr, user)
        assert "actor" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        propose(arr, "col_b", "a")  # not col_b's case
    assert "case" in exc.value.message_dict
    propose(arr, kind="settlement", months=12, discount=pct(arr, "0.10"))
    with pytest.raises(ValidationError) as exc:
        propose(arr)
    assert "已有" in exc.value.message_dict["case"][0]


def test_hardship_and_missing_profile_propose_nothing(arr):
    with pytest.raises(ValidationError) as exc:
        propose(arr, "manager", "u")
    assert "困难评估" in exc.value.message_dict["case"][0]
    arr.cases["a"].debtor.financial_profiles.all().delete()
    with pytest.raises(ValidationError) as exc:
        propose(arr)
    assert "经济状况" in exc.value.message_dict["case"][0]
    services.request_hardship_review(arr.users["manager"], arr.cases["u"], reason="失业，靠低保生活")
    act = Activity.objects.get(case=arr.cases["u"], kind="arrangement")
    assert act.details["hardship_review"] is True and act.details["disposable"] == "-300.00"


def _active(arr, **kw):
    a = propose(arr, **kw)
    services.activate(arr.users["col_a"], a)
    a.refresh_from_db()
    return a


def test_activation_places_a_hold_that_stops_collection(arr):
    from concord.compliance.services import decide_contact

    a = _active(arr)
    assert a.status == S.ACTIVE and a.hold.kind == "arrangement" and a.hold.active
    assert (a.hold.debtor_id, a.hold.creditor_id) == (arr.cases["a"].debtor_id, arr.creditors["bank"].pk)
    at = timezone.make_aware(dt.datetime(2026, 12, 1, 10, 0))
    decision = decide_contact(arr.users["col_a"], case=arr.cases["a"], channel="sms", at=at)
    assert not decision.allowed
    with pytest.raises(ValidationError):  # only once
        services.activate(arr.users["col_a"], a)


def test_activation_needs_an_approved_arrangement(arr):
    a = propose(arr, kind="settlement", months=12, discount=pct(arr, "0.10"))
    with pytest.raises(ValidationError) as exc:
        services.activate(arr.users["col_a"], a)
    assert "arrangement" in exc.value.message_dict and not Hold.objects.exists()


def pay(world, amount, ref, case="a", reverse=False):
    account = world.cases[case].accounts.first()
    payment, _ = loans.record_payment(world.users["manager"], account=account, amount=D(amount),
                                      paid_at=clock.now(), channel="bank_transfer", external_reference=ref)
    return payment


def test_payments_mark_instalments_paid_and_completion_releases_the_hold(arr):
    a = _active(arr, months=8)
    first = a.instalments.get(number=1)
    payment = pay(arr, str(first.amount + D("10")), "P-1")
    a.refresh_from_db()
    first.refresh_from_db()
    assert first.paid and first.paid_on == clock.today() and a.paid_total == first.amount + D("10")
    assert a.instalments.get(number=2).paid_amount == D("10.00")
    loans.reverse_payment(arr.users["manager"], payment, reason="银行退票")
    first.refresh_from_db()
    assert first.paid_amount == 0 and first.paid_on is None
    pay(arr, str(a.total), "P-2")
    a.refresh_from_db()
    assert a.status == S.COMPLETED and a.paid_total == a.total
    assert not Hold.objects.get(pk=a.hold_id).active
    assert Activity.objects.filter(case=arr.cases["a"], kind="arrangement", details__status="completed").exists()


def test_check_breaks_after_grace_and_releases_the_hold(arr):
    a = _active(arr, months=12, grace_days=3)
    out = tracking.check_arrangements(FIRST + dt.timedelta(days=3))
    assert out["broken"] == [] and Arrangement.objects.get(pk=a.pk).status == S.ACTIVE
    out = tracking.check_arrangements(FIRST + dt.timedelta(days=4))
    a.refresh_from_db()
    assert out["broken"] == [a.pk] and a.status == S.BROKEN and "第 1 期" in a.end_reason
    assert not Hold.objects.get(pk=a.hold_id).active
    act = Activity.objects.filter(case=arr.cases["a"], details__status="broken").get()
    assert act.details["instalment"] == 1
    assert tracking.check_arrangements(FIRST + dt.timedelta(days=40))["checked"] == 0  # broken stays broken


def test_check_keeps_a_paid_up_arrangement_and_completes_a_fully_paid_one(arr):
    a = _active(arr, months=8, grace_days=0)
    pay(arr, str(a.instalments.get(number=1).amount), "P-3")
    out = tracking.check_arrangements(FIRST + dt.timedelta(days=20))
    assert out == {"completed": [], "broken": [], "checked": 1}


def test_check_completes_an_arrangement_paid_before_it_was_started(arr):
    a = propose(arr, months=8)
    pay(arr, str(a.total), "P-4")  # paid the same day, before the collector pressed "start"
    services.activate(arr.users["col_a"], a)
    out = tracking.check_arrangements(TODAY)
    a.refresh_from_db()
    assert out["completed"] == [a.pk] and a.status == S.COMPLETED and a.paid_total == a.total
    assert not Hold.objects.get(pk=a.hold_id).active


def test_daily_check_command(arr):
    import io
    import json

    a = _active(arr, months=12, grace_days=0)
    out = io.StringIO()
    call_command("arrangements", "check", "--day", (FIRST + dt.timedelta(days=1)).isoformat(), "--json", stdout=out)
    assert json.loads(out.getvalue())["broken"] == [a.pk]
    from django.core.management.base import CommandError
    with pytest.raises(CommandError, match="--day"):
        call_command("arrangements", "check", "--day", "tomorrow")


def test_limits_command_shows_and_sets(arr):
    import io

    out = io.StringIO()
    call_command("arrangements", "limits", "--creditor", "bank", "--role", "team_lead", "--rate", "0.15",
                 "--as", "manager", stdout=out)
    assert "team_lead\t0.1500" in out.getvalue()
    from django.core.management.base import CommandError
    with pytest.raises(CommandError, match="--rate"):
        call_command("arrangements", "limits", "--creditor", "bank", "--role", "team_lead", "--rate", "2",
                     "--as", "manager")
    with pytest.raises(CommandError, match="--creditor"):
        call_command("arrangements", "limits", "--creditor", "nobody")


def test_policy_command_and_service(arr):
    import io

    from django.core.management.base import CommandError

    out = io.StringIO()
    call_command("arrangements", "policy", "--creditor", "fin", "--income-share", "0.4", "--max-months", "24",
                 "--grace-days", "3", "--as", "manager", stdout=out)
    assert "income_share\t0.4" in out.getvalue() and "max_months\t24" in out.getvalue()
    assert AuditEvent.objects.filter(action="arrangement.policy").count() == 2  # the fixture's and this one
    with pytest.raises(ValidationError) as exc:  # 40% of 4 000 = 1 600 a month: 11 444.16 in 7 months is too much
        propose(arr, "col_b", "b", months=7)
    assert "1600.00" in exc.value.message_dict["months"][0]
    with pytest.raises(ValidationError) as exc:
        propose(arr, "col_b", "b", months=25)
    assert "24" in exc.value.message_dict["months"][0]
    a = propose(arr, "col_b", "b", months=8)
    assert a.grace_days == 3 and a.affordability["income_share"] == "0.4000"
    for args, option in ((["--income-share", "0"], "--income-share"), (["--grace-days", "31"], "--grace-days"),
                         (["--max-months", "61"], "--max-months")):
        with pytest.raises(CommandError, match=option):
            call_command("arrangements", "policy", "--creditor", "fin", *args, "--as", "manager")
    with pytest.raises(CommandError, match="--as"):
        call_command("arrangements", "policy", "--creditor", "fin", "--grace-days", "2", "--as", "col_a")
