"""Drift monitoring after each end-of-day run (a follower of ``concord.eod.followers``, registered after the
reports' daily history so that the run's day is kept): the PSI of every approved model's characteristics and score
between its training window and the run's day."""
from __future__ import annotations

import logging

from . import drift, features, selectors, services

log = logging.getLogger(__name__)


def check_day(day, history=None) -> list:
    from concord.reports.capture import store

    models = selectors.live_models()
    if not models:
        return []
    st = history or store()
    if day not in st.days():
        log.warning("scoring drift: the daily history has no %s; nothing measured", day)
        return []
    con = st.connect()
    try:
        rows = features.day_features(con, day)
    finally:
        con.close()
    return [services.record_drift(m, day, drift.day_drift({"bins": m.bins, "reference": m.details["reference"]},
                                                          rows)) for m in models]


def after_run(run) -> None:
    check_day(run.as_of)
