"""The live strategy's treatment path, preferred hours and legal status reach the end-of-day run against the
database: each case keeps the date it entered its segment (carried over while the segment stays, the same again on
a rerun), its path action for the queue day (``tree.path_action``), and the queue contacts by that action, from the
preferred hours within the pack's; a ``legal_status`` rule reads the legal track."""
from __future__ import annotations

import copy
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from concord.eod import adapter
from concord.eod.models import CaseState, QueueEntry
from concord.strategy import selectors, services, tree

AS_OF = dt.date(2026, 11, 28)
PATH = [{"day": 0, "action": "sms"}, {"day": 1, "action": "call"}, {"day": 3, "action": "legal_review"}]


def _states():
    return {s.case_id: s for s in CaseState.objects.all()}


def _queue(run):
    return {q.case_id: q for q in QueueEntry.objects.filter(run=run).select_related("case__debtor")}


@pytest.mark.django_db
def test_the_path_and_hours_drive_the_queue_day_by_day(world):
    default = selectors.champion()
    t = copy.deepcopy(default.tree)
    for r in t["rules"]:
        if r["channel"] != "none":
            r["path"], r["hours"] = PATH, [10, 12]
    services.save_version(world.users["manager"], "default", t, note="paths", based_on=default.version)
    pathed = {r["segment"] for r in t["rules"] if r.get("path")}

    run = adapter.run_eod(AS_OF)
    first = _states()
    queue = _queue(run)
    assert first and all(s.segment_since == AS_OF for s in first.values())  # every case enters its segment
    checked = 0
    for case_id, s in first.items():
        if s.segment in pathed:
            assert s.path_action == "sms" and s.start_segment == ""
            if case_id in queue:
                q = queue[case_id]
                local = q.earliest_at.astimezone(ZoneInfo(q.case.debtor.time_zone or "Asia/Shanghai"))
                assert q.channel == "sms" and (local.date(), local.hour) == (AS_OF + dt.timedelta(days=1), 10)
                checked += 1
        else:
            assert s.path_action == ""
    assert checked and run.summary["path_actions"]["sms"] == sum(s.path_action == "sms" for s in first.values())

    # the same date again: the same state (it starts from the segments the first run started from)
    adapter.run_eod(AS_OF)
    again = _states()
    assert {c: (s.segment, s.segment_since, s.path_action, s.start_segment) for c, s in again.items()} == \
        {c: (s.segment, s.segment_since, s.path_action, s.start_segment) for c, s in first.items()}

    # three days later the segments that stayed keep their date: day 3 of the path is the legal review
    later_day = AS_OF + dt.timedelta(days=3)
    run = adapter.run_eod(later_day)
    later, queue = _states(), _queue(run)
    reviewed = 0
    for case_id, s in later.items():
        assert s.start_segment == first[case_id].segment
        if s.segment == first[case_id].segment:
            assert s.segment_since == AS_OF
            days_in = 3
        else:
            assert s.segment_since == later_day
            days_in = 0
        if s.segment in pathed:
            assert s.path_action == (tree.path_action(PATH, days_in) or "")
        if s.path_action == "legal_review":
            assert case_id not in queue  # due for legal review: no contact planned
            reviewed += 1
    assert reviewed and run.summary["path_actions"]["legal_review"] == reviewed


@pytest.mark.django_db
def test_a_legal_status_rule_matches_the_cases_in_the_legal_track(world):
    from concord.legal import services as legal

    default = selectors.champion()
    case = world.cases["a"]
    legal.enter_legal(world.users["manager"], case)
    t = copy.deepcopy(default.tree)
    t["rules"].insert(0, {"rule_order": 1, "segment": "in_law", "treatment": "legal_track", "channel": "none",
                          "priority": 0, "legal_status": "active"})
    services.save_version(world.users["manager"], "default", t, note="legal", based_on=default.version)
    adapter.run_eod(AS_OF)
    states = _states()
    assert states[case.pk].segment == "in_law"
    assert all(s.segment != "in_law" for c, s in states.items() if c != case.pk)
