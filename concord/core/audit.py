"""Writing and verifying the hash-chained audit trail.

Every service action calls :func:`record` inside its own ``transaction.atomic`` block, so the event commits
or rolls back with the change it describes. Each event's hash covers its content and the previous hash of
its chain; :func:`verify_chain` recomputes every chain and names the first event that does not match.

The trail is a fixed set of parallel chains (``settings.CONCORD_AUDIT_CHAINS``, one ``AuditHead`` row each),
not one: a writer locks a chain's head until its transaction ends, and with a single head every write in
Concord would queue behind every other. On PostgreSQL a writer takes the chain it used last if it is free, else
any free chain (``FOR UPDATE SKIP LOCKED``), and waits only when all are busy; each chain stays linear. SQLite
serialises writers anyway and keeps to chain 1. The global order of events is their ``id``.
"""
from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from types import SimpleNamespace
from datetime import UTC

from django.conf import settings
from django.db import connection, transaction

from concord.core import clock

from .context import current_request_id
from .masking import mask
from .models import AuditEvent, AuditHead, event_label

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
    if event.chain != 1:  # chain 1 is the trail as it was before there were several: its hashes stay valid
        body["chain"] = event.chain
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
_last_chain = threading.local()  # per thread, so per database connection: the chain this writer used last


def _chain_count() -> int:
    return max(1, int(settings.CONCORD_AUDIT_CHAINS))


def _select_head(clause: str, params: list, lock: str) -> tuple[int, int, str] | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, seq, hash FROM {_HEAD} WHERE {clause}{lock}", params)
        return cursor.fetchone()


def _lock_head() -> tuple[int, int, str]:
    """Lock a chain head until the transaction ends: (chain, seq, hash). Plain SQL: this runs for every write
    in Concord, and the ORM's query building is most of its cost."""
    features = connection.features
    if not features.has_select_for_update:  # SQLite: one writer at a time whatever we do
        row = _select_head("id = 1", [], "")
    else:
        preferred = min(getattr(_last_chain, "id", 1), _chain_count())
        row = None
        if features.has_select_for_update_skip_locked:
            row = _select_head("id <= %s ORDER BY id = %s DESC, random() LIMIT 1", [_chain_count(), preferred],
                               " FOR UPDATE SKIP LOCKED")
        if row is None:  # every chain is busy (or the heads are not there yet): wait for ours
            row = _select_head("id = %s", [preferred], " FOR UPDATE")
    if row is None:
        AuditHead.objects.bulk_create([AuditHead(id=i) for i in range(1, _chain_count() + 1)], ignore_conflicts=True)
        return _lock_head()
    _last_chain.id = row[0]
    return row


def record(actor, action: str, obj=None, changes: dict | None = None, *, object_type: str = "",
           object_id: str = "", pii_kinds: dict[str, str] | None = None) -> AuditEvent:
    """Append one event to a chain. Must run inside the caller's transaction."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    with transaction.atomic(savepoint=False):  # part of the caller's transaction: no savepoint of its own
        chain, head_seq, head_hash = _lock_head()
        event = AuditEvent(
            chain=chain,
            seq=head_seq + 1,
            at=clock.now(),
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
            cursor.execute(f"UPDATE {_HEAD} SET seq = %s, hash = %s WHERE id = %s", [event.seq, event.hash, chain])
    return event


def record_many(actor, action: str, items: list[tuple[object, dict]], *,
                pii_kinds: dict[str, str] | None = None) -> int:
    """Append one event per item — ``(object, changes)`` — to one chain, in order, with one lock of its head and
    one bulk insert: the events a bulk action writes for each case it touched (a thousand :func:`record` calls
    would each lock, hash and insert on their own). Must run inside the caller's transaction. Returns the count."""
    if not items:
        return 0
    with transaction.atomic(savepoint=False):
        chain, seq, prev = _lock_head()
        at = clock.now()
        actor_id = actor.pk if getattr(actor, "pk", None) else None
        label = (getattr(actor, "username", "") or str(actor or "system"))[:150]
        request_id = current_request_id()
        events = []
        for obj, changes in items:
            seq += 1
            # the event's fields only (a model instance per event costs more than hashing it)
            event = SimpleNamespace(chain=chain, seq=seq, at=at, actor_id=actor_id, actor_label=label, action=action,
                                    object_type=obj._meta.label_lower if hasattr(obj, "_meta") else obj[0],
                                    object_id=str(obj.pk if hasattr(obj, "_meta") else obj[1]),
                                    changes=masked_changes(changes or {}, pii_kinds), request_id=request_id,
                                    prev_hash=prev)
            event.hash = prev = compute_hash(event)
            events.append(event)
        _insert_events(events)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {_HEAD} SET seq = %s, hash = %s WHERE id = %s", [seq, prev, chain])
    return len(events)


_EVENT_COLUMNS = ("chain", "seq", "at", "actor_id", "actor_label", "action", "object_type", "object_id", "changes",
                  "request_id", "prev_hash", "hash")


def _insert_events(events: list) -> None:
    """Insert many events at once: ``COPY`` on PostgreSQL (the ORM's bulk insert spends most of its time binding
    parameters one by one), the ORM's bulk insert elsewhere."""
    if connection.vendor != "postgresql":
        AuditEvent.objects.bulk_create([AuditEvent(**{c: getattr(e, c) for c in _EVENT_COLUMNS}) for e in events],
                                       batch_size=2000)
        return
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({', '.join(_EVENT_COLUMNS)}) FROM STDIN") as copy:
            for e in events:
                copy.write_row((e.chain, e.seq, e.at, e.actor_id, e.actor_label, e.action, e.object_type, e.object_id,
                                json.dumps(e.changes, ensure_ascii=False), e.request_id, e.prev_hash, e.hash))


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""
    broken_chain: int | None = None

    @property
    def broken_label(self) -> str:
        return event_label(self.broken_chain or 1, self.broken_seq)


def verify_chain(batch: int = 2000) -> VerifyResult:
    """Recompute every chain from its first event; ``checked`` counts the events verified before a break."""
    heads = {head.id: head for head in AuditHead.objects.all()}
    chains = sorted(set(heads) | set(AuditEvent.objects.order_by().values_list("chain", flat=True).distinct()))
    checked = 0
    for chain in chains:
        prev, expected_seq = GENESIS, 1
        for event in AuditEvent.objects.filter(chain=chain).order_by("seq").iterator(chunk_size=batch):
            broken = ("sequence gap: expected #{expected}, found #{found}" if event.seq != expected_seq else
                      "previous-hash link does not match the event before it" if event.prev_hash != prev else
                      "content does not match its hash (event was altered)" if compute_hash(event) != event.hash
                      else "")
            if broken:
                return VerifyResult(False, checked, event.seq,
                                    broken.format(expected=event_label(chain, expected_seq),
                                                  found=event_label(chain, event.seq)), chain)
            prev, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
        last = expected_seq - 1
        head = heads.get(chain)
        if head is None and last:
            return VerifyResult(False, checked, last, f"the chain's head is missing: events after "
                                                      f"{event_label(chain, last)} may have been deleted", chain)
        if head is not None and head.seq != last:
            return VerifyResult(False, checked, last + 1 if head.seq > last else head.seq,
                                f"chain head says {event_label(chain, head.seq)} but the log ends at "
                                f"{event_label(chain, last)} (events deleted)", chain)
    return VerifyResult(True, checked)
