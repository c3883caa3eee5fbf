"""The SIP adapter: each collector's phone is a baresip endpoint registered at a SIP proxy (Kamailio); Concord
drives it over its control interface (``ctrl_tcp``: netstring-framed JSON on 127.0.0.1) — ``dial``, ``hangup`` —
and hears its call events (``CALL_RINGING``, ``CALL_ESTABLISHED``, ``CALL_CLOSED``).

Options (``CONCORD_TELEPHONY_OPTIONS``)::

    {"proxy": "127.0.0.1:5060",                       # where numbers are dialled: sip:<digits>@<proxy>
     "recording_notice": "/var/lib/concord/sip/notice.wav",     # played to the borrower when the call is answered
     "abandon_message": "/var/lib/concord/sip/abandon.wav",     # predictive: played when no collector takes it
     "agents": {"col_a": {"ctrl": "127.0.0.1:4444",   # the collector's phone's control interface
                          "source": "alsa,default",   # its usual audio source (the headset), restored after
                          "recordings": "/var/lib/concord/sip/col_a"}}}   # its sndfile folder

Announcements: the phone sends the notice (or the abandon message) as its audio for the file's length — baresip's
``ausrc aufile,<file>`` — then switches back to the collector's own source; the collector's voice is not sent
meanwhile. A predictive call answered while the collector is not ``ready`` (``set_agent_state``) is abandoned: the
message is played, the call hung up and recorded as ``abandoned``. ``localsip.announcements`` writes both files
with espeak-ng.

Each event heard becomes a raw event (the baresip JSON plus the call's Concord id, the agent, and — on the last one —
the call record the adapter measured: ring and talk seconds, who hung up, the SIP cause, the recording's name).
They are handed over by ``pull_records`` (the reconciliation pull), stored and processed like a vendor's pushes.
A recording is the call's two directions (``sndfile``: what the collector said, what the borrower said) mixed by
sox into one stereo WAV.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from concord.compliance.model import number_key
from concord.core import clock

from .. import outcomes
from .base import CallEvent, CallRecord, DialRequest, Provider, ProviderError

EVENTS = {"CALL_RINGING": "ringing", "CALL_ESTABLISHED": "answered", "CALL_CLOSED": "ended"}
_SIP_CODE = re.compile(r"^([3-6]\d\d)\b")


def netstring(obj: dict) -> bytes:
    body = json.dumps(obj).encode()
    return str(len(body)).encode() + b":" + body + b","


def read_netstrings(buffer: bytearray) -> list[dict]:
    """Take every complete netstring out of ``buffer`` (left with the incomplete rest)."""
    out = []
    while True:
        colon = buffer.find(b":")
        if colon <= 0 or not buffer[:colon].isdigit():
            return out
        size = int(buffer[:colon])
        end = colon + 1 + size
        if len(buffer) < end + 1:
            return out
        out.append(json.loads(bytes(buffer[colon + 1:end])))
        del buffer[:end + 1]


class Phone:
    """One collector's baresip: the control connection, its reader thread, the call in progress."""

    def __init__(self, agent: str, address: str, recordings: str = "", *, source: str = "", notice: str = "",
                 abandon: str = "", state=None):
        host, port = address.rsplit(":", 1)
        self.agent, self.recordings = agent, recordings
        self.source, self.notice, self.abandon = source, notice, abandon
        self.state = state or (lambda: "ready")
        self.sock = socket.create_connection((host, int(port)), timeout=5)
        self.sock.settimeout(None)
        self.lock = threading.Lock()
        self.responses: dict[str, dict] = {}
        self.answered = threading.Condition()
        self.events: list[dict] = []
        self.call: dict | None = None
        self.thread = threading.Thread(target=self._read, name=f"sip-{agent}", daemon=True)
        self.thread.start()

    def command(self, command: str, params: str = "", timeout: float = 5) -> dict:
        token = f"{command}-{time.monotonic_ns()}"
        with self.lock:
            self.sock.sendall(netstring({"command": command, "params": params, "token": token}))
        deadline = time.monotonic() + timeout
        with self.answered:
            while token not in self.responses:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ProviderError(f"no answer from the phone of {self.agent} to {command}")
                self.answered.wait(left)
            return self.responses.pop(token)

    def _read(self) -> None:
        buffer = bytearray()
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buffer.extend(chunk)
            for message in read_netstrings(buffer):
                if message.get("response"):
                    with self.answered:
                        self.responses[message.get("token", "")] = message
                        self.answered.notify_all()
                elif message.get("event") and message.get("type") in EVENTS:
                    self._heard(message)

    def _heard(self, message: dict) -> None:
        call = self.call
        if call is None:
            return
        kind = EVENTS[message["type"]]
        now = time.monotonic()
        call.setdefault("id", message.get("id", ""))
        if kind == "ringing":
            call.setdefault("ringing", now)
        elif kind == "answered":
            call["answered"] = now
            if call.get("mode") == "predictive" and self.state() != "ready":
                call["abandoned"] = True
                self._announce(self.abandon, then_hang_up=True)
            else:
                self._announce(self.notice)
        raw = {**message, "call_ref": call["ref"], "agent": self.agent}
        if kind == "answered":
            raw["announced"] = "abandon" if call.get("abandoned") else ("notice" if self.notice else "")
        if kind == "ended":
            raw["record"] = self._record(call, message.get("param", ""), now)
            self.call = None
        self.events.append(raw)

    def _record(self, call: dict, param: str, now: float) -> dict:
        answered = call.get("answered")
        code = _SIP_CODE.match(param or "")
        sip_cause = code.group(1) if code else ""
        result = outcomes.result_of_sip(int(sip_cause) if sip_cause else None, answered=answered is not None,
                                        bridged=not call.get("abandoned"))
        started = dt.datetime.fromisoformat(call["started_at"])
        ring = (answered or now) - call["dialled"]
        talk = (now - answered) if answered else 0.0
        answered_at = started + dt.timedelta(seconds=ring) if answered else None
        by = "system"
        if call.get("abandoned"):
            by = "system" if call.get("hung_up") else "customer"
        elif answered:
            by = "agent" if call.get("hung_up") else "customer"
        return {"result": result, "started_at": call["started_at"],
                "answered_at": answered_at.isoformat() if answered_at else None,
                "ended_at": (started + dt.timedelta(seconds=ring + talk)).isoformat(),
                "ring_seconds": round(ring), "talk_seconds": round(talk), "hangup_by": by,
                "end_reason": (param or "")[:60], "sip_cause": sip_cause,
                "recording": self._recording_name(call) if answered else ""}

    def _announce(self, path: str, *, then_hang_up: bool = False) -> None:
        """Send the WAV file ``path`` as this phone's audio for its length, then switch back to the usual source
        (or hang up). In a thread of its own: the reader thread must stay free to hear the replies."""
        if not path and not then_hang_up:
            return

        def run():
            try:
                if path:
                    self.command("ausrc", f"aufile,{path}")
                    time.sleep(wav_seconds(path) + 0.3)
                if then_hang_up:
                    if self.call is not None:
                        self.call["hung_up"] = True
                    self.command("hangup")
                elif self.source:
                    self.command("ausrc", self.source)
            except (ProviderError, OSError):
                pass            # the call ended meanwhile

        threading.Thread(target=run, name=f"sip-announce-{self.agent}", daemon=True).start()

    def _recording_name(self, call: dict) -> str:
        """The newest sndfile pair written since the call was dialled (``dump-<time>``), by its folder and stem."""
        if not self.recordings:
            return ""
        folder = Path(self.recordings)
        pairs = sorted(folder.glob("dump-*-dec.wav"), key=lambda p: p.stat().st_mtime)
        return str(pairs[-1])[: -len("-dec.wav")] if pairs else ""

    def drain(self) -> list[dict]:
        events, self.events = self.events, []
        return events

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


def wav_seconds(path: str) -> float:
    import wave
    with wave.open(path) as w:
        return w.getnframes() / float(w.getframerate())


class SipProvider(Provider):
    name = "sip"
    pushes = False

    def __init__(self, options=None):
        super().__init__(options)
        self.phones: dict[str, Phone] = {}
        self.states: dict[str, str] = {}

    def phone(self, agent: str) -> Phone:
        if agent not in self.phones:
            conf = (self.options.get("agents") or {}).get(agent)
            if not conf:
                raise ProviderError(f"no SIP phone configured for {agent}")
            try:
                self.phones[agent] = Phone(agent, conf["ctrl"], conf.get("recordings", ""),
                                           source=conf.get("source", ""),
                                           notice=self.options.get("recording_notice", ""),
                                           abandon=self.options.get("abandon_message", ""),
                                           state=lambda: self.states.get(agent, "ready"))
            except OSError as exc:
                raise ProviderError(f"the phone of {agent} does not answer: {exc}") from exc
        return self.phones[agent]

    def originate(self, request: DialRequest) -> str:
        phone = self.phone(request.agent)
        if phone.call is not None:
            raise ProviderError(f"the phone of {request.agent} is on a call")
        digits = number_key(request.number) or ""      # the national number: +86 138… is dialled as 138…
        phone.call = {"ref": request.call_ref, "dialled": time.monotonic(), "started_at": clock.now().isoformat(),
                      "mode": request.mode}
        reply = phone.command("dial", f"sip:{digits}@{self.options.get('proxy', '127.0.0.1:5060')}")
        if not reply.get("ok"):
            phone.call = None
            raise ProviderError(str(reply.get("data", "dial refused"))[:200])
        return ""

    def hang_up(self, call_id: str, agent: str) -> None:
        for phone in self.phones.values():
            if phone.call is not None and call_id in (phone.call["ref"], phone.call.get("id")):
                phone.call["hung_up"] = True
                phone.command("hangup")
                return
        raise ProviderError("no such call in progress")

    def set_agent_state(self, agent: str, state: str) -> None:
        self.phone(agent)
        self.states[agent] = state

    def event_key(self, raw: dict) -> str:
        return f"{raw.get('id') or raw.get('call_ref')}:{raw.get('type')}"

    def pull_records(self, since, until) -> list[dict]:
        events = []
        for phone in self.phones.values():
            events.extend(phone.drain())
        return events

    def normalise(self, raw: dict) -> list[CallEvent]:
        kind = EVENTS.get(raw.get("type", ""))
        if kind is None:
            return []
        record = None
        if kind == "ended":
            r = raw["record"]
            parse = dt.datetime.fromisoformat
            record = CallRecord(result=r["result"], started_at=parse(r["started_at"]), ended_at=parse(r["ended_at"]),
                                answered_at=parse(r["answered_at"]) if r.get("answered_at") else None,
                                ring_seconds=r["ring_seconds"], talk_seconds=r["talk_seconds"],
                                hangup_by=r["hangup_by"], end_reason=r["end_reason"], sip_cause=r["sip_cause"],
                                recording_ref=r["recording"])
        return [CallEvent(kind, raw.get("call_ref", ""), raw.get("id", ""), record=record)]

    def fetch_recording(self, ref: str) -> tuple[bytes, str]:
        """Both directions of the call mixed into one stereo WAV (left: the collector, right: the borrower)."""
        sent, heard = Path(f"{ref}-enc.wav"), Path(f"{ref}-dec.wav")
        if not heard.exists():
            raise ProviderError("recording not written yet")
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "call.wav"
            inputs = [str(sent), str(heard)] if sent.exists() else [str(heard)]
            args = ["sox", "-M", *inputs, str(out)] if len(inputs) == 2 else ["sox", *inputs, str(out)]
            done = subprocess.run(args, capture_output=True)
            if done.returncode != 0:
                raise ProviderError(done.stderr.decode(errors="replace")[:200])
            return out.read_bytes(), ".wav"

    def close(self) -> None:
        for phone in self.phones.values():
            phone.close()
        self.phones.clear()
