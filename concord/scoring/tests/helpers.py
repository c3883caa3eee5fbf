"""A trained model on the seeded synthetic history, shared by the scoring tests (trained once per process)."""
from __future__ import annotations

import datetime as dt
import functools
import tempfile

from concord.scoring import features, synthetic, training

START = dt.date(2026, 1, 1)
DAYS = 130
END = START + dt.timedelta(days=DAYS - 31)


@functools.cache
def history():
    return synthetic.write_history(tempfile.mkdtemp(prefix="scoring-hist-"), cases=1500, days=DAYS, seed=7)


@functools.cache
def trained(target: str = "paid_30d") -> dict:
    con = history().connect()
    try:
        return training.train(features.modelling_table(con, target, START, END, every=5), target)
    finally:
        con.close()
