"""The report pages: every report for a manager, a team lead limited to their teams, the cases behind a number,
the Excel file."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from concord.reports.pages import REPORTS
from concord.reports.tests.history_book import NOW, world_with_history

pytestmark = pytest.mark.clock(NOW)
PERIOD = "?start=2026-11-01&end=2026-12-31"


@pytest.fixture
def history(db):
    return world_with_history()


def _get(client, world, user, url):
    client.force_login(world.users[user])
    return client.get(url)


@pytest.mark.parametrize("name", list(REPORTS))
def test_every_report_opens_for_a_manager_with_tables_and_charts(client, history, name):
    r = _get(client, history, "manager", f"/reports/r/{name}/{PERIOD}")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'class="report-section"' in html or "report-section" in html
    assert "data-chart=" in html and "echarts.min.js" in html and "report-scoped" not in html
    assert "<script>" not in html  # no inline script (CSP)


def test_recovery_shows_the_cash_of_both_teams_to_a_manager_and_one_team_to_its_lead(client, history):
    manager = _get(client, history, "manager", f"/reports/r/recovery/{PERIOD}").content.decode()
    assert "A组" in manager and "B组" in manager and "400.00" in manager and "250.00" in manager
    lead = _get(client, history, "lead_a", f"/reports/r/recovery/{PERIOD}").content.decode()
    assert "report-scoped" in lead and "A组" in lead and "B组" not in lead
    assert "500.00" in lead and "250.00" not in lead  # team A's 400 + 100 only
    # the lead cannot ask for the other team
    team_b = history.teams["B"].pk
    assert _get(client, history, "lead_a", f"/reports/r/recovery/{PERIOD}&team={team_b}").status_code == 200
    assert "B组" not in _get(client, history, "lead_a", f"/reports/r/recovery/{PERIOD}&team={team_b}").content.decode()


def test_roles_without_reports_are_refused(client, history):
    assert _get(client, history, "col_a", f"/reports/r/recovery/{PERIOD}").status_code == 403
    assert _get(client, history, "viewer", "/reports/").status_code == 403
    assert _get(client, history, "manager", "/reports/r/nope/").status_code == 404


def test_the_cases_behind_a_number(client, history):
    html = _get(client, history, "manager", f"/reports/r/recovery/cases/{PERIOD}&what=paying").content.decode()
    assert "CARD-0001" not in html  # case references, not account references
    assert history.cases["a"].reference in html and history.cases["b"].reference in html
    lead = _get(client, history, "lead_a", f"/reports/r/recovery/cases/{PERIOD}&what=paying").content.decode()
    assert history.cases["a"].reference in lead and history.cases["b"].reference not in lead
    rolls = _get(client, history, "manager", f"/reports/r/roll-rates/{PERIOD}").content.decode()
    assert "/reports/r/roll-rates/cases/?" in rolls
    assert _get(client, history, "manager", f"/reports/r/recovery/cases/{PERIOD}&what=bogus").status_code == 404


def test_excel_export_has_a_sheet_per_section_with_formats(client, history):
    r = _get(client, history, "manager", f"/reports/r/recovery/export.xlsx{PERIOD}")
    assert r.status_code == 200 and r["Content-Disposition"].endswith('.xlsx"')
    wb = load_workbook(io.BytesIO(r.content))
    assert len(wb.sheetnames) == 6
    cash = wb[wb.sheetnames[1]]
    assert cash["A4"].font.bold and cash.freeze_panes == "A5"
    amounts = [row[1] for row in cash.iter_rows(min_row=5, values_only=True) if row[1]]
    assert sum(amounts) == 750
    assert next(c for c in cash["B"][4:] if c.value).number_format == "#,##0.00"
    teams = wb[wb.sheetnames[2]]
    assert teams["E5"].number_format == "0.00%"


def test_a_bad_filter_is_explained(client, history):
    r = _get(client, history, "manager", "/reports/r/recovery/?start=2026-12-31&end=2026-11-01")
    assert r.status_code == 200 and "截止日期不能早于起始日期" in r.content.decode()
    assert _get(client, history, "manager", "/reports/r/recovery/export.xlsx?start=x").status_code == 400


def test_the_pages_read_in_english(client, history):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _get(client, history, "manager", f"/reports/r/contact/{PERIOD}").content.decode()
    assert "By channel" in html and "Right-party contacts" in html and "按渠道" not in html
