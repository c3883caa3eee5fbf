"""Allocation (分案) and bulk reassignment on PostgreSQL, each against a hand-written set-based SQL statement doing
the same moves, in the same run.

    .venv/bin/python benchmarks/allocation.py [--cases 1000000] [--bulk 100000] \
        [--postgres postgres://postgres@127.0.0.1:5432/concord_alloc_bench] [--no-load]

1. A book of ``--cases`` open cases (one account each, a debtor with a province, a city and a language; 70 % with a
   collector of one of 20 teams × 10 collectors, assigned 1–120 days ago; 30 % in the pool) is loaded by COPY into a
   dedicated database (its domain tables are emptied first).
2. A 20-rule set (creditor × bucket × province, round robin within the target team, sticky, some rotating after
   N days, a last rule to the pool) is applied by ``allocation.services.apply`` — the facts read, the pure decision
   and spread (``eod.allocrules``), the moves written (cases, assignment history, one audit event per case moved) —
   and then, from the same starting book, by one hand-written SQL statement chain (a CASE per rule, row_number()
   for the round robin, UPDATE … FROM, the assignment history). Both results are compared case by case.
3. ``--bulk`` cases are reassigned to one collector by ``allocation.bulk.reassign`` (chunks of 2,000, one audit
   event per case) and, from the same book, by a hand-written UPDATE and INSERT.

Prints the times and the ratio (target ≤ 2×). The database must be a dedicated benchmark database.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

AS_OF = dt.date(2026, 12, 7)
TEAMS, PER_TEAM = 20, 10
PROVINCES = ["广东", "北京", "上海", "浙江", "江苏", "四川", "湖北", "山东", "河南", "福建"]
CITIES = {"广东": ["深圳", "广州"], "北京": ["北京"], "上海": ["上海"], "浙江": ["杭州", "宁波"], "江苏": ["南京", "苏州"],
          "四川": ["成都"], "湖北": ["武汉"], "山东": ["济南", "青岛"], "河南": ["郑州"], "福建": ["厦门", "福州"]}
BUCKETS = ["M1", "M2", "M3", "M4", "M5", "M6", "M7+"]
CREDITORS = 8


def setup(url: str) -> None:
    import psycopg

    base, _, dbname = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as con:
        if not con.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone():
            con.execute(f'CREATE DATABASE "{dbname}"')
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.settings")
    os.environ.setdefault("CONCORD_PII_KEY", "q2VhZ5a9oQm1n8kYtqWv0x3Zr7cLb4Gd6Hf2Je9KsPU=")
    os.environ.setdefault("CONCORD_CLOCK", "2026-12-07T10:00:00+08:00")
    import django

    django.setup()


def load(n: int, seed: int) -> None:
    from django.db import connection, transaction

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from eod_load import NOW, _copy, _money, _t

    rng = np.random.default_rng(seed)
    tables = ["core_auditevent", "core_audithead", "allocation_allocationrun", "allocation_ruleset",
              "allocation_bulkrequest", "eod_casestate", "legal_legalcase",
              _t("loans.LoanAccount"), _t("cases.Assignment"), _t("workbench.Promise"), _t("cases.Case"),
              _t("debtors.Debtor"), _t("creditors.Placement"), _t("creditors.Product"), _t("creditors.Creditor"),
              _t("staff.User"), _t("staff.Team")]
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        ids = np.arange(1, CREDITORS + 1)
        _copy("creditors.Creditor", {"id": ids, "code": [f"c{i}" for i in ids], "name": [f"委托方 {i}" for i in ids],
                                     "kind": ["bank"] * CREDITORS, "policy_pack": ["cn_bank"] * CREDITORS,
                                     "currency": ["CNY"] * CREDITORS, "time_zone": ["Asia/Shanghai"] * CREDITORS,
                                     "active": [True] * CREDITORS}, CREDITORS)
        pid = np.arange(1, 2 * CREDITORS + 1)
        _copy("creditors.Product", {"id": pid, "creditor_id": (pid - 1) // 2 + 1, "code": [f"p{i}" for i in pid],
                                    "name": [f"产品 {i}" for i in pid], "kind": ["online_loan"] * len(pid),
                                    "penalty_daily_rate": ["0.0005"] * len(pid), "compound_on_interest": [False] * len(pid),
                                    "grace_days": [3] * len(pid), "late_fee": ["0"] * len(pid),
                                    "waterfall": ['["fees","penalty","interest","principal"]'] * len(pid),
                                    "min_payment_rate": ["0.10"] * len(pid), "min_payment_floor": ["0"] * len(pid),
                                    "promise_grace_days": [1] * len(pid)}, len(pid))
        tid = np.arange(1, TEAMS + 1)
        _copy("staff.Team", {"id": tid, "name": [f"第{i}组" for i in tid], "buckets": ["[]"] * TEAMS,
                             "capacity": [0] * TEAMS}, TEAMS)
        m = TEAMS * PER_TEAM
        uid = np.arange(1, m + 1)
        _copy("staff.User", {"id": uid, "username": [f"col{i}" for i in uid], "password": ["!"] * m,
                             "is_active": [True] * m, "team_id": (uid - 1) // PER_TEAM + 1, "role": ["collector"] * m,
                             "capacity": [1_000_000] * m, "balance_capacity": ["0"] * m, "skills": ["[]"] * m,
                             "date_joined": pa.array([NOW] * m, pa.timestamp("us", tz="UTC"))}, m)
        with connection.cursor() as cur:
            cur.execute(f"INSERT INTO {_t('staff.User')} (id, username, password, is_active, role, capacity, "
                        "balance_capacity, skills, date_joined, is_superuser, is_staff, first_name, last_name, email) "
                        "VALUES (%s, 'manager', '!', true, 'manager', 0, 0, '[]', %s, false, false, '', '', '')",
                        [m + 1, NOW])
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{_t('staff.User')}', 'id'), {m + 1})")
        province = rng.integers(0, len(PROVINCES), n)
        prov = np.array(PROVINCES, object)[province]
        city = np.array([CITIES[p][rng.integers(0, len(CITIES[p]))] for p in PROVINCES], object)[province]
        did = np.arange(1, n + 1)
        sid = pa.array([f"b{i}" for i in did])
        _copy("debtors.Debtor", {"id": did, "full_name": sid, "id_type": ["cn_ric"] * n, "id_number": sid,
                                 "id_number_index": sid, "locale": np.where(rng.random(n) < 0.05, "en", "zh-hans"),
                                 "time_zone": ["Asia/Shanghai"] * n, "province": pa.array(prov, pa.string()),
                                 "city": pa.array(city, pa.string()), "deceased": np.zeros(n, bool)}, n)
        creditor = rng.integers(1, CREDITORS + 1, n)
        dpd = rng.integers(1, 240, n)
        bucket = np.array(BUCKETS, object)[np.minimum((dpd - 1) // 30, 6)]
        balance = rng.integers(50_000, 5_000_000, n)  # fen
        assigned = rng.random(n) < 0.7
        collector = np.where(assigned, rng.integers(1, m + 1, n), 0)
        team = np.where(assigned, (collector - 1) // PER_TEAM + 1, 0)
        _copy("cases.Case", {"id": did, "creditor_id": creditor, "debtor_id": did,
                             "reference": pa.array([f"C{i:08d}" for i in did]),
                             "status": np.where(assigned, "open", "new"),
                             "assigned_team_id": pa.array(team, mask=~assigned),
                             "assigned_collector_id": pa.array(collector, mask=~assigned),
                             "total_balance": _money(pa.array(balance)), "max_dpd": dpd,
                             "bucket": pa.array(bucket, pa.string()),
                             "opened_on": pa.array([AS_OF] * n, pa.date32())}, n)
        held = rng.integers(1, 120, n)
        started = (np.datetime64(AS_OF) - held.astype("timedelta64[D]")).astype("datetime64[us]") + np.timedelta64(2, "h")
        sel = np.flatnonzero(assigned)
        _copy("cases.Assignment", {"case_id": did[sel], "team_id": team[sel], "collector_id": collector[sel],
                                   "reason": ["bench"] * len(sel),
                                   "started_at": pa.array(started[sel], pa.timestamp("us", tz="UTC"))}, len(sel))
        product = (creditor - 1) * 2 + rng.integers(1, 3, n)
        _copy("loans.LoanAccount", {"id": did, "creditor_id": creditor, "product_id": product, "debtor_id": did,
                                    "case_id": did, "reference": pa.array([f"A{i:08d}" for i in did]),
                                    "contract_amount": _money(pa.array(balance)), "annual_rate": ["0.18"] * n,
                                    "method": ["equal_installment"] * n,
                                    "start_date": pa.array([dt.date(2025, 1, 1)] * n, pa.date32()),
                                    "principal_balance": _money(pa.array(balance)), "dpd": dpd,
                                    "bucket": pa.array(bucket, pa.string()), "status": ["open"] * n}, n)
        with connection.cursor() as cur:
            for label in ("cases.Case", "cases.Assignment", "debtors.Debtor", "loans.LoanAccount"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{_t(label)}', 'id'), "
                            f"(SELECT max(id) FROM {_t(label)}))")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def rule_set() -> list[dict]:
    """20 rules: creditor × bucket group × region, round robin within the target team, sticky; some rotate."""
    rules, n = [], 0
    groups = [["M1"], ["M2", "M3"], ["M4", "M5", "M6"], ["M7+"]]
    for c in range(1, 6):
        for g, buckets in enumerate(groups[:3] if c < 5 else groups):
            n += 1
            rules.append({"code": f"R{n:02d}", "creditors": [c], "buckets": buckets,
                          "provinces": PROVINCES[:5] if g == 0 else [], "team": (n - 1) % TEAMS + 1,
                          "method": "round_robin", "sticky": True, "rotate_days": 90 if g == 2 else None})
    while len(rules) < 19:
        n += 1
        rules.append({"code": f"R{n:02d}", "creditors": [6 + len(rules) % 3], "balance_min_fen": 2_000_000,
                      "team": (n - 1) % TEAMS + 1, "method": "round_robin", "sticky": True})
    rules.append({"code": "R20", "team": None, "method": "round_robin"})
    return rules


def snapshot_state():
    from django.db import connection
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_start")
        cur.execute("CREATE TABLE bench_start AS SELECT id, status, assigned_team_id, assigned_collector_id "
                    "FROM cases_case")
        cur.execute("SELECT max(id) FROM cases_assignment")
        max_asg = cur.fetchone()[0] or 0
        cur.execute("SELECT max(id) FROM core_auditevent")
        max_ev = cur.fetchone()[0] or 0
    return max_asg, max_ev


def restore_state(marks) -> None:
    """Back to the starting book (not timed): the cases' assignment, the history, the audit trail."""
    from django.db import connection
    max_asg, max_ev = marks
    with connection.cursor() as cur:
        cur.execute("UPDATE cases_case c SET status = s.status, assigned_team_id = s.assigned_team_id, "
                    "assigned_collector_id = s.assigned_collector_id FROM bench_start s WHERE s.id = c.id AND "
                    "(c.assigned_collector_id IS DISTINCT FROM s.assigned_collector_id OR "
                    "c.assigned_team_id IS DISTINCT FROM s.assigned_team_id OR c.status <> s.status)")
        cur.execute("DELETE FROM cases_assignment WHERE id > %s", [max_asg])
        cur.execute("UPDATE cases_assignment SET ended_at = NULL WHERE ended_at IS NOT NULL AND id <= %s", [max_asg])
        cur.execute("DELETE FROM core_auditevent WHERE id > %s", [max_ev])
        cur.execute("UPDATE core_audithead h SET seq = e.seq, hash = e.hash FROM (SELECT DISTINCT ON (chain) chain, "
                    "seq, hash FROM core_auditevent ORDER BY chain, seq DESC) e WHERE e.chain = h.id")
        cur.execute("DELETE FROM allocation_allocationrun")
    vacuum()


def vacuum() -> None:
    """Both paths start from tables without the dead rows of the previous one (not timed)."""
    from django.db import connection
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE cases_case, cases_assignment, core_auditevent")


def result_state() -> dict[int, tuple]:
    from django.db import connection
    with connection.cursor() as cur:
        cur.execute("SELECT id, assigned_team_id, assigned_collector_id FROM cases_case")
        return {r[0]: (r[1], r[2]) for r in cur.fetchall()}


def baseline_sql(rules: list[dict], version: int) -> list[str]:
    """The same rules by hand, set-based: each case's first matching rule as one CASE, the cases to place numbered
    per rule by balance (row_number) and dealt round robin to the team's collectors in id order (a rotating case
that would land on its own collector goes to the next), one UPDATE … FROM,
    the open assignments ended and the new ones inserted."""
    def cond(r):
        parts = []
        if r.get("creditors"):
            parts.append(f"c.creditor_id IN ({','.join(map(str, r['creditors']))})")
        if r.get("buckets"):
            parts.append("c.bucket IN (" + ",".join(f"'{b}'" for b in r["buckets"]) + ")")
        if r.get("provinces"):
            parts.append("d.province IN (" + ",".join(f"'{p}'" for p in r["provinces"]) + ")")
        if r.get("balance_min_fen") is not None:
            parts.append(f"c.total_balance * 100 >= {r['balance_min_fen']}")
        return " AND ".join(parts) or "TRUE"

    rule_case = "CASE " + " ".join(f"WHEN {cond(r)} THEN {i}" for i, r in enumerate(rules)) + " END"
    team_case = "CASE r " + " ".join(f"WHEN {i} THEN {r['team'] if r['team'] else 'NULL'}"
                                     for i, r in enumerate(rules)) + " END"
    rot_case = "CASE r " + " ".join(f"WHEN {i} THEN {r.get('rotate_days') or 'NULL'}"
                                    for i, r in enumerate(rules)) + " END"
    code_case = "CASE r " + " ".join(f"WHEN {i} THEN '{r['code']}'" for i, r in enumerate(rules)) + " END"
    today = AS_OF.isoformat()
    return [
        "DROP TABLE IF EXISTS bench_moves",
        f"""CREATE TEMP TABLE bench_moves AS
        WITH f AS (
            SELECT c.id, c.assigned_team_id AS ft, c.assigned_collector_id AS fc, c.total_balance, {rule_case} AS r,
                   (DATE '{today}' - CAST(a.started_at AT TIME ZONE 'Asia/Shanghai' AS DATE)) AS held
            FROM cases_case c JOIN debtors_debtor d ON d.id = c.debtor_id
            LEFT JOIN cases_assignment a ON a.case_id = c.id AND a.ended_at IS NULL
            WHERE c.status IN ('new', 'open', 'on_hold')),
        t AS (SELECT f.*, {team_case} AS tt, {rot_case} AS rot, {code_case} AS code FROM f WHERE r IS NOT NULL),
        d AS (SELECT t.*, CASE
                WHEN tt IS NULL THEN CASE WHEN ft IS NULL AND fc IS NULL THEN 'stay' ELSE 'pool' END
                WHEN fc IS NOT NULL AND ft = tt AND m.team_id = tt AND rot IS NOT NULL AND held >= rot THEN 'rotation'
                WHEN fc IS NOT NULL AND ft = tt AND m.team_id = tt THEN 'stay'
                WHEN fc IS NULL AND ft IS NULL THEN 'new' WHEN fc IS NULL THEN 'unassigned'
                WHEN m.id IS NULL THEN 'collector_inactive' ELSE 'team_change' END AS why
              FROM t LEFT JOIN staff_user m ON m.id = t.fc AND m.is_active AND m.team_id IS NOT NULL),
        p AS (SELECT d.*, row_number() OVER (PARTITION BY r ORDER BY total_balance DESC, id) - 1 AS k
              FROM d WHERE why NOT IN ('stay', 'pool')),
        members AS (SELECT id, team_id, row_number() OVER (PARTITION BY team_id ORDER BY id) - 1 AS slot,
                           count(*) OVER (PARTITION BY team_id) AS n
                    FROM staff_user WHERE is_active AND role IN ('collector', 'team_lead', 'field_agent')
                      AND team_id IS NOT NULL)
        SELECT p.id, p.ft, p.fc, p.tt,
               CASE WHEN p.why = 'rotation' AND mm.id = p.fc THEN nx.id ELSE mm.id END AS tc, p.code, p.why FROM p
          JOIN members mm ON mm.team_id = p.tt AND mm.slot = p.k % mm.n
          JOIN members nx ON nx.team_id = p.tt AND nx.slot = (p.k + 1) % nx.n
        UNION ALL SELECT id, ft, fc, NULL, NULL, code, why FROM d WHERE why = 'pool'""",
        "DELETE FROM bench_moves WHERE ft IS NOT DISTINCT FROM tt AND fc IS NOT DISTINCT FROM tc",
        """UPDATE cases_case c SET assigned_team_id = m.tt, assigned_collector_id = m.tc,
               status = CASE WHEN c.status = 'new' AND m.tc IS NOT NULL THEN 'open' ELSE c.status END
           FROM bench_moves m WHERE c.id = m.id""",
        "UPDATE cases_assignment a SET ended_at = now() FROM bench_moves m WHERE a.case_id = m.id AND a.ended_at IS NULL",
        f"""INSERT INTO cases_assignment (case_id, team_id, collector_id, reason, started_at)
            SELECT id, tt, tc, 'alloc:v{version}:' || code || ':' || why, now() FROM bench_moves""",
    ]


def timed_sql(statements: list[str], show: bool = False) -> float:
    from django.db import connection, transaction
    t = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        for s in statements:
            t0 = time.perf_counter()
            cur.execute(s)
            if show:
                print(f"    {time.perf_counter() - t0:7.2f} s  {' '.join(s.split())[:70]}")
    return time.perf_counter() - t


def page_timings(manager) -> None:
    """The bulk work page over the whole book: each column sorted both ways (first page and the count), a filter,
    the last page, the per-collector totals — as the page runs them (``bulk_views``)."""
    from django.core.paginator import Paginator
    from django.http import QueryDict

    from concord.allocation import bulk_views

    def timed(label, fn):
        t = time.perf_counter()
        fn()
        print(f"  {label:<44}{time.perf_counter() - t:8.3f} s")

    print("\nbulk work page over the book (manager):")
    for sort in ["-dpd", "balance", "reference", "debtor", "team", "collector", "province", "opened", "-bucket"]:
        _form, qs = bulk_views.filtered(manager, QueryDict(f"sort={sort}"))
        page = Paginator(qs.select_related("creditor", "debtor", "assigned_team", "assigned_collector")
                         .order_by(*bulk_views._ordering(sort)), 50)
        timed(f"sorted by {sort}: count and first page", lambda: (page.count, list(page.page(1))))
    _form, qs = bulk_views.filtered(manager, QueryDict("creditor=2&bucket=M2&province=广东&sort=-balance"))
    page = Paginator(qs.order_by(*bulk_views._ordering("-balance")), 50)
    timed("creditor 2, M2, 广东: count and first page", lambda: (page.count, list(page.page(1))))
    _form, qs = bulk_views.filtered(manager, QueryDict("sort=reference"))
    page = Paginator(qs.order_by(*bulk_views._ordering("reference")), 50)
    timed("last page by reference", lambda: list(page.page(page.num_pages)))
    _form, qs = bulk_views.filtered(manager, QueryDict(""))
    timed("per-collector totals of the whole book", lambda: bulk_views.collector_totals(qs))
    _form, qs = bulk_views.filtered(manager, QueryDict("team=3"))
    timed("per-collector totals of one team", lambda: bulk_views.collector_totals(qs))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--bulk", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/concord_alloc_bench")
    ap.add_argument("--no-load", action="store_true", help="use the book already in the database")
    ap.add_argument("--pages-only", action="store_true", help="only time the bulk work page's queries")
    args = ap.parse_args()
    setup(args.postgres)
    from django.core.management import call_command

    from concord.allocation import bulk, services
    from concord.staff.models import Team, User

    print(f"load average {os.getloadavg()[0]:.1f}")
    if not args.no_load:
        t = time.perf_counter()
        call_command("migrate", verbosity=0)
        load(args.cases, args.seed)
        print(f"load {args.cases:,} cases by COPY: {time.perf_counter() - t:.1f} s")
    manager = User.objects.get(username="manager")
    if args.pages_only:
        page_timings(manager)
        return
    rs = services.save_rules(manager, rule_set(), note="benchmark")
    marks = snapshot_state()
    vacuum()

    # -- allocation: the services' apply, then the hand-written statements from the same book ----------------------
    t = time.perf_counter()
    p = services.plan(rs)
    t_plan = time.perf_counter() - t
    t = time.perf_counter()
    run = services.apply(manager, rs)
    t_apply = time.perf_counter() - t
    ours = result_state()
    restore_state(marks)
    t_sql = timed_sql(baseline_sql(rs.rules, rs.version), show=True)
    theirs = result_state()
    same = sum(1 for k, v in ours.items() if theirs.get(k) == v)
    print(f"\nallocation of {p.cases:,} active cases by {len(rs.rules)} rules: {run.moved:,} moves "
          f"({p.summary['by_reason']})")
    print(f"  services.apply (read facts, decide, spread, write, audit per case): {t_apply:8.2f} s"
          f"  (of which a plan alone takes {t_plan:.2f} s)")
    print(f"  hand-written set-based SQL (same moves, no audit):                 {t_sql:8.2f} s")
    print(f"  ratio {t_apply / t_sql:.2f}×   (target ≤ 2×); results identical for {same:,} of {len(ours):,} cases")
    restore_state(marks)

    # -- bulk reassign ----------------------------------------------------------------------------------------------
    from django.db import connection
    target = User.objects.filter(role="collector").order_by("id").last()
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM cases_case WHERE status IN ('new', 'open') AND "
                    "assigned_collector_id IS DISTINCT FROM %s ORDER BY id LIMIT %s", [target.pk, args.bulk])
        ids = [r[0] for r in cur.fetchall()]
    t = time.perf_counter()
    result = bulk.reassign(manager, ids, collector=target, reason="benchmark")
    t_bulk = time.perf_counter() - t
    ours = result_state()
    restore_state(marks)
    id_list = ",".join(map(str, ids))
    team = Team.objects.get(pk=target.team_id)
    t_sql = timed_sql([
        f"UPDATE cases_assignment SET ended_at = now() WHERE ended_at IS NULL AND case_id IN ({id_list})",
        f"""UPDATE cases_case SET assigned_team_id = {team.pk}, assigned_collector_id = {target.pk},
              status = CASE WHEN status = 'new' THEN 'open' ELSE status END
            WHERE id IN ({id_list}) AND status IN ('new', 'open', 'on_hold')""",
        f"""INSERT INTO cases_assignment (case_id, team_id, collector_id, reason, started_at)
            SELECT id, {team.pk}, {target.pk}, 'bulk:reassign:benchmark', now() FROM cases_case
            WHERE id IN ({id_list})"""])
    theirs = result_state()
    same = sum(1 for k, v in ours.items() if theirs.get(k) == v)
    print(f"\nbulk reassign of {len(ids):,} cases to {target.username}: {result['changed']:,} changed")
    print(f"  allocation.bulk.reassign (chunks of 2,000, audit per case): {t_bulk:8.2f} s")
    print(f"  hand-written UPDATE + INSERT (no audit):                    {t_sql:8.2f} s")
    print(f"  ratio {t_bulk / t_sql:.2f}×   (target ≤ 2×); results identical for {same:,} of {len(ours):,} cases")
    restore_state(marks)
    page_timings(manager)
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
