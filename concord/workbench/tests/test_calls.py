"""Calls: the gate decides before dialling; the disposition writes the ledger, the activity and what the result
codes set in motion, all or nothing."""
import datetime as dt
import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from concord.core import sealed
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from concord.workbench import calls
from concord.cases.models import Activity
from concord.workbench.models import CallRecording, Promise, Task
from concord.workbench.queues import today_queue
from concord.compliance.models import Complaint, ContactAttempt, ContactDecision, Hold
from concord.core import clock
from concord.core.models import AuditEvent
from concord.debtors import services as debtor_services

pytestmark = pytest.mark.django_db


def phone(case):
    return case.debtor.contact_points.get(kind="mobile")


def start(world, case=None, user="col_a"):
    case = case or world.cases["a"]
    return calls.start_call(world.users[user], case, contact_point=phone(case))


def test_an_allowed_call_stores_the_decision_then_logs_everything(crew):
    case, col = crew.cases["a"], crew.users["col_a"]
    decision = start(crew)
    assert decision.allowed and decision.pk and decision.number_masked == "138****8000"
    activity = calls.log_call(col, case, decision, outcome="conversation", result_codes=["hardship"],
                              duration_seconds=185, note="借款人称本月失业，下月初找到工作后再联系")
    assert ContactAttempt.objects.get(decision=decision).outcome == "conversation"
    assert activity.kind == "call" and activity.decision == decision and activity.result_codes == ["hardship"]
    assert activity.details["duration_seconds"] == 185 and "经济困难" in activity.summary
    assert AuditEvent.objects.filter(action="activity.call", object_id=str(activity.pk)).exists()
    assert case not in today_queue(col)                          # contacted today: off the queue


def test_a_denied_call_is_stored_and_cannot_be_logged(crew, clock_at):
    clock_at(dt.datetime.combine(clock.today(), dt.time(22, 30), clock.now().tzinfo))
    decision = start(crew)
    assert not decision.allowed and "CN5" in decision.rules
    assert ContactDecision.objects.filter(allowed=False).count() == 1
    with pytest.raises(ValidationError) as exc:
        calls.log_call(crew.users["col_a"], crew.cases["a"], decision, outcome="no_answer")
    assert "decision" in exc.value.message_dict
    assert not Activity.objects.filter(kind="call").exists()


def test_promise_code_records_a_promise_linked_to_the_call(crew):
    case, col = crew.cases["a"], crew.users["col_a"]
    due = clock.today() + dt.timedelta(days=5)
    activity = calls.log_call(col, case, start(crew), outcome="conversation", result_codes=["promise"],
                              promise_amount=Decimal("1500.00"), promise_date=due)
    promise = Promise.objects.get()
    assert (promise.amount, promise.due_date, promise.activity, promise.status) == (
        Decimal("1500.00"), due, activity, "pending")


def test_a_bad_promise_writes_nothing_and_names_the_field(crew):
    case, col = crew.cases["a"], crew.users["col_a"]
    decision = start(crew)
    with pytest.raises(ValidationError) as exc:
        calls.log_call(col, case, decision, outcome="conversation", result_codes=["promise"],
                       promise_amount=Decimal("100"), promise_date=clock.today() + dt.timedelta(days=90))
    assert "promise_due_date" in exc.value.message_dict
    assert not ContactAttempt.objects.exists() and not Activity.objects.filter(kind="call").exists()
    assert not Promise.objects.exists()
    with pytest.raises(ValidationError) as exc:
        calls.log_call(col, case, decision, outcome="conversation", result_codes=["promise"])
    assert "promise_amount" in exc.value.message_dict


def test_dispute_opens_a_dispute_that_holds_collection(crew):
    case, col = crew.cases["a"], crew.users["col_a"]
    calls.log_call(col, case, start(crew), outcome="conversation", result_codes=["dispute"],
                   dispute_summary="称该卡已于去年注销并结清")
    complaint = Complaint.objects.get()
    assert complaint.kind == "dispute" and complaint.case == case and complaint.hold.released_at is None
    assert Hold.objects.filter(debtor=case.debtor, kind="dispute").exists()
    clock_next = clock.now() + dt.timedelta(minutes=1)
    later = calls.start_call(col, case, contact_point=phone(case))
    assert not later.allowed and clock_next


def test_callback_creates_a_task_and_already_paid_a_verification(crew):
    case, col = crew.cases["a"], crew.users["col_a"]
    when = clock.now() + dt.timedelta(hours=3)
    calls.log_call(col, case, start(crew), outcome="conversation", result_codes=["callback", "already_paid"],
                   callback_at=when)
    kinds = {t.kind: t for t in Task.objects.all()}
    assert kinds["callback"].due_at == when and kinds["callback"].assigned_to == col
    assert "verify_payment" in kinds


def test_wrong_number_marks_the_contact_point(crew):
    case, col = crew.cases["a"], crew.users["col_a"]
    calls.log_call(col, case, start(crew), outcome="wrong_number")
    assert phone(case).status == "wrong_party"
    assert AuditEvent.objects.filter(action="contact_point.status").exists()


def test_result_codes_must_fit_the_outcome(crew):
    with pytest.raises(ValidationError) as exc:
        calls.log_call(crew.users["col_a"], crew.cases["a"], start(crew), outcome="no_answer",
                       result_codes=["promise"])
    assert "result_codes" in exc.value.message_dict


def test_a_third_party_cannot_promise(crew):
    case, col = crew.cases["a"], crew.users["col_a"]
    case.debtor.lost_contact = True
    case.debtor.save(update_fields=["lost_contact"])
    friend = debtor_services.add_related_party(None, case.debtor, role="emergency_contact", full_name="吴九",
                                               phone="13500000001")
    decision = calls.start_call(col, case, related_party=friend)
    assert decision.allowed and decision.purpose == "location", decision.reason_en
    with pytest.raises(ValidationError) as exc:
        calls.log_call(col, case, decision, outcome="conversation", result_codes=["promise"],
                       promise_amount=Decimal("100"), promise_date=clock.today())
    assert "result_codes" in exc.value.message_dict


def test_someone_elses_claim_blocks_the_call(crew):
    from concord.workbench import claims

    claims.claim_case(crew.users["lead_a"], crew.cases["a"])
    with pytest.raises(ValidationError) as exc:
        start(crew)
    assert "lead_a" in exc.value.message_dict["case"][0]


def test_recording_is_stored_with_the_packs_retention_and_played_by_allowed_roles(crew, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    case, col = crew.cases["a"], crew.users["col_a"]
    audio = SimpleUploadedFile("call.mp3", b"ID3" + b"\x00" * 64, content_type="audio/mpeg")
    activity = calls.log_call(col, case, start(crew), outcome="voicemail", recording=audio)
    rec = CallRecording.objects.get(activity=activity)
    assert rec.retain_until == clock.today().replace(year=clock.today().year + 2)        # cn_bank: 2 years
    assert sealed.read_plain(tmp_path / "recordings" / rec.path).startswith(b"ID3")  # sealed at rest
    assert (tmp_path / "recordings" / rec.path).stat().st_mode & 0o777 == 0o600
    with pytest.raises(ValidationError):
        calls.open_recording(col, rec)
    path = calls.open_recording(crew.users["lead_a"], rec)
    assert path.exists()
    assert AuditEvent.objects.filter(action="recording.play", object_id=str(rec.pk)).count() == 1


def test_a_recording_reference_and_bad_files(crew):
    case, col = crew.cases["b"], crew.users["col_b"]
    bad = SimpleUploadedFile("call.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(ValidationError) as exc:
        calls.log_call(col, case, start(crew, case, "col_b"), outcome="conversation", recording=bad)
    assert "recording" in exc.value.message_dict
    activity = calls.log_call(col, case, start(crew, case, "col_b"), outcome="busy", recording_ref="PBX-2026-0001")
    assert activity.recording.reference == "PBX-2026-0001" and not activity.recording.path


def test_retention_is_data_in_one_place():
    from concord.workbench.policy import add_years, retention_years

    assert retention_years("us_reg_f") == 3 and retention_years("cn_bank") == 2
    assert retention_years("uk_conc", ["credit_card"]) == 2 and retention_years("unknown") == 2
    assert add_years(dt.date(2028, 2, 29), 2) == dt.date(2030, 2, 28)


def test_the_telephony_hook_posts_a_click_to_dial(crew, settings, django_capture_on_commit_callbacks):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append((json.loads(self.rfile.read(int(self.headers["Content-Length"]))),
                             self.headers.get("Authorization")))
            self.send_response(202)
            self.end_headers()

        def log_message(self, *a):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    settings.CONCORD_TELEPHONY_URL = f"http://127.0.0.1:{server.server_port}/dial"
    settings.CONCORD_TELEPHONY_TOKEN = "t0ken"
    try:
        with django_capture_on_commit_callbacks(execute=True):
            decision = start(crew)
        thread.join(5)
    finally:
        server.server_close()
    body, auth = received[0]
    assert body == {"agent": "col_a", "number": "+8613812348000", "case": crew.cases["a"].reference,
                    "decision": decision.pk}
    assert auth == "Bearer t0ken"


def test_without_telephony_nothing_is_posted(crew, settings, django_capture_on_commit_callbacks):
    settings.CONCORD_TELEPHONY_URL = ""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        start(crew)
    assert callbacks == []


def test_calling_a_case_holds_it(crew):
    from concord.workbench import claims

    start(crew)
    case = crew.cases["a"]
    case.refresh_from_db()
    assert claims.holder(case).username == "col_a"
    with pytest.raises(ValidationError):
        claims.claim_case(crew.users["lead_a"], case)
