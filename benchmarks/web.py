"""Workbench benchmark: p50/p95 of the case page, "next case" and a call (gate decision + disposition) under
concurrent collectors, against PostgreSQL, with the app under a production server (gunicorn).

    .venv/bin/python benchmarks/web.py --postgres postgres://postgres@127.0.0.1:5432/concord_wb_bench \
        [--accounts 110000] [--clients 50] [--rounds 10] [--workers 4] [--think 3] [--skip-load]

``--accounts 1100000`` gives about one million cases (1.1 accounts per case). The database must be a dedicated
benchmark database: its domain tables are emptied and reloaded with the synthetic end-of-day book (COPY, see
``eod_load.py``). Then ``--clients`` collectors get a password, their qualifications, and a mobile number and a
readable ID for the debtors of their first cases; gunicorn serves the app (``web_settings.py``, the workbench clock
fixed at 10:00 Beijing time today; the database gets the planner settings of the operator guide,
``DATABASE_SETTINGS``, and fresh statistics); each client logs in and, ``--rounds`` times: presses Next case, opens the case
page, asks the gate for a call and logs its disposition (no answer). Prints p50/p95/max per step, the
throughput, the CPU time per request of the app and of PostgreSQL (so the most requests per second the machine can
serve), and whether the targets are met: p95 < 150 ms for reads (GET), < 250 ms for writes (POST).

``--think S`` (default 3) makes each collector pause S seconds (±50 %) before each action: 50 collectors then act
about 17 times a second between them, several times faster than people on the phone. ``--think 0`` fires every
client back to back, so 50 requests are always waiting: that measures the machine's saturation throughput, and its
latency is queueing (Little's law: 50 clients × CPU per request ÷ cores), not the latency a collector sees.
"""
from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import random
import re
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import cpu_time  # noqa: E402  (this script's directory)

PII_KEY = "q2VhZ5a9oQm1n8kYtqWv0x3Zr7cLb4Gd6Hf2Je9KsPU="
PASSWORD = "bench-pw-1"
CASES_PER_COLLECTOR = 200
READ_TARGET, WRITE_TARGET = 0.150, 0.250  # seconds, p95


#: The planner settings the operator guide asks for ("Collector's workbench"): the data is cached or on SSD, so a
#: random page costs about as much as a sequential one.
DATABASE_SETTINGS = {"random_page_cost": "1.1"}


def setup_django(url: str) -> None:
    import psycopg

    base, _, dbname = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as con:
        if not con.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone():
            con.execute(f'CREATE DATABASE "{dbname}"')
        for name, value in DATABASE_SETTINGS.items():
            con.execute(f'ALTER DATABASE "{dbname}" SET {name} = {value}')
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "web_settings"
    os.environ.setdefault("CONCORD_DEV_KEYS", "1")  # a benchmark runs on development keys
    os.environ.setdefault("CONCORD_TWO_FACTOR", "off")
    os.environ.setdefault("CONCORD_PII_KEY", PII_KEY)
    import django

    django.setup()


def load_book(accounts: int, seed: int) -> None:
    from django.core.management import call_command
    from eod_load import load

    from concord.eod import synth

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - t:.1f} s", flush=True)
    t = time.perf_counter()
    snap = synth.snapshot(accounts, seed=seed, as_of=dt.date(2026, 11, 28))
    counts = load(snap, dt.date(2026, 11, 28))
    print(f"synth + COPY: {time.perf_counter() - t:.1f} s ({counts['cases']:,} cases, {counts['accounts']:,} "
          f"accounts)", flush=True)


def prepare(clients: int, now: dt.datetime) -> list[str]:
    """Ready ``clients`` collectors: password, qualifications, the first cases of their queue at ``now`` (the
    server's clock) with a phone; returns usernames."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.db.models import Count, Q

    from concord.cases.models import Case
    from concord.workbench.queues import today_queue
    from concord.compliance.models import Qualification
    from concord.debtors.models import ContactPoint, Debtor
    from concord.staff.models import User

    t = time.perf_counter()
    users = list(User.objects.filter(role="collector", is_active=True)
                 .annotate(n=Count("cases", filter=Q(cases__status__in=["new", "open"]))).order_by("-n")[:clients])
    if len(users) < clients:
        raise SystemExit(f"--clients: only {len(users)} active collectors in the book")
    today = now.date()
    with transaction.atomic():
        User.objects.filter(pk__in=[u.pk for u in users]).update(password=make_password(PASSWORD))
        Qualification.objects.filter(user__in=users).delete()
        Qualification.objects.bulk_create(
            [Qualification(user=u, kind=k, passed_on=today - dt.timedelta(days=30),
                           expires_on=None if k == "pre_job_exam" else today + dt.timedelta(days=300))
             for u in users for k in ("pre_job_exam", "pre_job_training")])
        Case.objects.filter(claimed_by__isnull=False).update(claimed_by=None, claimed_until=None)
        debtor_ids = set()
        for u in users:  # the first cases "next case" will hand out: today's queue, in its order
            debtor_ids.update(today_queue(u, now=now).values_list("debtor_id", flat=True)[:CASES_PER_COLLECTOR])
        with connection.cursor() as cur:  # the synthetic book's ID numbers are not encrypted: make them readable
            cur.execute(f"DELETE FROM {ContactPoint._meta.db_table} WHERE debtor_id = ANY(%s)", [list(debtor_ids)])
        debtors = list(Debtor.objects.filter(pk__in=debtor_ids).only("id"))
        for d in debtors:
            d.id_number = f"BENCH{d.pk:010d}"
        Debtor.objects.bulk_update(debtors, ["id_number"], batch_size=2000)
        ContactPoint.objects.bulk_create(
            [ContactPoint(debtor_id=d.pk, kind="mobile", value=f"+86139{d.pk % 10**8:08d}", status="valid",
                          is_primary=True, source="creditor") for d in debtors], batch_size=2000)
    from concord.core import audit
    with transaction.atomic():  # the audit chain's head exists before the clients race for it
        audit.record(None, "bench.prepare", None, {"clients": clients}, object_type="bench", object_id="web")
    with connection.cursor() as cur:  # statistics as autovacuum keeps them in production (earlier runs' calls too)
        cur.execute("ANALYZE")
    print(f"prepare {clients} collectors, {len(debtors):,} debtors: {time.perf_counter() - t:.1f} s", flush=True)
    return [u.username for u in users]


class Client:
    """One collector's browser: a keep-alive connection with cookies and the CSRF header."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for key, value in response.getheaders():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location") or "", text

    def login(self, username: str) -> None:
        self.request("GET", "/login/")
        status, location, _ = self.request("POST", "/login/", {"username": username, "password": PASSWORD,
                                                               "csrfmiddlewaretoken": self.cookies["csrftoken"]})
        if status != 302:
            raise RuntimeError(f"login of {username} failed: HTTP {status}")


def work(port: int, username: str, rounds: int, timings: dict, errors: list, start: threading.Barrier,
         think: float = 0.0) -> None:
    client = Client(port)
    client.login(username)
    pause = random.Random(username)
    start.wait()

    def timed(step, method, path, form=None):
        if think:
            time.sleep(think * pause.uniform(0.5, 1.5))
        t = time.perf_counter()
        result = client.request(method, path, form)
        timings[step].append(time.perf_counter() - t)
        return result

    for _ in range(rounds):
        status, location, _ = timed("next case (POST)", "POST", "/work/next/", {})
        match = re.search(r"/cases/(\d+)/", location)
        if status != 302 or not match:
            errors.append(f"{username}: next case gave {status} {location}")
            return
        case = match.group(1)
        status, _, page = timed("case page (GET)", "GET", f"/cases/{case}/")
        target = re.search(r'name="target" value="(cp:\d+)"', page)
        if status != 200 or not target:
            errors.append(f"{username}: case page {case} gave {status} (target found: {bool(target)})")
            continue
        status, location, _ = timed("call: gate (POST)", "POST", f"/cases/{case}/call/", {"target": target.group(1)})
        decision = re.search(r"call=(\d+)", location)
        if not decision:
            errors.append(f"{username}: call on {case} denied or failed ({status} {location})")
            continue
        status, location, _ = timed("call: disposition (POST)", "POST", f"/cases/{case}/call/log/", {
            "decision": decision.group(1), "outcome": "no_answer", "duration_seconds": "0", "note": ""})
        if status != 302 or "#activities" not in location:
            errors.append(f"{username}: disposition on {case} gave {status} {location}")


def _p95(ordered: list[float]) -> float:
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def serve(port: int, workers: int, threads: int, clock: str) -> subprocess.Popen:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="web_settings", CONCORD_CLOCK=clock,
               PYTHONPATH=f"{HERE}{os.pathsep}{ROOT}")
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    proc = subprocess.Popen([gunicorn, "concord.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", str(workers),
                             "--threads", str(threads), "-k", "gthread", "--log-level", "warning"], env=env,
                            cwd=ROOT, start_new_session=True)
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/login/")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/concord_wb_bench")
    ap.add_argument("--accounts", type=int, default=110_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--think", type=float, default=3.0,
                    help="seconds a collector pauses before each action (0: back to back, a saturation test)")
    ap.add_argument("--skip-load", action="store_true", help="reuse the book already in the database")
    args = ap.parse_args()
    for name in ("accounts", "clients", "rounds", "workers", "threads"):
        if getattr(args, name) < 1:
            raise SystemExit(f"--{name}: must be at least 1")
    if args.think < 0:
        raise SystemExit(f"--think: must be 0 or more seconds, got {args.think:g}")
    setup_django(args.postgres)
    if not args.skip_load:
        load_book(args.accounts, args.seed)
    else:
        from django.core.management import call_command
        call_command("migrate", verbosity=0)
    from concord.core import clock as concord_clock

    clock = dt.datetime.combine(concord_clock.today(), dt.time(10, 0), ZoneInfo("Asia/Shanghai"))
    usernames = prepare(args.clients, clock)
    from django.db import connection
    connection.close()
    app_cpu = cpu_time.of(resource.RUSAGE_CHILDREN)  # gunicorn and its workers, counted once they have exited (after the run)
    server = serve(args.port, args.workers, args.threads, clock.isoformat())
    db_cpu = cpu_time.postgres_server()
    steps = ["next case (POST)", "case page (GET)", "call: gate (POST)", "call: disposition (POST)"]
    timings: dict[str, list[float]] = {s: [] for s in steps}
    errors: list[str] = []
    try:
        barrier = threading.Barrier(len(usernames))
        threads = [threading.Thread(target=work, args=(args.port, u, args.rounds, timings, errors, barrier,
                                                          args.think))
                   for u in usernames]
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t
        db_cpu = cpu_time.postgres_server() - db_cpu
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    app_cpu = cpu_time.of(resource.RUSAGE_CHILDREN) - app_cpu
    total = sum(len(v) for v in timings.values())
    print(f"\n{args.clients} concurrent collectors × {args.rounds} rounds, gunicorn {args.workers} workers × "
          f"{args.threads} threads, think {args.think:g} s, PostgreSQL; {total:,} requests in {wall:.1f} s ({total / wall:,.0f} req/s)")
    print(f"{'step':<28}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for step in steps:
        values = sorted(timings[step])
        if not values:
            print(f"{step:<28}{0:>6}")
            continue
        print(f"{step:<28}{len(values):>6}{statistics.median(values) * 1000:>10.1f}{_p95(values) * 1000:>10.1f}"
              f"{values[-1] * 1000:>10.1f}")
    p95 = {step: _p95(sorted(timings[step])) for step in steps if timings[step]}
    reads = max((v for k, v in p95.items() if "(GET)" in k), default=0)
    writes = max((v for k, v in p95.items() if "(POST)" in k), default=0)
    verdict = "met" if reads < READ_TARGET and writes < WRITE_TARGET else "NOT met"
    print(f"targets (p95 < {READ_TARGET * 1000:.0f} ms reads, < {WRITE_TARGET * 1000:.0f} ms writes): {verdict} — "
          f"slowest read p95 {reads * 1000:.1f} ms, slowest write p95 {writes * 1000:.1f} ms")
    cores = os.cpu_count() or 1
    per_request = (app_cpu + db_cpu) / max(total, 1)
    print(f"CPU per request: app {app_cpu / max(total, 1) * 1000:.1f} ms (gunicorn, with its start), PostgreSQL "
          f"{db_cpu / max(total, 1) * 1000:.1f} ms; at most ≈ {cores / per_request:,.0f} req/s on {cores} cores")
    if errors:
        print(f"\n{len(errors)} errors, first: {errors[:3]}")


if __name__ == "__main__":
    main()
