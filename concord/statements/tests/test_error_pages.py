"""Error pages in the user's language, saying what to do next (not Django's bare English)."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import path

pytestmark = pytest.mark.django_db


def boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", boom)]


@pytest.mark.parametrize("lang, words", [("zh-hans", ["页面不存在", "回到总览", "错误代码 404"]),
                                          ("en", ["Page not found", "Back to the overview", "Error 404"])])
def test_404(world, client, lang, words):
    client.cookies["django_language"] = lang
    client.force_login(world.users["col_a"])
    response = client.get("/no/such/page/")
    page = response.content.decode()
    assert response.status_code == 404 and all(w in page for w in words) and "Not Found</h1>" not in page


@pytest.mark.parametrize("lang, words", [("zh-hans", ["无权访问", "只有催收经理和系统管理员可以管理委案批次", "联系您的主管"]),
                                          ("en", ["Access denied", "Only managers and administrators can manage",
                                                  "ask your team lead"])])
def test_403_gives_the_reason_and_the_next_step(world, client, lang, words):
    client.cookies["django_language"] = lang
    client.force_login(world.users["col_a"])
    response = client.get("/placements/")
    page = response.content.decode()
    assert response.status_code == 403 and all(w in page for w in words), page


def test_the_borrower_portal_404_points_back_to_the_portal(db, client):
    page = client.get("/p/no-such-thing/").content.decode()
    assert 'href="/p/"' in page


@pytest.mark.urls("concord.statements.tests.test_error_pages")
@pytest.mark.parametrize("lang, words", [("zh-hans", ["系统出错", "稍等一分钟后重试"]),
                                          ("en", ["Something went wrong", "Wait a minute and try again"])])
def test_500(db, lang, words):
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = lang
    response = client.get("/boom/")
    page = response.content.decode()
    assert response.status_code == 500 and all(w in page for w in words)
