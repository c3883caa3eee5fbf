"""The hash-chained audit trail: events chain, tampering and deletion are detected, events roll back with
the action they describe, and PII in them is masked."""
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from concord.conftest import resident_id
from concord.core import audit
from concord.core.context import request_context
from concord.core.models import AuditEvent, AuditHead
from concord.debtors import services as debtors

pytestmark = pytest.mark.django_db

ID_NUMBER = resident_id("110105", "19900101", 123)
TABLE = AuditEvent._meta.db_table


def _events(n=3):
    for i in range(n):
        audit.record(None, "test.event", changes={"i": i}, object_type="test", object_id=str(i))
    return list(AuditEvent.objects.order_by("id"))


def _set_changes(seq, changes, chain=1):
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET changes = {cast} WHERE chain = %s AND seq = %s",
                       [json.dumps(changes), chain, seq])


def _delete(seq):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE seq = %s", [seq])


def _verify_output():
    from io import StringIO

    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


class TestChain:
    def test_events_link_to_each_other(self):
        events = _events(3)
        assert [e.seq for e in events] == [1, 2, 3]
        assert events[0].prev_hash == audit.GENESIS
        assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
        assert all(audit.compute_hash(e) == e.hash for e in events)
        assert {e.chain for e in events} == {1}  # one writer keeps to its chain
        head = AuditHead.objects.get(id=1)
        assert (head.seq, head.hash) == (3, events[2].hash)

    def test_actor_object_and_request_id_are_recorded(self, django_user_model):
        user = django_user_model.objects.create_user(username="mgr", password="pw-mgr-123", role="manager")
        debtor = debtors.register_debtor(user, full_name="张三", id_number=ID_NUMBER)
        with request_context("req-42"):
            event = audit.record(user, "test.touch", debtor, {"note": "x"})
        assert (event.actor, event.actor_label, event.request_id) == (user, "mgr", "req-42")
        assert (event.object_type, event.object_id) == ("debtors.debtor", str(debtor.pk))
        system = audit.record(None, "test.system")
        assert system.actor is None and system.actor_label == "system"
        assert system.request_id.startswith("cli-")

    def test_empty_log_verifies(self):
        result = audit.verify_chain()
        assert result.ok and result.checked == 0
        assert _verify_output().strip() == "OK: 0 events verified"

    def test_intact_chain_verifies(self):
        _events(5)
        result = audit.verify_chain(batch=2)
        assert result.ok and result.checked == 5
        assert "OK: 5 events verified" in _verify_output()

    def test_non_string_values_survive_the_database_round_trip(self):
        import datetime as dt
        from decimal import Decimal

        audit.record(None, "test.types", changes={"amount": Decimal("12.30"), "on": dt.date(2026, 1, 2),
                                                  "n": 3, "flag": True, "none": None, "pair": [1, "a"],
                                                  "nested": {"k": "v"}, "text": "中文"})
        assert audit.verify_chain().ok


class TestTampering:
    def test_altered_changes_are_detected_naming_the_event(self):
        _events(4)
        _set_changes(2, {"i": 999})
        result = audit.verify_chain()
        assert not result.ok
        assert result.broken_seq == 2 and result.checked == 1
        assert "altered" in result.reason
        with pytest.raises(CommandError) as exc:
            call_command("audit", "verify")
        message = str(exc.value)
        assert "#2" in message and "test.event" in message and "altered" in message
        assert exc.value.returncode == 1

    def test_recomputed_hash_still_breaks_the_next_link(self):
        events = _events(3)
        _set_changes(2, {"i": 999})
        forged = AuditEvent.objects.get(seq=2)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {TABLE} SET hash = %s WHERE seq = 2", [audit.compute_hash(forged)])
        result = audit.verify_chain()
        assert not result.ok and result.broken_seq == 3 and "previous-hash" in result.reason
        assert events[2].prev_hash == events[1].hash

    def test_deleted_event_in_the_middle_is_detected(self):
        _events(4)
        _delete(2)
        result = audit.verify_chain()
        assert not result.ok and result.broken_seq == 3 and "gap" in result.reason
        with pytest.raises(CommandError, match="#3"):
            call_command("audit", "verify")

    def test_deleted_last_event_is_detected_by_the_head(self):
        _events(3)
        _delete(3)
        result = audit.verify_chain()
        assert not result.ok and result.broken_seq == 3 and "deleted" in result.reason
        with pytest.raises(CommandError, match=r"#3 \(missing\)"):
            call_command("audit", "verify")

    def test_cli_exits_non_zero(self, monkeypatch, capsys):
        from django.db import connections

        from concord import cli

        monkeypatch.setattr(connections, "close_all", lambda: None)  # keep the test's connection open
        _events(2)
        cli.main(["audit", "verify"])
        assert "OK: 2 events verified" in capsys.readouterr().out
        _set_changes(1, {"i": "forged"})
        with pytest.raises(SystemExit) as exc:
            cli.main(["audit", "verify"])
        assert exc.value.code == 1
        assert "#1" in capsys.readouterr().err


class TestAtomicity:
    def test_failed_service_action_writes_no_event(self):
        before = AuditEvent.objects.count()
        with pytest.raises(ValidationError):
            debtors.register_debtor(None, full_name="张三", id_number="110105199001011230")  # bad checksum
        with pytest.raises(ValidationError):
            debtors.register_debtor(None, full_name="", id_number=ID_NUMBER)
        assert AuditEvent.objects.count() == before
        assert audit.verify_chain().ok

    def test_event_rolls_back_with_the_surrounding_transaction(self):
        _events(1)
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                debtors.register_debtor(None, full_name="张三", id_number=ID_NUMBER)
                assert AuditEvent.objects.filter(action="debtor.register").exists()
                raise RuntimeError("boom")
        assert not AuditEvent.objects.filter(action="debtor.register").exists()
        assert AuditHead.objects.get(id=1).seq == 1
        audit.record(None, "test.after")
        assert audit.verify_chain().ok and AuditEvent.objects.last().seq == 2


class TestPiiInEvents:
    def test_register_and_contacts_are_masked(self):
        debtor = debtors.register_debtor(None, full_name="张三丰", id_number=ID_NUMBER)
        debtors.add_contact_point(None, debtor, kind="mobile", value="138-1234-8000")
        debtors.add_contact_point(None, debtor, kind="email", value="zhangsan@example.com")
        debtors.add_contact_point(None, debtor, kind="address", value="北京市朝阳区建国路88号院3号楼1201")
        debtors.add_related_party(None, debtor, role="spouse", full_name="李梅", phone="13900001111")
        debtors.update_debtor(None, debtor, full_name="张三")
        dump = json.dumps([e.changes for e in AuditEvent.objects.all()], ensure_ascii=False)
        for secret in [ID_NUMBER, "199001011232", "13812348000", "zhangsan@example.com", "建国路88号",
                       "13900001111", "张三丰", "李梅"]:
            assert secret not in dump, secret
        register = AuditEvent.objects.get(action="debtor.register")
        assert register.changes["id_number"] == "110105********1232"
        assert register.changes["full_name"] == "张**"
        phone = AuditEvent.objects.filter(action="contact_point.add").first()
        assert phone.changes["value"] == "138****8000"

    def test_reveal_records_the_field_not_the_value(self, django_user_model):
        user = django_user_model.objects.create_user(username="m1", password="pw-m1-1234", role="manager")
        debtor = debtors.register_debtor(None, full_name="张三", id_number=ID_NUMBER)
        assert debtors.reveal(user, debtor, "id_number") == ID_NUMBER
        event = AuditEvent.objects.get(action="pii.reveal")
        assert event.changes == {"field": "id_number"} and event.actor == user

    def test_reveal_refuses_a_debtor_outside_the_users_cases(self, django_user_model):
        from django.core.exceptions import PermissionDenied

        user = django_user_model.objects.create_user(username="c1", password="pw-c1-1234", role="collector")
        debtor = debtors.register_debtor(None, full_name="张三", id_number=ID_NUMBER)
        with pytest.raises(PermissionDenied):
            debtors.reveal(user, debtor, "id_number")
        assert not AuditEvent.objects.filter(action="pii.reveal").exists()

    def test_masked_changes_helper(self):
        out = audit.masked_changes({"id_number": ID_NUMBER, "phone": "", "n": 1, "x": None},
                                   {"id_number": "id_number", "phone": "phone"})
        assert out == {"id_number": "110105********1232", "phone": "", "n": 1, "x": None}
        pair = audit.masked_changes({"phone": ["13812348000", None], "full_name": ["张三", "张三丰"]},
                                    {"phone": "phone", "full_name": "name"})
        assert pair == {"phone": ["138****8000", None], "full_name": ["张*", "张**"]}


class TestTail:
    def test_tail_prints_the_last_events_oldest_first(self):
        _events(5)
        from io import StringIO

        out = StringIO()
        call_command("audit", "tail", "-n", "2", stdout=out)
        lines = out.getvalue().splitlines()
        assert len(lines) == 2
        assert lines[0].startswith("#4") and lines[1].startswith("#5")
        assert "test.event" in lines[1] and '"i": 4' in lines[1]

    def test_tail_json(self):
        _events(3)
        from io import StringIO

        out = StringIO()
        call_command("audit", "tail", "--json", stdout=out)
        rows = [json.loads(line) for line in out.getvalue().splitlines()]
        assert [(r["chain"], r["seq"]) for r in rows] == [(1, 1), (1, 2), (1, 3)] and rows[0]["changes"] == {"i": 0}

    def test_tail_on_an_empty_log_and_bad_count(self):
        from io import StringIO

        out = StringIO()
        call_command("audit", "tail", stdout=out)
        assert "no audit events" in out.getvalue()
        with pytest.raises(CommandError, match="-n"):
            call_command("audit", "tail", "-n", "0")


def _move_to_chain(chain, events):
    """Rewrite ``events`` as a well-formed chain ``chain`` (what a second writer would have appended)."""
    prev = audit.GENESIS
    for seq, event in enumerate(events, start=1):
        event.chain, event.seq, event.prev_hash = chain, seq, prev
        event.hash = prev = audit.compute_hash(event)
        event.save()
    AuditHead.objects.update_or_create(id=chain, defaults={"seq": len(events), "hash": prev})


class TestChains:
    """Several chains: each is verified on its own, and breaks are named by chain and number."""

    def test_every_chain_is_verified_and_counted(self):
        events = _events(5)
        _move_to_chain(2, events[3:])
        AuditHead.objects.filter(id=1).update(seq=3, hash=events[2].hash)
        result = audit.verify_chain(batch=2)
        assert result.ok and result.checked == 5
        assert str(AuditEvent.objects.get(chain=2, seq=1)).startswith("#2-1 test.event")

    def test_the_chain_is_part_of_the_hash_beyond_chain_one(self):
        events = _events(2)
        _move_to_chain(2, events)
        AuditHead.objects.filter(id=1).update(seq=0, hash=audit.GENESIS)
        assert audit.verify_chain().ok
        with connection.cursor() as cursor:  # move the whole chain back under chain 3's name
            cursor.execute(f"UPDATE {TABLE} SET chain = 3 WHERE chain = 2")
        AuditHead.objects.filter(id=2).delete()
        AuditHead.objects.update_or_create(id=3, defaults={"seq": 2, "hash": events[1].hash})
        result = audit.verify_chain()
        assert not result.ok and result.broken_label == "#3-1" and "altered" in result.reason

    def test_a_break_on_another_chain_is_named_by_chain_and_number(self):
        events = _events(4)
        _move_to_chain(2, events[2:])
        AuditHead.objects.filter(id=1).update(seq=2, hash=events[1].hash)
        _set_changes(2, {"i": 999}, chain=2)
        result = audit.verify_chain()
        assert not result.ok and (result.broken_chain, result.broken_seq, result.checked) == (2, 2, 3)
        with pytest.raises(CommandError, match=r"#2-2 \(test.event\).*altered"):
            call_command("audit", "verify")

    def test_a_missing_head_is_reported(self):
        events = _events(3)
        _move_to_chain(2, events[1:])
        AuditHead.objects.filter(id=1).update(seq=1, hash=events[0].hash)
        AuditHead.objects.filter(id=2).delete()
        result = audit.verify_chain()
        assert not result.ok and result.broken_label == "#2-2" and "head is missing" in result.reason


def test_on_sqlite_writers_follow_each_other_on_chain_one(db):
    """SQLite serialises writers: every event goes on chain 1, one after the other (PostgreSQL spreads writers over
    the chains, see below)."""
    audit.record(None, "test.first")
    audit.record(None, "test.second")
    events = [(e.chain, e.seq) for e in AuditEvent.objects.all()]
    if connection.vendor == "sqlite":
        assert events == [(1, 1), (1, 2)]
    else:  # one writer at a time keeps to the chain it used last
        assert events[0][0] == events[1][0] and (events[0][1], events[1][1]) == (1, 2)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_append_to_different_chains_without_waiting():
    """A writer holding a chain until it commits does not make the next writer wait."""
    import threading

    audit.record(None, "test.before")  # the chains' heads exist (committed) before the writers meet
    holding, release = threading.Event(), threading.Event()

    def slow_writer():
        from django.db import connection as conn

        try:
            with transaction.atomic():
                audit.record(None, "test.slow")
                holding.set()
                release.wait(timeout=10)
        finally:
            conn.close()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    try:
        assert holding.wait(timeout=10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")  # waiting on the slow writer's chain fails here
            fast = audit.record(None, "test.fast")
            again = audit.record(None, "test.fast.again")
    finally:
        release.set()
        thread.join(timeout=10)
    slow = AuditEvent.objects.get(action="test.slow")
    assert fast.chain != slow.chain and again.chain == fast.chain and (fast.seq, again.seq) == (1, 2)
    assert [e.action for e in AuditEvent.objects.all()] == ["test.before", "test.slow", "test.fast",
                                                            "test.fast.again"]
    assert AuditHead.objects.count() == 16
    result = audit.verify_chain()
    assert result.ok and result.checked == 4
