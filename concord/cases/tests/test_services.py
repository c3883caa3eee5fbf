"""Case actions: open (or find) a case, assign it with history, change status, recall a placement."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from concord.cases import services
from concord.cases.models import Assignment, Case, CaseStatus
from concord.conftest import make_case, resident_id
from concord.core.models import AuditEvent
from concord.creditors.models import PlacementStatus
from concord.cases.services import recall_placement
from concord.creditors.services import create_placement
from concord.debtors.services import register_debtor
from concord.loans.models import AccountStatus


class TestOpenCase:
    def test_open_case_returns_the_existing_case(self, world):
        existing = world.cases["a"]
        case, created = services.open_case(None, creditor=world.creditors["bank"], debtor=existing.debtor)
        assert (case.pk, created) == (existing.pk, False)
        assert Case.objects.filter(creditor=world.creditors["bank"], debtor=existing.debtor).count() == 1

    def test_same_debtor_other_creditor_is_a_new_case(self, world):
        debtor = world.cases["a"].debtor
        case, created = services.open_case(None, creditor=world.creditors["fin"], debtor=debtor,
                                           opened_on=dt.date(2026, 11, 1))
        assert created and case.reference == f"FIN-{debtor.pk:08d}"
        assert case.status == CaseStatus.NEW and case.opened_on == dt.date(2026, 11, 1)
        assert AuditEvent.objects.filter(action="case.open", object_id=str(case.pk)).exists()

    def test_placement_of_another_creditor_is_refused(self, world):
        placement = create_placement(None, world.creditors["fin"], reference="P-1", placed_on=dt.date(2026, 11, 1),
                                     return_on=dt.date(2027, 2, 1))
        debtor = register_debtor(None, full_name="赵六", id_number=resident_id(seq=444))
        with pytest.raises(ValidationError) as exc:
            services.open_case(None, creditor=world.creditors["bank"], debtor=debtor, placement=placement)
        assert "placement" in exc.value.message_dict
        assert not Case.objects.filter(debtor=debtor).exists()


class TestAssign:
    def test_assignment_history_closes_the_previous_assignment(self, world):
        case = world.cases["u"]
        assert case.status == CaseStatus.NEW and not case.assignments.exists()
        services.assign_case(world.users["lead_a"], case, collector=world.users["col_a"], reason="首次分案")
        case.refresh_from_db()
        assert (case.assigned_collector, case.assigned_team) == (world.users["col_a"], world.teams["A"])
        assert case.status == CaseStatus.OPEN
        first = case.assignments.get()
        assert first.ended_at is None and first.assigned_by == world.users["lead_a"]

        services.assign_case(world.users["manager"], case, collector=world.users["col_b"], reason="调组")
        case.refresh_from_db()
        assert (case.assigned_collector, case.assigned_team) == (world.users["col_b"], world.teams["B"])
        history = list(case.assignments.order_by("started_at", "id"))
        assert [a.collector for a in history] == [world.users["col_a"], world.users["col_b"]]
        assert history[0].ended_at is not None and history[0].ended_at == history[1].started_at
        assert history[1].ended_at is None
        assert Assignment.objects.filter(case=case, ended_at__isnull=True).count() == 1
        event = AuditEvent.objects.filter(action="case.assign", object_id=str(case.pk)).last()
        assert event.changes["collector"] == [world.users["col_a"].pk, world.users["col_b"].pk]
        assert event.actor == world.users["manager"]

    def test_team_only_assignment(self, world):
        case = world.cases["u"]
        services.assign_case(None, case, team=world.teams["B"])
        case.refresh_from_db()
        assert case.assigned_team == world.teams["B"] and case.assigned_collector is None
        assert case.status == CaseStatus.NEW

    @pytest.mark.parametrize("username", ["compliance", "viewer", "legal", "manager"])
    def test_refuses_someone_who_is_not_a_collector(self, world, username):
        case = world.cases["u"]
        with pytest.raises(ValidationError) as exc:
            services.assign_case(None, case, collector=world.users[username])
        assert "collector" in exc.value.message_dict
        case.refresh_from_db()
        assert case.assigned_collector is None and not case.assignments.exists()

    def test_refuses_an_inactive_collector_and_a_team_mismatch(self, world):
        col_a = world.users["col_a"]
        with pytest.raises(ValidationError) as exc:
            services.assign_case(None, world.cases["u"], collector=col_a, team=world.teams["B"])
        assert "collector" in exc.value.message_dict
        col_a.is_active = False
        col_a.save()
        with pytest.raises(ValidationError):
            services.assign_case(None, world.cases["u"], collector=col_a)

    def test_closed_case_cannot_be_assigned(self, world):
        case = world.cases["u"]
        services.set_case_status(None, case, CaseStatus.CLOSED, reason="测试")
        assert case.closed_on is not None
        with pytest.raises(ValidationError) as exc:
            services.assign_case(None, case, collector=world.users["col_a"])
        assert "case" in exc.value.message_dict


class TestStatus:
    def test_status_change_is_audited_and_reopening_clears_closed_on(self, world):
        case = world.cases["b"]
        services.set_case_status(None, case, CaseStatus.ON_HOLD, reason="投诉")
        assert case.status == CaseStatus.ON_HOLD and case.closed_on is None
        services.set_case_status(None, case, CaseStatus.CLOSED)
        assert case.closed_on is not None
        services.set_case_status(None, case, CaseStatus.OPEN)
        case.refresh_from_db()
        assert case.status == CaseStatus.OPEN and case.closed_on is None
        changes = [e.changes["status"] for e in AuditEvent.objects.filter(action="case.status")]
        assert changes == [["open", "on_hold"], ["on_hold", "closed"], ["closed", "open"]]

    def test_unknown_status(self, world):
        with pytest.raises(ValidationError) as exc:
            services.set_case_status(None, world.cases["b"], "vanished")
        assert "status" in exc.value.message_dict

    def test_summary_follows_the_accounts(self, world):
        case = world.cases["b"]
        account = case.accounts.get()
        assert case.total_balance == account.total_balance > 0
        assert case.max_dpd == account.dpd and case.bucket == account.bucket


class TestRecall:
    def test_recall_placement_recalls_cases_and_accounts(self, world):
        bank = world.creditors["bank"]
        placement = create_placement(None, bank, reference="P-2026-11", placed_on=dt.date(2026, 11, 1),
                                     return_on=dt.date(2027, 2, 1))
        debtor = register_debtor(None, full_name="赵六", id_number=resident_id("440106", "19800808", 555))
        case, _ = services.open_case(None, creditor=bank, debtor=debtor, placement=placement)
        from concord.loans import services as loans

        loans.open_account(None, case=case, product=bank.products.get(kind="online_loan"), reference="LOAN-P1",
                           contract_amount=Decimal("6000"), annual_rate=Decimal("0.12"), method="equal_principal",
                           term_months=6, start_date=dt.date(2026, 1, 5), as_of=dt.date(2026, 11, 28))
        services.assign_case(None, case, collector=world.users["col_a"])
        other = world.cases["u"]  # same creditor, no placement: untouched

        assert recall_placement(world.users["manager"], placement, reason="委托方撤回") == 1
        case.refresh_from_db()
        placement.refresh_from_db()
        assert case.status == CaseStatus.RECALLED and case.assigned_collector is None and case.closed_on
        assert set(case.accounts.values_list("status", flat=True)) == {AccountStatus.RECALLED}
        assert placement.status == PlacementStatus.RECALLED and placement.recall_reason == "委托方撤回"
        other.refresh_from_db()
        assert other.status == CaseStatus.NEW
        assert AuditEvent.objects.get(action="placement.recall").changes == {"reason": "委托方撤回", "cases": 1}
        with pytest.raises(ValueError):
            recall_placement(None, placement, reason="again")

    def test_recall_skips_cases_already_finished(self, world):
        bank = world.creditors["bank"]
        placement = create_placement(None, bank, reference="P-X", placed_on=dt.date(2026, 11, 1),
                                     return_on=dt.date(2027, 2, 1))
        case = make_case(None, bank, name="孙七", id_number=resident_id("310101", "19700101", 666),
                         phone="13600003333", reference="LOAN-X")
        Case.objects.filter(pk=case.pk).update(placement=placement, status=CaseStatus.CLOSED)
        assert recall_placement(None, placement, reason="批次到期") == 0
        case.refresh_from_db()
        assert case.status == CaseStatus.CLOSED
