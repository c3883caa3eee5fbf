"""Telephony actions: place a call under the gate's permit, store the provider's events as they come, turn them into
the call and its activity, reconcile with the provider's call records, keep the recording.

* ``dial`` — after the gate's allow commits (``workbench.calls.start_call``): a :class:`Call` is written, then the
  provider asked to originate; a call it refuses releases the permit at once (nothing reached the borrower).
* ``receive`` — a push, verified, split into raw events stored once each (provider + event key); the worker
  processes them (job ``telephony.process``). ``reconcile`` pulls the provider's call records of a window and stores
  them the same way, so a lost push never loses a call.
* ``finish_call`` — the final record consumes the permit (the compliance ledger row, with the ledger's outcome) and
  fills the call's activity: result (接通, 无人接听, 忙/拒接, 空号, 关机, 停机, 无法接通, 放弃), ring and talk seconds, who
  hung up. An answered call waits for the collector's disposition (``workbench.calls.dispose_call``).
* ``keep_recording`` — the recording copied into Concord (vendor links expire), sealed at rest, with its SHA-256.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from concord.core import audit, clock, jobs
from concord.core.services import require

from . import outcomes, providers
from .models import RESULT_CHOICES, Call, CallState, ProviderEvent

log = logging.getLogger(__name__)
SYSTEM = "system:telephony"


def switch_configured() -> bool:
    """A provider other than the manual one places the calls."""
    return providers.current().name != "manual"


# -- dialing -----------------------------------------------------------------------------------------------------
def placed(decision) -> bool:
    """Whether a call of the switch carries this allow (its call record will log the outcome)."""
    return Call.objects.filter(decision=decision).exists()


@transaction.atomic
def open_call(actor, case, decision) -> Call:
    """The call row under an allow (the permit); one call per permit."""
    require(decision.allowed and decision.channel == "call" and decision.case_id == case.pk, "decision",
            _("该放行决定不属于此案件的电话"))
    require(decision.released_at is None, "decision", _("该放行决定已释放（未拨出），请重新申请"))
    require(not Call.objects.filter(decision=decision).exists(), "decision", _("该放行决定已用于一次呼叫"))
    call = Call.objects.create(ref=uuid.uuid4().hex, provider=providers.current().name, decision=decision, case=case,
                               agent=actor, started_at=clock.now())
    audit.record(actor, "telephony.dial", call, {"case": case.reference, "decision": decision.pk,
                                                 "provider": call.provider})
    return call


def dial_permit_seconds() -> int:
    """How long a dial permit may wait for its dial (``CONCORD_DIAL_PERMIT_SECONDS``, 120 s by default)."""
    from django.conf import settings
    return int(getattr(settings, "CONCORD_DIAL_PERMIT_SECONDS", 120))


def dial(actor, case, decision, number: str, mode: str = "click") -> Call:
    """Place the call: the provider originates from the collector's phone. Refused or failed — or the permit older
    than ``dial_permit_seconds()`` when the switch is asked — the permit is released and the call marked as not
    placed; never raises (the decision is already committed). ``mode``: click, power or predictive; a predictive
    call carries the provider's message for an answered call no collector took (option ``abandon_message``)."""
    from concord.compliance.services import release_permit

    call = open_call(actor, case, decision)
    provider = providers.current()
    try:
        if clock.now() - decision.at > dt.timedelta(seconds=dial_permit_seconds()):
            raise providers.ProviderError(_("放行许可已过期（超过 %(s)s 秒未拨出）") % {"s": dial_permit_seconds()})
        provider_id = provider.originate(providers.DialRequest(
            call_ref=call.ref, agent=actor.get_username(), number=number, permit=decision.pk, case=case.reference,
            mode=mode, abandon_message=str(_options().get("abandon_message", "")) if mode == "predictive" else ""))
    except Exception as exc:     # the provider is outside our transaction: record, release, do not fail the page
        log.warning("originate of call %s failed: %s", call.ref, exc)
        with transaction.atomic():
            Call.objects.filter(pk=call.pk).update(state=CallState.FAILED, error=str(exc)[:300],
                                                   ended_at=clock.now())
            audit.record(SYSTEM, "telephony.failed", call, {"error": str(exc)[:200]})
            release_permit(SYSTEM, decision, reason=f"originate failed: {exc}")
        call.refresh_from_db()
        return call
    with transaction.atomic():
        Call.objects.filter(pk=call.pk).update(provider_call_id=provider_id or "")
        audit.record(SYSTEM, "telephony.placed", call, {"provider_call_id": provider_id or ""})
    call.refresh_from_db()
    return call


def hang_up(actor, call: Call) -> None:
    require(call.agent_id == actor.pk, "call", _("只能挂断自己的通话"))
    providers.by_name(call.provider, _options()).hang_up(call.provider_call_id or call.ref,
                                                         actor.get_username())


def _options() -> dict:
    from django.conf import settings
    return getattr(settings, "CONCORD_TELEPHONY_OPTIONS", {}) or {}


# -- events ------------------------------------------------------------------------------------------------------
def store_events(provider_name: str, raws: list[dict], *, source: str) -> list[ProviderEvent]:
    """Store each raw event once (provider + key); returns the new ones. A repeated push is ignored."""
    provider = providers.by_name(provider_name, _options())
    new = []
    for raw in raws:
        key = provider.event_key(raw)[:200]
        require(bool(key), "event", _("事件缺少编号"))
        try:
            with transaction.atomic():
                event = ProviderEvent.objects.create(provider=provider_name, key=key, source=source, payload=raw,
                                                     received_at=clock.now())
                audit.record(SYSTEM, "telephony.event", event, {"provider": provider_name, "key": key,
                                                                "source": source})
                new.append(event)
        except IntegrityError:
            continue
    return new


def receive(provider_name: str, headers: dict, body: bytes) -> int:
    """A push from the provider: verified, stored raw, processed by the worker. Returns the new events' count."""
    provider = providers.by_name(provider_name, _options())
    if not provider.verify_push(headers, body):
        raise ValidationError({"signature": [_("推送签名无效")]})
    new = store_events(provider_name, provider.split_push(body), source="push")
    if new:
        transaction.on_commit(lambda: jobs.start_job("telephony.process", {"provider": provider_name}))
    return len(new)


def process_events(provider_name: str | None = None, limit: int = 1000) -> int:
    """Apply the stored, unprocessed events in the order they came; each in its own transaction. An event whose
    call is not known yet stays unprocessed (its call row may still be committing) until it is an hour old."""
    done = 0
    qs = ProviderEvent.objects.filter(processed_at__isnull=True).order_by("id")
    if provider_name:
        qs = qs.filter(provider=provider_name)
    for event in list(qs[:limit]):
        provider = providers.by_name(event.provider, _options())
        try:
            with transaction.atomic():
                applied = all(_apply(event.provider, e) for e in provider.normalise(event.payload))
                if applied or clock.now() - event.received_at > dt.timedelta(hours=1):
                    ProviderEvent.objects.filter(pk=event.pk).update(
                        processed_at=clock.now(), error="" if applied else "unknown call")
                    audit.record(SYSTEM, "telephony.event.processed", event, {"applied": applied})
                    done += 1
        except Exception as exc:
            log.exception("telephony event %s failed", event.pk)
            with transaction.atomic():
                ProviderEvent.objects.filter(pk=event.pk).update(error=str(exc)[:500])
                audit.record(SYSTEM, "telephony.event.failed", event, {"error": str(exc)[:200]})
    _keep_pending_recordings()
    from .quality import review_pending
    review_pending()
    return done


def _find_call(provider_name: str, event) -> Call | None:
    call = Call.objects.select_for_update().filter(provider=provider_name, ref=event.call_ref).first() \
        if event.call_ref else None
    if call is None and event.provider_call_id:
        call = Call.objects.select_for_update().filter(provider=provider_name,
                                                       provider_call_id=event.provider_call_id).first()
    return call


def _apply(provider_name: str, event) -> bool:
    call = _find_call(provider_name, event)
    if call is None:
        return False
    if event.provider_call_id and not call.provider_call_id:
        call.provider_call_id = event.provider_call_id
        call.save(update_fields=["provider_call_id"])
    if call.state in (CallState.ENDED, CallState.FAILED):
        return True                     # the final record came already: later events change nothing
    if event.kind == "ringing" and call.state == CallState.DIALING:
        call.state = CallState.RINGING
        call.save(update_fields=["state"])
    elif event.kind == "answered":
        call.state, call.answered_at = CallState.ANSWERED, event.at or clock.now()
        call.save(update_fields=["state", "answered_at"])
    elif event.kind == "ended" and event.record is not None:
        finish_call(call, event.record)
    return True


@transaction.atomic
def finish_call(call: Call, record: providers.CallRecord) -> Call:
    """The final call record: consumes the permit (ledger row) and fills the call and its activity."""
    from concord.cases.activities import log_activity
    from concord.compliance.services import record_contact_outcome

    require(record.result in outcomes.RESULTS, "result", _("未知的呼叫结果：%(r)s") % {"r": record.result})
    decision = call.decision
    agent = call.agent
    outcome = outcomes.ledger_outcome(record.result)
    record_contact_outcome(agent, decision, outcome=outcome, at=record.ended_at, dialed_at=call.started_at,
                           note=_("话务系统话单"))
    label = dict(RESULT_CHOICES)[record.result]
    details = {"duration_seconds": record.talk_seconds, "ring_seconds": record.ring_seconds,
               "talk_seconds": record.talk_seconds, "hangup_by": record.hangup_by, "result": record.result,
               "number": decision.number_masked, "call": call.ref, "provider": call.provider,
               "end_reason": record.end_reason, "sip_cause": record.sip_cause,
               "disposition": "pending" if outcomes.needs_disposition(record.result) else "none"}
    activity = log_activity(agent, call.case, kind="call", direction="outbound", channel="call",
                            at=record.ended_at, related_party=decision.related_party, outcome=outcome,
                            summary=_("电话 %(n)s：%(r)s") % {"n": decision.number_masked or "—", "r": label},
                            details=details, decision=decision)
    call.state, call.result, call.activity = CallState.ENDED, record.result, activity
    call.answered_at = record.answered_at or call.answered_at
    call.ended_at, call.ring_seconds, call.talk_seconds = record.ended_at, record.ring_seconds, record.talk_seconds
    call.hangup_by, call.end_reason, call.sip_cause = record.hangup_by, record.end_reason[:60], record.sip_cause[:20]
    call.recording_ref = record.recording_ref[:300]
    call.save()
    audit.record(SYSTEM, "telephony.record", call, {"result": record.result, "talk": record.talk_seconds,
                                                    "ring": record.ring_seconds, "hangup_by": record.hangup_by})
    return call


# -- reconciliation ------------------------------------------------------------------------------------------------
def reconcile(provider_name: str | None = None, *, since: dt.datetime | None = None,
              until: dt.datetime | None = None) -> dict:
    """Pull the provider's call records of the window (default: the last two hours), store the ones not yet
    stored, process them. Calls whose permit lapsed without any record are marked as not placed."""
    provider = providers.by_name(provider_name, _options()) if provider_name else providers.current()
    until = until or clock.now()
    since = since or until - dt.timedelta(hours=2)
    raws = provider.pull_records(since, until)
    with transaction.atomic():
        new = store_events(provider.name, raws, source="pull")
    processed = process_events(provider.name)
    return {"pulled": len(raws), "new": len(new), "processed": processed}


# -- recordings ----------------------------------------------------------------------------------------------------
def keep_recording(call: Call) -> Call:
    """Copy the call's recording into Concord: sealed at rest under the PII key, its SHA-256 kept with the call, the
    pack's retention period applied (``workbench.calls._store_recording``)."""
    from concord.workbench import calls as wb_calls

    if call.recording_id or not call.recording_ref or call.activity_id is None:
        return call
    data, suffix = providers.by_name(call.provider, _options()).fetch_recording(call.recording_ref)
    require(bool(data), "recording", _("录音文件为空"))
    digest = hashlib.sha256(data).hexdigest()
    upload = SimpleUploadedFile(f"{call.ref}{suffix}", data)
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        if call.recording_id:
            return call
        reference = call.recording_ref.rstrip("/").rsplit("/", 1)[-1][:120]     # its name, not the switch's path
        rec = wb_calls._store_recording(call.agent, call.case, call.activity, upload, suffix.lower(), reference,
                                        clock.now())
        call.recording, call.recording_sha256 = rec, digest
        call.save(update_fields=["recording", "recording_sha256"])
        audit.record(SYSTEM, "telephony.recording", call, {"sha256": digest, "size": len(data)})
    return call


def _keep_pending_recordings() -> None:
    for call in Call.objects.filter(state=CallState.ENDED, recording__isnull=True, activity__isnull=False) \
            .exclude(recording_ref="")[:50]:
        try:
            keep_recording(call)
        except Exception as exc:    # tried again at the next processing or reconciliation
            log.warning("recording of call %s not kept yet: %s", call.ref, exc)


def verify_recording(call: Call) -> bool:
    """Whether the stored recording still matches its checksum."""
    from concord.core import sealed
    from concord.workbench.calls import recordings_dir

    if not call.recording_id or not call.recording.path:
        return False
    return hashlib.sha256(sealed.read_plain(recordings_dir() / call.recording.path)).hexdigest() == \
        call.recording_sha256


def case_context(request, case, pending_decision) -> dict:
    """For the case page's call card, when a switch places the calls: the switch's call under the pending allow,
    and this user's answered calls on the case still waiting for their disposition (read once per request: the
    banner shows them too)."""
    from concord.workbench.calls import undisposed_calls

    if not switch_configured():
        return {}
    if getattr(request, "concord_undisposed", None) is None:
        request.concord_undisposed = undisposed_calls(request.user)
    call = Call.objects.filter(decision=pending_decision).first() if pending_decision is not None else None
    waiting = [a for a in request.concord_undisposed if a.case_id == case.pk]
    if call is None and not waiting:
        return {}
    from .forms import SwitchDispositionForm
    return {"call": call, "undisposed": waiting,
            "form": SwitchDispositionForm(auto_id="dispose_%s") if waiting else None}
