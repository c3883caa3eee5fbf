"""Calls placed by a switch: the permit, the raw events stored once, the call record filling the activity, the
collector's disposition, reconciliation of a lost push, the recording kept sealed with its checksum."""
import datetime as dt
import hashlib
import json

import pytest
from django.core.exceptions import ValidationError

from concord.cases.models import Activity
from concord.compliance.models import ContactAttempt, ContactDecision
from concord.core import clock
from concord.core.models import AuditEvent
from concord.telephony import services
from concord.telephony.models import Call, CallState, ProviderEvent
from concord.workbench import calls
from concord.workbench.models import Promise

pytestmark = pytest.mark.django_db


def dial(world, case="a", user="col_a", django_capture_on_commit_callbacks=None):
    case = world.cases[case]
    point = case.debtor.contact_points.get(kind="mobile")
    with django_capture_on_commit_callbacks(execute=True):
        decision = calls.start_call(world.users[user], case, contact_point=point)
    return decision


def ended(call, result="answered", talk=95, ring=7, by="customer", rec=""):
    start = clock.now() - dt.timedelta(seconds=ring + talk)     # the clock is pinned: the call ended just now
    answer = start + dt.timedelta(seconds=ring) if result in ("answered", "abandoned") else None
    return {"call": call.ref, "id": call.provider_call_id, "kind": "ended", "result": result,
            "start": start.isoformat(), "answer": answer.isoformat() if answer else None,
            "end": (start + dt.timedelta(seconds=ring + talk)).isoformat(), "ring": ring, "talk": talk, "by": by,
            "rec": rec}


@pytest.fixture
def push(client, django_capture_on_commit_callbacks):
    def send(events, token="s3cret"):
        with django_capture_on_commit_callbacks(execute=True):      # the worker's job runs inline in tests
            return client.post("/telephony/push/fake/", data=json.dumps(events), content_type="application/json",
                               HTTP_X_TOKEN=token)
    return send


def test_a_dial_originates_under_the_permit_and_the_record_fills_the_activity(crew, switch, push,
                                                                              django_capture_on_commit_callbacks):
    decision = dial(crew, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    call = Call.objects.get(decision=decision)
    assert switch.dialled[0].permit == decision.pk and switch.dialled[0].call_ref == call.ref
    assert switch.dialled[0].number == "+8613812348000" and call.provider_call_id == "F1"
    assert [d.pk for d in calls.unlogged_calls(crew.users["col_a"])] == [decision.pk]   # in flight: counts
    ringing = {"call": call.ref, "id": "F1", "kind": "ringing"}
    assert push([ringing], token="wrong").status_code == 403
    assert push([ringing, {"call": call.ref, "id": "F1", "kind": "answered"}]).json() == {"stored": 2}
    assert push([ringing]).json() == {"stored": 0}                               # a repeat: stored once
    call.refresh_from_db()
    assert call.state == CallState.ANSWERED
    assert push([ended(call)]).json() == {"stored": 1}
    call.refresh_from_db()
    activity = call.activity
    assert call.state == CallState.ENDED and call.result == "answered"
    assert activity.outcome == "conversation" and activity.details["ring_seconds"] == 7
    assert activity.details["talk_seconds"] == 95 and activity.details["hangup_by"] == "customer"
    assert "接通" in activity.summary and activity.result_codes == []
    assert ContactAttempt.objects.get(decision=decision).outcome == "conversation"        # the permit consumed
    assert calls.unlogged_calls(crew.users["col_a"]) == []
    assert [a.pk for a in calls.undisposed_calls(crew.users["col_a"])] == [activity.pk]  # the banner asks
    assert ProviderEvent.objects.filter(processed_at__isnull=False).count() == 3
    # the collector adds only the disposition and the note
    calls.dispose_call(crew.users["col_a"], activity, result_codes=["promise"], note="借款人同意月底还款",
                       promise_amount="800.00", promise_date=clock.today() + dt.timedelta(days=5))
    activity.refresh_from_db()
    assert activity.result_codes == ["promise"] and activity.details["disposition"] == "done"
    assert Promise.objects.filter(activity=activity).exists()
    assert calls.undisposed_calls(crew.users["col_a"]) == []
    with pytest.raises(ValidationError):
        calls.dispose_call(crew.users["col_a"], activity, result_codes=["refusal"])
    assert AuditEvent.objects.filter(action="activity.disposition", object_id=str(activity.pk)).exists()


@pytest.mark.parametrize("result,label", [("vacant", "空号"), ("powered_off", "关机"), ("suspended", "停机"),
                                          ("no_answer", "无人接听"), ("busy", "忙/拒接")])
def test_unanswered_results_are_failed_or_unanswered_attempts_without_disposition(
        crew, switch, push, result, label, django_capture_on_commit_callbacks):
    decision = dial(crew, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    call = Call.objects.get(decision=decision)
    push([ended(call, result, talk=0, ring=30, by="system")])
    call.refresh_from_db()
    assert label in call.activity.summary and call.activity.details["disposition"] == "none"
    expected = {"vacant": "failed", "powered_off": "failed", "suspended": "failed"}.get(result, result)
    assert ContactAttempt.objects.get(decision=decision).outcome == expected
    assert calls.undisposed_calls(crew.users["col_a"]) == []


def test_a_refused_originate_releases_the_permit(crew, switch, django_capture_on_commit_callbacks):
    from concord.compliance.services import record_contact_outcome

    switch.refuse = True
    decision = dial(crew, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    call = Call.objects.get(decision=decision)
    decision.refresh_from_db()
    assert call.state == CallState.FAILED and "no free line" in call.error and decision.released_at is not None
    assert calls.unlogged_calls(crew.users["col_a"]) == [] and calls.cap_holders(crew.cases["a"]) == []
    with pytest.raises(ValidationError):
        record_contact_outcome(crew.users["col_a"], decision, outcome="no_answer")


def test_a_lost_push_is_found_by_the_reconciliation(crew, switch, django_capture_on_commit_callbacks):
    decision = dial(crew, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    call = Call.objects.get(decision=decision)
    switch.records = [ended(call, "no_answer", talk=0, ring=40)]
    assert services.reconcile() == {"pulled": 1, "new": 1, "processed": 1}
    call.refresh_from_db()
    assert call.state == CallState.ENDED and call.result == "no_answer"
    assert services.reconcile() == {"pulled": 1, "new": 0, "processed": 0}              # nothing twice
    assert Activity.objects.filter(kind="call", case=crew.cases["a"]).count() == 1


def test_abandoned_calls_count_as_connected(crew, switch, push, django_capture_on_commit_callbacks):
    """cn_online_lending: at most 3 connected calls a day; three abandoned calls use them up."""
    for _ in range(3):
        decision = dial(crew, "b", "col_b", django_capture_on_commit_callbacks)
        assert decision.allowed
        push([ended(Call.objects.get(decision=decision), "abandoned", talk=0, by="system")])
    fourth = dial(crew, "b", "col_b", django_capture_on_commit_callbacks)
    assert not fourth.allowed and "CN2" in fourth.rules
    assert not Call.objects.filter(decision=fourth).exists() and len(switch.dialled) == 3


def test_the_recording_is_kept_sealed_with_its_checksum_and_plays_audited(crew, switch, push, settings,
                                                                           django_capture_on_commit_callbacks):
    audio = b"RIFF" + bytes(range(256)) * 40
    switch.recordings["rec-1"] = audio
    decision = dial(crew, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    call = Call.objects.get(decision=decision)
    push([ended(call, rec="rec-1")])
    call.refresh_from_db()
    assert call.recording is not None and call.recording_sha256 == hashlib.sha256(audio).hexdigest()
    raw = (settings.DATA_DIR / "recordings" / call.recording.path).read_bytes()
    assert audio not in raw and services.verify_recording(call)                          # sealed at rest
    path = calls.open_recording(crew.users["lead_a"], call.recording)
    assert path.exists()
    assert AuditEvent.objects.filter(action="recording.play", object_id=str(call.recording.pk)).count() == 1


def test_a_recording_not_yet_available_is_fetched_later(crew, switch, push, django_capture_on_commit_callbacks):
    decision = dial(crew, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    call = Call.objects.get(decision=decision)
    push([ended(call, rec="rec-late")])
    call.refresh_from_db()
    assert call.recording is None and call.state == CallState.ENDED
    switch.recordings["rec-late"] = b"RIFF-late-audio"
    services.reconcile()
    call.refresh_from_db()
    assert call.recording is not None


def test_the_case_page_shows_the_call_in_progress_then_asks_only_the_disposition(
        crew, switch, push, client, django_capture_on_commit_callbacks):
    case, col = crew.cases["a"], crew.users["col_a"]
    client.force_login(col)
    point = case.debtor.contact_points.get(kind="mobile")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cases/{case.pk}/call/", {"target": f"cp:{point.pk}"})
    page = client.get(response.url).content.decode()
    assert 'id="switch-call"' in page and 'id="call-form"' not in page      # no hand-typed outcome or duration
    elsewhere = client.get("/").content.decode()         # while it rings: under way, nothing to log by hand
    assert "call-in-progress" in elsewhere and "通话进行中" in elsewhere and "请登记通话结果" not in elsewhere
    call = Call.objects.get(case=case)
    push([ended(call, talk=120)])
    page = client.get(f"/cases/{case.pk}/").content.decode()
    call.refresh_from_db()
    assert f'id="dispose-{call.activity.pk}"' in page and "undisposed-call" in page    # the form and the banner
    assert "call-in-progress" not in page
    response = client.post(f"/telephony/activities/{call.activity.pk}/disposition/",
                           {"result_codes": ["hardship"], "note": "借款人称收入下降"}, follow=True)
    assert response.status_code == 200
    call.activity.refresh_from_db()
    assert call.activity.result_codes == ["hardship"] and call.activity.note == "借款人称收入下降"
    assert "undisposed-call" not in client.get(f"/cases/{case.pk}/").content.decode()


def test_power_dialing_a_queue_of_ten_skips_the_two_the_gate_denies(crew, switch, push, clock_at,
                                                                    django_capture_on_commit_callbacks):
    from concord.compliance import services as compliance
    from concord.conftest import make_case, resident_id
    from concord.telephony import dialer

    col = crew.users["col_a"]
    queue = []
    for i in range(10):
        case = make_case(None, crew.creditors["bank"], name=f"借款人{i}",
                         id_number=resident_id("110105", "19800101", 500 + i), phone=f"1350000{i:04d}",
                         reference=f"LOAN-9{i:03d}", collector=col, team=crew.teams["A"])
        queue.append(case)
    compliance.record_cease(None, debtor=queue[3].debtor, channel="call", note="本人要求停止电话联系")
    compliance.place_hold(None, debtor=queue[7].debtor, kind="complaint", reason="投诉处理中")
    ids, start, dialled = [c.pk for c in queue], 0, []
    while True:
        assert dialer.ready(col)
        with django_capture_on_commit_callbacks(execute=True):
            step = dialer.dial_next(col, ids, start)
        if step is None:
            break
        dialled.append(step.case_id)
        with pytest.raises(ValidationError):
            dialer.dial_next(col, ids, step.index + 1)          # one call per free collector
        call = Call.objects.get(decision=step.decision)
        push([ended(call, "no_answer", talk=0, ring=30)])         # the call ends; the collector is free again
        start = step.index + 1
    assert dialled == [c.pk for i, c in enumerate(queue) if i not in (3, 7)]
    assert len(switch.dialled) == 8
    assert {d.case for d in switch.dialled}.isdisjoint({queue[3].reference, queue[7].reference})
    refused = ContactDecision.objects.filter(case__in=[queue[3], queue[7]], allowed=False)
    assert refused.count() == 2 and not Call.objects.filter(case__in=[queue[3], queue[7]]).exists()


def test_power_dialing_from_my_work(crew, switch, push, client, django_capture_on_commit_callbacks):
    from concord.compliance import services as compliance

    col = crew.users["col_a"]
    client.force_login(col)
    assert 'id="power-next"' in client.get("/work/").content.decode()
    compliance.record_cease(None, debtor=crew.cases["a"].debtor, channel="call", note="本人要求停止电话联系")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/telephony/power/next/")
    call = Call.objects.get()
    assert call.case == crew.cases["u"] and response.url.startswith(f"/cases/{crew.cases['u'].pk}/?call=")
    assert [d.case for d in switch.dialled] == [crew.cases["u"].reference]           # case a refused, not dialled
    push([ended(call, "busy", talk=0)])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/telephony/power/next/", follow=True)
    assert len(switch.dialled) == 1 and "没有合规闸门放行" in response.content.decode()
