"""Reviews on the checklist (score, breaches, audit, who may review what), the checklist's editor, the rubric's
versions and refusals, and the pages: the supervisors' queue and review, a collector's own scores."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from concord.core.models import AuditEvent
from concord.quality import services
from concord.quality.models import ChecklistItem, Review, Rubric, Sample

from .helpers import at, call

DAY = dt.date(2026, 12, 2)
pytestmark = pytest.mark.clock("2026-12-03T09:00:00+08:00")
ALL_PASS = {"identity_verified": "pass", "disclosures_given": "pass", "no_threats": "pass",
            "no_third_party_disclosure": "pass", "respectful_tone": "pass", "correct_outcome": "pass"}


@pytest.fixture(autouse=True)
def checklist(db):
    """The default checklist, as the migration wrote it: a test that flushed the database (PostgreSQL runs with
    transactional tests in the same worker) has removed the migration's rows."""
    services.ensure_checklist()


def _samples(world):
    a = call(world.users["col_a"], world.cases["a"], at(DAY, 10), note="")
    b = call(world.users["col_b"], world.cases["b"], at(DAY, 10))
    services.sample_day(DAY, rate=1, seed="t")
    return Sample.objects.get(activity=a), Sample.objects.get(activity=b)


def test_the_default_checklist(db):
    items = list(ChecklistItem.objects.filter(active=True))
    assert [i.code for i in items] == list(ALL_PASS)
    assert sum(i.points for i in items) == 100
    assert {i.code for i in items if i.breach} == {"no_threats", "no_third_party_disclosure"}


def test_a_review_scores_the_applicable_points_and_counts_breaches(world):
    sa, _ = _samples(world)
    results = {**ALL_PASS, "no_threats": "fail", "no_third_party_disclosure": "na"}
    review = services.submit_review(world.users["lead_a"], sa, results, "  语气生硬，提到“后果自负”。 ")
    # applicable: 100 − 20 (n/a) = 80 points; passed: 80 − 25 (threats failed) = 55 → 68.75 → 69
    assert review.score == 69 and review.breaches == 1
    assert review.comments == "语气生硬，提到“后果自负”。"
    event = AuditEvent.objects.get(action="quality.review")
    assert event.changes["score"] == 69 and event.changes["results"]["no_threats"] == "fail"
    assert services.score_of([{"points": 10, "result": "pass"}, {"points": 20, "result": "fail"}]) == 33
    with pytest.raises(ValidationError):            # once per call
        services.submit_review(world.users["manager"], sa, ALL_PASS)


def test_who_may_review_what(world):
    sa, sb = _samples(world)
    with pytest.raises(PermissionDenied):           # team A's lead: not team B's calls
        services.submit_review(world.users["lead_a"], sb, ALL_PASS)
    with pytest.raises(PermissionDenied):           # a collector reviews nobody
        services.submit_review(world.users["col_a"], sa, ALL_PASS)
    assert set(services.visible_samples(world.users["lead_a"])) == {sa}
    assert set(services.visible_samples(world.users["manager"])) == {sa, sb}
    assert not services.visible_samples(world.users["col_b"]).exists()
    with pytest.raises(ValidationError) as exc:     # every item needs a result
        services.submit_review(world.users["manager"], sb, {**ALL_PASS, "respectful_tone": None})
    assert "item_respectful_tone" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.submit_review(world.users["manager"], sb, {k: "na" for k in ALL_PASS})
    assert not Review.objects.exists()


def test_managers_edit_the_checklist(world):
    rows = [{"id": i.pk, **{f: getattr(i, f) for f in services.CHECKLIST_FIELDS}} for i in ChecklistItem.objects.all()]
    rows[5]["active"] = False
    rows.append({"id": None, "code": "ptp_confirmed", "label_zh": "复述承诺金额与日期", "label_en": "Promise read back",
                 "points": 10, "breach": False, "position": 7, "active": True})
    services.save_checklist(world.users["manager"], rows)
    assert [i.code for i in ChecklistItem.objects.filter(active=True)][-1] == "ptp_confirmed"
    event = AuditEvent.objects.filter(action="quality.checklist_set").latest("id")
    assert event.changes["before"]["correct_outcome"]["active"] is True
    assert event.changes["after"]["correct_outcome"]["active"] is False
    bad = [dict(r) for r in rows]
    bad[0]["points"] = 0
    bad[1]["code"] = bad[2]["code"]
    with pytest.raises(ValidationError) as exc:
        services.save_checklist(world.users["manager"], bad)
    assert set(exc.value.message_dict) == {"row1_points", "row2_code", "row3_code"}
    with pytest.raises(PermissionDenied):
        services.save_checklist(world.users["lead_a"], rows)


def test_the_rubric_is_versioned_audited_and_refuses_money_first(world):
    from concord.quality.scorecard import DEFAULT_WEIGHTS

    assert services.current_weights() == DEFAULT_WEIGHTS
    greedy = {"recovery": 70, "promise_kept": 10, "complaints": 5, "denials": 5, "breaches": 0, "quality": 10}
    with pytest.raises(ValidationError) as exc:
        services.set_rubric(world.users["manager"], greedy)
    assert "暴力催收" in " ".join(exc.value.message_dict["recovery"])
    no_quality = {**DEFAULT_WEIGHTS, "quality": 0, "promise_kept": 35}
    with pytest.raises(ValidationError) as exc:
        services.set_rubric(world.users["manager"], no_quality)
    assert "quality" in exc.value.message_dict
    assert not Rubric.objects.exists()
    fair = {**DEFAULT_WEIGHTS, "recovery": 40, "promise_kept": 5}
    services.set_rubric(world.users["manager"], fair, "回收权重上调")
    services.set_rubric(world.users["admin"], DEFAULT_WEIGHTS)
    assert Rubric.objects.count() == 2 and services.current_weights() == DEFAULT_WEIGHTS
    events = list(AuditEvent.objects.filter(action="quality.rubric_set").order_by("id"))
    assert events[0].changes["weights"] == [DEFAULT_WEIGHTS, fair]
    with pytest.raises(PermissionDenied):
        services.set_rubric(world.users["lead_a"], fair)


# -- pages ---------------------------------------------------------------------------------------------------------
def test_the_queue_and_the_review_page(world, client):
    sa, sb = _samples(world)
    client.force_login(world.users["lead_a"])
    page = client.get("/quality/").content.decode()
    assert world.cases["a"].reference in page and world.cases["b"].reference not in page
    assert client.get(f"/quality/samples/{sb.pk}/").status_code == 404
    page = client.get(f"/quality/samples/{sa.pk}/").content.decode()
    assert 'id="quality-form"' in page and 'id="quality-no-recording"' in page
    response = client.post(f"/quality/samples/{sa.pk}/", {"item_identity_verified": "pass"})
    assert "请选择" in response.content.decode() and not Review.objects.exists()
    form = {f"item_{k}": v for k, v in ALL_PASS.items()} | {"item_respectful_tone": "fail", "comments": "注意语气"}
    response = client.post(f"/quality/samples/{sa.pk}/", form)
    assert response.status_code == 302
    page = client.get(f"/quality/samples/{sa.pk}/").content.decode()
    assert 'id="quality-score">85<' in page and "注意语气" in page
    assert "85" in client.get("/quality/?status=reviewed").content.decode()
    client.force_login(world.users["manager"])
    page = client.get("/quality/?status=all&reason=random").content.decode()
    assert world.cases["a"].reference in page and world.cases["b"].reference in page
    client.force_login(world.users["col_a"])
    assert client.get("/quality/").status_code == 403
    assert client.get("/quality/checklist/").status_code == 403


def test_a_collector_sees_their_own_scores_and_comments(world, client):
    sa, sb = _samples(world)
    services.submit_review(world.users["lead_a"], sa, ALL_PASS, "很好")
    services.submit_review(world.users["manager"], sb, {**ALL_PASS, "no_threats": "fail"}, "不得威胁")
    client.force_login(world.users["col_a"])
    page = client.get("/quality/mine/").content.decode()
    assert "很好" in page and "不得威胁" not in page and ">100" in page
    client.force_login(world.users["col_b"])
    page = client.get("/quality/mine/").content.decode()
    assert "不得威胁" in page and "很好" not in page


def test_the_checklist_and_rubric_pages(world, client):
    client.force_login(world.users["manager"])
    items = list(ChecklistItem.objects.all())
    data = {"id": [str(i.pk) for i in items] + [""], "code": [i.code for i in items] + [""],
            "label_zh": [i.label_zh for i in items] + [""], "label_en": [i.label_en for i in items] + [""],
            "points": [str(i.points) for i in items] + [""], "breach": ["2", "3"],
            "active": [str(n) for n in range(5)]}
    assert client.post("/quality/checklist/", data).status_code == 302
    assert not ChecklistItem.objects.get(code="correct_outcome").active
    weights = {"recovery": "60", "promise_kept": "5", "complaints": "15", "denials": "5", "breaches": "5",
               "quality": "10"}
    page = client.post("/quality/scorecard/rubric/", weights).content.decode()
    assert "暴力催收" in page and not Rubric.objects.exists()
    weights["recovery"], weights["promise_kept"] = "45", "20"
    assert client.post("/quality/scorecard/rubric/", weights).status_code == 302
    assert services.current_weights()["recovery"] == 45
