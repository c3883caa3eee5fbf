"""Run the test suite on SQLite, then on PostgreSQL (``make test``).

PostgreSQL is used when its server answers at the given URL. In CI (``CI=true``) a missing PostgreSQL is an
error; on a workstation the PostgreSQL pass is reported as not run and the exit code says so.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys


PYTEST_ARGS: list[str] = []


def postgres_ready(url: str) -> bool:
    import psycopg

    base = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(base, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def run(label: str, env: dict) -> int:
    print(f"\n=== Concord tests on {label} ===", flush=True)
    return subprocess.call([sys.executable, "-m", "pytest", *PYTEST_ARGS], env=env)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/concord")
    args, rest = parser.parse_known_args()
    PYTEST_ARGS.extend(rest)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    results = {"SQLite": run("SQLite", env)}
    if postgres_ready(args.postgres_url):
        results["PostgreSQL"] = run("PostgreSQL", {**env, "DATABASE_URL": args.postgres_url})
    else:
        print(f"PostgreSQL is not reachable at {args.postgres_url}: start it, or pass PG_URL=... to make test.")
        results["PostgreSQL"] = 1
    print("\n=== Summary ===")
    for label, code in results.items():
        print(f"{label}: {'passed' if code == 0 else f'FAILED (exit {code})'}")
    return 0 if all(code == 0 for code in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
