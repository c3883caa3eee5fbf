"""The audit trail under a key kept outside the database: whoever can write to the database cannot re-hash a forged
chain, a different key does not verify, old keys verify after a rotation, an anchor kept elsewhere catches removed
newest events, and events written before keys stay verifiable once sealed."""
import hashlib
import hmac
import importlib
import json
import os
import stat
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from concord.core import audit
from concord.core.models import AuditEvent, AuditHead

pytestmark = pytest.mark.django_db

TABLE = AuditEvent._meta.db_table
OTHER_KEY = "another-installation-audit-key-0123456789abcdef"


def _events(n):
    for i in range(n):
        audit.record(None, "test.event", changes={"i": i}, object_type="test", object_id=str(i))
    return list(AuditEvent.objects.order_by("chain", "seq"))


def _rewrite(events, hasher):
    """What someone with database access would do: rewrite rows and their hashes, then move the head."""
    prev = events[0].prev_hash
    for event in events:
        event.prev_hash = prev
        event.hash = prev = hasher(event)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {TABLE} SET changes = %s, prev_hash = %s, hash = %s, key_id = %s WHERE id = %s",
                           [json.dumps(event.changes), event.prev_hash, event.hash, event.key_id, event.pk])
    AuditHead.objects.filter(id=events[-1].chain).update(seq=events[-1].seq, hash=prev)


def _sha256(event):
    return hashlib.sha256(audit._canonical(event)).hexdigest()


def _use_key(settings, key, ring=()):
    settings.CONCORD_AUDIT_KEY = key
    settings.CONCORD_AUDIT_KEYRING = list(ring)
    audit.reset_keys()


def _cli_verify(*args):
    out = StringIO()
    call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


class TestForgery:
    def test_events_are_hmacs_under_the_key_not_plain_hashes(self):
        event = _events(1)[0]
        assert event.key_id == audit.current_key().id and len(event.key_id) == 16
        assert event.hash != _sha256(event)
        assert event.hash == hmac.new(audit.current_key().events, audit._canonical(event), "sha256").hexdigest()

    def test_an_edited_payment_rehashed_with_sha256_fails(self):
        events = _events(6)
        events[1].changes = {"i": 999}
        _rewrite(events[1:], _sha256)  # the edited event and every one after it, head moved
        result = audit.verify_chain()
        assert not result.ok and result.broken_seq == 2 and "altered" in result.reason

    def test_a_chain_rewritten_as_unkeyed_events_fails(self):
        events = _events(4)
        events[2].changes = {"i": 999}
        for e in events[2:]:
            e.key_id = ""
        _rewrite(events[2:], _sha256)
        result = audit.verify_chain()
        assert not result.ok and result.broken_seq == 3 and "unkeyed event after keyed" in result.reason
        for e in events:  # the whole chain, from its first event
            e.key_id = ""
        _rewrite(events, _sha256)
        result = audit.verify_chain()
        assert not result.ok and "not sealed" in result.reason

    def test_a_chain_rehashed_under_another_key_fails(self, settings):
        events = _events(3)
        other = audit._derive(OTHER_KEY)
        events[0].changes = {"i": "forged"}
        for e in events:
            e.key_id = other.id
        _rewrite(events, lambda e: hmac.new(other.events, audit._canonical(e), "sha256").hexdigest())
        result = audit.verify_chain()
        assert not result.ok and result.broken_seq == 1 and "not in this server's keyring" in result.reason

    def test_verify_with_a_different_key_than_the_writer_fails(self, settings):
        _events(3)
        assert audit.verify_chain().ok
        _use_key(settings, OTHER_KEY)
        result = audit.verify_chain()
        assert not result.ok and result.broken_seq == 1 and "keyring" in result.reason
        with pytest.raises(CommandError, match="keyring"):
            _cli_verify()


class TestRotation:
    def test_old_events_verify_under_the_old_key_in_the_keyring(self, settings):
        from concord.conftest import TEST_AUDIT_KEY

        _events(2)
        _use_key(settings, OTHER_KEY, ring=[TEST_AUDIT_KEY])  # rotated: the old key moves to the keyring
        audit.record(None, "test.after.rotation")
        events = list(AuditEvent.objects.order_by("seq"))
        assert len({e.key_id for e in events}) == 2 and events[-1].key_id == audit._derive(OTHER_KEY).id
        result = audit.verify_chain()
        assert result.ok and result.checked == 3
        _use_key(settings, OTHER_KEY)  # the old key forgotten: its events no longer verify
        assert not audit.verify_chain().ok

    def test_a_short_key_is_refused(self, settings):
        from django.core.exceptions import ImproperlyConfigured

        _use_key(settings, "short")
        with pytest.raises(ImproperlyConfigured, match="at least 32"):
            audit.record(None, "test.event")


class TestAnchor:
    def _anchor_file(self, tmp_path):
        path = tmp_path / "anchor.json"
        call_command("audit", "anchor", "--out", str(path), stdout=StringIO())
        return path

    def test_anchor_prints_every_head_signed(self, tmp_path):
        _events(3)
        doc = audit.anchor()
        assert doc["heads"] == {"1": {"seq": 3, "hash": AuditHead.objects.get(id=1).hash}}
        assert doc["key"] == audit.current_key().id and len(doc["signature"]) == 64
        audit.check_anchor(doc)
        path = self._anchor_file(tmp_path)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        out = StringIO()
        call_command("audit", "anchor", stdout=out)
        assert json.loads(out.getvalue())["heads"]["1"]["seq"] == 3

    def test_removing_the_newest_events_and_moving_the_head_fails_against_the_anchor(self, tmp_path):
        events = _events(8)
        path = self._anchor_file(tmp_path)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE seq > 3")
        AuditHead.objects.filter(id=1).update(seq=3, hash=events[2].hash)
        assert audit.verify_chain().ok  # consistent inside the database: only the anchor can tell
        with pytest.raises(CommandError, match=r"anchor has #8 but the log ends at #3 \(events removed\)"):
            _cli_verify("--anchor", str(path))

    def test_events_after_the_anchor_are_fine_and_a_replaced_chain_is_not(self, tmp_path, settings):
        _events(3)
        path = self._anchor_file(tmp_path)
        _events(2)
        assert "3 events" not in _cli_verify("--anchor", str(path))
        assert "1 chain head(s) match the anchor" in _cli_verify("--anchor", str(path))
        # a writer holding the key rebuilds the chain with other content: the anchored hash is gone
        events = list(AuditEvent.objects.order_by("seq"))
        events[0].changes = {"i": "rewritten"}
        _rewrite(events, audit.compute_hash)
        assert audit.verify_chain().ok
        with pytest.raises(CommandError, match="differs from the anchor"):
            _cli_verify("--anchor", str(path))

    def test_a_changed_or_foreign_anchor_is_refused(self, tmp_path, settings):
        _events(3)
        path = self._anchor_file(tmp_path)
        doc = json.loads(path.read_text())
        doc["heads"]["1"]["seq"] = 2
        path.write_text(json.dumps(doc))
        with pytest.raises(CommandError, match="signature does not match"):
            _cli_verify("--anchor", str(path))
        path = self._anchor_file(tmp_path)
        _use_key(settings, OTHER_KEY)
        with pytest.raises(CommandError, match="not in this server's keyring"):
            _cli_verify("--anchor", str(path))
        (tmp_path / "junk.json").write_text("[1]")
        with pytest.raises(CommandError, match="cannot read|not a Concord"):
            _cli_verify("--anchor", str(tmp_path / "junk.json"))


class TestUpgrade:
    """Events written before audit keys (plain SHA-256, no key) verify once a keyed event seals their chain."""

    def _legacy(self, n):
        events = _events(n)
        for e in events:
            e.key_id = ""
        _rewrite(events, _sha256)
        return events

    def test_the_migration_seals_old_chains_and_they_verify(self):
        self._legacy(3)
        result = audit.verify_chain()
        assert not result.ok and "not sealed" in result.reason
        migration = importlib.import_module("concord.core.migrations.0004_audit_keys")
        migration.seal(django_apps, None)
        seal = AuditEvent.objects.get(action="audit.seal")
        assert (seal.seq, seal.key_id, seal.changes) == (4, audit.current_key().id, {"unkeyed_events": 3})
        result = audit.verify_chain()
        assert result.ok and (result.checked, result.legacy) == (4, 3)
        assert "3 written before audit keys, sealed" in _cli_verify()
        audit.record(None, "test.after")
        assert audit.verify_chain().ok

    def test_the_seal_command_and_rewritten_old_events(self):
        events = self._legacy(3)
        out = StringIO()
        call_command("audit", "seal", stdout=out)
        assert "sealed 1 chain(s): 1" in out.getvalue() and audit.unsealed_chains() == []
        events[0].changes = {"i": "forged"}  # rewrite the old part with plain hashes: the seal's link breaks
        _rewrite(events, _sha256)
        AuditHead.objects.filter(id=1).update(seq=4, hash=AuditEvent.objects.get(seq=4).hash)
        result = audit.verify_chain()
        assert not result.ok and result.broken_seq == 4 and "previous-hash" in result.reason

    def test_genkey_prints_a_usable_key(self):
        out = StringIO()
        call_command("audit", "genkey", stdout=out)
        key = out.getvalue().strip()
        assert len(key) >= audit.MIN_KEY_LENGTH and audit._derive(key).id
