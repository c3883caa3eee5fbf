"""The channel response by segment on a hand-made history, against figures worked out by hand."""
from __future__ import annotations

import datetime as dt
import math

import pytest

from concord.reports.store import HistoryStore
from concord.scoring import features, response

from .test_training import _day


def test_channel_response_by_hand(tmp_path):
    """Seven M1 cases observed on d0: 1 SMS day 2, pays day 5; 2 SMS day 3, no payment; 3 no contact, pays day 10;
    4 and 5 no contact, no payment; 6 called only on day 12 (after the 7-day treatment window: left out); 7 called
    day 1, pays day 2. Case 8 is M3 and never contacted nor paying (a segment with a control only)."""
    st = HistoryStore(tmp_path)
    d0 = dt.date(2026, 3, 1)
    events = {2: ([], [(1, 1, "delivered", "sms")]), 3: ([], [(2, 2, "delivered", "sms")]),
              5: ([(1, 1, 100, False)], []), 10: ([(2, 3, 100, False)], []),
              12: ([], [(3, 6, "no_answer", "call")]), 1: ([], [(4, 7, "conversation", "call")]),
              4: ([(3, 7, 100, False)], [])}
    for k in range(45):
        accounts = [(c, c, "open", 10 + k, 100_000) for c in range(1, 8)] + [(8, 8, "open", 70 + k, 100_000)]
        pay, con = events.get(k, ([], []))
        _day(st, d0 + dt.timedelta(days=k), accounts, pay, con)
    rows = response.channel_response(st.connect(), d0, d0)
    got = {(r["segment"], r["channel"]): r for r in rows}
    assert set(got) == {("M1", "call"), ("M1", "none"), ("M1", "sms"), ("M3", "none")}
    assert (got["M1", "sms"]["cases"], got["M1", "sms"]["paid"]) == (2, 1)
    assert (got["M1", "none"]["cases"], got["M1", "none"]["paid"]) == (3, 1)
    assert (got["M1", "call"]["cases"], got["M1", "call"]["paid"]) == (1, 1)
    half = 1.96 * math.sqrt(0.5 * 0.5 / 2 + (1 / 3) * (2 / 3) / 3)
    assert got["M1", "sms"]["uplift"] == pytest.approx(0.5 - 1 / 3, abs=1e-4)
    assert got["M1", "sms"]["low"] == pytest.approx(0.5 - 1 / 3 - half, abs=1e-4)
    assert got["M1", "sms"]["high"] == pytest.approx(0.5 - 1 / 3 + half, abs=1e-4)
    assert got["M1", "none"]["uplift"] is None and got["M3", "none"]["rate"] == 0
    with pytest.raises(features.NoData):
        response.channel_response(st.connect(), d0 + dt.timedelta(days=30), d0 + dt.timedelta(days=40))


@pytest.mark.django_db
def test_response_command(settings):
    import json
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from .helpers import END, START, history

    settings.CONCORD_HISTORY_DIR = history().root
    out = StringIO()
    call_command("scoring", "response", "--from", START.isoformat(), "--to", END.isoformat(), "--json", stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {r["channel"] for r in rows} == {"call", "none"} and all(r["cases"] > 0 for r in rows)
    # the synthetic book's conversations raise the chance to pay: a call shows a positive uplift in early buckets
    m1 = next(r for r in rows if r["segment"] == "M1" and r["channel"] == "call")
    assert m1["uplift"] > 0
    with pytest.raises(CommandError) as exc:
        call_command("scoring", "response", "--from", "2027-01-01", "--to", "2027-02-01", stdout=StringIO())
    assert exc.value.returncode == 2
