"""The end-of-day page: managers and administrators see the last runs and a run's summary, in Chinese or English."""
from __future__ import annotations

import datetime as dt

import pytest

from concord.eod import adapter

AS_OF = dt.date(2026, 11, 28)


@pytest.mark.parametrize("lang, words", [("zh-hans", ["日终运行", "各账龄账户数", "账龄迁移率", "各阶段耗时"]),
                                         ("en", ["<svg"])])
def test_page_renders_runs_and_summary(world, client, lang, words):
    run = adapter.run_eod(AS_OF)
    client.force_login(world.users["manager"])
    client.cookies["django_language"] = lang
    resp = client.get("/eod/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert f"?run={run.pk}" in html and "<svg" in html and 'id="eod-stages"' in html
    if lang == "zh-hans":
        for word in words:
            assert word in html
    resp = client.get(f"/eod/?run={run.pk}")
    assert resp.status_code == 200


def test_page_shows_a_failed_run_and_refuses_other_roles(world, client):
    from concord.eod.models import EodRun

    EodRun.objects.create(as_of=AS_OF, engine="duckdb", status="failed", started_at="2026-11-29T01:00:00Z",
                          error="RuntimeError: disk full")
    client.force_login(world.users["admin"])
    html = client.get("/eod/").content.decode()
    assert "disk full" in html and "还没有日终运行" not in html
    for name in ("col_a", "lead_a", "viewer"):
        client.force_login(world.users[name])
        assert client.get("/eod/").status_code == 403
    client.force_login(world.users["manager"])
    assert client.get("/eod/?run=abc").status_code == 403
    assert client.get("/eod/?run=99999").status_code == 404


def test_page_counts_the_path_actions_of_the_next_day(world, client):
    from concord.eod.models import EodRun

    EodRun.objects.create(as_of=AS_OF, engine="duckdb", status="succeeded", started_at="2026-11-29T01:00:00Z",
                          finished_at="2026-11-29T01:01:00Z",
                          summary={"path_actions": {"legal_review": 3, "sms": 7}, "queue": {"contacts": 7}})
    client.force_login(world.users["manager"])
    client.cookies["django_language"] = "en"
    html = client.get("/eod/").content.decode()
    assert 'id="eod-path-actions"' in html
    assert '<tr data-action="sms"><th>SMS</th><td>7</td></tr>' in html
    assert ('<tr data-action="legal_review"><th>Due for legal review</th><td><a href="/legal/review/">3</a></td></tr>'
            in html)  # the cases themselves: the legal app's list
    assert html.index('data-action="sms"') < html.index('data-action="legal_review"')
