"""Writing and verifying the hash-chained audit trail.

Every service action calls :func:`record` inside its own ``transaction.atomic`` block, so the event commits
or rolls back with the change it describes. Each event's hash covers its content and the previous hash;
:func:`verify_chain` recomputes the chain and names the first event that does not match.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from django.db import connection, transaction
from django.utils import timezone

from .context import current_request_id
from .masking import mask
from .models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _canonical(event: AuditEvent) -> bytes:
    body = {
        "seq": event.seq,
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "changes": event.changes,
        "request_id": event.request_id,
        "prev": event.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def masked_changes(changes: dict, pii_kinds: dict[str, str] | None = None) -> dict:
    """Mask the PII values in a change set: ``pii_kinds`` maps field name → masking kind."""
    pii_kinds = pii_kinds or {}
    out = {}
    for field, value in changes.items():
        if field in pii_kinds and isinstance(value, (list, tuple)):  # an [old, new] pair from changed()
            out[field] = [v if v in (None, "") else mask(pii_kinds[field], str(v)) for v in value]
        elif field in pii_kinds and value not in (None, ""):
            out[field] = mask(pii_kinds[field], str(value))
        else:
            out[field] = value if isinstance(value, (int, bool, type(None), list, dict)) else str(value)
    return out


_HEAD = AuditHead._meta.db_table


def _lock_head() -> tuple[int, str]:
    """Read the chain head, locking its row until the transaction ends (one writer appends at a time).
    Plain SQL: this runs for every write in Concord, and the ORM's query building is most of its cost."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT seq, hash FROM {_HEAD} WHERE id = 1{lock}")
        row = cursor.fetchone()
    if row is None:
        AuditHead.objects.create(id=1)
        return _lock_head()
    return row[0], row[1]


def record(actor, action: str, obj=None, changes: dict | None = None, *, object_type: str = "",
           object_id: str = "", pii_kinds: dict[str, str] | None = None) -> AuditEvent:
    """Append one event to the chain. Must run inside the caller's transaction."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    with transaction.atomic(savepoint=False):  # part of the caller's transaction: no savepoint of its own
        head_seq, head_hash = _lock_head()
        event = AuditEvent(
            seq=head_seq + 1,
            at=timezone.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_label=(getattr(actor, "username", "") or str(actor or "system"))[:150],
            action=action,
            object_type=object_type,
            object_id=object_id,
            changes=masked_changes(changes or {}, pii_kinds),
            request_id=current_request_id(),
            prev_hash=head_hash,
        )
        event.hash = compute_hash(event)
        event.save(force_insert=True)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {_HEAD} SET seq = %s, hash = %s WHERE id = 1", [event.seq, event.hash])
    return event


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def verify_chain(batch: int = 2000) -> VerifyResult:
    prev, expected_seq, checked = GENESIS, 1, 0
    qs = AuditEvent.objects.order_by("seq")
    for event in qs.iterator(chunk_size=batch):
        if event.seq != expected_seq:
            return VerifyResult(False, checked, event.seq, f"sequence gap: expected #{expected_seq}, found #{event.seq}")
        if event.prev_hash != prev:
            return VerifyResult(False, checked, event.seq, "previous-hash link does not match the event before it")
        if compute_hash(event) != event.hash:
            return VerifyResult(False, checked, event.seq, "content does not match its hash (event was altered)")
        prev, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    head = AuditHead.objects.filter(id=1).first()
    if head and head.seq != checked:
        return VerifyResult(False, checked, checked + 1 if head.seq > checked else head.seq,
                            f"chain head says #{head.seq} but the log ends at #{checked} (events deleted)")
    return VerifyResult(True, checked)
