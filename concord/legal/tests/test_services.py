"""The legal track: who may enter, the time bar, the legal hold, stage order, costs and documents."""
import datetime as dt
import hashlib
from decimal import Decimal

import pytest

from concord.core import sealed
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max

from concord.cases.models import Activity
from concord.compliance import services as compliance
from concord.compliance.models import Hold
from concord.core.models import AuditEvent
from concord.legal import services
from concord.legal.limitation import last_day
from concord.legal.models import LegalCase, LegalCost, LegalDocument, LegalStage, LegalStatus
from concord.loans import services as loans
from concord.loans.models import Instalment

from .conftest import noon

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = noon(D(2026, 12, 1))


def fields(exc):
    return set(exc.value.message_dict)


def enter(world, case=None, who="legal", at=TODAY, **kw):
    return services.enter_legal(world.users[who], case or world.cases["a"], law_firm="某律师事务所", at=at, **kw)


def last_due(case):
    return Instalment.objects.filter(account__case=case).aggregate(d=Max("due_date"))["d"]


# -- who may enter ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["col_a", "lead_a", "compliance", "field", "viewer"])
def test_only_the_legal_role_and_managers_enter(world, who):
    with pytest.raises(ValidationError) as exc:
        enter(world, who=who)
    assert fields(exc) == {"actor"} and not LegalCase.objects.exists() and not Hold.objects.exists()


@pytest.mark.parametrize("who", ["legal", "manager", "admin"])
def test_entering_places_a_legal_hold_audits_and_logs(world, who):
    legal = enter(world, who=who)
    assert legal.status == LegalStatus.ACTIVE and legal.opened_on == D(2026, 12, 1)
    hold = legal.hold
    assert hold.kind == "legal" and hold.creditor == world.creditors["bank"] and hold.released_at is None
    assert legal.limitation_basis == "due" and legal.limitation_expires_on == last_day(last_due(world.cases["a"]))
    assert AuditEvent.objects.filter(action="legal.enter", object_id=str(legal.pk)).exists()
    assert Activity.objects.filter(kind="legal", case=world.cases["a"]).count() == 1
    with pytest.raises(ValidationError) as exc:
        enter(world, who=who)
    assert "已在法律程序中" in exc.value.message_dict["case"][0]


def test_the_legal_hold_stops_collection_contact_until_closed(world):
    col_a = world.users["col_a"]
    for kind in ("pre_job_training", "pre_job_exam"):
        compliance.record_qualification(None, user=col_a, kind=kind, passed_on=D(2026, 6, 1))
    legal = enter(world)
    call = dict(case=world.cases["a"], channel="call", number="13812348000", at=noon(D(2026, 12, 2)))
    denied = compliance.decide_contact(col_a, **call)
    assert not denied.allowed and denied.rules == ["HOLD"]
    assert compliance.decide_contact(col_a, purpose="service", **call).allowed
    # the other creditor's case of another debtor is not touched
    assert compliance.decide_contact(world.users["col_b"], case=world.cases["b"], channel="sms",
                                     at=noon(D(2026, 12, 2))).rules != ["HOLD"]
    services.close_legal(world.users["legal"], legal, reason="settled", note="诉前调解达成协议",
                         at=noon(D(2026, 12, 2)))
    legal.hold.refresh_from_db()
    assert legal.hold.released_at is not None
    assert compliance.decide_contact(col_a, case=world.cases["a"], channel="call", number="13812348000",
                                     at=noon(D(2026, 12, 3))).allowed


def test_settled_cases_cannot_enter(world):
    from concord.cases.models import Case
    Case.objects.filter(pk=world.cases["a"].pk).update(status="settled")
    world.cases["a"].refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        enter(world)
    assert fields(exc) == {"case"}


# -- the time bar -----------------------------------------------------------------------------------------------
def test_time_barred_debt_is_refused_with_the_date_it_expired(world, old_case):
    due = last_due(old_case)
    expires = last_day(due)
    assert expires.year == due.year + 3
    legal = services.enter_legal(world.users["legal"], old_case, at=noon(expires))   # the last day: still in time
    assert legal.limitation_expires_on == expires
    services.close_legal(world.users["legal"], legal, reason="withdrawn", at=noon(expires))
    with pytest.raises(ValidationError) as exc:
        services.enter_legal(world.users["legal"], old_case, at=noon(expires + dt.timedelta(days=1)))
    message = exc.value.message_dict["case"][0]
    assert expires.isoformat() in message and "诉讼时效已于" in message and due.isoformat() in message
    assert LegalCase.objects.filter(status="active").count() == 0
    assert Hold.objects.filter(released_at__isnull=True).count() == 0


def test_an_acknowledgement_restarts_the_period(world, old_case):
    late = noon(D(2026, 6, 1))
    with pytest.raises(ValidationError):
        services.enter_legal(world.users["legal"], old_case, at=late)
    ack = services.record_acknowledgement(world.users["col_a"], old_case, kind="promise",
                                          acknowledged_on=D(2024, 8, 20), evidence="通话录音 REC-2024-0820",
                                          at=late)
    assert AuditEvent.objects.filter(action="legal.acknowledgement", object_id=str(ack.pk)).exists()
    lim = services.limitation_of(old_case)
    assert (lim.start, lim.basis, lim.expires_on) == (D(2024, 8, 20), "acknowledgement", D(2027, 8, 20))
    assert services.enter_legal(world.users["legal"], old_case, at=late).limitation_basis == "acknowledgement"


def test_a_payment_restarts_the_period_and_a_reversed_one_does_not(world, old_case):
    account = old_case.accounts.get()
    payment, _ = loans.record_payment(None, account=account, amount=Decimal("100.00"), paid_at=noon(D(2023, 12, 5)),
                                      channel="bank_transfer", external_reference="PAY-OLD-1")
    lim = services.limitation_of(old_case)
    assert (lim.basis, lim.start) == ("payment", D(2023, 12, 5))
    loans.reverse_payment(None, payment, reason="退票")
    assert services.limitation_of(old_case).basis == "due"


def test_acknowledgements_are_checked(world, old_case):
    col_a = world.users["col_a"]
    bad = [
        (dict(kind="rumour", acknowledged_on=D(2024, 1, 1), evidence="x"), "kind"),
        (dict(kind="promise", acknowledged_on=D(2030, 1, 1), evidence="x"), "acknowledged_on"),
        (dict(kind="promise", acknowledged_on=D(2020, 1, 1), evidence="x"), "acknowledged_on"),  # before the loan
        (dict(kind="promise", acknowledged_on=D(2024, 1, 1), evidence=" "), "evidence"),
    ]
    for kwargs, field in bad:
        with pytest.raises(ValidationError) as exc:
            services.record_acknowledgement(col_a, old_case, **kwargs)
        assert fields(exc) == {field}, kwargs
    with pytest.raises(ValidationError) as exc:     # col_b does not work this case
        services.record_acknowledgement(world.users["col_b"], old_case, kind="promise",
                                        acknowledged_on=D(2024, 1, 1), evidence="x")
    assert fields(exc) == {"actor"}


# -- stages -----------------------------------------------------------------------------------------------------
def test_stages_follow_their_order(world):
    legal = enter(world)
    user = world.users["legal"]

    def start(stage, day, **kw):
        return services.start_stage(user, legal, stage=stage, started_on=day, at=noon(D(2026, 12, 20)), **kw)

    with pytest.raises(ValidationError) as exc:
        start("mediation", D(2026, 12, 2))
    assert "律师函" in exc.value.message_dict["stage"][0]
    with pytest.raises(ValidationError) as exc:
        start("demand_letter", D(2026, 11, 30))                # before entering the track
    assert fields(exc) == {"started_on"}
    with pytest.raises(ValidationError) as exc:
        start("demand_letter", D(2026, 12, 21))                # in the future
    assert fields(exc) == {"started_on"}
    letter = start("demand_letter", D(2026, 12, 2), reference="律函〔2026〕第12号")
    with pytest.raises(ValidationError) as exc:
        start("demand_letter", D(2026, 12, 3))
    assert fields(exc) == {"stage"}
    for later in ("filing", "judgment", "enforcement"):
        with pytest.raises(ValidationError):
            start(later, D(2026, 12, 10))
    with pytest.raises(ValidationError) as exc:
        start("mediation", D(2026, 12, 1))                     # before the letter started
    assert fields(exc) == {"started_on"}
    start("mediation", D(2026, 12, 5))
    start("filing", D(2026, 12, 10), reference="（2026）京0105民初12345号")
    start("judgment", D(2026, 12, 18))
    start("enforcement", D(2026, 12, 19))
    assert [s.stage for s in legal.stages.all()] == ["demand_letter", "mediation", "filing", "judgment", "enforcement"]
    services.complete_stage(user, letter, ended_on=D(2026, 12, 4), result="已签收", at=noon(D(2026, 12, 20)))
    with pytest.raises(ValidationError) as exc:
        services.complete_stage(user, LegalStage.objects.get(stage="mediation"), ended_on=D(2026, 12, 4),
                                at=noon(D(2026, 12, 20)))
    assert fields(exc) == {"ended_on"}
    assert AuditEvent.objects.filter(action="legal.stage.start").count() == 5
    assert Activity.objects.filter(kind="legal").count() == 1 + 5 + 1


def test_collectors_cannot_move_stages(world):
    legal = enter(world)
    with pytest.raises(ValidationError) as exc:
        services.start_stage(world.users["col_a"], legal, stage="demand_letter", started_on=D(2026, 12, 1),
                             at=TODAY)
    assert fields(exc) == {"actor"}


def test_a_closed_track_takes_no_more_steps(world):
    legal = enter(world)
    services.close_legal(world.users["legal"], legal, reason="paid", at=TODAY)
    with pytest.raises(ValidationError) as exc:
        services.start_stage(world.users["legal"], legal, stage="demand_letter", started_on=D(2026, 12, 1), at=TODAY)
    assert fields(exc) == {"legal_case"}
    with pytest.raises(ValidationError):
        services.add_cost(world.users["legal"], legal, kind="court_fee", amount="10", incurred_on=D(2026, 12, 1),
                          at=TODAY)


# -- costs ------------------------------------------------------------------------------------------------------
def test_costs_are_exact_decimals_with_a_total_per_case(world):
    legal = enter(world)
    user = world.users["legal"]
    letter = services.start_stage(user, legal, stage="demand_letter", started_on=D(2026, 12, 1), at=TODAY)
    for kind, amount in (("lawyer_fee", "1500.10"), ("court_fee", Decimal("50.20")), ("court_fee", "0.01")):
        services.add_cost(user, legal, kind=kind, amount=amount, incurred_on=D(2026, 12, 1), stage=letter, at=TODAY)
    totals = services.cost_totals(world.cases["a"])
    assert totals["total"] == Decimal("1550.31") and isinstance(totals["total"], Decimal)
    assert totals["by_kind"] == {"lawyer_fee": Decimal("1500.10"), "court_fee": Decimal("50.21")}
    # a second track of the same case adds to the case's total
    services.close_legal(user, legal, reason="withdrawn", at=TODAY)
    again = enter(world, at=noon(D(2026, 12, 2)))
    services.add_cost(user, again, kind="other", amount="9.69", incurred_on=D(2026, 12, 2), at=noon(D(2026, 12, 2)))
    assert services.cost_totals(world.cases["a"])["total"] == Decimal("1560.00")
    assert services.cost_totals(world.cases["b"])["total"] == Decimal("0.00")


@pytest.mark.parametrize("amount", ["0", "-5", "1.001", "abc", "1e999", 1.5])
def test_bad_amounts_are_refused(world, amount):
    legal = enter(world)
    with pytest.raises(ValidationError) as exc:
        services.add_cost(world.users["legal"], legal, kind="court_fee", amount=amount, incurred_on=D(2026, 12, 1),
                          at=TODAY)
    assert fields(exc) == {"amount"}
    assert not LegalCost.objects.exists()


def test_a_cost_on_another_tracks_stage_is_refused(world):
    a = enter(world)
    b = services.enter_legal(world.users["legal"], world.cases["b"], at=TODAY)
    stage_b = services.start_stage(world.users["legal"], b, stage="demand_letter", started_on=D(2026, 12, 1), at=TODAY)
    with pytest.raises(ValidationError) as exc:
        services.add_cost(world.users["legal"], a, kind="court_fee", amount="1", incurred_on=D(2026, 12, 1),
                          stage=stage_b, at=TODAY)
    assert fields(exc) == {"stage"}


# -- documents --------------------------------------------------------------------------------------------------
def test_documents_are_stored_checked_and_downloads_audited(world, data_dir):
    legal = enter(world)
    body = b"%PDF-1.4 lawyer letter"
    doc = services.upload_document(world.users["legal"], legal, upload=SimpleUploadedFile("律师函.pdf", body),
                                   title="律师函（签收回执）", at=TODAY)
    path = data_dir / doc.path
    assert doc.path.startswith(f"legal/{legal.pk}/") and sealed.read_plain(path) == body
    assert body not in path.read_bytes() and path.stat().st_mode & 0o777 == 0o600  # sealed at rest
    assert doc.sha256 == hashlib.sha256(body).hexdigest() and doc.name == "律师函.pdf"
    for who in ("legal", "manager", "compliance"):
        assert services.open_document(world.users[who], doc) == path
    for who in ("col_a", "lead_a", "viewer", "col_b"):
        with pytest.raises(ValidationError):
            services.open_document(world.users[who], doc)
    assert AuditEvent.objects.filter(action="legal.document.download").count() == 3
    assert AuditEvent.objects.filter(action="legal.document.upload").count() == 1


def test_bad_uploads_write_nothing(world, data_dir):
    legal = enter(world)
    for upload, title, field in ((SimpleUploadedFile("x.exe", b"MZ"), "x", "file"),
                                 (SimpleUploadedFile("x.pdf", b""), "x", "file"),
                                 (SimpleUploadedFile("x.pdf", b"%PDF"), " ", "title")):
        with pytest.raises(ValidationError) as exc:
            services.upload_document(world.users["legal"], legal, upload=upload, title=title, at=TODAY)
        assert fields(exc) == {field}
    with pytest.raises(ValidationError) as exc:
        services.upload_document(world.users["col_a"], legal, upload=SimpleUploadedFile("x.pdf", b"%PDF"),
                                 title="x", at=TODAY)
    assert fields(exc) == {"actor"}
    assert not LegalDocument.objects.exists() and not any(data_dir.rglob("*.*"))
