"""The API answers as its OpenAPI schema says: schemathesis generates requests from the schema (at most 20 examples
an operation, a fixed seed) against a live test server, as a manager, a collector and a creditor's user, and checks
that no response is a server error and every response matches the schema (status code, content type, body)."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from concord.conftest import build_world

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def _schemathesis():
    exe = Path(sys.executable).with_name("st")
    return str(exe) if exe.exists() else shutil.which("st")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ["manager", "col_a", "viewer"])
def test_the_api_matches_its_schema(live_server, tmp_path, role):
    from concord.staff import tokens

    world = build_world()
    token, _row = tokens.issue(world.users[role])
    report = tmp_path / "report.json"
    run = subprocess.run(
        [_schemathesis(), "run", f"{live_server.url}/api/schema/", "--checks", CHECKS, "--max-examples", "20",
         "--phases", "examples,fuzzing", "--seed", "20261207", "--workers", "1", "--no-color",
         "--generation-database", "none", "--suppress-health-check", "all", "--request-timeout", "30",
         "--header", f"Authorization: Token {token}", "--report", "json", "--report-json-path", str(report)],
        capture_output=True, text=True, timeout=900, cwd=tmp_path)
    tail = run.stdout[-25000:] + run.stderr[-2000:]
    assert run.returncode == 0, tail
    assert "No issues found" in run.stdout or "passed" in run.stdout, tail
