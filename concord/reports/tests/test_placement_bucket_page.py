"""Recovery by bucket at placement on the recovery page: its table, chart, the cases behind each row and its sheet
of the Excel file, on a placement run through the end-of-day engine (checked against the raw tables)."""
from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from html import unescape as html_unescape
from urllib.parse import parse_qs

import pytest
import time_machine
from openpyxl import load_workbook

from concord.eod import adapter
from concord.loans.models import LoanAccount
from concord.reports.tests.test_metrics_book import PLACED, SH, _pay, _placed_book

pytestmark = pytest.mark.clock("2027-01-04T10:00:00+08:00")
PERIOD = "?start=2026-11-01&end=2026-12-31"


@pytest.fixture
def placed(world):
    with time_machine.travel(dt.datetime(2026, 11, 28, 9, tzinfo=SH), tick=True):
        placement, accounts = _placed_book(world)
    adapter.run_eod(PLACED)
    buckets = {a.pk: LoanAccount.objects.get(pk=a.pk).bucket for a in accounts}  # after the first run
    with time_machine.travel(dt.datetime(2026, 12, 5, 12, tzinfo=SH), tick=True):
        _pay(accounts[0], "500.00", dt.date(2026, 12, 5), "B-1")
    adapter.run_eod(dt.date(2026, 12, 10))
    return world, accounts, buckets


def test_the_recovery_page_breaks_recovery_down_by_bucket_at_placement(client, placed):
    world, accounts, buckets = placed
    by_bucket = defaultdict(list)
    for a in accounts:
        by_bucket[buckets[a.pk]].append(a)
    assert len(by_bucket) >= 2
    client.force_login(world.users["manager"])
    html = client.get(f"/reports/r/recovery/{PERIOD}").content.decode()
    section = html[html.index('id="section-placement_bucket"'):]
    section = section[:section.index("</section>")]
    assert "data-chart=" in section
    for bucket, accs in by_bucket.items():
        assert f'<td class="text">{bucket}</td>' in section
    paid_bucket = buckets[accounts[0].pk]
    # the cases behind the row of the first account's bucket
    links = [html_unescape(part.split('"')[0]) for part in section.split("/reports/r/recovery/cases/?")[1:]]
    link = next(l for l in links if parse_qs(l)["placed_bucket"] == [paid_bucket])
    cases = client.get(f"/reports/r/recovery/cases/?{link}").content.decode()
    for a in accounts:
        assert (a.case.reference in cases) == (buckets[a.pk] == paid_bucket)
    # the Excel file: the section's sheet, with each bucket's placed balance and what it recovered
    wb = load_workbook(io.BytesIO(client.get(f"/reports/r/recovery/export.xlsx{PERIOD}").content))
    sheet = wb[wb.sheetnames[-1]]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=5, values_only=True) if r[0] in by_bucket}
    assert set(rows) == set(by_bucket)
    assert rows[paid_bucket][3] == 500  # recovered
    assert sum(r[1] for r in rows.values()) == len(accounts)
