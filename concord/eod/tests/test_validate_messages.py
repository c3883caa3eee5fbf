"""Validation reads each table once (the instalments twice) and still names every problem as before: the messages
of a set of broken snapshots, each problem alone and all at once, equal those the earlier validator gave (kept in
``data/validation_messages.json``, written by the validator that ran one query per check source)."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from concord.eod import synth, validate

AS_OF = dt.date(2026, 11, 28)
EXPECTED = json.loads((Path(__file__).parent / "data" / "validation_messages.json").read_text(encoding="utf-8"))


def setcol(t: pa.Table, name: str, index: int, value) -> pa.Table:
    col = t.column(name).to_pylist()
    col[index] = value
    return t.set_column(t.column_names.index(name), name, pa.array(col, t.schema.field(name).type))


def _dup(name, start, n):
    return lambda s: s.update({name: pa.concat_tables([s[name], s[name].slice(start, n)])})


def _set(name, column, index, value):
    return lambda s: s.update({name: setcol(s[name], column, index, value)})


MUTATIONS = {
    "neg": _set("accounts", "principal_balance_fen", 3, -1),
    "null": _set("accounts", "case_id", 5, None),
    "dupacc": _dup("accounts", 2, 3),
    "dupinst": _dup("instalments", 0, 2),
    "instnoacc": _set("instalments", "account_id", 4, 99999),
    "instdue": _set("instalments", "due_date", 7, dt.date(1990, 1, 1)),
    "paidgtdue": _set("instalments", "principal_paid_fen", 9, 10**9),
    "overlimit": _set("payments", "amount_fen", 1, 10**11),
    "payref": _set("payments", "account_id", 1, 77777),
    "caseref": _set("cases", "person_id", 1, 77777),
    "dupcase": _dup("cases", 0, 1),
    "dupperson": _dup("persons", 0, 1),
    "badstatus": _set("cases", "status", 2, "zzz"),
    "bucket": _set("accounts", "prev_bucket", 2, "M9"),
    "startafter": _set("accounts", "start_date", 2, dt.date(2027, 1, 1)),
    "promise": _set("promises", "due_date", 0, dt.date(2000, 1, 1)),
    "prodcred": _set("products", "creditor_id", 0, 55),
    "rate": _set("products", "penalty_daily_rate_e6", 0, 10**6),
    "coll": _set("collectors", "team_id", 0, 55),
    "dupcoll": _dup("collectors", 0, 1),
    "instnum": _set("instalments", "number", 0, 500),
    "arr": _set("arrangement_instalments", "case_id", 0, 10**7),
    "hold": _set("holds", "ends_on", 0, dt.date(2000, 1, 1)),
}


@pytest.fixture(scope="module")
def book():
    return synth.snapshot(400, seed=5, as_of=AS_OF)


@pytest.mark.parametrize("case", [*MUTATIONS, "*"])
def test_the_same_messages(book, case):
    snap = dict(book)
    for name in (MUTATIONS if case == "*" else [case]):
        MUTATIONS[name](snap)
    if EXPECTED[case] == "OK":  # a number beyond 0…63 is no problem (the exact duplicate check looks at it)
        validate.validate(snap, AS_OF)
        return
    with pytest.raises(validate.SnapshotError) as err:
        validate.validate(snap, AS_OF)
    assert str(err.value) == EXPECTED[case]


def test_a_good_snapshot_reads_each_table_once_the_instalments_twice(book):
    """Every query that names the view of an input table reads it: a good snapshot's checks read the instalments
    twice and every other large table once (a parent's keys are kept for its children's references); the small
    tables are read once, into Arrow, and checked on that copy."""
    con = duckdb.connect()
    big = [name for name in book if name not in validate.SMALL_TABLES]
    reads = dict.fromkeys(big, 0)

    class Tracing:
        def execute(self, sql, *args):
            if not sql.lstrip().upper().startswith("CREATE OR REPLACE TEMP VIEW"):
                for name in big:
                    if f"snap_{name}" in sql.replace(f"snap_{name}_keys", ""):
                        reads[name] += 1
            return con.execute(sql, *args)

        def sql(self, sql):
            return con.sql(sql)

        def register(self, name, table):
            return con.register(name, table)

    validate.open_snapshot(Tracing(), dict(book), AS_OF)
    assert reads.pop("instalments") == 2
    assert set(reads.values()) == {1}, reads
