"""Exports as jobs of the worker (``reports.export``), for files too large to wait for in the browser. The rows are
those the requesting user may see when the job runs (``visible_cases``); the file is kept under
``DATA_DIR/exports/`` and only that user may download it. Not resumable: a worker that dies leaves no file and the
job is marked failed with the reason (start the export again); cancellable between rows (the file is removed)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy

from concord.cases.selectors import visible_cases
from concord.core import jobs

from . import exports


def export_dir() -> Path:
    return Path(settings.DATA_DIR) / "exports"


def export_path(job) -> Path:
    return export_dir() / f"job-{job.pk}.{job.params['format']}"


@jobs.kind("reports.export", label=gettext_lazy("导出"), cancellable=True)
def export(ctx: jobs.Context) -> dict:
    p = ctx.params
    cases = visible_cases(ctx.by)
    if p.get("creditor"):
        cases = cases.filter(creditor__code=p["creditor"])
    if p.get("status"):
        cases = cases.filter(status=p["status"])
    path = export_path(ctx.job)
    path.parent.mkdir(parents=True, exist_ok=True)

    def progress(rows, total):
        ctx.progress(rows, total)
        if ctx.cancelled():
            raise jobs.Cancelled

    filters = {"creditor": p.get("creditor"), "status": p.get("status")}
    try:
        if p["what"] == "cases":
            rows = exports.export_cases(ctx.by, cases, path, p["format"], filters=filters, progress=progress)
        else:
            day = lambda v: dt.date.fromisoformat(v) if v else None  # noqa: E731
            rows = exports.export_activities(ctx.by, cases, path, p["format"], start=day(p.get("start")),
                                             end=day(p.get("end")), filters=filters, progress=progress)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    ctx.progress(rows, rows)
    return {"file": path.name, "rows": rows}
