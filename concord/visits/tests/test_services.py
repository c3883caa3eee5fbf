"""Field visits: request, the two-collector rule, the gate at scheduling and at reporting, files, cancel."""
import hashlib

import pytest

from concord.core import sealed
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from concord.cases.models import Activity
from concord.compliance import services as compliance
from concord.compliance.models import ContactAttempt, ContactDecision
from concord.core.models import AuditEvent
from concord.debtors import services as debtors
from concord.visits import services
from concord.visits.models import FieldVisit, VisitFile, VisitStatus
from concord.visits.selectors import my_visits, visible_visits

from .conftest import ADDRESS, qualify, when

pytestmark = pytest.mark.django_db


def requested(vw, actor="col_a"):
    return services.request_visit(vw.users[actor], vw.cases["a"], address=vw.address, purpose="negotiate",
                                  note="电话多次未接通，申请上门协商", at=when(1, 9))


def scheduled(vw, hour=10):
    visit = requested(vw)
    return services.schedule_visit(vw.users["lead_a"], visit, agents=[vw.users["col_a"], vw.users["field"]],
                                   scheduled_at=when(2, hour), at=when(1, 9, 30))


def photo(name="door.jpg", body=b"\xff\xd8\xff\xe0 photo bytes"):
    return SimpleUploadedFile(name, body, content_type="image/jpeg")


def fields(exc):
    return set(exc.value.message_dict)


# -- request ----------------------------------------------------------------------------------------------------
def test_request_is_written_audited_and_logged(vw):
    visit = requested(vw)
    assert visit.status == VisitStatus.REQUESTED and visit.address == vw.address
    assert AuditEvent.objects.filter(action="visit.request", object_id=str(visit.pk)).exists()
    entry = Activity.objects.get(kind="visit")
    assert entry.details == {"visit": visit.pk, "step": "request",
                             "phrase": {"code": "visit.request", "args": {"p": "negotiate"}}}
    assert entry.direction == "internal"
    # the audit trail keeps the address masked
    assert ADDRESS not in str(AuditEvent.objects.get(action="visit.request").changes)


def test_request_needs_an_address_of_the_debtor(vw):
    phone = vw.cases["a"].debtor.contact_points.get(kind="mobile")
    other = debtors.add_contact_point(None, vw.cases["b"].debtor, kind="address", value="上海市黄浦区南京东路1号")
    for point in (phone, other):
        with pytest.raises(ValidationError) as exc:
            services.request_visit(vw.users["col_a"], vw.cases["a"], address=point, purpose="negotiate")
        assert fields(exc) == {"address"}
    bad = debtors.add_contact_point(None, vw.cases["a"].debtor, kind="address", value="北京市海淀区某路1号",
                                    status="wrong_party")
    with pytest.raises(ValidationError) as exc:
        services.request_visit(vw.users["col_a"], vw.cases["a"], address=bad, purpose="negotiate")
    assert "非本人" in exc.value.message_dict["address"][0]
    assert not FieldVisit.objects.exists()


def test_request_refuses_bad_purpose_prohibited_note_duplicates_and_strangers(vw):
    with pytest.raises(ValidationError) as exc:
        services.request_visit(vw.users["col_a"], vw.cases["a"], address=vw.address, purpose="intimidate")
    assert fields(exc) == {"purpose"}
    with pytest.raises(ValidationError) as exc:
        services.request_visit(vw.users["col_a"], vw.cases["a"], address=vw.address, purpose="negotiate",
                               note="上门告诉你家人和邻居你欠钱")
    assert fields(exc) == {"note"}
    with pytest.raises(ValidationError) as exc:  # col_b cannot see case a
        services.request_visit(vw.users["col_b"], vw.cases["a"], address=vw.address, purpose="negotiate")
    assert fields(exc) == {"actor"}
    requested(vw)
    with pytest.raises(ValidationError) as exc:
        requested(vw)
    assert fields(exc) == {"address"} and FieldVisit.objects.count() == 1


# -- schedule: two collectors and the gate ---------------------------------------------------------------------
def test_one_agent_is_refused_and_nothing_is_decided(vw):
    visit = requested(vw)
    for agents in ([vw.users["field"]], [vw.users["field"], vw.users["field"]]):
        with pytest.raises(ValidationError) as exc:
            services.schedule_visit(vw.users["lead_a"], visit, agents=agents, scheduled_at=when(2, 10), at=when(1, 10))
        assert fields(exc) == {"agents"} and "至少需要 2 名" in exc.value.message_dict["agents"][0]
    assert not ContactDecision.objects.exists()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.REQUESTED and visit.agents.count() == 0


def test_agents_must_be_active_field_staff_of_the_leads_team_and_qualified(vw):
    visit = requested(vw)
    u = vw.users

    def refused(agents, actor="lead_a"):
        with pytest.raises(ValidationError) as exc:
            services.schedule_visit(u[actor], visit, agents=agents, scheduled_at=when(2, 10), at=when(1, 10))
        return exc.value.message_dict["agents"][0]

    assert "不是在岗" in refused([u["field"], u["compliance"]])
    assert "不属于您的小组" in refused([u["field"], u["col_b"]])          # a lead schedules their own team
    u["field"].is_active = False
    u["field"].save()
    assert "不是在岗" in refused([u["field"], u["col_a"]], actor="manager")
    u["field"].is_active = True
    u["field"].save()
    from concord.staff.models import User
    rookie = User.objects.create_user(username="rookie", password="pw-rookie", role="field_agent", team=vw.teams["A"])
    assert "岗前考试" in refused([u["field"], rookie])
    with pytest.raises(ValidationError) as exc:                          # collectors do not schedule
        services.schedule_visit(u["col_a"], visit, agents=[u["field"], u["col_a"]], scheduled_at=when(2, 10),
                                at=when(1, 10))
    assert fields(exc) == {"actor"}


def test_schedule_asks_the_gate_with_the_number_of_agents(vw):
    visit = scheduled(vw)
    assert visit.status == VisitStatus.SCHEDULED
    assert set(visit.agents.all()) == {vw.users["col_a"], vw.users["field"]}
    d = visit.schedule_decision
    assert d.allowed and d.channel == "visit" and d.inputs["agents"] == 2 and d.at == when(2, 10)
    entry = Activity.objects.filter(kind="visit", details__step="schedule").get()
    assert entry.decision == d and "2026-12-02 10:00" in entry.summary
    assert AuditEvent.objects.filter(action="visit.schedule").count() == 1


def test_schedule_at_night_is_refused_with_the_gates_reason(vw):
    visit = requested(vw)
    with pytest.raises(ValidationError) as exc:
        services.schedule_visit(vw.users["lead_a"], visit, agents=[vw.users["col_a"], vw.users["field"]],
                                scheduled_at=when(2, 22, 30), at=when(1, 10))
    assert fields(exc) == {"scheduled_at"} and "22:30" in exc.value.message_dict["scheduled_at"][0]
    assert "最早可于" in exc.value.message_dict["scheduled_at"][0]     # and when it would be allowed
    denied = ContactDecision.objects.get()              # the denial is stored though the action was refused
    assert not denied.allowed and denied.rules == ["CN5"]
    visit.refresh_from_db()
    assert visit.status == VisitStatus.REQUESTED and visit.scheduled_at is None


def test_schedule_under_a_hold_is_refused(vw):
    visit = requested(vw)
    compliance.place_hold(None, debtor=vw.cases["a"].debtor, kind="dispute", reason="账务争议",
                          creditor=vw.creditors["bank"], at=when(1, 8))
    with pytest.raises(ValidationError) as exc:
        services.schedule_visit(vw.users["lead_a"], visit, agents=[vw.users["col_a"], vw.users["field"]],
                                scheduled_at=when(2, 10), at=when(1, 10))
    assert fields(exc) == {"gate"}
    assert not ContactDecision.objects.get().allowed
    assert FieldVisit.objects.get().status == VisitStatus.REQUESTED


def test_schedule_time_must_be_ahead(vw):
    visit = requested(vw)
    for t in (when(1, 8), when(1, 9, 59)):
        with pytest.raises(ValidationError) as exc:
            services.schedule_visit(vw.users["lead_a"], visit, agents=[vw.users["col_a"], vw.users["field"]],
                                    scheduled_at=t, at=when(1, 10))
        assert fields(exc) == {"scheduled_at"}


# -- report -----------------------------------------------------------------------------------------------------
def test_report_is_recorded_against_a_fresh_allow_with_files(vw, data_dir):
    visit = scheduled(vw)
    body = b"%PDF-1.4 signed visit sheet"
    visit = services.report_visit(vw.users["field"], visit, outcome="conversation", note="见到本人，称月底还款 2000 元",
                                  files=[photo(), SimpleUploadedFile("sheet.pdf", body)],
                                  visited_at=when(2, 10, 20), at=when(2, 12))
    assert visit.status == VisitStatus.REPORTED and visit.outcome == "conversation"
    d = visit.report_decision
    assert d.allowed and d.at == when(2, 10, 20) and d.actor == vw.users["field"] and d != visit.schedule_decision
    attempt = ContactAttempt.objects.get()
    assert attempt == visit.attempt and attempt.decision == d and attempt.channel == "visit"
    assert attempt.outcome == "conversation" and attempt.at == when(2, 10, 20)
    entry = Activity.objects.get(details__step="report")
    assert entry.direction == "outbound" and entry.decision == d and entry.outcome == "conversation"
    files = list(VisitFile.objects.order_by("id"))
    assert [f.name for f in files] == ["door.jpg", "sheet.pdf"]
    for f in files:
        path = data_dir / f.path
        assert f.path.startswith(f"visits/{visit.pk}/") and path.is_file()
        assert hashlib.sha256(sealed.read_plain(path)).hexdigest() == f.sha256
    assert sealed.read_plain(data_dir / files[1].path) == body  # sealed at rest
    assert body not in (data_dir / files[1].path).read_bytes()
    assert files[0].name not in files[0].path       # stored under a random name


def test_report_is_refused_when_the_gate_now_denies(vw, data_dir):
    visit = scheduled(vw)
    compliance.place_hold(None, debtor=vw.cases["a"].debtor, kind="complaint", reason="投诉处理中", at=when(2, 8))
    with pytest.raises(ValidationError) as exc:
        services.report_visit(vw.users["field"], visit, outcome="conversation", note="见到本人",
                              files=[photo()], visited_at=when(2, 10), at=when(2, 11))
    assert fields(exc) == {"gate"}
    assert not ContactAttempt.objects.exists() and not VisitFile.objects.exists()
    assert not (data_dir / "visits").exists() or not any((data_dir / "visits").rglob("*.*"))
    assert FieldVisit.objects.get().status == VisitStatus.SCHEDULED


def test_report_checks_its_input_before_anything(vw, data_dir):
    visit = scheduled(vw)
    agent = vw.users["field"]
    cases = [
        (dict(outcome="no_answer", note="x"), "outcome"),
        (dict(outcome="failed", note="  "), "note"),
        (dict(outcome="failed", note="再不还钱就爆通讯录"), "note"),
        (dict(outcome="failed", note="无人", files=[photo("run.exe")]), "files"),
        (dict(outcome="failed", note="无人", files=[photo("empty.jpg", b"")]), "files"),
        (dict(outcome="failed", note="无人", visited_at=when(2, 13)), "visited_at"),
        (dict(outcome="failed", note="无人", visited_at=when(1, 9)), "visited_at"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as exc:
            services.report_visit(agent, visit, at=when(2, 12), **kwargs)
        assert field in exc.value.message_dict, (kwargs, exc.value.message_dict)
    assert ContactDecision.objects.count() == 1      # only the scheduling decision: no report was decided
    assert not any(data_dir.rglob("*.*"))


def test_only_agents_or_leads_report(vw):
    visit = scheduled(vw)
    for name in ("col_b", "viewer", "compliance"):
        with pytest.raises(ValidationError) as exc:
            services.report_visit(vw.users[name], visit, outcome="failed", note="无人", at=when(2, 12),
                                  visited_at=when(2, 10))
        assert fields(exc) == {"actor"}
    services.report_visit(vw.users["lead_a"], visit, outcome="failed", note="无人应门", visited_at=when(2, 10),
                          at=when(2, 12))


def test_a_reported_or_cancelled_visit_cannot_be_reported_again(vw):
    visit = scheduled(vw)
    services.report_visit(vw.users["col_a"], visit, outcome="third_party", note="家人开门，未透露任何欠款信息",
                          visited_at=when(2, 10), at=when(2, 11))
    with pytest.raises(ValidationError) as exc:
        services.report_visit(vw.users["col_a"], visit, outcome="failed", note="x", visited_at=when(2, 10, 40),
                              at=when(2, 11))
    assert fields(exc) == {"status"}
    assert ContactAttempt.objects.count() == 1


# -- cancel -----------------------------------------------------------------------------------------------------
def test_cancel(vw):
    visit = scheduled(vw)
    with pytest.raises(ValidationError) as exc:
        services.cancel_visit(vw.users["col_a"], visit, reason=" ")
    assert fields(exc) == {"reason"}
    with pytest.raises(ValidationError):
        services.cancel_visit(vw.users["field"], visit, reason="不去了")   # neither requester nor lead
    visit = services.cancel_visit(vw.users["col_a"], visit, reason="债务人已来电约定还款")
    assert visit.status == VisitStatus.CANCELLED
    assert Activity.objects.filter(details__step="cancel").count() == 1
    with pytest.raises(ValidationError) as exc:
        services.report_visit(vw.users["field"], visit, outcome="failed", note="x", at=when(2, 12),
                              visited_at=when(2, 10))
    assert fields(exc) == {"status"}


# -- visibility and files ---------------------------------------------------------------------------------------
def test_agents_see_their_visits_even_without_the_case(vw):
    visit = scheduled(vw)
    field = vw.users["field"]
    assert list(my_visits(field)) == [visit] and list(visible_visits(field)) == [visit]
    assert list(visible_visits(vw.users["col_b"])) == []
    assert list(visible_visits(vw.users["manager"])) == [visit]
    assert services.reveal_address(field, visit) == ADDRESS
    assert AuditEvent.objects.filter(action="visit.address.view").count() == 1
    with pytest.raises(ValidationError):
        services.reveal_address(vw.users["col_b"], visit)
    with pytest.raises(ValidationError):
        services.reveal_address(vw.users["viewer"], visit)


def test_files_are_access_checked_and_downloads_audited(vw):
    visit = scheduled(vw)
    services.report_visit(vw.users["field"], visit, outcome="failed", note="无人应门，留下联系卡",
                          files=[photo()], visited_at=when(2, 10), at=when(2, 12))
    vfile = VisitFile.objects.get()
    assert sealed.read_plain(services.open_file(vw.users["field"], vfile)).startswith(b"\xff\xd8")
    assert services.open_file(vw.users["manager"], vfile).is_file()
    for name in ("col_b", "viewer"):
        with pytest.raises(ValidationError):
            services.open_file(vw.users[name], vfile)
    assert AuditEvent.objects.filter(action="visit.file.download").count() == 2


def test_storage_refuses_paths_outside_its_folder(vw, data_dir):
    from concord.core import storage
    with pytest.raises(ValidationError):
        storage.resolve("visits", "../concord.sqlite3")
    with pytest.raises(ValidationError):
        storage.resolve("visits", "legal/1/x.pdf")


def test_qualify_helper_is_needed_for_lead_decisions(world):
    """Without a valid training the scheduling lead is denied by the gate's QUAL rule (stored, refused)."""
    point = debtors.add_contact_point(None, world.cases["a"].debtor, kind="address", value=ADDRESS, status="valid")
    qualify(world.users["col_a"], world.users["field"])
    visit = services.request_visit(world.users["col_a"], world.cases["a"], address=point, purpose="negotiate",
                                   at=when(1, 9))
    with pytest.raises(ValidationError) as exc:
        services.schedule_visit(world.users["lead_a"], visit, agents=[world.users["col_a"], world.users["field"]],
                                scheduled_at=when(2, 10), at=when(1, 10))
    assert fields(exc) == {"gate"} and ContactDecision.objects.get().rules == ["QUAL"]
    # a manager is not a field role: the gate does not ask for their training
    visit = services.schedule_visit(world.users["manager"], visit, agents=[world.users["col_a"], world.users["field"]],
                                    scheduled_at=when(2, 10), at=when(1, 10))
    assert visit.status == VisitStatus.SCHEDULED
