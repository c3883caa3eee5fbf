"""A cloud call-centre adapter shaped on 天润融通 Clink's open API (its server SDK, github ti-net/clink-sdk).

Requests (the SDK's scheme): every request carries the query parameters ``AccessKeyId``, ``Expires`` (seconds,
600) and ``Timestamp`` (``yyyy-MM-ddTHH:mm:ssZ``, UTC) besides its own; keys and values are URL-encoded (form
encoding), sorted by key and joined ``k=v&…``; the string to sign is ``METHOD + host + "/" + path + "?" + that``;
``Signature`` = Base64(HMAC-SHA1(AccessKeySecret, string to sign)) is added as a query parameter. POST bodies are
JSON.

Used here: ``callout`` (``cno`` the agent's seat number, ``customerNumber``, ``requestUniqueId`` and a pass-through
``userField`` carrying Concord's call id), ``unlink`` (hang up), ``online`` / ``pause`` / ``offline`` (agent
state), ``list_cdr_obs`` (outbound call records of a window, ``startTime``/``endTime`` in epoch seconds) and
``download_record_file`` (a recording by its ``recordFile`` name).

Pushes: the call-record push (话单推送) is a POST of one record (JSON) to ``/telephony/push/clink/`` whose query is
signed the same way (method ``POST``, Concord's host and path) with the same key pair, and checked for expiry.

A record's fields: ``mainUniqueId``, ``cno``, ``customerNumber``, ``startTime``, ``answerTime`` (the customer
answered), ``bridgeTime`` (a collector was connected), ``endTime`` (epoch seconds), ``bridgeDuration`` (talk seconds),
``endReason`` (who hung up: ``customer`` / ``agent`` / ``system`` or the vendor's text), ``sipCause`` (the SIP final
response code), ``recordFile`` and ``userField``.

Options: ``{"base_url": "https://api-bj.clink.cn", "access_key_id": "…", "access_key_secret": "…",
"host": "api-bj.clink.cn" (the signed host, defaults to base_url's), "push_host": "concord.example.com",
"agents": {"col_a": "0401"}}`` (Concord login → Clink seat number ``cno``).
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request

from concord.compliance.model import number_key
from concord.core import clock

from .. import outcomes
from .base import CallEvent, CallRecord, DialRequest, Provider, ProviderError

EXPIRES = 600
TIMESTAMP = "%Y-%m-%dT%H:%M:%SZ"


def encode(value) -> str:
    """Java's URLEncoder.encode(…, "UTF-8"): form encoding, a space as '+', '~' escaped."""
    return urllib.parse.quote_plus(str(value), safe="*-._").replace("~", "%7E")


def string_to_sign(method: str, host: str, path: str, params: dict) -> str:
    pairs = sorted((encode(k), encode(v)) for k, v in params.items())
    return f"{method}{host}/{path.strip('/')}?" + "&".join(f"{k}={v}" for k, v in pairs)


def sign(secret: str, text: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha1).digest()).decode()


def signed_query(method: str, host: str, path: str, params: dict, key_id: str, secret: str,
                 now: dt.datetime) -> dict:
    """The query parameters of a signed request (``params`` plus the signature's own)."""
    query = {**params, "AccessKeyId": key_id, "Expires": EXPIRES,
             "Timestamp": now.astimezone(dt.UTC).strftime(TIMESTAMP)}
    query["Signature"] = sign(secret, string_to_sign(method, host, path, query))
    return query


def verify(method: str, host: str, path: str, query: dict, key_id: str, secret: str, now: dt.datetime) -> bool:
    """A signed request's query: the key, the signature, and the time window (Timestamp + Expires)."""
    given = query.get("Signature", "")
    if not given or query.get("AccessKeyId") != key_id:
        return False
    try:
        stamp = dt.datetime.strptime(query["Timestamp"], TIMESTAMP).replace(tzinfo=dt.UTC)
        expires = int(query.get("Expires", EXPIRES))
    except (KeyError, ValueError):
        return False
    if not (stamp - dt.timedelta(seconds=60) <= now <= stamp + dt.timedelta(seconds=expires)):
        return False
    rest = {k: v for k, v in query.items() if k != "Signature"}
    return hmac.compare_digest(sign(secret, string_to_sign(method, host, path, rest)), given)


def _epoch(value) -> dt.datetime | None:
    if value in (None, "", 0, "0"):
        return None
    return dt.datetime.fromtimestamp(int(value), dt.UTC)


def hangup_by(end_reason: str) -> str:
    text = (end_reason or "").lower()
    if text in outcomes.HANGUP_BY:
        return text
    if "客户" in text:
        return "customer"
    if "座席" in text or "坐席" in text:
        return "agent"
    return "system"


class ClinkProvider(Provider):
    name = "clink"
    pushes = True

    @property
    def host(self) -> str:
        return self.options.get("host") or urllib.parse.urlsplit(self.options.get("base_url", "")).netloc

    def request(self, method: str, path: str, params: dict | None = None, body: dict | None = None) -> bytes:
        query = signed_query(method, self.host, path, params or {}, self.options.get("access_key_id", ""),
                             self.options.get("access_key_secret", ""), clock.now())
        url = f"{self.options.get('base_url', '').rstrip('/')}/{path}/?{urllib.parse.urlencode(query)}"
        data = json.dumps(body or {}).encode() if method == "POST" else None
        req = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"} if data else {})
        try:
            with urllib.request.urlopen(req, timeout=float(self.options.get("timeout", 5))) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            raise ProviderError(f"clink {path}: HTTP {exc.code} {exc.read()[:200]!r}") from exc
        except OSError as exc:
            raise ProviderError(f"clink {path}: {exc}") from exc

    def _json(self, method, path, params=None, body=None) -> dict:
        return json.loads(self.request(method, path, params, body) or b"{}")

    def cno(self, agent: str) -> str:
        seat = (self.options.get("agents") or {}).get(agent)
        if not seat:
            raise ProviderError(f"no Clink seat configured for {agent}")
        return seat

    def originate(self, request: DialRequest) -> str:
        reply = self._json("POST", "callout", body={
            "cno": self.cno(request.agent), "customerNumber": number_key(request.number) or request.number,
            "requestUniqueId": request.call_ref,
            "userField": json.dumps({"call": request.call_ref, "permit": request.permit, "case": request.case})})
        result = reply.get("result") or {}
        return str(result.get("requestUniqueId") or result.get("mainUniqueId") or reply.get("requestId") or "")

    def hang_up(self, call_id: str, agent: str) -> None:
        self._json("POST", "unlink", body={"cno": self.cno(agent), "side": 1})

    def set_agent_state(self, agent: str, state: str) -> None:
        path = {"ready": "online", "busy": "pause", "offline": "offline"}.get(state)
        if path is None:
            raise ProviderError(f"unknown agent state {state}")
        self._json("POST", path, body={"cno": self.cno(agent)})

    def verify_push(self, headers: dict, body: bytes) -> bool:
        query = headers.get("X-Concord-Query", "")
        params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        return verify("POST", self.options.get("push_host", ""), "telephony/push/clink", params,
                      self.options.get("access_key_id", ""), self.options.get("access_key_secret", ""), clock.now())

    def split_push(self, body: bytes) -> list[dict]:
        raw = json.loads(body or b"{}")
        return raw if isinstance(raw, list) else [raw]

    def event_key(self, raw: dict) -> str:
        return f"cdr:{raw.get('mainUniqueId', '')}"

    def pull_records(self, since: dt.datetime, until: dt.datetime) -> list[dict]:
        reply = self._json("GET", "list_cdr_obs", params={"startTime": int(since.timestamp()),
                                                          "endTime": int(until.timestamp()), "limit": 100})
        return list(reply.get("cdrs") or [])

    def normalise(self, raw: dict) -> list[CallEvent]:
        user = raw.get("userField") or "{}"
        try:
            ref = (json.loads(user) if isinstance(user, str) else user).get("call", "")
        except ValueError:
            ref = ""
        start, answer, bridge = _epoch(raw.get("startTime")), _epoch(raw.get("answerTime")), _epoch(raw.get("bridgeTime"))
        end = _epoch(raw.get("endTime")) or start
        if start is None:
            return []
        cause = str(raw.get("sipCause") or "")
        result = outcomes.result_of_sip(int(cause) if cause.isdigit() else None, answered=answer is not None,
                                        bridged=bridge is not None)
        talk = int(raw.get("bridgeDuration") or 0)
        record = CallRecord(result=result, started_at=start, ended_at=end, answered_at=answer,
                            ring_seconds=int(((answer or end) - start).total_seconds()), talk_seconds=talk,
                            hangup_by=hangup_by(str(raw.get("endReason", ""))), end_reason=str(raw.get("endReason", "")),
                            sip_cause=cause, recording_ref=str(raw.get("recordFile") or ""))
        return [CallEvent("ended", ref, str(raw.get("mainUniqueId", "")), at=end, record=record)]

    def fetch_recording(self, ref: str) -> tuple[bytes, str]:
        data = self.request("GET", "download_record_file", params={"recordFile": ref})
        suffix = "." + ref.rsplit(".", 1)[-1].lower() if "." in ref else ".mp3"
        return data, suffix
