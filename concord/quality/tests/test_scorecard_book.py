"""The scorecard on a book run through the end-of-day engine: every count against an independent computation over
the raw tables (payments, contact attempts, gate decisions, complaints, promises, reviews), the totals against the
pure scoring of those counts, and the pages: a manager, a team lead (their team only), the Excel file, the drill-down."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from concord.compliance.models import Complaint, ContactAttempt, ContactDecision
from concord.loans.models import Payment
from concord.quality import measures, scorecard
from concord.quality.models import Review
from concord.reports import capture
from concord.reports.metrics import Filters
from concord.workbench.models import Promise

from .scorecard_book import NOW, scorecard_book

pytestmark = pytest.mark.clock(NOW)
START, END = dt.date(2026, 11, 1), dt.date(2026, 12, 31)
PERIOD = f"?start={START}&end={END}"


@pytest.fixture
def book(db):
    return scorecard_book()


def _in_period(moment) -> bool:
    return START <= timezone.localtime(moment).date() <= END


def _raw(world, user) -> dict:
    """The counts of one collector from the raw tables (every case keeps its owner throughout this book)."""
    cases = {c.pk for c in world.cases.values() if c.assigned_collector_id == user.pk}
    pays = [p for p in Payment.objects.filter(reversed_at__isnull=True, account__case_id__in=cases) if _in_period(p.paid_at)]
    decisions = [d for d in ContactDecision.objects.filter(actor=user) if _in_period(d.at)]
    resolved = [p for p in Promise.objects.filter(created_by=user, resolved_at__isnull=False) if _in_period(p.resolved_at)]
    reviews = [r for r in Review.objects.filter(sample__collector=user) if _in_period(r.sample.activity.at)]
    return {"recovered_fen": sum(int(p.amount * 100) for p in pays),
            "contacts": sum(1 for a in ContactAttempt.objects.filter(collector=user, direction="outbound")
                            if _in_period(a.at)),
            "complaints": sum(1 for c in Complaint.objects.filter(case_id__in=cases) if _in_period(c.received_at)),
            "requests": len(decisions), "denials": sum(1 for d in decisions if not d.allowed),
            "kept": sum(1 for p in resolved if p.status == "kept"), "resolved": len(resolved),
            "reviews": len(reviews), "score_sum": sum(r.score for r in reviews),
            "breaches": sum(sum(1 for i in r.items if i["breach"] and i["result"] == "fail") for r in reviews)}


def test_the_counts_equal_the_raw_tables(book):
    con = capture.store().connect()
    got = measures.raw_counts(con, START, END, "collector_id")
    for name in ("col_a", "col_b"):
        user = book.users[name]
        raw = _raw(book, user)
        assert {k: got[user.pk][k] for k in raw} == raw, name
    # what this book holds, so the comparison above is not empty
    a, b = got[book.users["col_a"].pk], got[book.users["col_b"].pk]
    assert (a["recovered_fen"], a["kept"], a["denials"], a["reviews"], a["breaches"]) == (50000, 1, 1, 1, 0)
    assert (b["recovered_fen"], b["complaints"], b["contacts"], b["reviews"], b["breaches"], b["score_sum"]) == \
        (25000, 1, 1, 1, 1, 60)
    # a team's counts are its collectors' here (each team has one collector with cases)
    teams = measures.raw_counts(con, START, END, "team_id")
    for team, name in (("A", "col_a"), ("B", "col_b")):
        mine = {k: v for k, v in got[book.users[name].pk].items()}
        theirs = teams[book.teams[team].pk]
        assert {k: theirs[k] for k in ("recovered_fen", "held_fen", "contacts", "complaints", "kept", "resolved",
                                       "reviews", "score_sum", "breaches")} == \
            {k: mine[k] for k in ("recovered_fen", "held_fen", "contacts", "complaints", "kept", "resolved",
                                  "reviews", "score_sum", "breaches")}


def test_the_lines_are_the_pure_scoring_of_the_raw_counts(book):
    con = capture.store().connect()
    lines = {ln.key: ln for ln in measures.lines(con, START, END, "collector")}
    counts = measures.raw_counts(con, START, END, "collector_id")
    expected = [scorecard.Line(k, str(k), scorecard.values(**counts[k])) for k in lines]
    scorecard.score(expected, scorecard.DEFAULT_WEIGHTS)
    for e in expected:
        assert (lines[e.key].values, lines[e.key].scores, lines[e.key].total) == (e.values, e.scores, e.total)
    a, b = lines[book.users["col_a"].pk], lines[book.users["col_b"].pk]
    # col_a recovered twice as much, kept a promise, had no complaint and no breach; col_b a complaint and a breach
    assert a.values["quality"] == 100.0 and b.values["quality"] == 60.0
    assert b.values["complaints"] == 10000.0 and b.scores["complaints"] == 0.0
    assert a.rank == 1 and b.rank == 2
    # a collector filter picks that line among the same peers
    only = measures.lines(con, START, END, "collector", Filters(collector_id=b.key))
    assert [(ln.key, ln.total, ln.rank) for ln in only] == [(b.key, b.total, 2)]
    # a team lead's scope: only their team's collectors
    scoped = measures.lines(con, START, END, "collector", Filters(teams=(book.teams["A"].pk,)))
    assert [ln.key for ln in scoped] == [a.key]


def test_the_page_for_a_manager_and_for_a_team_lead(client, book):
    client.force_login(book.users["manager"])
    html = client.get(f"/quality/scorecard/{PERIOD}").content.decode()
    assert "data-chart=" in html and "col_a" in html and "col_b" in html and "report-scoped" not in html
    assert f'/quality/?status=reviewed&amp;collector={book.users["col_b"].pk}"' in html
    html = client.get(f"/quality/scorecard/{PERIOD}&level=team").content.decode()
    assert "A组" in html and "B组" in html
    client.force_login(book.users["lead_a"])
    html = client.get(f"/quality/scorecard/{PERIOD}").content.decode()
    assert "report-scoped" in html and "col_a" in html and "col_b" not in html
    other = client.get(f"/quality/scorecard/{PERIOD}&team={book.teams['B'].pk}").content.decode()
    assert "errorlist" in other and "col_b" not in other and "section-lines" not in other
    client.force_login(book.users["col_a"])
    assert client.get(f"/quality/scorecard/{PERIOD}").status_code == 403


def test_the_excel_file_and_the_cases_behind_a_count(client, book):
    client.force_login(book.users["manager"])
    r = client.get(f"/quality/scorecard/export.xlsx{PERIOD}")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb[wb.sheetnames[0]]
    header = [c.value for c in ws[4]]
    assert header[:3] == ["排名", "催收员", "综合得分"]
    body = {row[1]: row for row in ws.iter_rows(min_row=5, values_only=True) if row[1]}
    lines = {ln.name: ln for ln in measures.lines(capture.store().connect(), START, END, "collector")}
    assert {name: row[2] for name, row in body.items()} == {name: ln.total for name, ln in lines.items()}
    col_b = book.users["col_b"].pk
    html = client.get(f"/quality/scorecard/cases/{PERIOD}&key={col_b}&what=complaints").content.decode()
    assert book.cases["b"].reference in html and book.cases["a"].reference not in html
    html = client.get(f"/quality/scorecard/cases/{PERIOD}&key={book.users['col_a'].pk}&what=denials").content.decode()
    assert book.cases["a"].reference in html
    html = client.get(f"/quality/scorecard/cases/{PERIOD}&key={col_b}&what=paying").content.decode()
    assert book.cases["b"].reference in html
    client.force_login(book.users["lead_a"])
    r = client.get(f"/quality/scorecard/cases/{PERIOD}&level=team&key={book.teams['B'].pk}&what=paying")
    assert r.status_code == 403


def test_a_collector_sees_their_own_line(client, book):
    client.force_login(book.users["col_b"])
    html = client.get("/quality/mine/").content.decode()
    assert 'id="my-rank">2<' in html and "出现威胁性语言" in html


@pytest.mark.parametrize("user, url", [("manager", f"/quality/scorecard/{PERIOD}"),
                                       ("manager", f"/quality/scorecard/{PERIOD}&level=team"),
                                       ("manager", "/quality/?status=all"), ("manager", "/quality/checklist/"),
                                       ("manager", "/quality/scorecard/rubric/"), ("manager", "review"),
                                       ("col_b", "/quality/mine/")])
def test_the_pages_in_english(client, book, user, url):
    import re

    from concord.quality.models import ChecklistItem, Sample

    client.force_login(book.users[user])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    if url == "review":
        url = f"/quality/samples/{Sample.objects.get(collector=book.users['col_b']).pk}/"
    html = client.get(url).content.decode()
    data = ["简体中文", *(t.name for t in book.teams.values()), *(c.debtor.full_name for c in book.cases.values()),
            *(c.name for c in book.creditors.values()), *(r.comments for r in Review.objects.all()),
            *(i.label_zh for i in ChecklistItem.objects.all()), "电话"]
    for value in sorted(data, key=len, reverse=True):
        html = html.replace(value, "")
    assert not sorted(set(re.findall(r"[\u4e00-\u9fff]", html))), url
