"""The live strategy's offer bounds on a case's arrangements, together with the creditor's terms: the service and the
form refuse a term or a discount beyond the tighter of both, naming the bound and where it comes from; no approval
goes beyond a strategy's bound; the case page and the borrower's portal show and offer only what the bounds allow."""
import copy
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from concord.arrangements import authority, calculator, selectors, services
from concord.arrangements.models import Arrangement
from concord.arrangements.models import ArrangementStatus as S
from concord.core import clock
from concord.core.models import AuditEvent

D = Decimal
TODAY = dt.date(2026, 11, 29)
FIRST = dt.date(2026, 12, 10)


def set_offer(world, case_key, offer, segment="early"):
    """A new version of the live strategy whose ``segment`` rule has ``offer``, and ``case_key`` in that segment at the
    last end-of-day run."""
    from concord.eod.models import CaseState
    from concord.strategy import selectors as strategy, services as strategies

    strategies.ensure_default()
    tree = copy.deepcopy(strategy.champion().tree)
    for rule in tree["rules"]:
        if rule["segment"] == segment:
            rule["offer"] = offer
    sv = strategies.save_version(world.users["manager"], strategy.champion().strategy.code, tree)
    CaseState.objects.update_or_create(case_id=world.cases[case_key].pk, defaults=dict(
        as_of=TODAY, score=500, segment=segment, treatment="call", channel="call", priority=60, held=False,
        promise_state="none", arrangement=False))
    return f"{sv.label} · {segment}"


def propose(world, user="col_a", case="a", *, kind="instalment_plan", months=12, discount="0", **kw):
    return services.propose(world.users[user], world.cases[case], kind=kind, months=months,
                            discount_amount=D(discount), first_due=FIRST, reason="借款人收入稳定，可按月还款",
                            today=TODAY, **kw)


def share(world, rate, case="a"):
    return str((selectors.case_balance(world.cases[case]).total * D(rate)).quantize(D("0.01"), rounding="ROUND_DOWN"))


def test_a_term_beyond_the_strategys_bound_is_refused_naming_the_strategy(arr):
    source = set_offer(arr, "a", {"max_discount_pct": 20, "max_months": 8})
    with pytest.raises(ValidationError) as exc:
        propose(arr, months=12)
    text = exc.value.message_dict["months"][0]
    assert "8" in text and f"策略 {source}" in text
    assert not Arrangement.objects.exists()
    # a plan within it — 8 months at a 2 250 cap covers the card's 16 080 — is made as before
    a = propose(arr, months=8)
    assert a.status == S.APPROVED and a.affordability["strategy"] == {
        "max_discount_rate": "0.2", "max_months": 8, "source": source}
    event = AuditEvent.objects.get(action="arrangement.propose", object_id=str(a.pk))
    assert event.changes["strategy"]["source"] == source


def test_a_discount_beyond_the_strategys_bound_is_refused_for_everyone(arr):
    source = set_offer(arr, "a", {"max_discount_pct": 5, "max_months": 12})
    for user in ("col_a", "lead_a", "manager"):  # no approval goes beyond a strategy's bound
        with pytest.raises(ValidationError) as exc:
            propose(arr, user, kind="settlement", months=12, discount=share(arr, "0.0501"))
        text = exc.value.message_dict["discount_amount"][0]
        assert "5%" in text and source in text and share(arr, "0.05") in text
    assert not Arrangement.objects.exists()
    a = propose(arr, kind="settlement", months=12, discount=share(arr, "0.05"))   # at the bound: the ladder decides
    assert a.status == S.PROPOSED and a.required_role == "team_lead"


def test_the_creditors_limits_still_apply_within_a_looser_strategy(arr):
    authority.set_policy(arr.users["manager"], arr.creditors["bank"], max_months=18)
    set_offer(arr, "a", {"max_discount_pct": 40, "max_months": 36})
    with pytest.raises(ValidationError) as exc:
        propose(arr, months=24)
    assert "18" in exc.value.message_dict["months"][0] and "委托方政策" in exc.value.message_dict["months"][0]
    with pytest.raises(ValidationError) as exc:  # the settlement term: the creditor's 12
        propose(arr, kind="settlement", months=13, discount=share(arr, "0.10"))
    assert "委托方政策" in exc.value.message_dict["months"][0]
    # beyond the house's authority (25 %) but within the strategy's 40 %: the creditor decides, as without a strategy
    a = propose(arr, kind="settlement", months=12, discount=share(arr, "0.30"))
    assert a.status == S.AWAITING_CREDITOR


def test_a_rule_without_an_offer_and_no_run_yet_leave_the_creditors_terms(arr):
    a = propose(arr, kind="settlement", months=12, discount=share(arr, "0.30"))   # no end-of-day state: no bound
    assert a.status == S.AWAITING_CREDITOR and a.affordability["strategy"] is None
    Arrangement.objects.all().delete()
    source = set_offer(arr, "a", None)
    a = propose(arr, kind="settlement", months=12, discount=share(arr, "0.30"))
    assert a.status == S.AWAITING_CREDITOR
    assert a.affordability["strategy"] == {"max_discount_rate": None, "max_months": None, "source": source}


def test_the_calculators_proposals_and_the_portals_options_stay_within(arr):
    set_offer(arr, "a", {"max_discount_pct": 4, "max_months": 9})
    case = arr.cases["a"]
    assessment = selectors.assess_case(case)
    assert assessment.proposals and assessment.bounds.plan_months == 9 and assessment.bounds.settlement_months == 9
    for p in assessment.proposals:
        assert p.months <= 9 and calculator.within_limit(p.discount_amount, p.balance, D("0.04"))
    from concord.portal.selectors import plan_options

    _a, options = plan_options(case, None)
    assert options and all(o.proposal.months <= 9 and o.proposal.discount_rate <= D("0.04") for o in options)


def test_api_refuses_beyond_the_bound_with_the_field(arr):
    from rest_framework.test import APIClient

    source = set_offer(arr, "a", {"max_discount_pct": 20, "max_months": 6})
    api = APIClient()
    api.force_authenticate(arr.users["col_a"])
    r = api.post("/api/arrangements/", {"case": arr.cases["a"].pk, "kind": "instalment_plan", "months": 12,
                                           "discount_amount": "0.00", "first_due": FIRST.isoformat(),
                                           "reason": "借款人同意按月还款"}, format="json")
    assert r.status_code == 400 and source in str(r.json()) and not Arrangement.objects.exists()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_case_page_shows_the_bounds_and_where_they_come_from(client, arr, lang):
    authority.set_policy(arr.users["manager"], arr.creditors["bank"], max_months=24)
    source = set_offer(arr, "a", {"max_discount_pct": 8, "max_months": 12})
    client.force_login(arr.users["col_a"])
    client.cookies["django_language"] = lang
    html = client.get(reverse("case-detail", args=[arr.cases["a"].pk])).content.decode()
    assert 'id="arrangement-bounds"' in html
    bounds = html.split('id="arrangement-bounds"')[1].split("</dl>")[0]
    assert source in bounds and "8%" in bounds and "12" in bounds
    if lang == "en":
        assert "strategy default" in bounds and "no approval may exceed it" in bounds
    else:
        assert "策略 default" in bounds and "任何审批不得突破" in bounds
    # a case without an end-of-day state: no strategy bound, said so
    client.force_login(arr.users["manager"])
    html = client.get(reverse("case-detail", args=[arr.cases["u"].pk])).content.decode()
    strategy = html.split('id="arrangement-bound-strategy"')[1].split("</dd>")[0]
    assert ("creditor&#x27;s terms only" if lang == "en" else "只按委托方政策") in strategy


def test_the_form_refuses_beyond_the_bound_beside_the_field(client, arr):
    source = set_offer(arr, "a", {"max_discount_pct": 0, "max_months": 24})
    client.force_login(arr.users["col_a"])
    r = client.post(reverse("arrangement-propose", args=[arr.cases["a"].pk]), {
        "kind": "settlement", "months": "12", "discount_amount": share(arr, "0.01"),
        "first_due": (clock.today() + dt.timedelta(days=10)).isoformat(), "reason": "借款人申请减免"})
    assert r.status_code == 422 and not Arrangement.objects.exists()
    form = r.content.decode().split('id="arrangement-propose-form"')[1].split("</form>")[0]
    assert "超过策略的减免上限 0%" in form and source in form


def test_the_proposal_form_never_starts_beyond_the_bound(client, arr):
    import re

    set_offer(arr, "a", {"max_discount_pct": 10, "max_months": 6})
    client.force_login(arr.users["col_a"])
    html = client.get(reverse("case-detail", args=[arr.cases["a"].pk])).content.decode()
    form = html.split('id="arrangement-propose-form"')[1].split("</form>")[0]
    months = re.search(r'<input[^>]*name="months"[^>]*>', form).group(0)
    assert 1 <= int(re.search(r'value="(\d+)"', months).group(1)) <= 6


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_approvals_page_shows_each_proposals_bounds_and_their_source(client, arr, lang):
    """A pending proposal under a strategy bound: the approver sees the longest term and the largest discount that
    apply to it, each with where it comes from (the strategy's code, version and segment; the creditor's terms)."""
    source = set_offer(arr, "a", {"max_discount_pct": 8, "max_months": 10})      # the creditor allows 12
    a = propose(arr, kind="settlement", months=10, discount=share(arr, "0.08"))    # at the bounds: a team lead decides
    assert a.status == S.PROPOSED
    client.force_login(arr.users["lead_a"])
    client.cookies["django_language"] = lang
    html = client.get(reverse("arrangement-approvals")).content.decode()
    row = html.split(f'id="approval-{a.pk}"')[1].split("</section>")[0]
    months = row.split(f'id="approval-bound-months-{a.pk}">')[1].split("</dd>")[0]
    discount = row.split(f'id="approval-bound-discount-{a.pk}">')[1].split("</dd>")[0]
    strategy = row.split(f'id="approval-bound-strategy-{a.pk}">')[1].split("</dd>")[0]
    assert "10" in months and source in months and "8%" in discount and source in discount and source in strategy
    if lang == "en":
        assert "strategy default" in months and "no approval may exceed it" in discount and "Term limit" in row
    else:
        assert "策略 default" in months and "任何审批不得突破" in discount
    assert 'class="tag bad"' not in row                                            # within today's bounds


def test_the_approvals_page_marks_a_proposal_beyond_todays_bounds_and_the_creditors_terms(client, arr):
    """Without a strategy rule the creditor's terms are named; a proposal beyond the bounds of today's run (the case's
    segment or the strategy changed since it was made) is marked."""
    a = propose(arr, kind="settlement", months=10, discount=share(arr, "0.10"))
    client.force_login(arr.users["lead_a"])
    row = client.get(reverse("arrangement-approvals")).content.decode().split(f'id="approval-{a.pk}"')[1]
    assert "委托方政策" in row.split(f'id="approval-bound-months-{a.pk}">')[1].split("</dd>")[0]
    assert "只按委托方政策" in row.split(f'id="approval-bound-strategy-{a.pk}">')[1].split("</dd>")[0]
    set_offer(arr, "a", {"max_discount_pct": 5, "max_months": 6})
    row = client.get(reverse("arrangement-approvals")).content.decode().split(f'id="approval-{a.pk}"')[1]
    row = row.split("</section>")[0]
    assert "超出现行上限" in row.split(f'id="approval-bound-months-{a.pk}">')[1].split("</dd>")[0]
    assert "超出现行上限" in row.split(f'id="approval-bound-discount-{a.pk}">')[1].split("</dd>")[0]


def test_the_approvals_pages_queries_do_not_grow_with_its_rows(client, arr):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from concord.arrangements.tests.conftest import profile
    from concord.conftest import make_case, resident_id

    set_offer(arr, "a", {"max_discount_pct": 8, "max_months": 12})
    propose(arr, kind="settlement", months=10, discount=share(arr, "0.08"))
    client.force_login(arr.users["lead_a"])
    url = reverse("arrangement-approvals")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url).context["queue"]) == 1
    for n in range(3):  # three more cases of the same creditor, each under a strategy bound, each with a proposal
        key = f"x{n}"
        arr.cases[key] = make_case(None, arr.creditors["bank"], name=f"赵{n}", id_number=resident_id(seq=400 + n),
                                   phone=f"1381234{8100 + n}", reference=f"LOAN-09{n}", collector=arr.users["col_a"],
                                   team=arr.teams["A"])
        profile(arr.cases[key].debtor, "12000", "5000", "2500")
        set_offer(arr, key, {"max_discount_pct": 8, "max_months": 12})
        propose(arr, case=key, kind="settlement", months=10, discount=share(arr, "0.08", case=key))
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert len(page.context["queue"]) == 4 and page.content.decode().count('id="approval-bound-strategy-') == 4
    assert len(many) == len(one)
