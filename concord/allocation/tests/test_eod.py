"""The end-of-day run is handed the current allocation rules: its moves are the preview's (one rule, one place)."""
from __future__ import annotations

import datetime as dt

import pytest

from concord.allocation import services
from concord.cases.models import Assignment, Case
from concord.eod import adapter

AS_OF = dt.date(2026, 11, 28)


@pytest.mark.django_db(transaction=False)
def test_end_of_day_moves_are_the_previews(world):
    from concord.debtors.services import add_contact_point

    add_contact_point(None, world.cases["u"].debtor, kind="address", value="广东省广州市天河区", address_type="home")
    services.save_rules(world.users["manager"], [
        {"code": "GD", "provinces": ["广东"], "team": world.teams["B"].pk, "method": "balance"},
        {"code": "FIN", "creditors": [world.creditors["fin"].pk], "team": None},
        {"code": "REST", "team": world.teams["A"].pk, "method": "capacity", "sticky": True},
    ])
    preview = {m.case_id: (m.to_team, m.to_collector, m.rule, m.reason) for m in services.plan(today=AS_OF).moves}
    assert set(preview) == {world.cases["u"].pk, world.cases["b"].pk}
    run = adapter.run_eod(AS_OF)
    assert run.status == "succeeded", run.error
    for case_id, (team, collector, rule, reason) in preview.items():
        case = Case.objects.get(pk=case_id)
        assert (case.assigned_team_id, case.assigned_collector_id) == (team, collector)
        if team is not None:
            assert Assignment.objects.get(case=case, ended_at__isnull=True).reason == f"eod:v1:{rule}:{reason}"
    # the case kept by the sticky rule stays with its collector
    assert Case.objects.get(pk=world.cases["a"].pk).assigned_collector == world.users["col_a"]
