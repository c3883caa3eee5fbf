"""Run by ``test_concurrent_payments.py`` in a process of its own: a migrated SQLite *file* database (the test
database is in memory and shared by threads, which hides SQLite's file locking), the test world, then ``--writers``
threads that post the same payment to the API at once. Prints one JSON object: the status codes and what was
recorded."""
from __future__ import annotations

import argparse
import json
import os
import threading

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writers", type=int, default=30)
    args = parser.parse_args()

    import time_machine

    from concord.conftest import SUITE_NOW

    with time_machine.travel(SUITE_NOW, tick=True):
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        from concord.conftest import build_world
        from concord.loans.models import Payment

        call_command("migrate", verbosity=0)
        world = build_world()
        manager = world.users["manager"]
        account = world.cases["a"].accounts.first()
        clients = []
        for _ in range(args.writers):
            client = Client()
            client.force_login(manager)
            clients.append(client)
        connection.close()
        body = {"account": account.pk, "amount": "100.00", "paid_at": "2026-12-01T10:00:00+08:00",
                "channel": "bank_transfer", "external_reference": "DUP-0001"}
        barrier = threading.Barrier(args.writers)
        statuses: list[int] = []
        errors: list[str] = []
        lock = threading.Lock()

        def post(client):
            from django.db import connection as conn

            try:
                barrier.wait(timeout=30)
                response = client.post("/api/payments/", body, content_type="application/json")
                with lock:
                    statuses.append(response.status_code)
                    if response.status_code >= 500:
                        errors.append(response.content.decode()[:300])
            except Exception as exc:  # noqa: BLE001 — a raised error is what this run looks for
                with lock:
                    statuses.append(500)
                    errors.append(f"{type(exc).__name__}: {exc}")
            finally:
                conn.close()

        threads = [threading.Thread(target=post, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        print(json.dumps({"statuses": sorted(statuses), "errors": errors[:3],
                          "payments": Payment.objects.filter(external_reference="DUP-0001").count()}))


if __name__ == "__main__":
    main()
