"""The strategy pages: managers edit (a new version, errors beside fields, roll back), team leads read only,
collectors see nothing; an experiment is started, compared and its challenger promoted from the pages."""
from __future__ import annotations

import pytest
from django.urls import reverse

from concord.strategy import forms, selectors
from concord.strategy.models import Experiment, StrategyVersion


def _post_of(tree, **extra):
    data = {"rows": len(tree["rules"]), "name": tree["name"], "description": tree.get("description", ""),
            "based_on": "1", "note": "edit"}
    for i, row in enumerate(forms.rows_of(tree)):
        data.update({f"r-{i}-{k}": v for k, v in row.items()})
    data.update(extra)
    return data


@pytest.mark.django_db
def test_a_manager_edits_with_errors_beside_fields_and_rolls_back(world, client):
    client.force_login(world.users["manager"])
    page = client.get(reverse("strategy-index")).content.decode()
    assert "default" in page and 'id="new-experiment"' in page
    tree = selectors.champion().tree
    bad = client.post(reverse("strategy-edit", args=["default"]),
                      _post_of(tree, **{"r-2-channel": "fax", "budget-daily_max": "40"}))
    assert bad.status_code == 400
    html = bad.content.decode()
    assert 'data-field="r-2-channel"' in html and "cn_online_lending" in html
    assert StrategyVersion.objects.count() == 1
    ok = client.post(reverse("strategy-edit", args=["default"]), _post_of(tree, **{
        "r-2-channel": "sms", "r-2-path": "0:sms, 2:call, 7:letter", "r-2-hours": "9-20", "r-2-discount": "10",
        "r-2-months": "6", "budget-daily_max": "1"}))
    assert ok.status_code == 302
    sv = selectors.champion()
    assert sv.version == 2 and sv.tree["budget"]["daily_max"] == 1
    third = sv.tree["rules"][2]
    assert third["channel"] == "sms" and [s["day"] for s in third["path"]] == [0, 2, 7]
    assert third["hours"] == [9, 20] and third["offer"] == {"max_discount_pct": 10, "max_months": 6}
    detail = client.get(reverse("strategy-detail", args=["default"])).content.decode()
    assert "v2" in detail and "0:sms, 2:call, 7:letter" in detail
    client.post(reverse("strategy-rollback", args=["default", 1]))
    assert selectors.champion().version == 3 and selectors.champion().tree == StrategyVersion.objects.get(
        version=1).tree


@pytest.mark.django_db
def test_team_leads_read_only_and_collectors_see_nothing(world, client):
    client.force_login(world.users["lead_a"])
    page = client.get(reverse("strategy-detail", args=["default"]))
    assert page.status_code == 200 and 'id="edit-strategy"' not in page.content.decode()
    assert client.get(reverse("strategy-edit", args=["default"])).status_code == 403
    assert client.post(reverse("strategy-rollback", args=["default", 1])).status_code == 403
    from concord.strategy import experiments, services

    challenger = services.save_version(world.users["manager"], "letters", selectors.champion().tree)
    exp = experiments.start(world.users["manager"], 50, [(challenger.pk, 50)])
    assert client.get(reverse("strategy-experiment", args=[exp.pk])).status_code == 403   # book-wide figures
    assert client.post(reverse("strategy-promote", args=[exp.pk, 1])).status_code == 403
    client.force_login(world.users["col_a"])
    assert client.get(reverse("strategy-index")).status_code == 403


@pytest.mark.django_db
def test_start_compare_and_promote_from_the_pages(world, client):
    client.force_login(world.users["manager"])
    tree = selectors.champion().tree
    client.post(reverse("strategy-new"), _post_of(tree, code="letters", name="Letters", based_on="",
                                                  **{f"r-{i}-channel": "letter" for i in range(len(tree["rules"]))}))
    challenger = StrategyVersion.objects.get(strategy__code="letters")
    bad = client.post(reverse("strategy-experiment-new"), {"champion_share": "60", "arm-0-version": challenger.pk,
                                                          "arm-0-share": "30"})
    assert bad.status_code == 400 and "100%" in bad.content.decode()
    r = client.post(reverse("strategy-experiment-new"), {"champion_share": "50", "arm-0-version": challenger.pk,
                                                        "arm-0-share": "50"})
    exp = Experiment.objects.get()
    assert r.status_code == 302 and r.url == reverse("strategy-experiment", args=[exp.pk])
    page = client.get(r.url).content.decode()
    assert 'id="comparison"' in page and "letters v1" in page and 'id="promote-1"' in page
    client.post(reverse("strategy-promote", args=[exp.pk, 1]))
    exp.refresh_from_db()
    assert exp.status == "ended" and selectors.champion().version == 2
    assert {r["channel"] for r in selectors.champion().tree["rules"]} == {"letter"}


@pytest.mark.django_db
def test_the_editor_sets_a_legal_status_condition(world, client):
    client.force_login(world.users["manager"])
    tree = selectors.champion().tree
    page = client.get(reverse("strategy-edit", args=["default"])).content.decode()
    assert 'name="r-0-legal_status"' in page and '<option value="closed"' in page
    bad = client.post(reverse("strategy-edit", args=["default"]), _post_of(tree, **{"r-1-legal_status": "sued"}))
    assert bad.status_code == 400 and 'data-field="r-1-legal_status"' in bad.content.decode()
    assert StrategyVersion.objects.count() == 1
    ok = client.post(reverse("strategy-edit", args=["default"]), _post_of(tree, **{"r-1-legal_status": "active"}))
    assert ok.status_code == 302
    sv = selectors.champion()
    assert sv.tree["rules"][1]["legal_status"] == "active"
    assert "active" in client.get(reverse("strategy-detail", args=["default"])).content.decode()


@pytest.mark.django_db
def test_the_experiment_page_shows_each_arms_budget(world, client):
    import copy

    from concord.strategy import experiments, services

    tree = copy.deepcopy(selectors.champion().tree)
    tree["budget"] = {"daily_max": 2, "window_days": 7, "window_max": 5}
    challenger = services.save_version(world.users["manager"], "quiet", tree)
    exp = experiments.start(world.users["manager"], 50, [(challenger.pk, 50)])
    client.force_login(world.users["manager"])
    zh = client.get(reverse("strategy-experiment", args=[exp.pk])).content.decode()
    assert zh.split('id="budget-1">')[1].split("</td>")[0] == "每日 2；窗口 5 / 7 天"
    client.cookies["django_language"] = "en"
    page = client.get(reverse("strategy-experiment", args=[exp.pk])).content.decode()
    champion = page.split('id="budget-0">')[1].split("</td>")[0]
    assert champion == "no limit"  # the shipped default sets no budget
    assert page.split('id="budget-1">')[1].split("</td>")[0] == "per day 2；window 5 / 7 days"
    assert 'id="budget-rule"' in page and "strictest" in page


@pytest.mark.django_db
def test_the_experiment_page_keeps_the_budget_its_champion_ran_after_a_promotion(world, client):
    """The champion arm's row shows the version the experiment started with (recorded with arm 0) and its budget, not
    the champion saved since — by a later save while it runs, or by the promotion that ends it."""
    import copy

    from concord.strategy import experiments, services

    manager = world.users["manager"]
    tree = copy.deepcopy(selectors.champion().tree)
    tree["budget"] = {"daily_max": 3, "window_days": 7, "window_max": 6}
    services.save_version(manager, "default", tree)                                  # default v2: the champion
    quiet = copy.deepcopy(tree)
    quiet["budget"] = {"daily_max": 1, "window_days": 7, "window_max": 2}
    challenger = services.save_version(manager, "quiet", quiet)
    exp = experiments.start(manager, 50, [(challenger.pk, 50)])
    assert exp.arms.get(arm=0).version.label == "default v2"
    client.force_login(manager)
    url = reverse("strategy-experiment", args=[exp.pk])

    def arm0(page):
        return (page.split('id="label-0">')[1].split("</td>")[0].strip(),
                page.split('id="budget-0">')[1].split("</td>")[0])

    assert arm0(client.get(url).content.decode()) == ("default v2", "每日 3；窗口 6 / 7 天")
    louder = copy.deepcopy(tree)
    louder["budget"] = {"daily_max": 2, "window_days": None, "window_max": None}
    services.save_version(manager, "default", louder)                                # default v3, mid-experiment
    page = client.get(url).content.decode()
    assert arm0(page) == ("default v2", "每日 3；窗口 6 / 7 天")
    assert 'id="champion-changed"' in page and "default v3" in page.split('id="champion-changed"')[1].split("</p>")[0]
    client.cookies["django_language"] = "en"
    page = client.get(url).content.decode()
    assert "has since been updated to default v3" in page.split('id="champion-changed"')[1].split("</p>")[0]
    client.cookies["django_language"] = "zh-hans"

    experiments.promote(manager, exp, 1)                                            # default v4: the challenger's tree
    assert selectors.champion().label == "default v4"
    page = client.get(url).content.decode()
    assert arm0(page) == ("default v2", "每日 3；窗口 6 / 7 天")
    assert page.split('id="budget-1">')[1].split("</td>")[0] == "每日 1；窗口 2 / 7 天"
    assert 'id="champion-changed"' not in page                                      # ended: nothing runs any more
    client.cookies["django_language"] = "en"
    page = client.get(url).content.decode()
    assert arm0(page) == ("default v2", "per day 3；window 6 / 7 days")


@pytest.mark.django_db
def test_an_experiment_without_a_recorded_champion_shows_the_current_one_and_says_so(world, client):
    """An arm 0 without a version (started before it was recorded, not recovered by migration 0003) falls back to the
    current champion, marked as such."""
    import copy

    from concord.strategy import experiments, services

    manager = world.users["manager"]
    tree = copy.deepcopy(selectors.champion().tree)
    challenger = services.save_version(manager, "quiet", tree)
    exp = experiments.start(manager, 50, [(challenger.pk, 50)])
    exp.arms.filter(arm=0).update(version=None)
    client.force_login(manager)
    page = client.get(reverse("strategy-experiment", args=[exp.pk])).content.decode()
    assert page.split('id="label-0">')[1].split(" <span")[0] == "default v1" and 'id="champion-unrecorded"' in page
    client.cookies["django_language"] = "en"
    page = client.get(reverse("strategy-experiment", args=[exp.pk])).content.decode()
    assert "was not recorded: the current champion is shown" in page
