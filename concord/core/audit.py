"""Writing and verifying the hash-chained audit trail.

Every service action calls :func:`record` inside its own ``transaction.atomic`` block, so the event commits
or rolls back with the change it describes. Each event's hash covers its content and the previous hash of
its chain; :func:`verify_chain` recomputes every chain and names the first event that does not match.

The trail is a fixed set of parallel chains (``settings.CONCORD_AUDIT_CHAINS``, one ``AuditHead`` row each),
not one: a writer locks a chain's head until its transaction ends, and with a single head every write in
Concord would queue behind every other. On PostgreSQL a writer takes the chain it used last if it is free, else
any free chain (``FOR UPDATE SKIP LOCKED``), and waits only when all are busy; each chain stays linear. SQLite
serialises writers anyway and keeps to chain 1. The global order of events is their ``id``.

Each event's hash is an HMAC-SHA256 under the audit key (``CONCORD_AUDIT_KEY``, kept outside the database), so
whoever can write to the database cannot re-hash a forged chain. An event names the key it was written under by
its fingerprint (``key_id``); after a rotation the old keys stay in ``CONCORD_AUDIT_KEYRING`` and their events keep
verifying. Events written before keys existed (``key_id`` empty, plain SHA-256) stay verifiable as long as a keyed
event follows them on their chain: the upgrade appends one (:func:`seal_legacy_chains`), whose HMAC covers the
last legacy hash. Deleting the newest events and moving a head back cannot be seen from inside the database:
:func:`anchor` gives a signed copy of every head to keep elsewhere, and :func:`verify_chain` checks against it.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import json
import secrets
import threading
from dataclasses import dataclass
from types import SimpleNamespace
from datetime import UTC
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from concord.core import clock

from .context import current_request_id
from .masking import mask
from .models import AuditEvent, AuditHead, event_label

GENESIS = "0" * 64
MIN_KEY_LENGTH = 32


# -- keys -------------------------------------------------------------------------------------------------------
def generate_key() -> str:
    """A new random audit key (43 URL-safe characters, 256 bits)."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class AuditKey:
    id: str             # a fingerprint: names the key in events and anchors without revealing it
    events: bytes       # HMAC key of the events
    anchors: bytes      # HMAC key of the anchors


def _derive(secret: str) -> AuditKey:
    raw = secret.strip().encode()
    if len(raw) < MIN_KEY_LENGTH:
        raise ImproperlyConfigured(f"an audit key must be at least {MIN_KEY_LENGTH} characters "
                                   "(concord audit genkey prints one)")

    def sub(label: bytes) -> bytes:
        return hmac.digest(raw, b"concord-audit:" + label, "sha256")

    return AuditKey(sub(b"key-id").hex()[:16], sub(b"events"), sub(b"anchors"))


def _current_secret() -> str:
    text = settings.CONCORD_AUDIT_KEY
    if not text:  # development and the demo: a key file in the data directory (production refuses to start)
        path = Path(settings.CONCORD_AUDIT_KEY_FILE)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(generate_key())
            path.chmod(0o600)
        text = path.read_text().strip()
    return text


@functools.lru_cache(maxsize=1)
def _keyring() -> tuple[AuditKey, dict[str, AuditKey]]:
    current = _derive(_current_secret())
    ring = {current.id: current}
    for old in getattr(settings, "CONCORD_AUDIT_KEYRING", ()) or ():
        if old.strip():
            key = _derive(old)
            ring.setdefault(key.id, key)
    return current, ring


def current_key() -> AuditKey:
    return _keyring()[0]


def keyring() -> dict[str, AuditKey]:
    """Every key this server can verify with: the current one and the old ones of ``CONCORD_AUDIT_KEYRING``."""
    return _keyring()[1]


def reset_keys() -> None:
    """Forget the cached keys (tests that switch keys, and a settings change, call this)."""
    _keyring.cache_clear()


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
    if event.key_id:  # keyed events name their key (an unkeyed body is the legacy format, unchanged)
        body["key"] = event.key_id
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


class UnknownKey(LookupError):
    pass


def compute_hash(event: AuditEvent, ring: dict[str, AuditKey] | None = None) -> str:
    """The event's HMAC under the key it names (``UnknownKey`` when that key is not in the keyring); an event
    without a key (written before keys existed) has its plain SHA-256."""
    if not event.key_id:
        return hashlib.sha256(_canonical(event)).hexdigest()
    key = (ring if ring is not None else keyring()).get(event.key_id)
    if key is None:
        raise UnknownKey(event.key_id)
    return hmac.new(key.events, _canonical(event), "sha256").hexdigest()


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
            key_id=current_key().id,
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
    legacy: int = 0             # events written before keys existed (sealed by a keyed event after them)
    anchored: int = 0           # chains checked against an anchor

    @property
    def broken_label(self) -> str:
        return event_label(self.broken_chain or 1, self.broken_seq)


def _check_event(event, chain, expected_seq, prev, seen_keyed, ring) -> str:
    if event.seq != expected_seq:
        return "sequence gap: expected #{expected}, found #{found}"
    if event.prev_hash != prev:
        return "previous-hash link does not match the event before it"
    if not event.key_id and seen_keyed:
        return "an unkeyed event after keyed ones (forged: events are written under the audit key)"
    try:
        recomputed = compute_hash(event, ring)
    except UnknownKey:
        return (f"written under audit key {event.key_id}, which is not in this server's keyring (another "
                "CONCORD_AUDIT_KEY, or an old key missing from CONCORD_AUDIT_KEYRING)")
    if not hmac.compare_digest(recomputed, event.hash):
        return "content does not match its hash (event was altered)"
    return ""


def verify_chain(batch: int = 2000, anchor: dict | None = None) -> VerifyResult:
    """Recompute every chain from its first event; ``checked`` counts the events verified before a break.

    With ``anchor`` (from :func:`anchor`, checked with :func:`check_anchor`), each anchored event must still be
    there with the anchored hash: events up to it were neither removed nor changed, whatever the heads say."""
    ring = keyring()
    heads = {head.id: head for head in AuditHead.objects.all()}
    chains = sorted(set(heads) | set(AuditEvent.objects.order_by().values_list("chain", flat=True).distinct()))
    anchored = {int(c): (int(h["seq"]), h["hash"]) for c, h in (anchor or {}).get("heads", {}).items()}
    checked = legacy = 0
    for chain in sorted(set(chains) | set(anchored)):
        prev, expected_seq, seen_keyed = GENESIS, 1, False
        anchor_seq, anchor_hash = anchored.get(chain, (0, GENESIS))
        for event in AuditEvent.objects.filter(chain=chain).order_by("seq").iterator(chunk_size=batch):
            broken = _check_event(event, chain, expected_seq, prev, seen_keyed, ring)
            if not broken and event.seq == anchor_seq and event.hash != anchor_hash:
                broken = "differs from the anchor (this event or one before it was replaced)"
            if broken:
                return VerifyResult(False, checked, event.seq,
                                    broken.format(expected=event_label(chain, expected_seq),
                                                  found=event_label(chain, event.seq)), chain, legacy)
            seen_keyed = seen_keyed or bool(event.key_id)
            legacy += not event.key_id
            prev, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
        last = expected_seq - 1
        if last < anchor_seq:
            return VerifyResult(False, checked, last + 1,
                                f"the anchor has {event_label(chain, anchor_seq)} but the log ends at "
                                f"{event_label(chain, last)} (events removed)", chain, legacy)
        if last and not seen_keyed:
            return VerifyResult(False, checked, last,
                                "the chain has no keyed event after its unkeyed ones (not sealed: run "
                                "concord audit seal)", chain, legacy)
        head = heads.get(chain)
        if head is None and last:
            return VerifyResult(False, checked, last, f"the chain's head is missing: events after "
                                                      f"{event_label(chain, last)} may have been deleted", chain,
                                legacy)
        if head is not None and head.seq != last:
            return VerifyResult(False, checked, last + 1 if head.seq > last else head.seq,
                                f"chain head says {event_label(chain, head.seq)} but the log ends at "
                                f"{event_label(chain, last)} (events deleted)", chain, legacy)
    return VerifyResult(True, checked, legacy=legacy, anchored=len(anchored))


# -- anchors ----------------------------------------------------------------------------------------------------
ANCHOR_VERSION = 1


def _anchor_body(doc: dict) -> bytes:
    body = {k: doc[k] for k in ("version", "at", "key", "heads")}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def anchor() -> dict:
    """Every chain's head (sequence number and hash), signed under the audit key: print it and keep it where the
    database's writers cannot change it (another machine, write-once storage, a printed page)."""
    key = current_key()
    heads = {str(h.id): {"seq": h.seq, "hash": h.hash} for h in AuditHead.objects.order_by("id") if h.seq}
    doc = {"version": ANCHOR_VERSION, "at": clock.now().astimezone(UTC).isoformat(timespec="seconds"),
           "key": key.id, "heads": heads}
    doc["signature"] = hmac.new(key.anchors, _anchor_body(doc), "sha256").hexdigest()
    return doc


def check_anchor(doc: dict) -> None:
    """Raise ValueError unless ``doc`` is an anchor signed under a key of this server's keyring."""
    try:
        if doc.get("version") != ANCHOR_VERSION:
            raise ValueError(f"not a Concord audit anchor (version {doc.get('version')!r})")
        key = keyring().get(doc["key"])
        if key is None:
            raise ValueError(f"the anchor was signed under audit key {doc['key']}, which is not in this server's "
                             "keyring")
        expected = hmac.new(key.anchors, _anchor_body(doc), "sha256").hexdigest()
        if not hmac.compare_digest(expected, str(doc.get("signature", ""))):
            raise ValueError("the anchor's signature does not match (the file was changed)")
        for chain, head in doc["heads"].items():
            int(chain), int(head["seq"]), str(head["hash"])
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not a Concord audit anchor ({exc!r} missing or malformed)") from None


# -- the upgrade from unkeyed events ------------------------------------------------------------------------------
def unsealed_chains() -> list[int]:
    """Chains whose newest event was written before audit keys existed."""
    return list(AuditHead.objects.filter(seq__gt=0, id__in=AuditEvent.objects.filter(key_id="").values("chain"))
                .exclude(id__in=AuditEvent.objects.exclude(key_id="").values("chain")).values_list("id", flat=True))


def seal_legacy_chains() -> list[int]:
    """Append a keyed ``audit.seal`` event to every chain that ends in unkeyed events: its HMAC covers the last
    unkeyed hash, so rewriting the old events now needs the key. Returns the chains sealed."""
    sealed = []
    for chain in unsealed_chains():
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT seq, hash FROM {_HEAD} WHERE id = %s" + (
                    " FOR UPDATE" if connection.features.has_select_for_update else ""), [chain])
                head_seq, head_hash = cursor.fetchone()
            event = AuditEvent(chain=chain, seq=head_seq + 1, at=clock.now(), actor=None, actor_label="system",
                               action="audit.seal", changes={"unkeyed_events": head_seq},
                               request_id=current_request_id(), prev_hash=head_hash, key_id=current_key().id)
            event.hash = compute_hash(event)
            event.save(force_insert=True)
            AuditHead.objects.filter(id=chain).update(seq=event.seq, hash=event.hash)
        sealed.append(chain)
    return sealed
