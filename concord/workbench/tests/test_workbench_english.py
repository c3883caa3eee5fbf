"""The workbench pages in English: every user-facing string is translated (the only Chinese left is data)."""
import re

import pytest
from django.urls import reverse

from concord.workbench import calls

CJK = re.compile(r"[\u4e00-\u9fff]+")
pytestmark = pytest.mark.django_db


def english(client, world, user):
    client.force_login(world.users[user])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


def leftovers(html, world):
    data = ["简体中文", *(c.name for c in world.creditors.values()), *(t.name for t in world.teams.values()),
            *(p.name for c in world.creditors.values() for p in c.products.all()),
            *(c.debtor.full_name for c in world.cases.values())]
    for value in sorted(data, key=len, reverse=True):
        html = html.replace(value, "")
    return sorted(set(CJK.findall(html)))


@pytest.mark.parametrize("name,user", [("my-work", "col_a"), ("work-team", "lead_a"), ("work-scripts", "manager")])
def test_workbench_pages_in_english(client, crew, name, user):
    html = english(client, crew, user).get(reverse(name)).content.decode()
    assert not leftovers(html, crew)


def test_the_case_page_with_a_call_in_english(client, crew):
    case = crew.cases["a"]
    decision = calls.start_call(crew.users["col_a"], case, contact_point=case.debtor.contact_points.first())
    html = english(client, crew, "col_a").get(reverse("case-detail", args=[case.pk]) + f"?call={decision.pk}")
    html = html.content.decode()
    assert 'id="call-form"' in html and "A third party answers" in html
    assert not leftovers(html, crew)
