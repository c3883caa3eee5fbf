"""Concurrent writers on a SQLite file queue instead of failing: 30 requests posting the same payment at once get one
201 (recorded) and 29 × 200 (already recorded), never a 500 ``database is locked`` (settings: transactions begin
IMMEDIATE, with a busy timeout)."""
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

from concord.conftest import TEST_PII_KEY


def test_sqlite_transactions_begin_immediate_with_a_busy_timeout():
    assert settings.SQLITE_OPTIONS["transaction_mode"] == "IMMEDIATE"
    assert settings.SQLITE_OPTIONS["timeout"] >= 5


@pytest.mark.slow
def test_thirty_concurrent_duplicate_payments_on_a_sqlite_file(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'concord.sqlite3'}",
           "CONCORD_DATA_DIR": str(tmp_path / "var"), "CONCORD_PII_KEY": TEST_PII_KEY,
           "SECRET_KEY": "test-only-secret-key-for-the-concurrency-run-0123456789",
           "CONCORD_AUDIT_KEY": "test-only-audit-key-0123456789abcdef", "CONCORD_TWO_FACTOR": "off"}
    run = subprocess.run([sys.executable, "-m", "concord.loans.tests.concurrent_payments", "--writers", "30"],
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["errors"] == [] and 500 not in result["statuses"], result
    assert result["statuses"] == [200] * 29 + [201], result
    assert result["payments"] == 1
