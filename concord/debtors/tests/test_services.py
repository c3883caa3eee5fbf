"""Borrower-file actions: validation naming the field, duplicates, contact points, reveal, affordability."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from concord.conftest import resident_id
from concord.core.models import AuditEvent
from concord.debtors import services
from concord.debtors.models import ContactPoint, ContactStatus, Debtor, Employment

pytestmark = pytest.mark.django_db

ID_NUMBER = resident_id("110105", "19900101", 123)


def _fields(exc: ValidationError) -> set[str]:
    return set(exc.message_dict)


@pytest.fixture
def debtor():
    return services.register_debtor(None, full_name="张三", id_number=ID_NUMBER)


class TestRegister:
    def test_register_derives_birth_date_gender_and_last4(self, debtor):
        assert debtor.pk and debtor.full_name == "张三"
        assert debtor.birth_date == dt.date(1990, 1, 1) and debtor.gender == "M"
        assert debtor.id_last4 == "1232" and debtor.id_type == "cn_ric"
        assert AuditEvent.objects.filter(action="debtor.register", object_id=str(debtor.pk)).count() == 1

    def test_name_is_normalised(self):
        d = services.register_debtor(None, full_name="  Ｌｉ Ｍｅｉ ", id_number=resident_id(seq=5))
        assert d.full_name == "Li Mei"

    @pytest.mark.parametrize("kwargs, field", [
        (dict(full_name="", id_number=ID_NUMBER), "full_name"),
        (dict(full_name="   ", id_number=ID_NUMBER), "full_name"),
        (dict(full_name="张三", id_number="110105199001011230"), "id_number"),      # checksum
        (dict(full_name="张三", id_number="12345"), "id_number"),                   # length
        (dict(full_name="张三", id_number=""), "id_number"),
        (dict(full_name="张三", id_number=ID_NUMBER, id_type="driving_licence"), "id_type"),
        (dict(full_name="张三", id_number="E1", id_type="passport"), "id_number"),
        (dict(full_name="张三", id_number=ID_NUMBER, time_zone=""), "time_zone"),
        (dict(full_name="张" * 101, id_number=ID_NUMBER), "full_name"),
    ])
    def test_validation_errors_name_the_field_and_write_nothing(self, kwargs, field):
        with pytest.raises(ValidationError) as exc:
            services.register_debtor(None, **kwargs)
        assert field in _fields(exc.value)
        assert Debtor.objects.count() == 0 and AuditEvent.objects.count() == 0

    @pytest.mark.parametrize("id_number, code", [
        ("110105199001011230", "checksum"),
        (resident_id("110105", "19900230", 123), "birth_date"),
        (resident_id("000000", "19900101", 123), "region"),
        (ID_NUMBER[:17], "length"),
    ])
    def test_id_error_carries_the_reason_code(self, id_number, code):
        with pytest.raises(ValidationError) as exc:
            services.register_debtor(None, full_name="张三", id_number=id_number)
        assert exc.value.error_dict["id_number"][0].code == code

    def test_duplicate_id_is_refused(self, debtor):
        with pytest.raises(ValidationError) as exc:
            services.register_debtor(None, full_name="张三（重复）", id_number=ID_NUMBER.lower())
        assert "id_number" in _fields(exc.value)
        assert exc.value.error_dict["id_number"][0].code == "duplicate"
        assert Debtor.objects.count() == 1

    def test_duplicate_via_the_15_digit_form_is_refused(self, debtor):
        with pytest.raises(ValidationError) as exc:
            services.register_debtor(None, full_name="张三", id_number=ID_NUMBER[:6] + ID_NUMBER[8:17])
        assert "id_number" in _fields(exc.value)

    def test_same_number_other_id_type_is_another_person(self, debtor):
        other = services.register_debtor(None, full_name="John", id_number="E12345678", id_type="passport")
        assert other.pk != debtor.pk and other.birth_date is None
        assert services.register_debtor(None, full_name="X", id_number=ID_NUMBER, id_type="other").pk

    def test_find_or_register_returns_the_existing_debtor_for_the_15_digit_form(self, debtor):
        fifteen = ID_NUMBER[:6] + ID_NUMBER[8:17]
        found, created = services.find_or_register_debtor(None, full_name="张三", id_number=fifteen)
        assert (found.pk, created) == (debtor.pk, False)
        again, created = services.find_or_register_debtor(None, full_name="张三", id_number=ID_NUMBER)
        assert (again.pk, created) == (debtor.pk, False)
        new, created = services.find_or_register_debtor(None, full_name="李四", id_number=resident_id(seq=9))
        assert created and new.pk != debtor.pk

    def test_find_or_register_with_a_bad_id_names_the_field(self):
        with pytest.raises(ValidationError) as exc:
            services.find_or_register_debtor(None, full_name="张三", id_number="000000199001011234")
        assert "id_number" in _fields(exc.value)

    def test_update_only_allowed_fields(self, debtor):
        services.update_debtor(None, debtor, lost_contact=True, full_name="张三三")
        debtor.refresh_from_db()
        assert debtor.lost_contact and debtor.full_name == "张三三"
        event = AuditEvent.objects.filter(action="debtor.update").get()
        assert event.changes["lost_contact"] == [False, True]
        assert event.changes["full_name"] == ["张*", "张**"]  # [old, new], each masked
        with pytest.raises(ValidationError) as exc:
            services.update_debtor(None, debtor, id_number=resident_id(seq=7))
        assert "id_number" in _fields(exc.value)


class TestContactPoints:
    def test_phone_is_stored_in_e164(self, debtor):
        point = services.add_contact_point(None, debtor, kind="mobile", value="+86 138-1234-8000", is_primary=True)
        assert ContactPoint.objects.get(pk=point.pk).value == "+8613812348000"
        assert point.status == ContactStatus.UNKNOWN

    def test_invalid_phone_is_refused(self, debtor):
        with pytest.raises(ValidationError) as exc:
            services.add_contact_point(None, debtor, kind="mobile", value="12345")
        assert "value" in _fields(exc.value)
        assert exc.value.error_dict["value"][0].code == "invalid"
        assert not ContactPoint.objects.exists()
        assert not AuditEvent.objects.filter(action="contact_point.add").exists()

    def test_invalid_phone_kept_as_invalid_for_imports(self, debtor):
        point = services.add_contact_point(None, debtor, kind="mobile", value=" 12345 ", keep_invalid=True,
                                           status="valid")
        point.refresh_from_db()
        assert point.status == ContactStatus.INVALID and point.value == "12345"

    def test_empty_value_is_refused_even_for_imports(self, debtor):
        with pytest.raises(ValidationError) as exc:
            services.add_contact_point(None, debtor, kind="mobile", value="  ", keep_invalid=True)
        assert "value" in _fields(exc.value)

    def test_invalid_email_and_unknown_kind(self, debtor):
        with pytest.raises(ValidationError) as exc:
            services.add_contact_point(None, debtor, kind="email", value="not-an-email")
        assert "value" in _fields(exc.value)
        with pytest.raises(ValidationError) as exc:
            services.add_contact_point(None, debtor, kind="pigeon", value="loft 3")
        assert "kind" in _fields(exc.value)

    def test_set_status(self, debtor):
        point = services.add_contact_point(None, debtor, kind="mobile", value="13812348000")
        services.set_contact_status(None, point, "wrong_party")
        point.refresh_from_db()
        assert point.status == "wrong_party"
        assert AuditEvent.objects.get(action="contact_point.status").changes == {"status": ["unknown",
                                                                                            "wrong_party"]}
        with pytest.raises(ValidationError) as exc:
            services.set_contact_status(None, point, "bogus")
        assert "status" in _fields(exc.value)

    def test_related_party_phone(self, debtor):
        party = services.add_related_party(None, debtor, role="guarantor", full_name="王五", phone="139 0000 1111")
        assert party.phone == "+8613900001111" and party.is_liable
        with pytest.raises(ValidationError) as exc:
            services.add_related_party(None, debtor, role="spouse", full_name="李梅", phone="123")
        assert "phone" in _fields(exc.value)
        with pytest.raises(ValidationError) as exc:
            services.add_related_party(None, debtor, role="cousin", full_name="李梅")
        assert "role" in _fields(exc.value)


class TestReveal:
    @pytest.fixture
    def users(self, django_user_model):
        make = django_user_model.objects.create_user
        return {role: make(username=role, password=f"pw-{role}-123", role=role)
                for role in ("collector", "manager", "creditor_viewer")}

    def test_reveal_is_audited(self, debtor, users):
        from concord.cases.services import assign_case, open_case
        from concord.creditors.services import add_creditor

        creditor = add_creditor(None, code="bank", name="银行", kind="bank", policy_pack="cn_bank")
        case, _ = open_case(None, creditor=creditor, debtor=debtor)
        assign_case(None, case, collector=users["collector"])
        point = services.add_contact_point(None, debtor, kind="mobile", value="13812348000")
        assert services.reveal(users["collector"], debtor, "id_number") == ID_NUMBER
        assert services.reveal(users["manager"], point, "value") == "+8613812348000"
        events = AuditEvent.objects.filter(action="pii.reveal").order_by("id")
        assert [(e.actor_id, e.object_type, e.changes["field"]) for e in events] == [
            (users["collector"].pk, "debtors.debtor", "id_number"),
            (users["manager"].pk, "debtors.contactpoint", "value")]

    def test_creditor_viewer_may_not_reveal_and_nothing_is_recorded(self, debtor, users):
        with pytest.raises(PermissionDenied):
            services.reveal(users["creditor_viewer"], debtor, "id_number")
        with pytest.raises(PermissionDenied):
            services.reveal(None, debtor, "id_number")
        assert not AuditEvent.objects.filter(action="pii.reveal").exists()

    def test_collector_may_not_reveal_outside_their_cases(self, debtor, users):
        with pytest.raises(PermissionDenied):
            services.reveal(users["collector"], debtor, "id_number")
        assert not AuditEvent.objects.filter(action="pii.reveal").exists()

    def test_only_revealable_fields(self, debtor, users):
        with pytest.raises(ValueError):
            services.reveal(users["manager"], debtor, "full_name")


class TestFileSections:
    def test_employment_keeps_one_current(self, debtor):
        services.set_employment(None, debtor, employer_name="甲公司", since=dt.date(2020, 1, 1))
        services.set_employment(None, debtor, employer_name="乙公司", position="工程师")
        assert list(Employment.objects.filter(debtor=debtor, is_current=True).values_list("employer_name",
                                                                                          flat=True)) == ["乙公司"]
        assert Employment.objects.filter(debtor=debtor).count() == 2

    def test_negative_money_refused(self, debtor):
        with pytest.raises(ValidationError) as exc:
            services.add_asset(None, debtor, kind="vehicle", value=Decimal("-1"))
        assert "value" in _fields(exc.value)

    def test_asset_equity(self, debtor):
        asset = services.add_asset(None, debtor, kind="property", value=Decimal("800000"),
                                   encumbrance=Decimal("900000"))
        assert asset.equity == Decimal("0")
        assert AuditEvent.objects.get(action="asset.add").changes["value"] == "800000"


class TestAffordability:
    def test_numbers(self, debtor):
        profile = services.record_financial_profile(
            None, debtor, monthly_income=Decimal("12000.00"), household_expenses=Decimal("5500.50"),
            other_debt_payments=Decimal("3000.00"), dependants=2, as_of=dt.date(2026, 11, 1))
        result = services.affordability(profile)
        assert result == {"income": Decimal("12000.00"), "household": Decimal("5500.50"),
                          "other_debt": Decimal("3000.00"), "left": Decimal("3499.50"), "can_pay": True}

    def test_negative_disposable_income_cannot_pay(self, debtor):
        profile = services.record_financial_profile(
            None, debtor, monthly_income=Decimal("4000"), household_expenses=Decimal("3500"),
            other_debt_payments=Decimal("1500"), as_of=dt.date(2026, 11, 1))
        result = services.affordability(profile)
        assert result["left"] == Decimal("-1000") and result["can_pay"] is False

    def test_exactly_zero_left_cannot_pay_and_no_profile(self, debtor):
        profile = services.record_financial_profile(
            None, debtor, monthly_income=Decimal("3000"), household_expenses=Decimal("3000"),
            as_of=dt.date(2026, 11, 1))
        assert services.affordability(profile)["can_pay"] is False
        assert services.affordability(None) is None

    def test_negative_income_refused(self, debtor):
        with pytest.raises(ValidationError) as exc:
            services.record_financial_profile(None, debtor, monthly_income=Decimal("-5"), as_of=dt.date(2026, 1, 1))
        assert "monthly_income" in _fields(exc.value)
