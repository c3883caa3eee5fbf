"""Every generated activity summary is said in the reader's language: the writer stores a phrase's code and its
arguments (choice codes, dates, amounts), and the log renders it when it is read. A Chinese writer's legal step,
visit, arrangement, task or a borrower's reply reads in English for an English reader, and in Chinese again for a
Chinese one."""
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from concord.cases.activities import _PHRASES, say_phrase, summary_text

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_every_registered_phrase_has_an_english_text():
    assert {"legal.enter", "visit.request", "arrangement.propose", "task.create", "message.reply",
            "portal.request"} <= set(_PHRASES)
    with translation.override("en"):
        untranslated = [code for code, (message, _shows) in _PHRASES.items() if HAN.search(str(message))]
    assert untranslated == []


def _write_everything(world):
    """Activities of every generated kind on case a, written by Chinese-speaking staff."""
    from concord.arrangements import services as arrangements
    from concord.arrangements.tests.conftest import profile
    from concord.debtors import services as debtors
    from concord.legal import services as legal
    from concord.outreach import services as outreach
    from concord.visits import services as visits
    from concord.visits.tests.conftest import qualify
    from concord.workbench import followups
    from concord.core import clock

    case, u = world.cases["a"], world.users
    qualify(u["col_a"], u["lead_a"])
    today = clock.today()
    with translation.override("zh-hans"):
        track = legal.enter_legal(u["legal"], case, law_firm="某律师事务所")
        row = legal.start_stage(u["legal"], track, stage="demand_letter", started_on=today)
        legal.complete_stage(u["legal"], row, ended_on=today, result="")
        legal.add_cost(u["legal"], track, kind="lawyer_fee", amount=Decimal("1500"), incurred_on=today)
        legal.record_acknowledgement(u["col_a"], case, kind="written", acknowledged_on=today, evidence="Letter 12")
        legal.close_legal(u["legal"], track, reason="settled")
        address = debtors.add_contact_point(None, case.debtor, kind="address", value="北京市朝阳区建国路88号",
                                            address_type="home", status="valid")
        visit = visits.request_visit(u["col_a"], case, address=address, purpose="negotiate")
        visits.cancel_visit(u["col_a"], visit, reason="Paid in full")
        profile(case.debtor, "12000", "5000", "2500")
        plan = arrangements.propose(u["col_a"], case, kind="instalment_plan", months=12,
                                    first_due=today + dt.timedelta(days=10), reason="Income fell")
        arrangements.activate(u["col_a"], plan)
        followups.create_task(u["col_a"], case, title="Call back",
                              due_at=clock.now() + dt.timedelta(days=1), kind="callback")
        outreach.record_inbound(channel="sms", sender=case.debtor.contact_points.filter(kind="mobile").first().value,
                                text="ok")
    return case


def test_generated_summaries_follow_the_reader(world, client):
    case = _write_everything(world)
    generated = [a for a in case.activities.all() if (a.details or {}).get("phrase")]
    kinds = {a.details["phrase"]["code"].split(".")[0] for a in generated}
    assert {"legal", "visit", "arrangement", "task", "message"} <= kinds
    with translation.override("en"):
        english = {a.details["phrase"]["code"]: summary_text(a) for a in generated}
    chinese_left = {code: text for code, text in english.items() if HAN.search(text)}
    assert chinese_left == {}, chinese_left
    assert "Lawyer" in english["legal.cost"] and "1,500.00" in english["legal.cost"]
    with translation.override("zh-hans"):
        assert "律师费" in summary_text(next(a for a in generated if a.details["phrase"]["code"] == "legal.cost"))

    # the case page in English says them in English
    client.force_login(world.users["manager"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("case-detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    log = page[page.index('id="activities"'):]
    assert "Legal proceedings closed" in log and "Field visit requested" in log and "转入法律程序" not in log


def test_a_phrase_renders_its_arguments_at_reading_time():
    with translation.override("en"):
        assert say_phrase("legal.stage.start", {"s": "filing", "d": "2026-12-07"}) == "Legal stage started: Filing (2026-12-07)"
