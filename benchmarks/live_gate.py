"""The live gate's latency on the configured database (see ``gate.py --live``)."""
from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.settings")
os.environ.setdefault("CONCORD_DEV_KEYS", "1")  # a benchmark runs on development keys
os.environ.setdefault("CONCORD_PII_KEY", "q2VhZ5a9oQm1n8kYtqWv0x3Zr7cLb4Gd6Hf2Je9KsPU=")

SH = ZoneInfo("Asia/Shanghai")
OUTCOMES = ["no_answer"] * 5 + ["busy", "voicemail", "voicemail", "conversation", "failed"]


def book(people: int, now: dt.datetime, rng: random.Random):
    """Creditors, a qualified collector, and per person a case with a 30-day ledger of ~50 rows."""
    from stdnum.cn import ric

    from concord.compliance import services as cmp
    from concord.compliance.live import number_token
    from concord.compliance.models import ContactAttempt
    from concord.conftest import make_case
    from concord.creditors.services import add_creditor
    from concord.staff.models import User

    bank = add_creditor(None, code="bank", name="银行", kind="bank", policy_pack="cn_bank")
    fin = add_creditor(None, code="fin", name="平台", kind="platform", policy_pack="cn_online_lending")
    collector = User.objects.create_user(username="bench", password="x", role="collector")
    cmp.record_qualification(None, user=collector, kind="pre_job_exam", passed_on=dt.date(2026, 1, 5))
    cmp.record_qualification(None, user=collector, kind="annual_refresher", passed_on=dt.date(2026, 1, 5))
    cases = []
    rows = []
    for i in range(people):
        body = f"110105{1960 + i % 40}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
        phone = f"138{rng.randrange(10**8):08d}"
        case = make_case(None, bank if i % 2 else fin, name=f"债务人{i}", id_number=body + ric.calc_check_digit(body + "0"),
                         phone=phone, reference=f"B-{i:05d}", product_kind="credit_card" if i % 2 else "online_loan",
                         as_of=now.date())
        numbers = [phone, f"139{rng.randrange(10**8):08d}"]
        account = str(case.accounts.first().pk)
        for _ in range(rng.randrange(36, 42)):
            t = now - dt.timedelta(days=rng.uniform(0.5, 30))
            n = rng.choice(numbers)
            rows.append(ContactAttempt(at=t, debtor_id=case.debtor_id, case=case, creditor_id=case.creditor_id,
                                       channel="call", direction="outbound", number_key=number_token(n),
                                       accounts=[account], outcome=rng.choice(OUTCOMES), purpose="collection"))
        for _ in range(rng.randrange(6, 9)):
            t = now - dt.timedelta(days=rng.uniform(0.5, 30))
            rows.append(ContactAttempt(at=t, debtor_id=case.debtor_id, case=case, creditor_id=case.creditor_id,
                                       channel=rng.choice(["sms", "email"]), direction="outbound",
                                       accounts=[account], outcome="delivered", purpose="collection"))
        for channel, direction in (("call", "inbound"), ("visit", "outbound")):
            t = now - dt.timedelta(days=rng.uniform(8, 30))
            rows.append(ContactAttempt(at=t, debtor_id=case.debtor_id, case=case, creditor_id=case.creditor_id,
                                       channel=channel, direction=direction, accounts=[account],
                                       outcome="conversation", purpose="collection"))
        t0 = now - dt.timedelta(days=rng.uniform(10, 25))
        hold = cmp.place_hold(None, debtor=case.debtor, kind="dispute", reason="bench", at=t0)
        cmp.release_hold(None, hold, reason="bench", at=t0 + dt.timedelta(days=3))
        cmp.grant_consent(None, debtor=case.debtor, scope="hours", channel="call", valid_from=t0,
                          valid_until=t0 + dt.timedelta(days=3))
        cases.append((case, numbers))
    ContactAttempt.objects.bulk_create(rows, batch_size=2000)
    return collector, cases, len(rows)


def run_live(people: int, decisions: int) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment


    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        rng = random.Random(7)
        now = dt.datetime(2026, 6, 30, 12, tzinfo=SH)
        start = time.perf_counter()
        collector, cases, ledger = book(people, now, rng)
        print(f"Live gate on {connection.vendor} ({test_name}): {people} people, {ledger / people:.1f} ledger rows "
              f"each over 30 days (booked in {time.perf_counter() - start:.1f} s)")
        measure(collector, cases, decisions, now, rng, "durable commits")
        if connection.vendor == "postgresql":
            # the WAL flush of each COMMIT is the disk's cost, not the gate's: show it apart
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO off")
            measure(collector, cases, decisions, now, rng, "synchronous_commit=off (without the WAL flush wait)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def measure(collector, cases, decisions, now, rng, label):
    from concord.compliance import services as cmp

    if True:
        timings, allowed = [], 0
        for k in range(decisions):
            case, numbers = cases[k % len(cases)]
            channel = rng.choice(["call"] * 6 + ["sms", "email"])
            at = now.replace(hour=rng.randrange(8, 23), minute=rng.randrange(60))
            t = time.perf_counter()
            d = cmp.decide_contact(collector, case=case, channel=channel, at=at,
                                   number=rng.choice(numbers) if channel == "call" else None)
            timings.append((time.perf_counter() - t) * 1000)
            allowed += d.allowed
        timings.sort()
        q = statistics.quantiles(timings, n=100)
        print(f"{label}: {decisions} decisions, {allowed / decisions:.0%} allowed: p50 {q[49]:.2f} ms, p95 {q[94]:.2f} ms, "
              f"p99 {q[98]:.2f} ms, max {timings[-1]:.2f} ms (target p95 < 5 ms)")
