"""Predictive dialing through the switch: each round places as many calls as the day's answer rate calls for (capped),
every one asked of the gate first, from the queue one at a time; past the abandon target the next round is 1:1.
And the dial permit's own short lifetime."""
import datetime as dt

import pytest

from concord.compliance.models import ContactDecision
from concord.conftest import make_case, resident_id
from concord.telephony import predictive
from concord.telephony.models import Call, CallState
from concord.workbench import calls

from .test_switch_calls import dial, ended, push  # noqa: F401 — the push fixture

pytestmark = pytest.mark.django_db


def test_predictive_rounds_pace_from_the_day_and_fall_to_one_to_one_past_the_abandon_target(
        crew, switch, push, settings, django_capture_on_commit_callbacks):  # noqa: F811
    from concord.compliance import services as compliance

    settings.CONCORD_PREDICTIVE_MIN_SAMPLE = 4
    settings.CONCORD_TELEPHONY_OPTIONS = {"abandon_message": "ivr-abandoned-7"}
    col = crew.users["col_a"]
    queue = [make_case(None, crew.creditors["bank"], name=f"借款人{i}",
                       id_number=resident_id("110105", "19800101", 700 + i), phone=f"1360000{i:04d}",
                       reference=f"LOAN-7{i:03d}", collector=col, team=crew.teams["A"]) for i in range(12)]
    compliance.record_cease(None, debtor=queue[2].debtor, channel="call", note="本人要求停止电话联系")
    ids = [c.pk for c in queue]

    def round_(start):
        with django_capture_on_commit_callbacks(execute=True):
            return predictive.dial_round([col], ids, start)

    def finish(step, result):
        call = Call.objects.get(decision=step.decision)
        push([ended(call, result, talk=40 if result == "answered" else 0)])
        if result == "answered":
            calls.dispose_call(col, Call.objects.get(pk=call.pk).activity, result_codes=["refusal"])

    start = 0
    for result in ("no_answer", "answered", "no_answer", "no_answer"):     # too few calls yet: one per collector
        step = round_(start)
        assert step.ratio == 1.0 and len(step.dialled) == 1
        finish(step.dialled[0], result)
        start = step.next_index
    assert queue[2].pk not in [d.case_id for d in ContactDecision.objects.filter(allowed=True)]   # denied, skipped
    assert not Call.objects.filter(case=queue[2]).exists()

    two = round_(start)                     # 1 answer in 4: two lines for the one free collector (the cap)
    assert two.ratio == 2.0 and two.wanted == 2 and len(two.dialled) == 2
    assert {(r.mode, r.abandon_message) for r in switch.dialled} == {("predictive", "ivr-abandoned-7")}
    assert round_(two.next_index).wanted == 0                # both in flight: the collector is not free
    finish(two.dialled[0], "answered")
    finish(two.dialled[1], "abandoned")                      # answered, no collector free: the message, counted
    assert Call.objects.get(decision=two.dialled[1].decision).activity.outcome == "conversation"

    day = predictive.day_counts()
    assert (day.placed, day.answered, day.abandoned) == (6, 3, 1)
    after = round_(two.next_index)                           # 1 abandoned of 3 answered > 3 %: 1:1 at once
    assert after.ratio == 1.0 and after.abandon_rate > 0.03 and len(after.dialled) == 1
    assert len(switch.dialled) == 7 and all(d.number for d in switch.dialled)


def test_a_permit_older_than_the_dial_permit_lifetime_is_not_dialled_and_released(
        crew, switch, settings, clock_at, django_capture_on_commit_callbacks):
    from concord.core import clock

    settings.CONCORD_DIAL_PERMIT_SECONDS = 120
    case, col = crew.cases["a"], crew.users["col_a"]
    point = case.debtor.contact_points.get(kind="mobile")
    with django_capture_on_commit_callbacks(execute=False) as pending:
        decision = calls.start_call(col, case, contact_point=point)
    clock_at(clock.now() + dt.timedelta(seconds=121))       # the switch is asked too late
    for callback in pending:
        callback()
    call = Call.objects.get(decision=decision)
    decision.refresh_from_db()
    assert call.state == CallState.FAILED and "120" in call.error and decision.released_at is not None
    assert switch.dialled == []
    with django_capture_on_commit_callbacks(execute=True):                  # in time: dialled, as a click call
        calls.start_call(col, crew.cases["u"], contact_point=crew.cases["u"].debtor.contact_points.get(kind="mobile"))
    assert [(r.mode, r.abandon_message) for r in switch.dialled] == [("click", "")]


def test_the_power_button_runs_a_predictive_round_when_that_mode_is_set(
        crew, switch, client, settings, django_capture_on_commit_callbacks):
    from concord.compliance import services as compliance

    settings.CONCORD_DIALING_MODE = "predictive"
    col = crew.users["col_a"]
    client.force_login(col)
    compliance.record_cease(None, debtor=crew.cases["a"].debtor, channel="call", note="本人要求停止电话联系")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/telephony/power/next/")
    call = Call.objects.get()
    assert call.case == crew.cases["u"] and response.url.startswith(f"/cases/{crew.cases['u'].pk}/?call=")
    assert [(d.case, d.mode) for d in switch.dialled] == [(crew.cases["u"].reference, "predictive")]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/telephony/power/next/", follow=True)      # the call is still in flight
    assert len(switch.dialled) == 1 and "请先结束当前通话" in response.content.decode()
