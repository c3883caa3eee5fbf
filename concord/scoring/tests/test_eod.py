"""The approved scorecard in the end-of-day run: approving a model changes the run's scores to the model's points
(the same compiled expressions as the expert scorecard), retiring it brings the expert scorecard back; each run
measures the live models' drift on its day (an operations alert past 0.25)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.urls import reverse

from concord.eod import adapter, rules
from concord.eod.models import CaseState
from concord.operations.models import Alert
from concord.reports.capture import store
from concord.scoring import features, services, training
from concord.scoring.models import DriftCheck

from .helpers import END, START, trained

AS_OF = dt.date(2026, 11, 28)


def _scores():
    return dict(CaseState.objects.values_list("case_id", "score"))


@pytest.mark.django_db
def test_approval_changes_the_eod_scores_and_drift_is_measured(world, client):
    expert_run = adapter.run_eod(AS_OF)
    assert expert_run.summary["scorecard"] == "expert"
    expert = _scores()
    model = services.register(None, trained("paid_30d"), START, END)
    adapter.run_eod(AS_OF)
    assert _scores() == expert                       # a draft does not score
    assert not DriftCheck.objects.exists()           # nor is it monitored
    services.approve(world.users["manager"], model)
    run = adapter.run_eod(AS_OF)
    assert run.summary["scorecard"] == "paid-30d v1"
    learned = _scores()
    assert learned != expert
    # the run's scores are the model's points for the features of the day kept in the daily history
    con = store().connect()
    rows = features.day_features(con, AS_OF)
    cols = {c: rows.column(c).to_numpy() for c in rows.column_names}
    expected = dict(zip(cols["case_id"].tolist(), training.score_rows(model.bins, cols, rows.num_rows).tolist()))
    assert expected and {c: learned[c] for c in expected} == expected
    check = DriftCheck.objects.get(model=model, day=AS_OF)
    assert check.rows == rows.num_rows and set(check.feature_psi) == set(model.features)
    assert check.alert == (check.worst > 0.25)
    assert Alert.objects.filter(kind="drift", slot=f"scoring:{model.pk}@{AS_OF}").exists() == check.alert
    client.force_login(world.users["manager"])
    page = client.get(reverse("eod-runs") + f"?run={run.pk}").content.decode()
    assert 'id="eod-scorecard"' in page and "paid-30d v1" in page
    services.retire(world.users["manager"], model)
    run = adapter.run_eod(AS_OF)
    assert run.summary["scorecard"] == "expert" and _scores() == expert


def test_expert_and_learned_scorecards_share_one_shape():
    bins = trained("paid_30d")["bins"]
    assert {b[0] for b in bins} <= set(rules.SCORE_CHARACTERISTICS)
    table = rules.default_scorecard()
    assert [list(r.values()) for r in table.to_pylist()][0][0] == "base" and len(bins[0]) == 4
    assert np.all([isinstance(b[1], (int, type(None))) and isinstance(b[2], (int, type(None))) for b in bins])


@pytest.mark.django_db
def test_explain_a_case_by_command(world):
    import json
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    adapter.run_eod(AS_OF)
    model = services.register(None, trained("paid_30d"), START, END)
    rows = features.day_features(store().connect(), AS_OF).to_pylist()
    case = next(c for c in (world.cases["a"], world.cases["b"], world.cases["u"]) if c.pk == rows[0]["case_id"])
    out = StringIO()
    call_command("scoring", "explain", "--id", str(model.pk), "--case", case.reference, "--json", stdout=out)
    got = json.loads(out.getvalue())
    assert got["score"] == training.score_rows(model.bins, {k: np.array([v]) for k, v in rows[0].items()}, 1)[0]
    assert got["score"] == got["base"] + sum(p["points"] for p in got["parts"])
    assert got["reasons"] == training.reason_codes(model.bins, rows[0])
    with pytest.raises(CommandError) as exc:
        call_command("scoring", "explain", "--id", str(model.pk), "--case", "NOPE", stdout=StringIO())
    assert exc.value.returncode == 2
