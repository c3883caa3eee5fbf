"""The worker, the schedule and the end-of-day run in a real browser, against real processes: a web server and
``concord worker`` started as subprocesses on a database of their own (a SQLite file, or a PostgreSQL database next
to the suite's when DATABASE_URL names one), so that the worker can be killed with SIGKILL mid-job."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from concord.conftest import TEST_PII_KEY

from .test_ui_browser import ARGS, CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TODAY = "2026-12-07T10:00:00+08:00"
BIN = Path(sys.executable).parent


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    """A database, a web server on it and the means to start and kill workers."""

    def __init__(self, base: Path):
        self.base = base
        url = os.environ.get("DATABASE_URL", "")
        worker = os.environ.get("PYTEST_XDIST_WORKER", "gw")
        if url.startswith("postgres"):
            import psycopg

            root, name = url.rsplit("/", 1)
            self.pg_name = f"{name}_e2e_{worker}"
            with psycopg.connect(f"{root}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{self.pg_name}"')
            self.url = f"{root}/{self.pg_name}"
        else:
            self.pg_name = None
            self.url = f"sqlite:///{base / 'concord.sqlite3'}"
        self.env = {**os.environ, "DATABASE_URL": self.url, "CONCORD_DATA_DIR": str(base),
                    "CONCORD_PII_KEY": TEST_PII_KEY, "CONCORD_CLOCK": TODAY, "CONCORD_IMPORTS_CHUNK_ROWS": "100",
                    "CONCORD_WORKER_HEARTBEAT_SECONDS": "1", "DJANGO_SETTINGS_MODULE": "concord.settings", "CONCORD_DEV_KEYS": "1"}
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.workers: list[subprocess.Popen] = []
        self.server = None

    def run(self, *args, env=None):
        return subprocess.run([str(BIN / "concord"), *args], env={**self.env, **(env or {})}, check=True,
                              capture_output=True, text=True, timeout=300)

    def setup(self):
        self.run("migrate", "-v0")
        self.python("""
from concord.conftest import build_world
from concord.staff.models import User
build_world()
User.objects.create_user(username="ops", password="pw-ops", role="operator", email="ops@concord.example.cn")
""")
        port = _port()
        self.url_base = f"http://127.0.0.1:{port}"
        log = open(self.base / "server.log", "w")
        self.server = subprocess.Popen([str(BIN / "concord"), "runserver", f"127.0.0.1:{port}", "--noreload"],
                                       env=self.env, stdout=log, stderr=subprocess.STDOUT)
        for _ in range(600):
            if self.server.poll() is not None:
                raise RuntimeError("the web server stopped: " + (self.base / "server.log").read_text()[-2000:])
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the web server did not start")

    def python(self, code: str, env=None) -> str:
        script = "import django; django.setup()\n" + code
        done = subprocess.run([sys.executable, "-c", script], env={**self.env, **(env or {})}, check=True,
                              capture_output=True, text=True, timeout=300)
        return done.stdout.strip()

    def sql(self, query: str, params=()):
        if self.pg_name:
            import psycopg

            with psycopg.connect(self.url) as conn:
                return conn.execute(query.replace("%", "%%").replace("?", "%s"), params).fetchall()
        import sqlite3

        with sqlite3.connect(self.base / "concord.sqlite3", timeout=30) as conn:
            return conn.execute(query, params).fetchall()

    def start_worker(self, *args, env=None) -> subprocess.Popen:
        log = open(self.base / f"worker-{len(self.workers)}.log", "w")
        proc = subprocess.Popen([str(BIN / "concord"), "worker", "--interval", "0.2", "--tick", "0.5", *args],
                                env={**self.env, **(env or {})}, stdout=log, stderr=subprocess.STDOUT)
        self.workers.append(proc)
        return proc

    def stop_workers(self):
        for proc in self.workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self.workers = []

    def close(self):
        self.stop_workers()
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=20)
        if self.pg_name:
            import psycopg

            root = self.url.rsplit("/", 1)[0]
            with psycopg.connect(f"{root}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')


def wait_for(predicate, timeout=120.0, every=0.1, what="the condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    s = Stack(tmp_path_factory.mktemp("operations"))
    try:
        s.setup()
        yield s
    finally:
        s.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, stack):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30000)
    yield page
    context.close()
    stack.stop_workers()


def login(page, stack, username):
    page.goto(stack.url_base + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-" + username)
    page.click("button[type=submit]")
    page.wait_for_url(stack.url_base + "/")


def test_the_worker_is_killed_mid_import_and_the_import_finishes_once_it_restarts(page, stack):
    from concord.imports import samples

    rows = 3000
    path = samples.write_csv(stack.base / "placements.csv", samples.placement_rows(rows, seed=11, bad_rate=0.02,
                                                                                    prefix="KILL"))
    worker = stack.start_worker("--no-schedule")
    login(page, stack, "manager")
    page.goto(stack.url_base + "/imports/")
    page.select_option("select[name=creditor]", label="示例平台")
    page.set_input_files("input[name=file]", str(path))
    page.click("#upload-form button[type=submit]")
    page.wait_for_url("**/imports/*/")
    batch = int(page.url.rstrip("/").rsplit("/", 1)[1])

    def mid_way():
        done = stack.sql("SELECT processed_rows FROM imports_importbatch WHERE id = ?", (batch,))[0][0]
        return 300 <= done < rows - 500 and done
    done_before = wait_for(mid_way, every=0.02, what="the import to be part-way")
    worker.kill()  # SIGKILL: no clean-up of any kind
    worker.wait()
    status, done_at_kill = stack.sql("SELECT status, processed_rows FROM imports_importbatch WHERE id = ?", (batch,))[0]
    assert status == "running" and done_at_kill >= done_before
    (job_state, attempts), = stack.sql("SELECT state, attempts FROM core_job WHERE kind = 'imports.batch'")
    assert (job_state, attempts) == ("running", 1)

    stack.start_worker("--no-schedule")
    wait_for(lambda: stack.sql("SELECT status FROM imports_importbatch WHERE id = ?", (batch,))[0][0] == "done",
             what="the import to finish")
    page.wait_for_selector("#progress .tag:has-text('已完成')", timeout=30000)

    (processed, created, updated, unchanged, rejected), = stack.sql(
        "SELECT processed_rows, created_count, updated_count, unchanged_count, rejected_count "
        "FROM imports_importbatch WHERE id = ?", (batch,))
    assert processed == rows and created + updated + unchanged + rejected == rows
    accounts = stack.sql("SELECT reference FROM loans_loanaccount WHERE reference LIKE 'KILL%'")
    assert len(accounts) == len({a for (a,) in accounts}) == created  # every good row landed, none twice
    events = [r for (r,) in stack.sql("SELECT changes FROM core_auditevent WHERE action = 'import.placements.rows' "
                                      "AND object_id = ?", (str(batch),))]
    import json

    covered = []
    for changes in events:
        first, last = json.loads(changes)["rows"] if isinstance(changes, str) else changes["rows"]
        covered.extend(range(first, last + 1))
    assert len(covered) == len(set(covered)) == rows  # each row in exactly one committed chunk
    (job_state, attempts), = stack.sql("SELECT state, attempts FROM core_job WHERE kind = 'imports.batch'")
    assert (job_state, attempts) == ("succeeded", 2)


def test_an_operator_edits_the_schedule(page, stack):
    login(page, stack, "ops")
    page.click("#nav-operations")
    page.click("#to-schedule")
    row = page.locator("#entry-eod_nightly")
    row.locator("input[type=time]").fill("01:15")
    row.locator("input[type=checkbox][value='7']").uncheck()
    row.locator("button", has_text="保存").click()
    page.wait_for_selector(".flash:has-text('计划任务已保存')")
    assert "2026-12-08 01:15" in page.locator("#entry-eod_nightly .next").inner_text()
    (at, days, who), = stack.sql("SELECT e.at, e.weekdays, u.username FROM operations_scheduleentry e "
                                 "JOIN staff_user u ON u.id = e.updated_by_id WHERE e.key = 'eod_nightly'")
    assert str(at).startswith("01:15") and days == "123456" and who == "ops"
    stack.python("""
import datetime as dt
from concord.operations import services
from concord.staff.models import User
services.set_schedule(User.objects.get(username="ops"), "eod_nightly", enabled=True, at=dt.time(0, 30),
                      weekdays="1234567")
""")


def test_the_schedule_runs_the_end_of_day_run_without_anyone_starting_it(page, stack):
    before = stack.sql("SELECT COUNT(*) FROM eod_eodrun WHERE as_of = '2026-12-07' AND status = 'succeeded'")[0][0]
    stack.start_worker(env={"CONCORD_CLOCK": "2026-12-08T00:31:00+08:00"})
    wait_for(lambda: stack.sql("SELECT state FROM core_job WHERE slot = 'eod_nightly@2026-12-08T00:30:00+08:00'"
                               " AND state = 'succeeded'"), timeout=180, what="the nightly run")
    (created_by, params), = stack.sql("SELECT created_by_id, params FROM core_job WHERE slot LIKE 'eod_nightly@%'")
    assert created_by is None and "2026-12-07" in str(params)
    assert stack.sql("SELECT COUNT(*) FROM eod_eodrun WHERE as_of = '2026-12-07' AND status = 'succeeded'")[0][0] \
        == before + 1
    login(page, stack, "manager")
    page.goto(stack.url_base + "/eod/")
    assert "2026-12-07" in page.locator("#eod-runs tbody tr").first.inner_text()


def test_a_manager_starts_and_watches_an_end_of_day_run(page, stack):
    stack.start_worker("--no-schedule")
    login(page, stack, "manager")
    page.goto(stack.url_base + "/eod/")
    page.fill("#eod-start input[name=as_of]", "2026-12-07")
    page.click("#eod-start button[type=submit]")
    page.wait_for_url("**/operations/jobs/*/")
    page.wait_for_selector(".job-stages td:has-text('validate')", timeout=120000)  # watched stage by stage
    page.wait_for_selector(".job-state:has-text('已完成')", timeout=180000)
    assert page.locator(".job-percent").inner_text() == "100%"
    page.click("text=查看本次日终运行的数据")
    page.wait_for_selector("#eod-buckets")
    assert page.locator("#eod-buckets").count() == 1
    assert "2026-12-07" in page.locator("h2", has_text="运行 #").inner_text()
