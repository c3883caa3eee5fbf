"""What a call wrote, and in which transaction: the machinery of ``test_every_writer_is_audited``.

:class:`WriteTracker` sees every SQL statement the call sends through Django's connection (an
``execute_wrapper``: the ORM, ``connection.cursor()`` and ``executemany`` alike) and notes each write (``INSERT``,
``UPDATE``, ``DELETE``, ``TRUNCATE``, ``COPY … FROM``) with the transaction it ran in. The two paths that reach the database
driver beside Django's cursor — :mod:`concord.core.bulk` (``executemany`` on the raw SQLite connection, ``COPY``
through psycopg) and :func:`concord.eod.dbio.copy_into` (``COPY`` on PostgreSQL) — are wrapped so that their
writes are noted too; ``test_raw_driver_writes_are_known`` keeps that list complete.

Which transaction: a test runs inside the test case's own atomic blocks (flagged ``_from_testcase`` by Django);
the first block below them is the one the application opened, which in production is the transaction itself
(``BEGIN`` … ``COMMIT``). A write made outside any application block would run in autocommit: a transaction of its
own, that no audit event can share. Savepoints rolled back (``ROLLBACK TO SAVEPOINT``) undo the writes and the
audit events made after them, so those count for nothing.
"""
from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection

AUDIT_TABLE = "core_auditevent"
#: Tables written as part of writing the trail itself (the chains' heads), not domain rows.
TRAIL_TABLES = {AUDIT_TABLE, "core_audithead"}

_WRITE = re.compile(r'^\s*(INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?|COPY)\s+"?([\w.]+)"?',
                    re.I)
_COPY_OUT = re.compile(r"^\s*COPY\s*\(", re.I)  # COPY (query) TO STDOUT: a read
_SAVEPOINT = re.compile(r'^\s*(SAVEPOINT|ROLLBACK\s+TO\s+SAVEPOINT|RELEASE\s+SAVEPOINT)\s+"?(\w+)"?', re.I)
_TEMP = re.compile(r"^eod_tmp_")  # the end-of-day run's temporary tables (dropped at commit)


@dataclass
class Write:
    table: str
    statement: str  # the verb and the first characters, for failure messages
    transaction: object | None  # the application's outermost atomic block; None: autocommit
    undone: bool = False


@dataclass
class WriteTracker:
    writes: list[Write] = field(default_factory=list)
    _savepoints: dict[str, int] = field(default_factory=dict)
    _blocks: list = field(default_factory=list)  # keeps the blocks alive, so that identities stay unique

    # -- noting ---------------------------------------------------------------------------------------------
    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        self.note(sql)
        return result

    def _transaction(self):
        for block in connection.atomic_blocks:
            if not getattr(block, "_from_testcase", False):
                self._blocks.append(block)
                return block
        return None

    def note(self, sql: str) -> None:
        savepoint = _SAVEPOINT.match(sql)
        if savepoint:
            verb, name = savepoint.group(1).upper(), savepoint.group(2)
            if verb == "SAVEPOINT":
                self._savepoints[name] = len(self.writes)
            elif verb.startswith("ROLLBACK"):
                for write in self.writes[self._savepoints.get(name, len(self.writes)):]:
                    write.undone = True
            return
        match = _WRITE.match(sql)
        if match and not _COPY_OUT.match(sql):
            self.note_write(match.group(2), " ".join(sql.split())[:80])

    def note_write(self, table: str, statement: str) -> None:
        table = table.strip('"').lower()
        if not _TEMP.match(table):
            self.writes.append(Write(table, statement, self._transaction()))

    # -- reading --------------------------------------------------------------------------------------------
    @property
    def kept(self) -> list[Write]:
        return [w for w in self.writes if not w.undone]

    def audited_transactions(self) -> set[int]:
        return {id(w.transaction) for w in self.kept if w.table == AUDIT_TABLE and w.transaction is not None}

    def unaudited(self) -> list[Write]:
        """Domain writes with no audit event kept in their transaction."""
        audited = self.audited_transactions()
        return [w for w in self.kept if w.table not in TRAIL_TABLES
                and (w.transaction is None or id(w.transaction) not in audited)]

    def tables(self) -> set[str]:
        return {w.table for w in self.writes}

    def audit_events(self) -> int:
        return sum(1 for w in self.kept if w.table == AUDIT_TABLE)


def _wrap_raw_paths(tracker: WriteTracker, monkeypatch) -> None:
    """The writes that bypass Django's cursor wrapper report themselves to the tracker."""
    from concord.core import audit, bulk
    from concord.eod import dbio

    def reporting(original, table_of):
        def wrapper(*args, **kwargs):
            out = original(*args, **kwargs)
            tracker.note_write(table_of(*args, **kwargs), f"{original.__name__} (raw driver)")
            return out
        return wrapper

    monkeypatch.setattr(bulk, "_executemany_sqlite", reporting(bulk._executemany_sqlite,
                                                               lambda model, *a, **k: model._meta.db_table))
    monkeypatch.setattr(bulk, "_copy", reporting(bulk._copy, lambda model, *a, **k: model._meta.db_table))
    monkeypatch.setattr(dbio, "copy_into", reporting(dbio.copy_into, lambda target, *a, **k: target))
    monkeypatch.setattr(audit, "_insert_events", reporting(audit._insert_events, lambda *a, **k: AUDIT_TABLE))


#: (module, function) of every place that writes through the database driver without Django's cursor wrapper;
#: each is wrapped by :func:`_wrap_raw_paths`.
RAW_PATHS = {("concord.core.bulk", "_executemany_sqlite"), ("concord.core.bulk", "_copy"),
             ("concord.eod.dbio", "copy_into"), ("concord.core.audit", "_insert_events")}


@contextlib.contextmanager
def tracking(monkeypatch):
    tracker = WriteTracker()
    _wrap_raw_paths(tracker, monkeypatch)
    with connection.execute_wrapper(tracker):
        yield tracker


def row_counts() -> dict[str, int]:
    """Rows per table of every model (many-to-many tables included): a write that escaped the SQL hook still
    changes these."""
    tables = sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True)})
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {qn(t)}" for t in tables))
        return dict(cursor.fetchall())


def plaintext_pii() -> set[str]:
    """Every personal value in the database, in clear (decrypted): ID numbers, phone numbers (E.164 and the
    national number), e-mail addresses, WeChat ids, street addresses, names of people."""
    from concord.debtors.models import ContactPoint, Debtor, RelatedParty
    from concord.outreach.models import OutboundMessage

    values: set[str] = set()
    for number, name in Debtor.objects.values_list("id_number", "full_name"):
        values |= {number, name}
    values |= set(ContactPoint.objects.values_list("value", flat=True))
    for phone, name in RelatedParty.objects.values_list("phone", "full_name"):
        values |= {phone, name}
    values |= set(OutboundMessage.objects.values_list("to", flat=True))
    for value in list(values):
        if value.startswith("+86"):
            values.add(value[3:])
    return {v for v in values if v and len(v) >= 2}
