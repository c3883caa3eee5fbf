"""The registry pages: managers only; the model page shows the validation figures, bins and a chart per
characteristic; approve and retire go through the services."""
from __future__ import annotations

import json

import pytest
from django.urls import reverse

from concord.scoring import services, views
from concord.scoring.models import ModelStatus

from .helpers import END, START, trained


@pytest.mark.django_db
def test_pages_are_for_managers_and_buttons_approve_and_retire(world, client):
    model = services.register(None, trained("paid_30d"), START, END)
    for who in ("col_a", "lead_a", "viewer", "compliance"):
        client.force_login(world.users[who])
        assert client.get(reverse("scoring-models")).status_code == 403
        assert client.get(reverse("scoring-model", args=[model.pk])).status_code == 403
        assert client.post(reverse("scoring-approve", args=[model.pk])).status_code == 403
    model.refresh_from_db()
    assert model.status == ModelStatus.DRAFT
    client.force_login(world.users["manager"])
    page = client.get(reverse("scoring-models")).content.decode()
    assert f'data-model="{model.pk}"' in page and str(model.validation["scorecard"]["holdout"]["auc"]) in page
    r = client.get(reverse("scoring-model", args=[model.pk]))
    html = r.content.decode()
    assert 'id="approve-model"' in html and 'id="char-max_dpd"' in html
    assert model.details["dropped"]          # the synthetic book leaves some out; each with its reason in words
    for why in model.details["dropped"].values():
        assert why["reason"] in views.LEFT_OUT and views.left_out(why) in html
    charts = r.context["chars"]
    assert [c["name"] for c in charts] == model.features
    option = json.loads(charts[0]["chart"])
    assert option["series"][0]["data"] == [b[3] for b in model.bins if b[0] == charts[0]["name"]]
    assert client.get(reverse("scoring-approve", args=[model.pk])).status_code == 405
    r = client.post(reverse("scoring-approve", args=[model.pk]))
    assert r.status_code == 302
    model.refresh_from_db()
    assert model.status == ModelStatus.APPROVED and model.approved_by == world.users["manager"]
    r = client.post(reverse("scoring-approve", args=[model.pk]), follow=True)   # twice: a clear message
    assert "只能批准草稿" in r.content.decode()
    client.post(reverse("scoring-retire", args=[model.pk]))
    model.refresh_from_db()
    assert model.status == ModelStatus.RETIRED


@pytest.mark.django_db
def test_the_model_page_in_english(world, client):
    t = trained("paid_30d")
    t = {**t, "validation": {**t["validation"], "lookback_short": {"history_from": "2026-01-01",
                                                                   "complete_from": "2026-04-01", "days": 90}}}
    model = services.register(None, t, START, END)
    client.force_login(world.users["manager"])
    client.cookies["django_language"] = "en"
    html = client.get(reverse("scoring-model", args=[model.pk])).content.decode()
    assert "Approve and make live" in html and "Scorecard · hold-out" in html and "Pays within 30 days" in html
    assert "批准并生效" not in html
    assert "the daily history begins 2026-01-01; observation days before 2026-04-01" in html
