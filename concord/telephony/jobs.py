"""The telephony jobs: process the stored events (started by each push), and reconcile with the provider's call
records (the worker's tick, every ``CONCORD_TELEPHONY_RECONCILE_SECONDS``, 300 by default)."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext_lazy

from concord.core import jobs

_last = {"at": None}


@jobs.kind("telephony.process", label=gettext_lazy("处理话务事件"), resumable=True)
def process(ctx: jobs.Context) -> dict:
    from .services import process_events
    return {"processed": process_events(ctx.params.get("provider"))}


@jobs.kind("telephony.reconcile", label=gettext_lazy("话单对账"), resumable=True)
def reconcile(ctx: jobs.Context) -> dict:
    from .services import reconcile as run
    return run(ctx.params.get("provider"))


def tick(now: dt.datetime) -> None:
    """Start a reconciliation when a switch is configured and the last one is old enough."""
    from .services import switch_configured

    every = dt.timedelta(seconds=int(getattr(settings, "CONCORD_TELEPHONY_RECONCILE_SECONDS", 300)))
    if not switch_configured() or (_last["at"] is not None and now - _last["at"] < every):
        return
    _last["at"] = now
    jobs.start_job("telephony.reconcile", {})
