"""The cloud call-centre adapter against a local stand-in that speaks Clink's open API: every request it receives
is checked with the SDK's signing scheme (written again here, independently), the callout carries Concord's call id
in ``userField``, the call record is pushed (signed) or found by the pull, and the recording is downloaded and kept."""
import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from concord.core import clock
from concord.telephony import services
from concord.telephony.models import Call, CallState
from concord.telephony.providers import clink
from concord.workbench import calls

pytestmark = pytest.mark.django_db
KEY, SECRET = "AK-test", "s3cr3t-key"


def java_encode(value):
    return urllib.parse.quote(str(value), safe="*-._~").replace("%20", "+").replace("~", "%7E")


def expected_signature(method, host, path, query):
    """The SDK: a TreeMap of URL-encoded keys and values, METHOD + host + /path? + k=v&…, HMAC-SHA1, Base64."""
    pairs = sorted((java_encode(k), java_encode(v)) for k, v in query.items() if k != "Signature")
    text = method + host + "/" + path + "?" + "&".join(f"{k}={v}" for k, v in pairs)
    return base64.b64encode(hmac.new(SECRET.encode(), text.encode(), hashlib.sha1).digest()).decode()


class StandIn:
    """Clink's API on 127.0.0.1: callout, unlink, list_cdr_obs, download_record_file."""

    def __init__(self):
        self.calls, self.cdrs, self.files, self.rejected = [], [], {}, []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status, body, kind="application/json"):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _checked(self, method):
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                path = parts.path.strip("/")
                stamp = dt.datetime.strptime(query.get("Timestamp", "2000-01-01T00:00:00Z"), "%Y-%m-%dT%H:%M:%SZ")
                fresh = abs((clock.now().astimezone(dt.UTC).replace(tzinfo=None) - stamp).total_seconds()) < 600
                ok = (query.get("AccessKeyId") == KEY and fresh
                      and query.get("Signature") == expected_signature(method, stand_in.host, path, query))
                if not ok:
                    stand_in.rejected.append(self.path)
                    self._answer(401, {"error": {"code": "SignatureDoesNotMatch"}})
                return (path, query) if ok else (None, None)

            def do_POST(self):
                path, query = self._checked("POST")
                if path is None:
                    return
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                if path == "callout":
                    stand_in.calls.append(body)
                    self._answer(200, {"requestId": "r1", "result": {"requestUniqueId": body["requestUniqueId"]}})
                else:
                    self._answer(200, {"requestId": "r2"})

            def do_GET(self):
                path, query = self._checked("GET")
                if path == "list_cdr_obs":
                    self._answer(200, {"requestId": "r3", "cdrs": stand_in.cdrs})
                elif path == "download_record_file":
                    self._answer(200, stand_in.files[query["recordFile"]], "audio/mpeg")

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stand_in(settings, tmp_path, crew):
    server = StandIn()
    settings.DATA_DIR = tmp_path
    settings.CONCORD_JOBS_INLINE = True
    settings.CONCORD_TELEPHONY_PROVIDER = "clink"
    settings.CONCORD_TELEPHONY_OPTIONS = {"base_url": f"http://{server.host}", "access_key_id": KEY,
                                          "access_key_secret": SECRET, "push_host": "testserver",
                                          "agents": {"col_a": "0401", "col_b": "0402"}}
    yield server
    server.close()


def cdr(call_ref, unique, *, answered=True, talk=42, cause="", reason="customer", record=""):
    start = int((clock.now() - dt.timedelta(seconds=talk + 8)).timestamp())
    return {"mainUniqueId": unique, "cno": "0401", "customerNumber": "13812348000", "startTime": start,
            "answerTime": start + 8 if answered else 0, "bridgeTime": start + 8 if answered else 0,
            "endTime": start + 8 + talk, "bridgeDuration": talk if answered else 0, "endReason": reason,
            "sipCause": cause, "recordFile": record, "userField": json.dumps({"call": call_ref})}


def signed_push(client, body, *, secret=SECRET, when=None):
    query = clink.signed_query("POST", "testserver", "telephony/push/clink", {}, KEY, secret, when or clock.now())
    return client.post("/telephony/push/clink/?" + urllib.parse.urlencode(query), data=json.dumps(body),
                       content_type="application/json")


def test_the_signature_follows_the_sdk():
    query = {"AccessKeyId": KEY, "Expires": 600, "Timestamp": "2026-12-07T02:00:00Z", "customerNumber": "138 0013", "userField": "{\"a\":\"~\"}"}
    text = clink.string_to_sign("GET", "api-bj.clink.cn", "list_cdr_obs", query)
    assert text == ("GETapi-bj.clink.cn/list_cdr_obs?AccessKeyId=AK-test&Expires=600"
                    "&Timestamp=2026-12-07T02%3A00%3A00Z&customerNumber=138+0013&userField=%7B%22a%22%3A%22%7E%22%7D")
    assert clink.sign(SECRET, text) == expected_signature("GET", "api-bj.clink.cn", "list_cdr_obs", query)


def test_a_callout_through_the_stand_in_then_the_pushed_record_fills_the_call(
        crew, stand_in, client, django_capture_on_commit_callbacks):
    stand_in.files["20261207-0401.mp3"] = b"ID3" + bytes(range(200)) * 20
    case, col = crew.cases["a"], crew.users["col_a"]
    with django_capture_on_commit_callbacks(execute=True):
        decision = calls.start_call(col, case, contact_point=case.debtor.contact_points.get(kind="mobile"))
    call = Call.objects.get(decision=decision)
    sent = stand_in.calls[0]
    assert sent["cno"] == "0401" and sent["customerNumber"] == "13812348000" and stand_in.rejected == []
    assert json.loads(sent["userField"]) == {"call": call.ref, "permit": decision.pk, "case": case.reference}
    assert call.provider_call_id == call.ref and call.error == ""
    record = cdr(call.ref, "medias_1-1", record="20261207-0401.mp3")
    assert signed_push(client, record, secret="wrong").status_code == 403
    assert signed_push(client, record, when=clock.now() - dt.timedelta(hours=1)).status_code == 403   # expired
    with django_capture_on_commit_callbacks(execute=True):
        assert signed_push(client, record).json() == {"stored": 1}
    call.refresh_from_db()
    assert call.state == CallState.ENDED and call.result == "answered" and call.talk_seconds == 42
    assert call.ring_seconds == 8 and call.hangup_by == "customer"
    assert call.recording is not None and services.verify_recording(call)
    assert stand_in.rejected == []


def test_a_lost_push_is_pulled_and_an_abandoned_call_counts_as_connected(crew, stand_in,
                                                                         django_capture_on_commit_callbacks):
    case, col = crew.cases["a"], crew.users["col_a"]
    point = case.debtor.contact_points.get(kind="mobile")
    with django_capture_on_commit_callbacks(execute=True):
        first = calls.start_call(col, case, contact_point=point)
    one = Call.objects.get(decision=first)
    stand_in.cdrs = [cdr(one.ref, "medias_1-2", talk=0, cause="404", answered=False, reason="system")]
    assert services.reconcile("clink")["new"] == 1
    one.refresh_from_db()
    assert one.result == "vacant" and one.activity.outcome == "failed"
    with django_capture_on_commit_callbacks(execute=True):
        second = calls.start_call(col, case, contact_point=point)
    two = Call.objects.get(decision=second)
    abandoned = cdr(two.ref, "medias_1-3", talk=0)
    abandoned["bridgeTime"] = 0                                   # answered, no collector bridged
    stand_in.cdrs.append(abandoned)
    assert services.reconcile("clink")["new"] == 1
    two.refresh_from_db()
    assert two.result == "abandoned" and two.activity.outcome == "conversation"
    assert stand_in.rejected == []


def test_agent_state_and_hang_up_are_signed_requests(crew, stand_in):
    from concord.telephony import providers

    provider = providers.current()
    provider.set_agent_state("col_a", "ready")
    provider.hang_up("x", "col_a")
    assert stand_in.rejected == []
