"""Sampling calls for quality review: the seeded random share per collector per day, the calls that must be heard
(complaint, dispute, a prohibited word in the note, the transcript checks' flags), idempotent reruns, the job."""
from __future__ import annotations

import datetime as dt
import math
from collections import Counter

import pytest

from concord.compliance import services as compliance
from concord.core import jobs
from concord.core.models import AuditEvent
from concord.quality import services
from concord.quality.models import Sample
from concord.telephony.models import Call

from .helpers import at, call

DAY = dt.date(2026, 12, 2)
pytestmark = pytest.mark.clock("2026-12-03T09:00:00+08:00")


def _book(world):
    a, b = world.cases["a"], world.cases["b"]
    col_a, col_b = world.users["col_a"], world.users["col_b"]
    calls_a = [call(col_a, a, at(DAY, 9, n)) for n in range(10)] + [call(col_a, a, at(DAY, 11, n), "no_answer")
                                                                    for n in range(3)]
    calls_b = [call(col_b, b, at(DAY, 9, n)) for n in range(4)]
    return calls_a, calls_b


def test_a_seeded_share_of_each_collectors_connected_calls(world):
    calls_a, calls_b = _book(world)
    got = services.sample_day(DAY, rate=0.2, seed="s1")
    samples = list(Sample.objects.all())
    per = Counter(s.collector.username for s in samples)
    # ceil(rate × connected calls) for each collector: 10 → 2, 4 → 1; unanswered calls are never drawn
    assert per == {"col_a": math.ceil(0.2 * 10), "col_b": math.ceil(0.2 * 4)}
    assert all(s.reasons == ["random"] and s.activity.outcome == "conversation" for s in samples)
    assert got == {"calls": 17, "sampled": 3, "new": 3, "updated": 0}
    assert {s.team_id for s in samples if s.collector.username == "col_a"} == {world.teams["A"].pk}
    assert AuditEvent.objects.filter(action="quality.sample").count() == 3
    # a rerun with the same seed draws the same calls and writes nothing
    first = {s.activity_id for s in samples}
    assert services.sample_day(DAY, rate=0.2, seed="s1")["new"] == 0
    assert {s.activity_id for s in Sample.objects.all()} == first
    assert AuditEvent.objects.filter(action="quality.sample").count() == 3


def test_the_draw_depends_only_on_seed_collector_and_day(world):
    calls_a, _ = _book(world)
    draws = set()
    for seed in ("s1", "s2", "s3", "s4", "s5"):
        picked = services._random_pick(calls_a, 0.3, seed, world.users["col_a"].pk, DAY)
        assert picked == services._random_pick(list(reversed(calls_a)), 0.3, seed, world.users["col_a"].pk, DAY)
        assert len(picked) == 3
        draws.add(frozenset(picked))
    assert len(draws) > 1          # different seeds draw different calls
    assert services._random_pick(calls_a, 0, "s1", 1, DAY) == set()


def test_calls_that_must_be_heard(world):
    a, b = world.cases["a"], world.cases["b"]
    col_a, col_b = world.users["col_a"], world.users["col_b"]
    complained = call(col_a, a, at(DAY, 10))
    disputed = call(col_b, b, at(DAY, 10), codes=["dispute"])
    worded = call(col_b, b, at(DAY, 11), note="你不还钱我就曝光你")
    quiet = call(col_a, a, at(DAY, 12), "no_answer")
    compliance.open_complaint(None, debtor=a.debtor, creditor=a.creditor, case=a, source="phone",
                              category="conduct", summary="态度恶劣", received_at=at(DAY, 15))
    got = services.sample_day(DAY, rate=0, seed="s")
    reasons = {s.activity_id: s.reasons for s in Sample.objects.all()}
    # a complaint on the case within the window brings every call of the case before it (the unanswered one too)
    assert reasons == {complained.pk: ["complaint"], quiet.pk: ["complaint"], disputed.pk: ["dispute"],
                       worded.pk: ["note_word"]}
    assert got["new"] == 4


def test_a_complaint_that_comes_later_adds_its_reason(world):
    a = world.cases["a"]
    col_a = world.users["col_a"]
    calls = [call(col_a, a, at(DAY, 9, n)) for n in range(4)]
    services.sample_day(DAY, rate=0.25, seed="k")
    drawn = Sample.objects.get()
    compliance.open_complaint(None, debtor=a.debtor, creditor=a.creditor, case=a, source="phone",
                              category="conduct", kind="dispute", summary="金额有误", received_at=at(DAY + dt.timedelta(days=6)))
    got = services.sample_day(DAY, rate=0.25, seed="k")
    assert got["new"] == 3 and got["updated"] == 1
    drawn.refresh_from_db()
    assert drawn.reasons == ["random", "dispute"]
    assert {s.activity_id for s in Sample.objects.all()} == {c.pk for c in calls}
    # a complaint after the window brings nothing
    late = call(col_a, a, at(DAY - dt.timedelta(days=10)))
    services.sample_day(DAY - dt.timedelta(days=10), rate=0, seed="k")
    assert not Sample.objects.filter(activity=late).exists()


def test_calls_flagged_by_the_transcript_checks_are_sampled(world):
    a, col_a = world.cases["a"], world.users["col_a"]
    for kind in ("pre_job_training", "pre_job_exam"):
        compliance.record_qualification(None, user=col_a, kind=kind, passed_on=dt.date(2026, 6, 1))
    decision = compliance.decide_contact(col_a, case=a, channel="call", number="13812348000", at=at(DAY, 10))
    assert decision.allowed
    flagged = call(col_a, a, at(DAY, 10, 5))
    Call.objects.create(ref="Q-1", provider="local", decision=decision, case=a, agent=col_a, state="ended",
                        started_at=at(DAY, 10), activity=flagged, quality_checked_at=at(DAY, 11),
                        quality_flags=[{"code": "threat", "at": 12.5, "detail": "威胁"}])
    services.sample_day(DAY, rate=0, seed="s")
    assert Sample.objects.get().reasons == ["transcript"]


def test_the_scheduled_job_samples_the_last_days(world, settings):
    settings.CONCORD_QUALITY_SAMPLE_RATE = 0.5
    a, col_a = world.cases["a"], world.users["col_a"]
    for d in (DAY - dt.timedelta(days=1), DAY):
        for n in range(2):
            call(col_a, a, at(d, 9, n))
    assert "quality_sampling" in jobs.SCHEDULABLE
    job = jobs.start_job("quality.sample", {"day": DAY.isoformat(), "days": 2}, inline=True)
    assert job.state == "succeeded", job.error
    assert job.result == {"calls": 4, "new": 2, "updated": 0}
    assert sorted(s.call_day for s in Sample.objects.all()) == [DAY - dt.timedelta(days=1), DAY]
    again = jobs.start_job("quality.sample", {"day": DAY.isoformat(), "days": 2}, inline=True)
    assert again.result["new"] == 0


def test_a_bad_rate_is_refused(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.sample_day(DAY, rate=1.5)


def test_the_command_samples_and_refuses_bad_input(world):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from concord.quality.models import Review

    a, col_a = world.cases["a"], world.users["col_a"]
    for n in range(4):
        call(col_a, a, at(DAY, 9, n))
    out = io.StringIO()
    call_command("quality", "sample", "--from", DAY.isoformat(), "--to", DAY.isoformat(), "--rate", "0.5", stdout=out)
    assert "sampled 2 new calls of 4" in out.getvalue() and Sample.objects.count() == 2
    for bad in (["--from", "2026-13-01", "--to", "2026-12-02"], ["--from", "2026-12-02", "--to", "2026-12-01"],
                ["--from", "2026-12-02", "--to", "2026-12-02", "--rate", "2"]):
        with pytest.raises(CommandError) as exc:
            call_command("quality", "sample", *bad, stdout=io.StringIO())
        assert exc.value.returncode == 2
    # the demo's reviews go through the same service: by the team's lead, audited
    call_command("quality", "demo-reviews", "--share", "1", stdout=out)
    assert Review.objects.count() == 2 and {r.reviewer.username for r in Review.objects.all()} == {"lead_a"}
    assert AuditEvent.objects.filter(action="quality.review").count() == 2
