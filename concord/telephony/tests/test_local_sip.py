"""Real SIP calls on loopback: Kamailio as registrar and proxy, a baresip phone for the collector and a baresip
borrower simulator that answers and speaks (espeak-ng). The call is started from the case page, answered, hung up
by the collector; its events become the call record that fills the activity; the recording is a real WAV file, kept
sealed with its checksum and played back (audited) by the compliance officer. The processes run on free ports in a temporary
folder and are stopped by their ids at the end."""
import socket
import time
import wave
from io import BytesIO

import pytest

from concord.core.models import AuditEvent
from concord.telephony import localsip, providers, services
from concord.telephony.models import Call, CallState

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def sip_stack(tmp_path_factory):
    assert localsip.missing_programs() == [], "run `make sip` to install Kamailio, baresip, espeak-ng and sox"
    root = tmp_path_factory.mktemp("sip")
    started = []
    try:
        proxy, port = localsip.start_proxy(root / "kamailio")
        started.append(proxy)
        borrower_voice = localsip.speech_wav("您好，我是李四。我这个月会还款，月底之前一定把钱还上，谢谢。", root / "borrower.wav")
        collector_voice = localsip.speech_wav("您好，我是协和公司的工作人员，本次通话将被录音。", root / "collector.wav")
        borrower, _ = localsip.start_phone(root / "borrower", user="13900001111", proxy_port=port,
                                           play=borrower_voice, answer=True)
        started.append(borrower)
        phone, ctrl = localsip.start_phone(root / "col_b", user="col_b", proxy_port=port, play=collector_voice,
                                           record_dir=root / "col_b-recordings")
        started.append(phone)
        yield {"proxy": f"127.0.0.1:{port}", **localsip.announcements(root / "announcements"),
               "agents": {"col_b": {"ctrl": f"127.0.0.1:{ctrl}", "recordings": str(root / "col_b-recordings"),
                                    "source": f"aufile,{collector_voice}"}}}
    finally:
        for proc in reversed(started):
            proc.stop()
        for provider in list(providers._instances.values()):
            if hasattr(provider, "close"):
                provider.close()


@pytest.fixture
def sip(settings, sip_stack, tmp_path, crew):
    settings.DATA_DIR = tmp_path
    settings.CONCORD_JOBS_INLINE = True
    settings.CONCORD_TELEPHONY_PROVIDER = "sip"
    settings.CONCORD_TELEPHONY_OPTIONS = sip_stack
    return providers.current()


def wait_for(predicate, seconds=15.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_real_call_from_the_case_page_is_answered_logged_recorded_and_played(
        crew, sip, client, django_capture_on_commit_callbacks):
    case, col = crew.cases["b"], crew.users["col_b"]
    point = case.debtor.contact_points.get(kind="mobile")
    client.force_login(col)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cases/{case.pk}/call/", {"target": f"cp:{point.pk}"})
    assert response.status_code == 302
    call = Call.objects.get(case=case)
    assert call.state == CallState.DIALING and call.error == ""
    phone = sip.phone("col_b")
    assert wait_for(lambda: any(e["type"] == "CALL_ESTABLISHED" for e in phone.events)), phone.events
    time.sleep(3)                                    # the borrower simulator speaks
    services.hang_up(col, call)                      # the collector hangs up
    assert wait_for(lambda: any(e["type"] == "CALL_CLOSED" for e in phone.events)), phone.events
    time.sleep(0.5)                                  # baresip closes the recording's files
    assert services.reconcile("sip")["new"] >= 3     # ringing, established, closed: stored raw, processed
    call.refresh_from_db()
    assert call.state == CallState.ENDED and call.result == "answered" and call.hangup_by == "agent"
    assert call.talk_seconds >= 3 and call.activity.outcome == "conversation"
    assert call.activity.details["disposition"] == "pending"
    assert call.recording is not None and services.verify_recording(call)
    assert client.get(f"/work/recordings/{call.recording.pk}/").status_code == 403   # a collector may not
    client.force_login(crew.users["compliance"])
    played = client.get(f"/work/recordings/{call.recording.pk}/")
    assert played.status_code == 200
    audio = b"".join(played.streaming_content) if played.streaming else played.content
    with wave.open(BytesIO(audio)) as w:              # a real recording: both sides, seconds of 8 kHz audio
        assert w.getnchannels() == 2 and w.getframerate() == 8000
        assert w.getnframes() / w.getframerate() >= 2.5
    assert AuditEvent.objects.filter(action="recording.play", object_id=str(call.recording.pk)).exists()
    with wave.open(BytesIO(audio)) as w:
        assert notice_heard(w, sip.options["recording_notice"]) > 0.8      # the borrower first heard the notice


def samples(w, channel=0, channels=1):
    import numpy
    data = numpy.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(float)
    return data[channel::channels]


def notice_heard(recording, notice_path) -> float:
    """How closely the start of what the collector's phone sent (left channel) matches the notice: the best
    normalised correlation over the first second's offsets."""
    import numpy
    sent = samples(recording, 0, recording.getnchannels())
    with wave.open(notice_path) as n:
        notice = samples(n)[:8000 * 2]                     # its first two seconds
    notice = (notice - notice.mean()) / (notice.std() or 1)
    best = 0.0
    for lag in range(0, 8000, 4):
        part = sent[lag:lag + len(notice)]
        if len(part) < len(notice):
            break
        part = (part - part.mean()) / (part.std() or 1)
        best = max(best, float(numpy.dot(part, notice) / len(notice)))
    return best


def test_a_number_nobody_has_is_vacant(crew, sip, django_capture_on_commit_callbacks):
    from concord.debtors import services as debtors
    from concord.workbench import calls

    case, col = crew.cases["b"], crew.users["col_b"]
    point = debtors.merge_contact_point(None, case.debtor, kind="mobile", value="13900002222", status="valid",
                                        supplied_by=case.creditor)[0]
    with django_capture_on_commit_callbacks(execute=True):
        decision = calls.start_call(col, case, contact_point=point)
    phone = sip.phone("col_b")
    assert wait_for(lambda: any(e["type"] == "CALL_CLOSED" for e in phone.events)), phone.events
    services.reconcile("sip")
    call = Call.objects.get(decision=decision)
    assert call.result == "vacant" and call.sip_cause == "404"
    assert "空号" in call.activity.summary and call.activity.details["disposition"] == "none"


def test_a_predictive_call_no_collector_takes_hears_the_message_and_is_abandoned(
        crew, sip, django_capture_on_commit_callbacks):
    from concord.telephony import dialer

    case, col = crew.cases["b"], crew.users["col_b"]
    sip.set_agent_state("col_b", "busy")                     # the collector stepped away while the line rang
    try:
        with django_capture_on_commit_callbacks(execute=True):
            step = dialer.next_allowed(col, [case.pk], mode="predictive")
        phone = sip.phone("col_b")
        assert wait_for(lambda: any(e["type"] == "CALL_CLOSED" for e in phone.events), 30), phone.events
        answered = next(e for e in phone.events if e["type"] == "CALL_ESTABLISHED")
        assert answered["announced"] == "abandon", phone.events
        services.reconcile("sip")
    finally:
        sip.set_agent_state("col_b", "ready")
    call = Call.objects.get(decision=step.decision)
    assert call.result == "abandoned" and call.hangup_by == "system"
    assert call.talk_seconds >= localsip_seconds(sip.options["abandon_message"]) - 1
    assert call.activity.outcome == "conversation"            # the borrower was reached: it counts
    assert call.activity.details["disposition"] == "none"


def localsip_seconds(path):
    with wave.open(path) as w:
        return w.getnframes() / w.getframerate()


def test_free_ports_lie_below_the_ephemeral_range_and_are_free_for_tcp_and_udp():
    for _ in range(20):
        port = localsip.free_port()
        assert port in localsip.PORTS
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            with socket.socket(socket.AF_INET, kind) as s:
                s.bind(("127.0.0.1", port))


def test_a_phone_whose_port_was_taken_meanwhile_starts_again_on_new_ports(sip_stack, tmp_path, monkeypatch):
    proxy_port = int(sip_stack["proxy"].rsplit(":", 1)[1])
    taken = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    real = localsip.free_port
    handed = iter([real(), taken.getsockname()[1]])      # the first start gets a SIP port somebody else holds
    monkeypatch.setattr(localsip, "free_port", lambda: next(handed, None) or real())
    voice = localsip.speech_wav("您好", tmp_path / "voice.wav")
    try:
        phone, ctrl = localsip.start_phone(tmp_path / "retry", user="retry", proxy_port=proxy_port, play=voice)
        try:
            assert phone.popen.poll() is None and "200 OK" in phone.log()
            assert ctrl != taken.getsockname()[1]
        finally:
            phone.stop()
    finally:
        taken.close()
