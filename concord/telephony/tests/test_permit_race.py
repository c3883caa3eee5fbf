"""Two dials to one person at the cap, at the same moment: one is allowed, the other refused.

Each dial runs in its own thread with its own connection and transaction. Both have passed a barrier and the
gate's read of the person is slowed so that, without the lock, both would read the same two conversations and both
be allowed; with it, the second waits for the first (PostgreSQL: the row lock on the debtor; SQLite: the immediate
transaction) and sees its permit in flight.

On SQLite the test database lives in memory, where connections share one cache and fail at once instead of
waiting; so the race runs on a file copy of it (WAL, immediate transactions: the production settings), which is
where SQLite's writers really wait for each other."""
import contextlib
import sqlite3
import threading
import time

import pytest
from django.db import connection

from concord.compliance import live
from concord.compliance.models import ContactDecision
from concord.workbench import calls


@pytest.mark.django_db(transaction=True)
def test_two_dials_racing_at_the_cap_one_is_refused(monkeypatch, settings, tmp_path):
    from concord.conftest import build_world, make_case, resident_id
    from concord.creditors.services import add_creditor
    from concord.workbench.tests.conftest import qualify, ten_am

    settings.CONCORD_CLOCK = ten_am().isoformat()
    settings.DATA_DIR = tmp_path
    world = build_world()
    for name in ("col_a", "col_b"):
        qualify(world.users[name])
    # one person, two creditors' cases, two collectors: the cap (cn_online_lending CN2, 3 connected calls a day)
    # counts across both
    other = add_creditor(None, code="fin2", name="另一平台", kind="platform", policy_pack="cn_online_lending")
    case = world.cases["b"]
    second = make_case(None, other, name="李四", id_number=resident_id("310101", "19851212", 222),
                       phone="13900001111", reference="LOAN-0902", collector=world.users["col_a"],
                       team=world.teams["A"])
    assert second.debtor_id == case.debtor_id
    col = world.users["col_b"]
    point = case.debtor.contact_points.get(kind="mobile")
    for _ in range(2):
        decision = calls.start_call(col, case, contact_point=point)
        calls.log_call(col, case, decision, outcome="conversation", duration_seconds=60)
    original = live.read_person
    barrier = threading.Barrier(2)

    def slow_read(*args, **kwargs):
        person = original(*args, **kwargs)
        time.sleep(0.4)                    # hold the read a moment: the other dial is trying meanwhile
        return person

    monkeypatch.setattr(live, "read_person", slow_read)
    results, errors = [], []

    def dial(user, target):
        from django.db import connection as conn
        try:
            barrier.wait(timeout=10)
            results.append(calls.start_call(user, target, contact_point=point))
        except Exception as exc:            # noqa: BLE001 — reported below
            errors.append(repr(exc))
        finally:
            conn.close()

    allowed = []

    def count():
        from django.db import connection as conn
        allowed.append(ContactDecision.objects.filter(debtor=case.debtor, allowed=True).count())
        conn.close()

    with database_for_threads(tmp_path):
        threads = [threading.Thread(target=dial, args=(col, case)),
                   threading.Thread(target=dial, args=(world.users["col_a"], second))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in threads)
        counter = threading.Thread(target=count)
        counter.start()
        counter.join(timeout=30)
    assert errors == [], (connection.vendor, errors)
    assert sorted(d.allowed for d in results) == [False, True]
    refused = next(d for d in results if not d.allowed)
    assert "CN2" in refused.rules
    assert allowed == [3]


@contextlib.contextmanager
def database_for_threads(tmp_path):
    """PostgreSQL: the test database as it is. SQLite: a file copy of the in-memory one for the threads' new
    connections (the main thread keeps its own)."""
    from django.db import connections

    if connection.vendor != "sqlite":
        yield
        return
    target = tmp_path / "race.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(target) as out:
        connection.connection.backup(out)
    saved = connections.settings["default"]
    connections.settings["default"] = {**saved, "NAME": str(target)}
    try:
        yield
    finally:
        connections.settings["default"] = saved
