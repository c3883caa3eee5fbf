"""Quality checks on recorded calls, where a transcriber is configured.

``settings.CONCORD_TRANSCRIBER``: the dotted path of a class with ``transcribe(audio: bytes, suffix: str) ->
list[transcripts.Segment]`` (an on-premises speech-to-text service's client; empty: no automatic checks). Each kept
recording is transcribed once and checked (``transcripts.check``); a call with flags is marked for the quality review
queue (``flagged_calls``), every review audited.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from concord.core import audit, clock, sealed

from . import transcripts
from .models import Call

log = logging.getLogger(__name__)


class Transcriber:
    """The interface: the segments (start, end, speaker ``agent``/``customer``, text) of one recording."""

    def transcribe(self, audio: bytes, suffix: str) -> list[transcripts.Segment]:
        raise NotImplementedError


def transcriber() -> Transcriber | None:
    path = getattr(settings, "CONCORD_TRANSCRIBER", "") or ""
    return import_string(path)() if path else None


def review_call(call: Call, engine: Transcriber | None = None) -> Call:
    """Transcribe the call's kept recording and store the checks' flags (once per call)."""
    from concord.workbench.calls import recordings_dir

    engine = engine or transcriber()
    if engine is None or call.quality_checked_at is not None or not call.recording_id or not call.recording.path:
        return call
    path = recordings_dir() / call.recording.path
    segments = engine.transcribe(sealed.read_plain(path), path.suffix)
    flags = [{"code": f.code, "at": f.at, "detail": f.detail} for f in transcripts.check(segments)]
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        if call.quality_checked_at is not None:
            return call
        call.quality_flags, call.quality_checked_at = flags, clock.now()
        call.save(update_fields=["quality_flags", "quality_checked_at"])
        audit.record("system:telephony", "telephony.quality", call, {"flags": [f["code"] for f in flags]})
    return call


def review_pending(limit: int = 50) -> int:
    """Review the calls whose recording is kept and not yet checked; returns how many were reviewed."""
    engine = transcriber()
    if engine is None:
        return 0
    done = 0
    for call in Call.objects.filter(recording__isnull=False, quality_checked_at__isnull=True)[:limit]:
        try:
            review_call(call, engine)
            done += 1
        except Exception as exc:     # tried again at the next processing
            log.warning("quality review of call %s failed: %s", call.ref, exc)
    return done


def flagged_calls():
    """The quality review queue's calls: checked, with at least one flag, newest first."""
    return (Call.objects.filter(quality_checked_at__isnull=False).exclude(quality_flags=[])
            .select_related("case", "agent").order_by("-ended_at", "-id"))
