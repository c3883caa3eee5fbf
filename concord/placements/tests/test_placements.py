"""Placements with terms (委案): the batch record, the end of the period (extend, retain, recall), recall by hand,
the gate's denial of a recalled case and the managers' pages."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from concord.cases.models import Case, CaseStatus
from concord.compliance.services import decide_contact
from concord.core import jobs
from concord.core.models import AuditEvent
from concord.creditors import services as creditors
from concord.creditors.models import AccountState, PlacementAccount, PlacementStatus
from concord.loans import services as loans
from concord.loans.models import AccountStatus
from concord.placements import selectors, services
from concord.workbench.promises import record_promise

from .helpers import bank_batch

pytestmark = pytest.mark.django_db


def state(world, key):
    return PlacementAccount.objects.get(account__case=world.cases[key]).state


def test_a_batch_records_each_account_with_its_balance_at_placement(world):
    placement = bank_batch(world, commission_terms={"buckets": {"M1": "0.12", "M3+": "0.25"}})
    assert placement.return_on == dt.date(2026, 12, 7) and placement.days == 90
    rows = {r.account.reference: r for r in PlacementAccount.objects.select_related("account")}
    assert set(rows) == {"CARD-0001", "LOAN-0003"}
    for ref, row in rows.items():
        assert row.balance == row.account.total_balance and row.bucket == row.account.bucket
    assert creditors.register_accounts("tester", placement) == 0  # once
    figures = selectors.batch_figures(placement, dt.date(2026, 12, 1))
    assert (figures.accounts, figures.placed, figures.days_left) == (2, 2, 6)
    assert figures.balance == sum(r.balance for r in rows.values())


def test_recovered_to_date_counts_payments_while_placed_and_not_reversed(world):
    placement = bank_batch(world)
    account = world.cases["a"].accounts.get()
    at = dt.datetime(2026, 10, 5, 10, tzinfo=dt.timezone.utc)
    loans.record_payment("tester", account=account, amount=Decimal("300.00"), paid_at=at, channel="alipay",
                         external_reference="P1")
    p2, _ = loans.record_payment("tester", account=account, amount=Decimal("50.00"), paid_at=at, channel="alipay",
                                 external_reference="P2")
    loans.reverse_payment("tester", p2, reason="退票")
    loans.record_payment("tester", account=account, amount=Decimal("70.00"),
                         paid_at=dt.datetime(2026, 9, 1, 10, tzinfo=dt.timezone.utc), channel="alipay",
                         external_reference="P0")   # before the placement: not the agency's
    figures = selectors.batch_figures(placement, dt.date(2026, 12, 1))
    assert figures.recovered == Decimal("300.00")


def test_terms_are_validated(world):
    with pytest.raises(ValidationError):
        bank_batch(world, commission_terms={"buckets": {"M9": "0.1"}})
    with pytest.raises(ValidationError):
        bank_batch(world, reference="X", end_action="extend", extension_days=0)


def test_period_end_recalls_open_cases_and_retains_a_running_promise(world):
    placement = bank_batch(world, retain_when="promise")
    record_promise("tester", world.cases["a"], amount=Decimal("500"), due_date=dt.date(2026, 12, 10))
    done = services.end_period("tester", placement, on=dt.date(2026, 12, 8))
    assert (done["recalled"], done["retained"]) == (1, 1)
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.RETURNED
    assert Case.objects.get(pk=world.cases["u"].pk).status == CaseStatus.RECALLED
    assert Case.objects.get(pk=world.cases["a"].pk).status == CaseStatus.OPEN
    kept = PlacementAccount.objects.get(account__case=world.cases["a"])
    assert kept.state == AccountState.RETAINED and "500" in kept.retained_reason and "2026-12-10" in kept.retained_reason
    assert state(world, "u") == AccountState.RECALLED


def test_without_retention_terms_a_promise_is_recalled_and_reported(world):
    placement = bank_batch(world)
    record_promise("tester", world.cases["a"], amount=Decimal("500"), due_date=dt.date(2026, 12, 10))
    services.end_period("tester", placement, on=dt.date(2026, 12, 8))
    row = PlacementAccount.objects.get(account__case=world.cases["a"])
    assert row.state == AccountState.RECALLED and row.recalled_on == dt.date(2026, 12, 8)
    assert [(i["kind"], i["amount"], i["due"]) for i in row.open_items] == [("promise", "500.00", "2026-12-10")]


def test_extend_by_agreement_once_then_return(world):
    placement = bank_batch(world, end_action="extend", extension_days=30)
    done = services.end_period("tester", placement, on=dt.date(2026, 12, 8))
    placement.refresh_from_db()
    assert done["extended"] == "2027-01-06" and placement.return_on == dt.date(2027, 1, 6)
    assert placement.status == PlacementStatus.ACTIVE
    done = services.end_period("tester", placement, on=dt.date(2027, 1, 7))
    assert done["recalled"] == 2


def test_the_schedule_ends_due_batches(world):
    placement = bank_batch(world)
    bank_batch_later = creditors.create_placement("tester", world.creditors["bank"], reference="LATER",
                                                  placed_on=dt.date(2026, 11, 1), period_days=90)
    job = jobs.start_job("placements.end_periods", params={"day": "2026-12-08"}, by="system:schedule")
    jobs.run_job(job.pk)
    job.refresh_from_db()
    assert job.result == {"placements": 1, "extended": 0, "recalled": 2, "retained": 0}
    placement.refresh_from_db()
    bank_batch_later.refresh_from_db()
    assert placement.status == PlacementStatus.RETURNED and bank_batch_later.status == PlacementStatus.ACTIVE


def test_recall_by_hand_and_the_gate_denies_with_the_recall(world):
    placement = bank_batch(world)
    account = world.cases["u"].accounts.get()
    before = decide_contact(world.users["manager"], case=world.cases["u"], channel="sms")
    assert "RECALL" not in before.rules
    services.recall_selection(world.users["manager"], placement, [account.pk], reason="委托方要求收回")
    assert account.__class__.objects.get(pk=account.pk).status == AccountStatus.RECALLED
    case = Case.objects.get(pk=world.cases["u"].pk)
    for channel in ("call", "sms", "letter", "visit"):
        d = decide_contact(world.users["manager"], case=case, channel=channel, agents=2)
        assert not d.allowed and "RECALL" in d.rules
        assert "委托方要求收回" in d.reason_zh and "recalled on 2026-12-07" in d.reason_en
    assert AuditEvent.objects.filter(action="placement.recall_selection").exists()
    with pytest.raises(ValueError):
        services.recall_selection(world.users["manager"], placement, [world.cases["b"].accounts.get().pk],
                                  reason="x")


def test_a_recall_file_marks_the_batch_record(world, tmp_path):
    from concord.imports.tests.kindfiles import csv_file, run
    bank_batch(world)
    run("recalls", world.creditors["bank"], csv_file(tmp_path / "r.csv", ["借据号", "退案原因"],
                                                     [{"借据号": "LOAN-0003", "退案原因": "委托方退案文件"}]))
    row = PlacementAccount.objects.get(account__case=world.cases["u"])
    assert row.state == AccountState.RECALLED and row.recall_reason == "委托方退案文件"


def test_a_recalled_case_keeps_its_record_until_the_retention_period(world):
    from concord.retention.services import run_retention
    placement = bank_batch(world)
    services.end_period("tester", placement, on=dt.date(2026, 12, 8))
    result = run_retention(now=dt.datetime(2026, 12, 9, tzinfo=dt.timezone.utc))
    assert result["people"] == 0      # recalled yesterday: kept
    assert PlacementAccount.objects.filter(placement=placement).count() == 2


class TestManagerPages:
    def test_list_and_detail(self, world, client):
        placement = bank_batch(world)
        client.force_login(world.users["manager"])
        page = client.get("/placements/").content.decode()
        assert "B2026-09" in page and "示例银行" in page
        page = client.get(f"/placements/{placement.pk}/").content.decode()
        assert "CARD-0001" in page and 'id="recall-form"' in page

    def test_only_managers(self, world, client):
        placement = bank_batch(world)
        for user in ("col_a", "viewer", "lead_a"):
            client.force_login(world.users[user])
            assert client.get(f"/placements/{placement.pk}/").status_code == 403

    def test_recall_form_and_terms_form(self, world, client):
        placement = bank_batch(world)
        client.force_login(world.users["manager"])
        account = world.cases["u"].accounts.get()
        response = client.post(f"/placements/{placement.pk}/recall/", {"accounts": [account.pk], "reason": ""})
        assert response.status_code == 400
        response = client.post(f"/placements/{placement.pk}/recall/", {"accounts": [account.pk], "reason": "收回"})
        assert response.status_code == 302
        assert PlacementAccount.objects.get(account=account).state == AccountState.RECALLED
        response = client.post(f"/placements/{placement.pk}/terms/", {
            "period_days": 120, "end_action": "recall", "retain_when": "either", "policy_pack": "",
            "bucket_rates": "M1=12%, M2=18%, M3+=25%", "tiers": "", "legal_rate": "30%", "cap": "500",
            "minimum": "", "products": [world.creditors["bank"].products.get(kind="credit_card").pk]})
        assert response.status_code == 302, response.content.decode()[:2000]
        placement.refresh_from_db()
        assert placement.return_on == dt.date(2027, 1, 6) and placement.retain_when == "either"
        assert placement.commission_terms == {"buckets": {"M1": "0.12", "M2": "0.18", "M3+": "0.25"},
                                              "legal_rate": "0.3", "cap": "500"}
        bad = client.post(f"/placements/{placement.pk}/terms/", {
            "period_days": 120, "end_action": "recall", "retain_when": "either", "bucket_rates": "M9=12%"})
        assert bad.status_code == 400 and "M9" in bad.content.decode()
