"""``concord loan``: schedules and card minimum payments from the command line."""
import json
import os
import subprocess
import sys
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from concord.core import clock

MORTGAGE = ["--principal", "1000000", "--annual-rate", "0.049", "--months", "360", "--start", "2026-01-15"]


def run(*args):
    out = StringIO()
    call_command("loan", *args, stdout=out)
    return out.getvalue()


def schedule_json(method, *args):
    return json.loads(run("schedule", "--method", method, *(args or MORTGAGE), "--json"))


class TestSchedule:
    def test_equal_installment_known_values(self):
        data = schedule_json("equal_installment")
        first = data["rows"][0]
        assert first == {"number": 1, "due_date": "2026-02-15", "principal": "1223.94", "interest": "4083.33",
                         "total": "5307.27", "remaining": "998776.06"}
        assert len(data["rows"]) == 360 and data["rows"][-1]["remaining"] == "0.00"
        assert data["rows"][-1]["due_date"] == "2056-01-15"
        assert (data["method"], data["principal"], data["annual_rate"], data["months"], data["start"]) == (
            "equal_installment", "1000000.00", "0.049", 360, "2026-01-15")

    def test_equal_principal_known_values(self):
        data = schedule_json("equal_principal")
        assert data["rows"][0]["total"] == "6861.11"      # 2777.78 principal + 4083.33 interest
        assert data["rows"][0]["principal"] == "2777.78"

    @pytest.mark.parametrize("method", ["equal_installment", "equal_principal", "interest_only", "bullet"])
    def test_json_principal_sums_to_the_loan(self, method):
        data = schedule_json(method)
        principal = sum(Decimal(r["principal"]) for r in data["rows"])
        assert principal == Decimal("1000000.00") and data["totals"]["principal"] == "1000000.00"
        interest = sum(Decimal(r["interest"]) for r in data["rows"])
        assert data["totals"]["interest"] == str(interest)
        assert data["totals"]["total"] == str(principal + interest)
        for row in data["rows"]:
            assert Decimal(row["principal"]) + Decimal(row["interest"]) == Decimal(row["total"])
            assert all(isinstance(row[k], str) for k in ("principal", "interest", "total", "remaining"))

    def test_interest_only_and_bullet_shapes(self):
        io = schedule_json("interest_only", "--principal", "12000", "--annual-rate", "0.12", "--months", "3",
                           "--start", "2026-01-31")
        assert [(r["due_date"], r["principal"], r["interest"]) for r in io["rows"]] == [
            ("2026-02-28", "0.00", "120.00"), ("2026-03-31", "0.00", "120.00"), ("2026-04-30", "12000.00", "120.00")]
        bullet = schedule_json("bullet", "--principal", "1000", "--annual-rate", "0.049", "--months", "12",
                               "--start", "2026-01-15")
        assert bullet["rows"] == [{"number": 1, "due_date": "2027-01-15", "principal": "1000.00",
                                   "interest": "49.00", "total": "1049.00", "remaining": "0.00"}]

    def test_table_output(self):
        text = run("schedule", "--method", "equal_installment", *MORTGAGE)
        lines = text.splitlines()
        assert "Due date" in lines[1] and "Remaining" in lines[1]
        first = lines[3].split()
        assert first == ["1", "2026-02-15", "1223.94", "4083.33", "5307.27", "998776.06"]
        assert lines[-1].split()[:2] == ["Total", "1000000.00"]
        assert len(lines) == 360 + 5

    def test_start_defaults_to_today(self):

        data = json.loads(run("schedule", "--method", "bullet", "--principal", "100", "--annual-rate", "0",
                              "--months", "1", "--json"))
        assert data["start"] == clock.today().isoformat()

    def test_revolving_has_no_schedule(self):
        with pytest.raises(CommandError, match="--method revolving: credit cards have no fixed schedule"):
            run("schedule", "--method", "revolving", *MORTGAGE)
        with pytest.raises(CommandError, match="no fixed schedule"):
            run("schedule", "--method", "revolving")

    @pytest.mark.parametrize("option, value, reason", [
        ("--principal", "-5", "greater than 0"), ("--principal", "0", "greater than 0"),
        ("--principal", "abc", "not a number"), ("--principal", "NaN", "not a number"),
        ("--principal", "10.001", "two decimal places"),
        ("--annual-rate", "1", r"\[0, 1\)"), ("--annual-rate", "-0.01", r"\[0, 1\)"),
        ("--annual-rate", "4.9%", "not a number"),
        ("--months", "0", "between 1 and 600"), ("--months", "601", "between 1 and 600"),
        ("--months", "12.5", "whole number"),
        ("--start", "2026-02-30", "not a valid date"), ("--start", "15/01/2026", "not a valid date"),
    ])
    def test_bad_input_names_the_option_and_reason(self, option, value, reason):
        args = dict(zip(MORTGAGE[::2], MORTGAGE[1::2]))
        args[option] = value
        argv = [x for pair in args.items() for x in pair]
        with pytest.raises(CommandError, match=reason) as exc:
            run("schedule", "--method", "equal_installment", *argv)
        assert str(exc.value).startswith(option)
        assert exc.value.returncode == 1

    def test_missing_and_unknown_options(self):
        with pytest.raises(CommandError, match="--principal"):
            run("schedule", "--method", "bullet", "--annual-rate", "0.1", "--months", "3")
        with pytest.raises(CommandError, match="--method"):
            run("schedule", "--method", "balloon", *MORTGAGE)
        with pytest.raises(CommandError):
            run()


class TestMinimum:
    def test_card_minimum_payment(self):
        assert "Minimum payment: 1950.00" in run("minimum", "--balance", "15450", "--fees-interest", "450")
        data = json.loads(run("minimum", "--balance", "15450", "--fees-interest", "450", "--json"))
        assert data["minimum_payment"] == "1950.00"

    def test_rate_floor_and_principal_part(self):
        data = json.loads(run("minimum", "--balance", "1000", "--rate", "0.05", "--floor", "100", "--json"))
        assert data["minimum_payment"] == "100.00"
        data = json.loads(run("minimum", "--balance", "50", "--floor", "100", "--json"))
        assert data["minimum_payment"] == "50.00"                  # never more than the balance
        data = json.loads(run("minimum", "--balance", "5000", "--principal-part", "3000",
                              "--fees-interest", "200", "--json"))
        assert data["minimum_payment"] == "500.00"
        data = json.loads(run("minimum", "--balance", "0", "--json"))
        assert data["minimum_payment"] == "0.00"

    @pytest.mark.parametrize("args, option", [
        (["--balance", "abc"], "--balance"), (["--balance", "-1"], "--balance"),
        (["--balance", "100", "--fees-interest", "-1"], "--fees-interest"),
        (["--balance", "100", "--fees-interest", "200"], "--fees-interest"),
        (["--balance", "100", "--rate", "1.5"], "--rate"),
        (["--balance", "100", "--floor", "x"], "--floor"),
    ])
    def test_bad_input(self, args, option):
        with pytest.raises(CommandError) as exc:
            run("minimum", *args)
        assert str(exc.value).startswith(option)


def test_cli_exits_non_zero_naming_the_option():
    """The real ``concord`` entry point (no database needed for loan arithmetic)."""
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "concord.settings"}
    bad = subprocess.run([sys.executable, "-m", "concord.cli", "loan", "schedule", "--method", "bullet",
                          "--principal", "-5", "--annual-rate", "0.1", "--months", "12"],
                         capture_output=True, text=True, cwd=root, env=env, timeout=60)
    assert bad.returncode == 1
    assert "--principal" in bad.stderr and "greater than 0" in bad.stderr
