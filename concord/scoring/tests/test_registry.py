"""The model registry: drafts, approval by a manager only, one live model per target, retiring, audit events, and the
``concord scoring`` command (exit 2 on bad input, nothing written)."""
from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from concord.core.models import AuditEvent
from concord.scoring import selectors, services
from concord.scoring.models import ModelStatus, ScoringModel

from .helpers import END, START, history, trained


def _draft(actor=None, target="paid_30d"):
    return services.register(actor, trained(target), START, END)


@pytest.mark.django_db
def test_approval_needs_a_manager_and_leaves_one_live_model(world):
    m1, m2 = _draft(), _draft()
    assert (m1.version, m2.version, m1.status) == (1, 2, ModelStatus.DRAFT)
    assert m1.bins == trained()["bins"] and m1.validation["scorecard"]["holdout"]["auc"] > 0.6
    for who in ("col_a", "lead_a", "compliance", "viewer"):
        with pytest.raises(PermissionDenied):
            services.approve(world.users[who], m1)
    assert selectors.live("paid_30d") is None and selectors.live_scorecard(None) is None
    services.approve(world.users["manager"], m1)
    assert selectors.live("paid_30d") == m1
    assert selectors.live_scorecard(None) == ("paid-30d v1", m1.bins)
    services.approve(world.users["manager"], m2)
    m1.refresh_from_db()
    assert m1.status == ModelStatus.RETIRED and m1.retired_by == world.users["manager"]
    assert list(ScoringModel.objects.filter(status="approved")) == [m2]
    with pytest.raises(ValidationError):
        services.approve(world.users["manager"], m1)       # a retired model is not approved again
    with pytest.raises(PermissionDenied):
        services.retire(world.users["col_a"], m2)
    services.retire(world.users["manager"], m2)
    assert selectors.live("paid_30d") is None
    actions = list(AuditEvent.objects.filter(object_type="scoring.scoringmodel").order_by("seq")
                   .values_list("action", "object_id"))
    assert actions == [("scoring.model.train", str(m1.pk)), ("scoring.model.train", str(m2.pk)),
                       ("scoring.model.approve", str(m1.pk)), ("scoring.model.retire", str(m1.pk)),
                       ("scoring.model.approve", str(m2.pk)), ("scoring.model.retire", str(m2.pk))]


@pytest.mark.django_db
def test_the_database_refuses_two_live_models_of_a_target(world):
    m1, m2 = _draft(), _draft()
    services.approve(world.users["manager"], m1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoringModel.objects.filter(pk=m2.pk).update(status=ModelStatus.APPROVED)


@pytest.mark.django_db
def test_models_of_different_targets_live_side_by_side(world):
    a, b = _draft(target="paid_30d"), _draft(target="self_cure_30d")
    services.approve(world.users["manager"], a)
    services.approve(world.users["manager"], b)
    assert {m.target for m in selectors.live_models()} == {"paid_30d", "self_cure_30d"}
    assert b.version == 1


@pytest.mark.django_db
def test_train_service_reads_the_history_and_refuses_bad_input(world):
    m = services.train_model(world.users["manager"], "paid_30d", START, END, every=7, history=history())
    assert m.status == "draft" and m.train_from == START and "max_dpd" in m.features
    assert m.holdout_from > START and m.created_by == world.users["manager"]
    # the synthetic history begins on START: its first 90 days see less than paid_90d_fen looks back
    assert m.validation["lookback_short"] == {"history_from": START.isoformat(),
                                              "complete_from": (START + dt.timedelta(days=90)).isoformat(),
                                              "days": 90}
    late = services.train_model(None, "paid_30d", START + dt.timedelta(days=90), END, every=7, history=history())
    assert "lookback_short" not in late.validation
    with pytest.raises(ValidationError, match="30"):
        services.train_model(None, "paid_30d", END + dt.timedelta(days=40), END + dt.timedelta(days=60),
                             history=history())
    with pytest.raises(ValidationError):
        services.train_model(None, "nonsense", START, END, history=history())
    assert ScoringModel.objects.count() == 2


@pytest.mark.django_db
def test_command_list_approve_retire_and_exit_2(world, settings):
    settings.CONCORD_HISTORY_DIR = history().root
    out = StringIO()
    call_command("scoring", "train", "--target", "paid_30d", "--from", START.isoformat(), "--to", END.isoformat(),
                 "--json", stdout=out)
    row = json.loads(out.getvalue())
    assert row["status"] == "draft" and row["holdout"]["auc"] > 0.6 and row["challenger"]["auc"] > 0.6
    out = StringIO()
    call_command("scoring", "list", "--json", stdout=out)
    assert [json.loads(line)["id"] for line in out.getvalue().splitlines()] == [row["id"]]
    for args in (["approve", "--id", str(row["id"]), "--user", "col_a"],       # not a manager
                 ["approve", "--id", str(row["id"])],                          # no user
                 ["approve", "--id", "999", "--user", "manager"],
                 ["train", "--target", "paid_30d", "--from", "2026-13-01", "--to", "2026-02-01"],
                 ["train", "--target", "bogus", "--from", START.isoformat(), "--to", END.isoformat()],
                 ["train", "--target", "paid_30d", "--from", "2027-01-01", "--to", "2027-02-01"]):
        with pytest.raises(CommandError) as exc:
            call_command("scoring", *args, stdout=StringIO())
        assert exc.value.returncode == 2, args
    assert ScoringModel.objects.get().status == "draft" and ScoringModel.objects.count() == 1
    out = StringIO()
    call_command("scoring", "approve", "--id", str(row["id"]), "--user", "manager", stdout=out)
    assert "approved" in out.getvalue() and selectors.live("paid_30d").pk == row["id"]
    call_command("scoring", "retire", "--id", str(row["id"]), "--user", "manager", stdout=StringIO())
    assert selectors.live("paid_30d") is None
