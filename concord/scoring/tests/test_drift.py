"""PSI against a hand computation, and on a population that moved (every balance tripled)."""
from __future__ import annotations

import datetime as dt
import math
import tempfile

import pyarrow as pa
import pytest

from concord.scoring import drift, features, synthetic

from .helpers import START, trained


def test_psi_by_hand():
    expected, actual = [0.5, 0.3, 0.2], [0.4, 0.4, 0.2]
    hand = (0.4 - 0.5) * math.log(0.4 / 0.5) + (0.4 - 0.3) * math.log(0.4 / 0.3) + 0
    assert drift.psi(expected, actual) == pytest.approx(hand) == pytest.approx(0.051082, abs=1e-6)
    assert drift.psi([0.5, 0.5], [1.0, 0.0]) == pytest.approx(
        0.5 * math.log(1 / 0.5) + (1e-4 - 0.5) * math.log(1e-4 / 0.5))
    assert drift.psi([0.2, 0.8], [0.2, 0.8]) == 0
    with pytest.raises(ValueError):
        drift.psi([1.0], [0.5, 0.5])


def test_day_drift_by_hand():
    model = {"bins": [["base", None, None, 600], ["max_dpd", None, 30, 50], ["max_dpd", 30, None, -50]],
             "reference": {"features": {"max_dpd": [0.5, 0.5]}, "score": {"edges": [600], "shares": [0.5, 0.5]}}}
    rows = pa.table({"max_dpd": pa.array([1, 2, 3, 40], pa.int64())})   # 3/4 below 30 (score 650), 1/4 above (550)
    out = drift.day_drift(model, rows)
    hand = (0.75 - 0.5) * math.log(0.75 / 0.5) + (0.25 - 0.5) * math.log(0.25 / 0.5)
    assert out["rows"] == 4 and out["features"]["max_dpd"] == pytest.approx(hand, abs=1e-6)
    assert out["shares"]["score"] == [0.25, 0.75] and out["score"] == pytest.approx(hand, abs=1e-6)


def test_a_moved_population_drifts_past_the_alert():
    m = trained("paid_30d")
    same = synthetic.write_history(tempfile.mkdtemp(), cases=1500, days=100, seed=7)
    moved = synthetic.write_history(tempfile.mkdtemp(), cases=1500, days=100, seed=7, drift_from=0)
    day = START + dt.timedelta(days=60)
    stable = drift.day_drift(m, features.day_features(same.connect(), day))
    shifted = drift.day_drift(m, features.day_features(moved.connect(), day))
    assert stable["features"]["total_balance_fen"] < 0.25
    assert shifted["features"]["total_balance_fen"] > drift.ALERT > stable["features"]["total_balance_fen"]
    assert shifted["score"] > stable["score"]


@pytest.mark.django_db
def test_drift_past_the_limit_alerts_the_operators_once(world, settings):
    from concord.operations.models import Alert
    from concord.scoring import monitor, services
    from concord.scoring.models import DriftCheck

    from .helpers import END

    model = services.register(None, trained("paid_30d"), START, END)
    services.approve(world.users["manager"], model)
    moved = synthetic.write_history(tempfile.mkdtemp(), cases=1500, days=100, seed=7, drift_from=0)
    day = START + dt.timedelta(days=60)
    (check,) = monitor.check_day(day, history=moved)
    assert check.alert and check.feature_psi["total_balance_fen"] > drift.ALERT
    alert = Alert.objects.get(kind="drift")
    assert model.label in alert.message and "total_balance_fen" in alert.message
    (again,) = monitor.check_day(day, history=moved)          # a rerun of the day: the check replaced, one alert
    assert again.pk == check.pk and DriftCheck.objects.count() == 1 and Alert.objects.count() == 1
    assert monitor.check_day(day + dt.timedelta(days=500), history=moved) == []   # a day the history lacks
