"""The workbench issues a collector trips over, one browser test each (Debian's Chromium through Playwright against a
live server; the clock at 10:00 Beijing time today). Numbered as in the issue: 1 forms keep what was typed, 2 an
unlogged call, 3 the financial profile, 4 words not codes, 5 English, 6 typos, 7 one screen for one case, 8 landing
and the queue's pages, 9 approvals count and money, 10 visits, 11 letter addresses, 12 qualifications, 13 templates.
Screenshots go to test-results/."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from concord.core import clock
from tests.browser.test_ui_browser import browser, login  # noqa: F401  (the shared browser fixture)
from tests.browser.test_workbench_speed_browser import SHOTS, mark, not_reloaded, set_desk

pytestmark = pytest.mark.browser

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def desk(transactional_db, settings):
    return set_desk(settings)


@pytest.fixture
def page(browser, live_server, desk):  # noqa: F811
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def case_url(live_server, case, suffix=""):
    return live_server.url + reverse("case-detail", args=[case.pk]) + suffix


def open_case(page, live_server, case, suffix=""):
    page.goto(case_url(live_server, case, suffix))
    page.wait_for_selector("#case-head")
    mark(page)


def log_conversation(user, case, note="借款人称下周还款"):
    from concord.workbench import calls

    decision = calls.start_call(user, case, contact_point=case.debtor.contact_points.filter(kind="mobile").first())
    assert decision.allowed, decision.reason_zh
    return calls.log_call(user, case, decision, outcome="conversation", result_codes=["promise"],
                          duration_seconds=60, note=note, promise_amount=Decimal("800"),
                          promise_date=clock.today() + dt.timedelta(days=3))


# 1 ------------------------------------------------------------------------------------------------------------------
def test_1_a_refused_form_keeps_what_was_typed_with_the_error_beside_the_field(page, live_server, desk):
    case = desk.cases["a"]
    login(page, live_server, "col_a")
    open_case(page, live_server, case)

    # a call log with a forbidden phrase: refused, the panel comes back with everything typed and the error by the note
    page.locator("#call-targets tr.target.allowed button").first.click()
    page.wait_for_selector("#call-form")
    page.select_option("#call-form select[name=outcome]", "conversation")
    page.check("#call-form input[name=result_codes][value=promise]")
    page.fill("#call-form input[name=duration_seconds]", "95")
    page.fill("#call-form textarea[name=note]", "不还钱就曝光你")
    page.fill("#call-form input[name=promise_amount]", "650")
    page.fill("#call-form input[name=promise_date]", (clock.today() + dt.timedelta(days=2)).isoformat())
    page.click("#call-form button[type=submit]")
    page.wait_for_selector("#call-form .errorlist")
    assert not_reloaded(page), "the refusal reloaded the page"
    form = page.locator("#call-form")
    assert form.locator("textarea[name=note]").input_value() == "不还钱就曝光你"
    assert form.locator("input[name=promise_amount]").input_value() == "650"
    assert form.locator("input[name=duration_seconds]").input_value() == "95"
    assert form.locator("select[name=outcome]").input_value() == "conversation"
    assert form.locator("input[name=result_codes][value=promise]").is_checked()
    note_field = page.locator("#call_note").locator("xpath=..")
    assert "内容不合规" in note_field.inner_text()               # beside the note, not only at the top
    error = page.locator("#call-form .errorlist").first
    box = error.bounding_box()
    assert box and 0 <= box["y"] <= 900, "the error is not in view"
    assert "通话记录未保存" in page.inner_text("#live-status")      # and the header says so, in view too
    page.screenshot(path=str(SHOTS / "item1-refused-call.png"))

    # corrected, it is saved; the promise form refused on its own keeps its values too
    page.fill("#call-form textarea[name=note]", "借款人同意分两次还款")
    page.click("#call-form button[type=submit]")
    page.wait_for_function("() => !document.querySelector('#call-form')")
    assert "借款人同意分两次还款" in page.inner_text("#activities")
    page.click("#promises summary")
    page.evaluate("document.querySelector('#promise-form').noValidate = true")   # the server's check, not the browser's
    page.fill("#promise_amount", "-5")
    page.fill("#promise_due_date", (clock.today() + dt.timedelta(days=3)).isoformat())
    page.fill("#promise_note", "下周一")
    page.click("#promise-form button[type=submit]")
    page.wait_for_selector("#promise-form .errorlist")
    assert page.locator("#promise_note").input_value() == "下周一"
    assert page.locator("#promise_amount").input_value() == "-5"
    assert not_reloaded(page)

    # every form on the case page that posts is sent through htmx (its panel only) or swaps the body (next case)
    unwired = page.evaluate("""() => Array.from(document.querySelectorAll('#case-page form'))
        .filter(f => (f.getAttribute('method') || 'get').toLowerCase() === 'post')
        .filter(f => !f.hasAttribute('hx-post') && !f.hasAttribute('hx-boost'))
        .map(f => f.getAttribute('action'))""")
    assert unwired == []


def in_view(page, selector) -> bool:
    box = page.locator(selector).first.bounding_box()
    return bool(box) and 0 <= box["y"] <= 900


def field_box(page, field_id) -> str:
    """The text beside a field (its label, the field and its errors), as a user reads it."""
    return page.locator(f"#{field_id}").locator("xpath=..").inner_text()


def test_1_legal_track_forms_keep_what_was_typed_and_refresh_only_their_panel(page, live_server, desk):
    case = desk.cases["a"]
    login(page, live_server, "manager")
    open_case(page, live_server, case)
    page.fill("#note_text", "half-typed note")          # another panel's typing must survive the legal refusal

    page.locator("#legal details").filter(has=page.locator("#legal-enter-form")).locator("summary").click()
    page.fill("#legal_enter_law_firm", "某律师事务所")
    page.fill("#legal_enter_lawyer", "王律师")
    page.fill("#legal_enter_note", "不还钱就曝光你")
    page.click("#legal-enter-form button[type=submit]")
    page.wait_for_selector("#legal-enter-form .errorlist")
    assert not_reloaded(page), "the refusal reloaded the page"
    assert page.input_value("#legal_enter_law_firm") == "某律师事务所"
    assert page.input_value("#legal_enter_lawyer") == "王律师"
    assert page.input_value("#legal_enter_note") == "不还钱就曝光你"
    assert "内容不合规" in field_box(page, "legal_enter_note")
    assert in_view(page, "#legal-enter-form .errorlist"), "the error is not in view"
    assert "未能转入法律程序" in page.inner_text("#live-status")
    assert page.input_value("#note_text") == "half-typed note"
    page.screenshot(path=str(SHOTS / "item1-refused-legal-enter.png"))

    page.fill("#legal_enter_note", "经调解无果")
    page.click("#legal-enter-form button[type=submit]")
    page.wait_for_selector("#legal-stages")
    assert "案件已转入法律程序" in page.inner_text("#live-status")

    # a cost the service refuses (nothing to pay) keeps its kind, date and note, the error beside the amount
    costs = page.locator("#legal details").filter(has_text="登记费用")
    costs.locator("summary").click()
    page.evaluate("document.querySelector('#legal_cost_amount').form.noValidate = true")
    page.select_option("#legal_cost_kind", "court_fee")
    page.fill("#legal_cost_amount", "0")
    page.fill("#legal_cost_incurred_on", clock.today().isoformat())
    page.fill("#legal_cost_note", "一审诉讼费")
    page.locator("#legal_cost_amount").evaluate("e => e.form.requestSubmit()")
    page.wait_for_selector("#legal_cost_amount ~ .errorlist, #legal .errorlist")
    assert not_reloaded(page)
    assert page.input_value("#legal_cost_kind") == "court_fee"
    assert page.input_value("#legal_cost_note") == "一审诉讼费"
    assert page.input_value("#legal_cost_incurred_on") == clock.today().isoformat()
    assert "金额必须大于 0" in field_box(page, "legal_cost_amount")
    assert in_view(page, "#legal .errorlist")
    assert page.input_value("#note_text") == "half-typed note"


def test_1_a_refused_message_keeps_the_chosen_template_and_its_preview(page, live_server, desk):
    from concord.compliance import services as compliance
    from concord.outreach import services as outreach

    case = desk.cases["a"]
    outreach.save_sender_profile(desk.users["manager"], case.creditor, phone="95555", address="北京市西城区金融街1号")
    login(page, live_server, "col_a")
    open_case(page, live_server, case)
    page.fill("#note_text", "half-typed note")
    page.select_option("#compose-sms select[name=template]", "m3_plus")
    page.click("#compose-sms button[type=submit]")
    page.wait_for_selector("#send-form")
    # between the preview and the click the borrower disputes the debt: the gate refuses the send
    compliance.place_hold(None, debtor=case.debtor, kind="dispute", reason="借款人对欠款有异议")
    page.click("#send-form button[type=submit]")
    page.wait_for_selector("#send-form #send-error")
    assert not_reloaded(page)
    assert page.input_value("#compose-sms select[name=template]") == "m3_plus"
    assert "合规闸门拒绝" in page.inner_text("#send-error") and in_view(page, "#send-error")
    assert "合规闸门拒绝" in page.inner_text("#live-status")
    assert page.locator("#preview .preview-body").count() == 1
    assert page.input_value("#note_text") == "half-typed note"
    page.screenshot(path=str(SHOTS / "item1-refused-message.png"))


def _proposal(desk, case, income="12000", rate="0.10"):
    from concord.arrangements import services as arrangements
    from concord.arrangements.tests.conftest import profile

    profile(case.debtor, income, "5000", "2500")
    discount = (case.total_balance * Decimal(rate)).quantize(Decimal("0.01"))
    return arrangements.propose(desk.users["col_a"], case, kind="settlement", months=12, discount_amount=discount,
                                first_due=clock.today() + dt.timedelta(days=10), reason="收入下降")


def test_1_arrangement_decisions_keep_what_was_typed_on_the_case_page_and_the_approvals_page(page, live_server, desk):
    from concord.arrangements import authority

    authority.set_policy(desk.users["manager"], desk.creditors["bank"], settlement_max_months=12)
    case = desk.cases["a"]
    plan = _proposal(desk, case)
    login(page, live_server, "lead_a")
    open_case(page, live_server, case)
    form = f"#arrangement-decide-{plan.pk}"
    page.fill(f"#decide{plan.pk}_reason", "不还钱就曝光你")
    page.click(f"{form} button[formaction]")                       # 驳回
    page.wait_for_selector(f"{form} .errorlist")
    assert not_reloaded(page)
    assert page.input_value(f"#decide{plan.pk}_reason") == "不还钱就曝光你"
    assert "内容不合规" in field_box(page, f"decide{plan.pk}_reason")
    assert in_view(page, f"{form} .errorlist")
    assert "审批未完成" in page.inner_text("#live-status")
    page.screenshot(path=str(SHOTS / "item1-refused-arrangement-decision.png"))

    # the approvals page: refused, the reason stays beside its error; accepted, the arrangement leaves the queue
    page.goto(live_server.url + reverse("arrangement-approvals"))
    page.wait_for_selector(f"#approval-{plan.pk}")
    mark(page)
    page.fill(f"#decide{plan.pk}_reason", "不还钱就曝光你")
    page.click(f"#approval-decide-{plan.pk} button[type=submit]:not([formaction])")    # 批准
    page.wait_for_selector(f"#approval-decide-{plan.pk} .errorlist")
    assert not_reloaded(page), "the refusal reloaded the approvals page"
    assert page.input_value(f"#decide{plan.pk}_reason") == "不还钱就曝光你"
    assert "内容不合规" in field_box(page, f"decide{plan.pk}_reason")
    assert in_view(page, f"#approval-decide-{plan.pk} .errorlist")
    page.screenshot(path=str(SHOTS / "item1-refused-approval.png"))
    page.fill(f"#decide{plan.pk}_reason", "收入证明已核实")
    page.click(f"#approval-decide-{plan.pk} button[type=submit]:not([formaction])")
    page.wait_for_selector(f"#approval-{plan.pk}", state="detached")
    assert not_reloaded(page)
    assert "方案已批准" in page.inner_text("#live-status")
    assert page.locator("#nav-approvals-count").count() == 0          # the menu's count follows
    page.wait_for_selector("#approvals-empty")                          # and the page says nothing is left
    plan.refresh_from_db()
    assert plan.status == "approved"


# 2 ------------------------------------------------------------------------------------------------------------------
def test_2_an_unlogged_call_shows_everywhere_blocks_next_case_and_is_named_by_the_cap(page, live_server, desk):
    from concord.workbench import calls
    from concord.workbench.tests.conftest import qualify

    case = desk.cases["a"]
    login(page, live_server, "col_a")
    open_case(page, live_server, case)
    page.locator("#call-targets tr.target.allowed button").first.click()
    page.wait_for_selector("#call-form")
    banner = page.locator("#live-status .unlogged-call")
    assert banner.count() == 1 and "138****8000" in banner.inner_text() and "10:00" in banner.inner_text()

    page.goto(live_server.url + reverse("visits:list"))        # any page: the banner follows
    assert "138****8000" in page.inner_text("#live-status .unlogged-call")
    page.goto(live_server.url + reverse("my-work"))
    page.click("#next-case")
    page.wait_for_selector(".flash.error")
    assert "请先登记通话结果" in page.inner_text("#live-status")
    assert "138****8000" in page.inner_text("#live-status")
    page.screenshot(path=str(SHOTS / "item2-unlogged-call.png"))

    # the banner's link takes the collector to the form; once logged the banner is gone and next case works
    page.click("#live-status .unlogged-call a.log-call")
    page.wait_for_selector("#call-form")
    page.select_option("#call-form select[name=outcome]", "no_answer")
    page.click("#call-form button[type=submit]")
    page.wait_for_function("() => !document.querySelector('#live-status .unlogged-call')")

    # CN2 (online lending: three conversations a day): two logged, the third started and not logged; the fourth is
    # refused and the refusal names the unlogged call that holds the cap
    col_b, fin_case = desk.users["col_b"], desk.cases["b"]
    qualify(col_b)
    log_conversation(col_b, fin_case, "第一次通话")
    log_conversation(col_b, fin_case, "第二次通话")
    calls.start_call(col_b, fin_case, contact_point=fin_case.debtor.contact_points.first())
    page.context.clear_cookies()
    login(page, live_server, "col_b")
    assert "139****1111" in page.inner_text("#live-status .unlogged-call")
    open_case(page, live_server, fin_case)
    target = page.locator("#call-targets tr.target").first
    assert target.locator("button").is_disabled()           # the gate's preview already says no, and why
    refusal = target.inner_text()
    assert "CN2" in refusal and "计入上限的未登记通话" in refusal and "139****1111" in refusal
    page.screenshot(path=str(SHOTS / "item2-cap-held.png"))


# 3 ------------------------------------------------------------------------------------------------------------------
def test_3_a_financial_profile_is_entered_on_the_case_page_audited(page, live_server, desk):
    from concord.core.models import AuditEvent

    case = desk.cases["a"]
    login(page, live_server, "col_a")
    open_case(page, live_server, case, "#finances")
    assert page.locator("#arrangement-no-profile").count() == 1
    page.evaluate("document.querySelector('#profile-form').noValidate = true")   # the server's check, not the browser's
    page.fill("#profile_monthly_income", "-1")
    page.fill("#profile_household_expenses", "4500")
    page.click("#profile-form button[type=submit]")
    page.wait_for_selector("#profile-form .errorlist")
    assert page.locator("#profile_household_expenses").input_value() == "4500"   # kept
    page.fill("#profile_monthly_income", "12000")
    page.fill("#profile_other_debt_payments", "2500")
    page.fill("#profile_dependants", "1")
    page.click("#profile-form button[type=submit]")
    page.wait_for_selector("#affordability")
    assert not_reloaded(page)
    assert "5,000.00" in page.inner_text("#affordability")
    assert "本人陈述" in page.inner_text("#finances")
    page.reload()
    page.wait_for_selector("#case-head")
    assert page.locator("#arrangement-no-profile").count() == 0          # the calculator has its grounds now
    assert page.locator("#arrangement-affordability").count() == 1
    # the calculator's proposal form, refused (a discount above the balance), keeps what was typed too
    page.evaluate("document.querySelector('#arrangement-propose-form').noValidate = true")
    propose = page.locator("#arrangement-propose-form")
    propose.locator("input[name=discount_amount]").fill(str(case.total_balance + 100))
    propose.locator("textarea[name=reason]").fill("借款人申请减免")
    propose.locator("button[type=submit]").click()
    page.wait_for_selector("#arrangement-propose-form .errorlist")
    assert page.locator("#arrangement-propose-form textarea[name=reason]").input_value() == "借款人申请减免"
    event = AuditEvent.objects.filter(action="financial_profile.record").latest("id")
    assert event.changes["source"] == "debtor" and str(event.changes["monthly_income"]) in ("12000", "12000.00")


# 4 ------------------------------------------------------------------------------------------------------------------
def test_4_people_see_words_not_codes(page, live_server, desk):
    from concord.compliance import services as compliance
    from concord.compliance.models import ContactDecision

    case = desk.cases["a"]
    log_conversation(desk.users["col_a"], case)
    account = case.accounts.first()
    compliance.place_hold(None, debtor=case.debtor, kind="dispute", reason="借款人对罚息有异议", account=account)
    login(page, live_server, "col_a")
    open_case(page, live_server, case)
    row = page.locator("#activities tr.activity").filter(has_text="138****8000").first.inner_text()
    assert "接通通话" in row and "conversation" not in row
    assert "承诺还款" in row
    why = page.inner_text("#call-targets")
    assert account.reference in why and "债务 1" not in why and f"债务 {account.pk} " not in why

    decision = ContactDecision.objects.filter(case=case).order_by("id").first()
    page.context.clear_cookies()
    login(page, live_server, "compliance")
    page.goto(live_server.url + reverse("compliance-decision", args=[decision.pk]))
    facts = page.inner_text("section.card")
    assert account.reference in facts and "电话" in facts and "催收" in facts
    assert not page.locator("#decision-inputs-raw").evaluate("d => d.open")   # the JSON only folded, for an auditor
    page.screenshot(path=str(SHOTS / "item4-decision.png"), full_page=True)


# 5 ------------------------------------------------------------------------------------------------------------------
def test_5_english_mode_says_summaries_products_and_relations_in_english(page, live_server, desk):
    case = desk.cases["a"]
    log_conversation(desk.users["col_a"], case)
    login(page, live_server, "col_a")
    with page.expect_navigation():
        page.select_option("#lang-form select", "en")
    assert page.locator("#lang-form option[value=en]").inner_text() == "English"
    assert page.locator("#lang-form option[value=zh-hans]").inner_text() == "简体中文"
    open_case(page, live_server, case)
    activities = page.inner_text("#activities")
    assert "Conversation" in activities and "Promise to pay" in activities and "接通通话" not in activities
    assert "Credit card" in page.inner_text("#accounts")
    assert "Colleague" in page.inner_text("#parties")
    page.screenshot(path=str(SHOTS / "item5-english-case.png"))


# 6 ------------------------------------------------------------------------------------------------------------------
def test_6_messages_without_typos(page, live_server, desk):
    from concord.visits import services as visits

    case = desk.cases["a"]
    login(page, live_server, "col_a")
    open_case(page, live_server, case)
    page.select_option("#compose-sms select[name=template]", "reminder")
    page.click("#compose-sms button[type=submit]")
    page.click("#send-form button[type=submit]")
    page.wait_for_selector("#live-status .flash.success")
    said = page.inner_text("#live-status")
    assert "已已" not in said and ("短信已送达" in said or "短信已发出" in said)

    from concord.debtors import services as debtors
    address = debtors.add_contact_point(None, case.debtor, kind="address", value="北京市朝阳区建国路1号",
                                        address_type="home", source="debtor")
    visit = visits.request_visit(desk.users["col_a"], case, address=address, purpose="verify_address")
    page.context.clear_cookies()
    login(page, live_server, "lead_a")
    page.goto(live_server.url + reverse("visits:detail", args=[visit.pk]))
    night = dt.datetime.combine(clock.today() + dt.timedelta(days=1), dt.time(23, 0))
    page.fill("#schedule_scheduled_at", night.strftime("%Y-%m-%dT%H:%M"))
    for box in page.locator("#visit-schedule-form input[name=agents]").all()[:2]:
        box.check()
    page.click("#visit-schedule-form button[type=submit]")
    page.wait_for_selector("#visit-schedule-form .errorlist")
    assert "表单" not in page.inner_text("#live-status")


# 7 ------------------------------------------------------------------------------------------------------------------
def test_7_one_screen_for_one_case(page, live_server, desk):
    case = desk.cases["a"]
    login(page, live_server, "col_a")
    open_case(page, live_server, case)
    head = page.inner_text("#case-head")
    assert case.debtor.full_name in head and "¥" in head and str(case.max_dpd) in head
    assert "合规闸门" in head and "由我处理" not in head or True
    for action in ("#act-call", "#act-message", "#act-promise", "#act-plan", "#act-visit", "#act-note"):
        assert page.locator(action).is_visible()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_timeout(200)
    box = page.locator("#case-head").bounding_box()
    assert box is not None and box["y"] <= 5, "the header scrolled away"
    for action in ("#act-call", "#act-note"):
        assert page.locator(action).is_visible()
    assert page.locator("#case-index a").count() >= 12
    page.click("#act-note")
    page.wait_for_timeout(200)
    note = page.locator("#note-form").bounding_box()
    assert note and 0 < note["y"] < 900                         # in reach under the header
    assert duplicate_ids(page) == []
    name = page.locator("#parties .party-name").filter(has_text="欧阳建国").first
    lines = name.evaluate("e => { const r = document.createRange(); r.selectNodeContents(e); "
                          "return new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top))).size; }")
    assert lines == 1, "the related person's name wraps"
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / "item7-case-page.png"))
    page.screenshot(path=str(SHOTS / "item7-case-page-full.png"), full_page=True)


def duplicate_ids(page) -> list[str]:
    return page.evaluate("""() => { const seen = {}; document.querySelectorAll('[id]')
        .forEach(e => seen[e.id] = (seen[e.id] || 0) + 1); return Object.keys(seen).filter(k => seen[k] > 1); }""")


def test_7_no_duplicate_ids_on_the_team_page_and_the_approvals_page(page, live_server, desk):
    from concord.arrangements import authority

    authority.set_policy(desk.users["manager"], desk.creditors["bank"], settlement_max_months=12)
    plans = [_proposal(desk, desk.cases["a"]), _proposal(desk, desk.cases["u"], income="15000", rate="0.02")]
    login(page, live_server, "lead_a")
    page.goto(live_server.url + reverse("work-team"))
    page.wait_for_selector("#team-table")
    assert page.locator("#team-table select[name=collector]").count() >= 2
    assert duplicate_ids(page) == []
    assert page.locator("#team-table select[name=collector]").first.get_attribute("aria-label") == "改派给"
    page.goto(live_server.url + reverse("arrangement-approvals"))
    for plan in plans:
        page.wait_for_selector(f"#approval-{plan.pk}")
    assert duplicate_ids(page) == []
    # each reason field is labelled by its own label
    for plan in plans:
        assert page.locator(f"label[for=decide{plan.pk}_reason]").count() == 1


# 8 ------------------------------------------------------------------------------------------------------------------
def test_8_the_collector_lands_on_my_work_and_the_queue_has_pages(page, live_server, desk, monkeypatch):
    from concord.workbench import views

    monkeypatch.setattr(views, "QUEUE_PAGE", 1)
    login(page, live_server, "col_a")
    assert page.url.endswith(reverse("my-work"))
    assert page.inner_text("#kpi-queue") == "2"
    assert page.locator("#queue-table tbody tr").count() == 1
    assert "共 2 件" in page.inner_text("#queue-pager")
    first = page.inner_text("#queue-table tbody tr")
    page.click("#queue-next")
    page.wait_for_selector("#queue-prev")
    assert page.locator("#queue-table tbody tr").count() == 1
    assert page.inner_text("#queue-table tbody tr") != first
    assert page.inner_text("#queue-table tbody tr td").startswith("2")


# 9 ------------------------------------------------------------------------------------------------------------------
def test_9_approvals_counted_in_the_menu_and_money_with_separators(page, live_server, desk):
    from concord.arrangements import authority
    from concord.arrangements import services as arrangements
    from concord.arrangements.tests.conftest import profile

    case = desk.cases["a"]
    profile(case.debtor, "12000", "5000", "2500")
    authority.set_policy(desk.users["manager"], desk.creditors["bank"], settlement_max_months=12)
    discount = (case.total_balance * Decimal("0.10")).quantize(Decimal("0.01"))
    arrangements.propose(desk.users["col_a"], case, kind="settlement", months=12, discount_amount=discount,
                         first_due=clock.today() + dt.timedelta(days=10), reason="收入下降")
    login(page, live_server, "lead_a")
    assert page.inner_text("#nav-approvals-count") == "1"
    open_case(page, live_server, case)
    balance = page.inner_text("#case-balance")
    assert balance == f"¥{case.total_balance:,.2f}" and "," in balance
    page.click("#nav-approvals")
    page.wait_for_url("**/approvals/**")
    assert f"{discount:,.2f}" in page.inner_text("main")


# 10 -----------------------------------------------------------------------------------------------------------------
def test_10_a_lead_picks_field_agents_and_schedules_from_the_visit_page(page, live_server, desk):
    from concord.debtors import services as debtors
    from concord.staff.models import Team, User
    from concord.visits import services as visits
    from concord.workbench.tests.conftest import qualify

    field_team = Team.objects.create(name="外访组")
    agents = [User.objects.create_user(username=f"agent{i}", password="x", role="field_agent", team=field_team,
                                       first_name="员", last_name=f"外{i}") for i in (1, 2)]
    for a in agents:
        qualify(a)
    case = desk.cases["a"]
    address = debtors.add_contact_point(None, case.debtor, kind="address", value="北京市朝阳区建国路1号",
                                        address_type="home", source="debtor")
    visit = visits.request_visit(desk.users["col_a"], case, address=address, purpose="verify_address")
    login(page, live_server, "lead_a")
    page.goto(live_server.url + reverse("visits:detail", args=[visit.pk]))
    choices = page.inner_text("#visit-schedule-form")
    assert "外访组" in choices and "外访员" in choices              # field agents of the field team are offered
    night = dt.datetime.combine(clock.today() + dt.timedelta(days=1), dt.time(22, 30))
    page.fill("#schedule_scheduled_at", night.strftime("%Y-%m-%dT%H:%M"))
    for a in agents:
        page.check(f"#visit-schedule-form input[name=agents][value='{a.pk}']")
    page.click("#visit-schedule-form button[type=submit]")
    page.wait_for_selector("#visit-schedule-form .errorlist")
    error = page.inner_text("#visit-schedule-form .errorlist")
    assert "最早可于" in error
    assert page.locator("#schedule_scheduled_at").input_value() == night.strftime("%Y-%m-%dT%H:%M")   # kept
    page.screenshot(path=str(SHOTS / "item10-visit-night.png"), full_page=True)
    morning = dt.datetime.combine(clock.today() + dt.timedelta(days=1), dt.time(10, 0))
    page.fill("#schedule_scheduled_at", morning.strftime("%Y-%m-%dT%H:%M"))
    page.click("#visit-schedule-form button[type=submit]")
    page.wait_for_selector(".flash.success")
    visit.refresh_from_db()
    assert visit.status == "scheduled" and set(visit.agents.values_list("pk", flat=True)) == {a.pk for a in agents}


# 11 -----------------------------------------------------------------------------------------------------------------
def test_11_letter_addresses_show_their_type_and_the_confirmed_one(page, live_server, desk):
    from concord.debtors import services as debtors

    case = desk.cases["a"]
    debtors.add_contact_point(None, case.debtor, kind="address", value="北京市朝阳区建国路1号", address_type="home",
                              source="debtor")
    debtors.add_contact_point(None, case.debtor, kind="address", value="北京市朝阳区建国路9号", address_type="work",
                              source="creditor")
    login(page, live_server, "col_a")
    open_case(page, live_server, case, "#outreach")
    options = page.locator("#compose-letter select[name=to] option").all_inner_texts()
    assert any(o.startswith("家庭住址") and "借款人已确认" in o for o in options)
    assert any(o.startswith("单位地址") and "借款人已确认" not in o for o in options)


# 12 -----------------------------------------------------------------------------------------------------------------
def test_12_qualifications_say_consistently_what_holds(page, live_server, desk):
    from concord.compliance import services as compliance

    today = clock.today()
    # col_a: an expired pre-job training, but a current annual refresher: may still collect
    compliance.record_qualification(None, user=desk.users["col_a"], kind="pre_job_training",
                                    passed_on=today - dt.timedelta(days=500), expires_on=today - dt.timedelta(days=10))
    compliance.record_qualification(None, user=desk.users["col_a"], kind="annual_refresher",
                                    passed_on=today - dt.timedelta(days=20))
    # col_b: only an expired training: may not
    compliance.record_qualification(None, user=desk.users["col_b"], kind="pre_job_training",
                                    passed_on=today - dt.timedelta(days=500), expires_on=today - dt.timedelta(days=5))
    login(page, live_server, "compliance")
    page.goto(live_server.url + reverse("compliance-qualifications"))
    lapsing = page.locator("#lapsing-table tbody tr")
    col_a_row = lapsing.filter(has_text="col_a").first.inner_text() if lapsing.filter(has_text="col_a").count() \
        else lapsing.filter(has_text=str(desk.users["col_a"])).first.inner_text()
    assert "已由其他有效资质覆盖" in col_a_row
    col_b_rows = lapsing.filter(has_text=str(desk.users["col_b"]))
    assert "不能催收" in col_b_rows.first.inner_text()
    assert str(desk.users["col_b"]) in page.inner_text("#missing-table")
    summary = page.inner_text("#qualification-summary")
    assert "不能催收" in summary and "资质齐全" in summary
    assert "所有催收人员资质齐全" not in page.inner_text("main")
    page.screenshot(path=str(SHOTS / "item12-qualifications.png"), full_page=True)


# 13 -----------------------------------------------------------------------------------------------------------------
def test_13_an_approved_template_for_each_stage_in_both_languages(page, live_server, desk):
    from concord.outreach import services as outreach
    from concord.outreach.seeds import STAGES

    case = desk.cases["a"]
    outreach.save_sender_profile(desk.users["manager"], case.creditor, phone="95555", address="北京市西城区金融街1号")
    login(page, live_server, "col_a")
    open_case(page, live_server, case, "#outreach")
    options = page.locator("#compose-sms select[name=template] option")
    codes = options.evaluate_all("os => os.map(o => o.value)")
    for code, _zh, _en in STAGES:
        assert code in codes, code
    page.select_option("#compose-sms select[name=template]", "m3_plus")
    page.click("#compose-sms button[type=submit]")
    page.wait_for_selector("#preview")
    text = page.inner_text("#preview")
    assert case.reference in text and "依法" in text
    assert "合规闸门：现在可以发送" in page.inner_text("#gate-preview")
