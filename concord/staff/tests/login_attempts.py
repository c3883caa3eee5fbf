"""Run by ``test_logins.py`` in processes of their own on one SQLite file: ``--setup`` migrates and builds the test
world; then each run posts ``--attempts`` logins for ``--username`` with ``--password`` to /login/ and prints the
status codes as JSON. Failed attempts are counted where every process sees them (django-axes' database handler
here; the production settings keep them in Redis)."""
from __future__ import annotations

import argparse
import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--setup", action="store_true")
    parser.add_argument("--username", default="col_a")
    parser.add_argument("--password", default="wrong-password")
    parser.add_argument("--attempts", type=int, default=1)
    args = parser.parse_args()

    import time_machine

    from concord.conftest import SUITE_NOW

    with time_machine.travel(SUITE_NOW, tick=True):
        import django

        django.setup()
        from django.test import Client

        if args.setup:
            from django.core.management import call_command

            from concord.conftest import build_world

            call_command("migrate", verbosity=0)
            build_world()
        client = Client()
        codes = [client.post("/login/", {"username": args.username, "password": args.password}).status_code
                 for _ in range(args.attempts)]
        print(json.dumps({"pid": os.getpid(), "codes": codes}))


if __name__ == "__main__":
    main()
