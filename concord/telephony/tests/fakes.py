"""A provider that keeps everything in memory: what was originated, the records the switch would give when pulled,
the recordings it holds. Pushes carry a shared token."""
from __future__ import annotations

import datetime as dt
import json

from concord.telephony import providers
from concord.telephony.providers import CallEvent, CallRecord, DialRequest, Provider, ProviderError


class FakeSwitch(Provider):
    name = "fake"
    pushes = True
    dialled: list[DialRequest] = []
    records: list[dict] = []
    recordings: dict[str, bytes] = {}
    refuse = False

    def originate(self, request: DialRequest) -> str:
        if FakeSwitch.refuse:
            raise ProviderError("no free line")
        FakeSwitch.dialled.append(request)
        return f"F{len(FakeSwitch.dialled)}"

    def hang_up(self, call_id, agent):
        return None

    def set_agent_state(self, agent, state):
        return None

    def verify_push(self, headers, body):
        return headers.get("X-Token") == "s3cret"

    def split_push(self, body):
        raw = json.loads(body)
        return raw if isinstance(raw, list) else [raw]

    def event_key(self, raw):
        return f"{raw['call']}:{raw['kind']}"

    def normalise(self, raw):
        record = None
        if raw["kind"] == "ended":
            at = dt.datetime.fromisoformat
            record = CallRecord(result=raw["result"], started_at=at(raw["start"]), ended_at=at(raw["end"]),
                                answered_at=at(raw["answer"]) if raw.get("answer") else None,
                                ring_seconds=raw.get("ring", 0), talk_seconds=raw.get("talk", 0),
                                hangup_by=raw.get("by", "system"), recording_ref=raw.get("rec", ""))
        return [CallEvent(raw["kind"], raw["call"], raw.get("id", ""), record=record)]

    def pull_records(self, since, until):
        return list(FakeSwitch.records)

    def fetch_recording(self, ref):
        if ref not in FakeSwitch.recordings:
            raise ProviderError("gone")
        return FakeSwitch.recordings[ref], ".wav"


def install(settings):
    providers.register("fake", FakeSwitch)
    FakeSwitch.dialled, FakeSwitch.records, FakeSwitch.recordings, FakeSwitch.refuse = [], [], {}, False
    settings.CONCORD_TELEPHONY_PROVIDER = "fake"
    settings.CONCORD_TELEPHONY_OPTIONS = {}
    return FakeSwitch
