"""The one clock: nothing outside ``core/clock.py`` reads the wall clock, the override fixes it, dates are in a
time zone, and the suite itself runs at a pinned instant whatever the system date is."""
from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from concord.conftest import SUITE_NOW
from concord.core import clock

ROOT = Path(__file__).resolve().parents[3]
SHANGHAI = ZoneInfo("Asia/Shanghai")

#: Calls that read the wall clock, by the last two parts of their dotted name.
WALL_CLOCK = {("timezone", "now"), ("timezone", "localdate"), ("timezone", "localtime"), ("datetime", "now"),
              ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"), ("time", "time"),
              ("time", "time_ns")}
#: Names that read it when imported bare (``from django.utils.timezone import now``).
BARE = {("django.utils.timezone", "now"), ("django.utils.timezone", "localdate"), ("time", "time")}


def dotted(node) -> tuple[str, ...]:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return tuple(reversed(parts))


def wall_clock_reads(source: str) -> list[tuple[int, str]]:
    """(line, call) for every reading of the wall clock in ``source``. ``timezone.localtime(x)`` and
    ``timezone.localdate(x)`` convert an instant they are given and are fine; without an argument they read now."""
    tree = ast.parse(source)
    bare = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
            for alias in node.names if (node.module, alias.name) in BARE}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = dotted(node.func)
        converts = name[-1:] in (("localtime",), ("localdate",)) and (node.args or node.keywords)
        if (name[-2:] in WALL_CLOCK and not converts) or (len(name) == 1 and name[0] in bare):
            found.append((node.lineno, ".".join(name)))
    return found


def test_the_detector_finds_every_form():
    source = ("import datetime as dt\nfrom django.utils import timezone\nfrom django.utils.timezone import now\n"
              "import time\n"
              "a = timezone.now()\nb = timezone.localdate()\nc = dt.datetime.now(dt.UTC)\nd = dt.date.today()\n"
              "e = now()\nf = time.time()\ng = timezone.localdate(a)\nh = timezone.localtime(a)\n")
    assert [call for _line, call in wall_clock_reads(source)] == [
        "timezone.now", "timezone.localdate", "dt.datetime.now", "dt.date.today", "now", "time.time"]


def test_no_module_reads_the_wall_clock_but_core_clock():
    own = Path(clock.__file__).resolve()
    offenders = []
    for folder in ("concord", "tests", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.resolve() == own:
                continue
            for line, call in wall_clock_reads(path.read_text(encoding="utf-8")):
                offenders.append(f"{path.relative_to(ROOT)}:{line}: {call}()")
    assert not offenders, "read the time through concord.core.clock:\n" + "\n".join(offenders)


def test_the_suite_runs_at_its_pinned_instant():
    assert abs(clock.now() - SUITE_NOW) < dt.timedelta(minutes=5)
    assert clock.today() == dt.date(2026, 12, 7)


@pytest.mark.clock("2027-02-10T23:30:00+00:00")
def test_a_test_can_pin_its_own_instant():
    # 23:30 in London is already the next day in Shanghai
    assert clock.today() == dt.date(2027, 2, 11)
    assert clock.today("Europe/London") == dt.date(2027, 2, 10)


def test_the_override_fixes_now_and_needs_an_offset(settings):
    settings.CONCORD_CLOCK = "2026-12-24T09:15:00+08:00"
    assert clock.now() == dt.datetime(2026, 12, 24, 9, 15, tzinfo=SHANGHAI)
    assert clock.today() == dt.date(2026, 12, 24)
    settings.CONCORD_CLOCK = "2026-12-24T09:15:00"
    with pytest.raises(ValueError, match="offset"):
        clock.now()


def test_dates_and_day_starts_are_in_a_zone():
    at = dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC)  # 01:00 on 1 January in Shanghai
    assert clock.local_date(at) == dt.date(2027, 1, 1)
    assert clock.local_date(at, "America/New_York") == dt.date(2026, 12, 31)
    start = clock.day_start(dt.date(2027, 1, 1))
    assert start == dt.datetime(2027, 1, 1, tzinfo=SHANGHAI) and start.utcoffset() == dt.timedelta(hours=8)
    assert clock.at_time(dt.date(2027, 1, 1), dt.time(8), "UTC") == dt.datetime(2027, 1, 1, 8, tzinfo=dt.UTC)
    assert clock.now_or(at) is at
    assert abs(clock.now_or(None) - clock.now()) < dt.timedelta(seconds=5)
