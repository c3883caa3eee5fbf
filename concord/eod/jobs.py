"""The end-of-day run as a job of the worker (``eod.run``): started from the 日终 page or by the schedule, watched
stage by stage. Resumable in the only way a run can be: it writes in ONE transaction, so a worker that dies mid-run
leaves the tables as they were — the run row is marked failed with the reason and the run starts again."""
from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext, gettext_lazy

from concord.core import jobs

from . import adapter

#: The stages a run reports, in order (for the percent while it runs).
STAGES = ("export", "validate", "accounts", "promises", "arrangements", "cases", "allocation", "queue", "fetch",
          "write", "commit")


def _recover(job) -> None:
    if job.started_at:
        adapter.abandon_running(job.started_at, gettext("工作进程在运行中停止（数据库已回滚本次运行，未写入任何结果）"))


@jobs.kind("eod.run", label=gettext_lazy("日终运行"), resumable=True, recover=_recover, see="view_eod")
def run(ctx: jobs.Context) -> dict:
    as_of = dt.date.fromisoformat(ctx.params["as_of"])
    done = []

    def tick(stage: str, seconds: float) -> None:
        done.append(stage)
        ctx.stage_done(stage, seconds)
        ctx.progress(min(len(done), len(STAGES)), len(STAGES))

    ctx.progress(0, len(STAGES))
    finished = adapter.run_eod(as_of, engine_name=ctx.params.get("engine", "duckdb"), actor=ctx.by, progress=tick)
    s = finished.summary or {}
    return {"run": finished.pk, "as_of": as_of.isoformat(), "accounts": s.get("accounts"), "cases": s.get("cases"),
            "queue": (s.get("queue") or {}).get("contacts"), "seconds": (finished.stage_seconds or {}).get("total")}


def _nightly_params(day: dt.date) -> dict:
    return {"as_of": (day - dt.timedelta(days=1)).isoformat(), "engine": "duckdb"}


def _nightly_done(day: dt.date) -> bool:
    from .models import EodRun, RunStatus

    return EodRun.objects.filter(as_of=day - dt.timedelta(days=1), status=RunStatus.SUCCEEDED).exists()


# the nightly run at 00:30 closes the day that just ended
jobs.schedulable("eod_nightly", kind="eod.run", label=gettext_lazy("夜间日终运行"), at="00:30",
                 params=_nightly_params, done=_nightly_done)
