"""Helpers for the payment, recall and contact-repair import tests."""
from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from concord.core import clock
from concord.imports import services

from .builders import write_csv, write_xlsx


def days_ago(n: int) -> dt.date:
    return clock.today() - dt.timedelta(days=n)


def matrix(headers: list[str], rows: list[dict]) -> list[list]:
    return [list(headers)] + [[r.get(h, "") for h in headers] for r in rows]


def csv_file(path: Path, headers: list[str], rows: list[dict], **options) -> Path:
    return write_csv(path, matrix(headers, rows), **options)


def xlsx_file(path: Path, headers: list[str], rows: list[dict], *, title: str | None = None,
              sheet: str = "Sheet1") -> Path:
    data = matrix(headers, rows)
    if title:
        data = [[title], []] + data
    return write_xlsx(path, {sheet: data})


def run(kind: str, creditor, path: Path, **options):
    return services.import_file("tester", creditor=creditor, kind=kind, path=path, **options)


def counts(batch) -> dict:
    return {k: batch.summary[k] for k in ("rows", "created", "updated", "unchanged", "rejected", "warnings")}


def problems(batch, severity: str = "error") -> list[tuple]:
    """(row, field, code) of each problem of the batch (each error of a rejected row, each warning)."""
    out = []
    for issue in services.read_issues(batch, severity=severity):
        for p in issue.get("errors", [issue]):
            out.append((issue["row"], p["field"], p["code"]))
    return out


def command_json(kind: str, path: Path, creditor: str = "bank", *args: str) -> list[dict]:
    out = StringIO()
    call_command("import", kind, str(path), "--creditor", creditor, "--json", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]
