"""A book for the scorecard's tests (tests only): the reports' ``history_book`` (two teams, payments, a promise kept,
calls of team A) with, before its end-of-day runs, a call of team B, a night call the gate refused, a complaint on
team B's case, and a reviewed call of each collector (one with a breach)."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from concord.reports.tests.history_book import NOW, build_history  # noqa: F401 (NOW: the tests' instant)

from .helpers import at, call

ALL_PASS = {"identity_verified": "pass", "disclosures_given": "pass", "no_threats": "pass",
            "no_third_party_disclosure": "pass", "respectful_tone": "pass", "correct_outcome": "pass"}


def scorecard_book():
    import time_machine

    from concord.compliance import services as compliance
    from concord.conftest import build_world
    from concord.quality import services
    from concord.quality.models import Sample

    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 11, 20, 9)), tick=True):
        world = build_world()
    col_a, col_b, case_a, case_b = world.users["col_a"], world.users["col_b"], world.cases["a"], world.cases["b"]
    for kind in ("pre_job_training", "pre_job_exam"):
        compliance.record_qualification(None, user=col_b, kind=kind, passed_on=dt.date(2026, 6, 1))
        compliance.record_qualification(None, user=col_a, kind=kind, passed_on=dt.date(2026, 6, 1))
    d = compliance.decide_contact(col_b, case=case_b, channel="call", number="13900001111", at=at(dt.date(2026, 12, 3)))
    compliance.record_contact_outcome(col_b, d, outcome="conversation", at=at(dt.date(2026, 12, 3), 10, 5))
    night = compliance.decide_contact(col_a, case=case_a, channel="call", number="13812348000",
                                      at=timezone.make_aware(dt.datetime(2026, 12, 2, 22, 30)))
    assert not night.allowed
    compliance.open_complaint(None, debtor=case_b.debtor, creditor=case_b.creditor, case=case_b, source="phone",
                              category="conduct", summary="语气恶劣", received_at=at(dt.date(2026, 12, 3), 15))
    heard_a = call(col_a, case_a, at(dt.date(2026, 12, 2), 10, 1))
    heard_b = call(col_b, case_b, at(dt.date(2026, 12, 3), 10, 1))
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 12, 10, 9)), tick=True):
        services.sample_day(dt.date(2026, 12, 2), rate=1, seed="book")
        services.sample_day(dt.date(2026, 12, 3), rate=1, seed="book")
        services.submit_review(world.users["lead_a"], Sample.objects.get(activity=heard_a), ALL_PASS, "规范")
        services.submit_review(world.users["manager"], Sample.objects.get(activity=heard_b),
                               {**ALL_PASS, "no_threats": "fail", "respectful_tone": "fail"}, "出现威胁性语言")
    build_history(world)
    return world
