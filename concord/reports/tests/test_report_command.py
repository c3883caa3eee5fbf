"""``concord report NAME --json``: exactly the report's fields, one JSON object per line."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from concord.eod import adapter
from concord.loans.models import LoanAccount
from concord.reports import tables

pytestmark = pytest.mark.clock("2027-01-04T10:00:00+08:00")


def _run(*args):
    out = StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def history(world):
    from django.utils import timezone

    from concord.loans import services as loans

    adapter.run_eod(dt.date(2026, 11, 30))
    account = LoanAccount.objects.get(reference="LOAN-0002")
    world.november_balance = account.total_balance  # as the raw table held it at the November month end
    loans.record_payment(None, account=account, amount=Decimal("123.45"), channel="bank_transfer",
                         paid_at=timezone.make_aware(dt.datetime(2026, 12, 3, 10)), external_reference="C-1")
    adapter.run_eod(dt.date(2026, 12, 31))
    return world


@pytest.mark.parametrize("name", tables.NAMES)
def test_json_lines_have_exactly_the_fields(history, name):
    lines = _run(name, "--from", "2026-11-01", "--to", "2026-12-31", "--json").splitlines()
    rows = [json.loads(line) for line in lines]
    assert all(list(r) == list(tables.COLUMNS[name]) for r in rows)
    if name == "roll-rates":
        assert rows and {r["from_bucket"] for r in rows} <= {"M0", "M1", "M2", "M3", "M4", "M5", "M6", "M7+"}
        assert sum(r["accounts"] for r in rows) == 3
        for f in {r["from_bucket"] for r in rows}:
            assert round(sum(r["rate"] for r in rows if r["from_bucket"] == f), 3) == 1.0


def test_money_is_a_decimal_string_and_the_creditor_filter_works(history):
    out = _run("roll-rates", "--from", "2026-11-01", "--to", "2026-12-31", "--json", "--creditor", "fin")
    rows = [json.loads(line) for line in out.splitlines()]
    assert sum(r["accounts"] for r in rows) == 1
    assert isinstance(rows[0]["balance"], str) and Decimal(rows[0]["balance"]) == history.november_balance


def test_table_output_and_errors(history):
    assert "from_bucket" in _run("roll-rates", "--from", "2026-11-01", "--to", "2026-12-31")
    with pytest.raises(CommandError, match="no creditor"):
        _run("recovery", "--from", "2026-11-01", "--to", "2026-12-31", "--creditor", "nope")
    with pytest.raises(CommandError, match="before"):
        _run("recovery", "--from", "2026-12-01", "--to", "2026-11-01")
