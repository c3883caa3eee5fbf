"""Run the test suite on SQLite, then on PostgreSQL (``make test``).

PostgreSQL is used when its server answers at the given URL; when it does not, that pass counts as failed
(start the server or point PG_URL elsewhere). The last line totals both passes.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

RESULTS = Path("var/test-results")


def postgres_ready(url: str) -> bool:
    import psycopg

    base = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(base, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def run(label: str, env: dict, extra: list[str]) -> tuple[int, int, int]:
    """Run pytest; return (exit code, passed, failed)."""
    print(f"\n=== Concord tests on {label} ===", flush=True)
    report = RESULTS / f"{label.lower()}.xml"
    report.unlink(missing_ok=True)
    code = subprocess.call([sys.executable, "-m", "pytest", f"--junitxml={report}", *extra], env=env)
    if not report.exists():
        return code, 0, 1
    suite = ET.parse(report).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    tests, failures, errors, skipped = (int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
    return code, tests - failures - errors - skipped, failures + errors


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/concord")
    args, extra = parser.parse_known_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    results = {"SQLite": run("SQLite", env, extra)}
    if postgres_ready(args.postgres_url):
        results["PostgreSQL"] = run("PostgreSQL", {**env, "DATABASE_URL": args.postgres_url}, extra)
    else:
        print(f"PostgreSQL is not reachable at {args.postgres_url}: start it, or run make test PG_URL=...")
        results["PostgreSQL"] = (1, 0, 1)
    print("\n=== Summary ===")
    for label, (code, passed, failed) in results.items():
        print(f"{label}: {'ok' if code == 0 else f'FAILED (exit {code})'} — {passed} passed, {failed} failed")
    passed = sum(r[1] for r in results.values())
    failed = sum(r[2] for r in results.values())
    print(f"Total: {passed} passed, {failed} failed")
    return 0 if all(r[0] == 0 for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
