"""Row-level access: restrict() gives each role exactly the rows it may see."""
import pytest
from django.contrib.auth.models import AnonymousUser

from concord.cases.models import Case
from concord.core import clock
from concord.core.access import restrict
from concord.creditors.models import Product
from concord.debtors.models import ContactPoint, Debtor
from concord.loans import services as loans
from concord.loans.models import LoanAccount, Payment

ALL = {"a", "b", "u"}
#: username → the world cases (a: bank/col_a/team A, b: fin/col_b/team B, u: bank, unassigned) it may see
EXPECTED = {
    "admin": ALL, "manager": ALL, "compliance": ALL, "legal": ALL,
    "lead_a": {"a"}, "col_a": {"a"}, "col_b": {"b"}, "field": set(), "viewer": {"a", "u"},
}
MODELS = [Case, LoanAccount, Payment, Debtor, ContactPoint]


@pytest.fixture
def book(world):
    """The world plus one payment on every account; maps model → world case key → expected ids."""
    ids = {model: {} for model in MODELS}
    for key, case in world.cases.items():
        account = case.accounts.get()
        payment, _ = loans.record_payment(None, account=account, amount="100", paid_at=clock.now(),
                                          channel="alipay", external_reference=f"TX-{key}")
        ids[Case][key] = {case.pk}
        ids[LoanAccount][key] = {account.pk}
        ids[Payment][key] = {payment.pk}
        ids[Debtor][key] = {case.debtor_id}
        ids[ContactPoint][key] = set(case.debtor.contact_points.values_list("pk", flat=True))
    assert all(len(v) == 1 for per_model in ids.values() for v in per_model.values())
    return world, ids


def _expected(ids, model, keys):
    return set().union(*(ids[model][k] for k in keys)) if keys else set()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_each_role_sees_exactly_its_rows(book, model):
    """One world per model, every role checked against it (all mismatches reported together)."""
    world, ids = book
    seen, duplicated = {}, []
    for username in EXPECTED:
        pks = list(restrict(model.objects.all(), world.users[username]).values_list("pk", flat=True))
        if len(pks) != len(set(pks)):
            duplicated.append(username)
        seen[username] = set(pks)
    assert seen == {username: _expected(ids, model, keys) for username, keys in EXPECTED.items()}
    assert not duplicated, f"duplicate rows for {duplicated}"


def test_inactive_and_anonymous_users_see_nothing(book):
    world, _ = book
    for username in ("admin", "manager", "col_a", "viewer"):
        user = world.users[username]
        user.is_active = False
        user.save()
        for model in MODELS:
            assert not restrict(model.objects.all(), user).exists(), (username, model.__name__)
    for model in MODELS:
        assert not restrict(model.objects.all(), AnonymousUser()).exists()
        assert not restrict(model.objects.all(), None).exists()


def test_misconfigured_users_see_nothing(world, django_user_model):
    make = django_user_model.objects.create_user
    orphan_viewer = make(username="v2", password="pw-v2-1234", role="creditor_viewer")   # no creditor
    orphan_lead = make(username="l2", password="pw-l2-1234", role="team_lead")           # no team
    for user in (orphan_viewer, orphan_lead):
        assert not restrict(Case.objects.all(), user).exists()


def test_team_lead_sees_the_teams_they_lead_and_belong_to(world):
    lead = world.users["lead_a"]
    lead.team = world.teams["B"]   # member of B, still leads A
    lead.save()
    assert set(restrict(Case.objects.all(), lead)) == {world.cases["a"], world.cases["b"]}


def test_debtor_with_cases_at_two_creditors_appears_once(world):
    from concord.cases import services as cases

    debtor = world.cases["a"].debtor
    second, _ = cases.open_case(None, creditor=world.creditors["fin"], debtor=debtor)
    cases.assign_case(None, second, collector=world.users["col_b"])
    col_b = world.users["col_b"]
    assert sorted(restrict(Debtor.objects.all(), col_b).values_list("pk", flat=True)) == sorted(
        {debtor.pk, world.cases["b"].debtor_id})
    assert restrict(Debtor.objects.all(), world.users["manager"]).count() == 3
    assert restrict(ContactPoint.objects.filter(debtor=debtor), col_b).count() == 1
    # col_a still sees the debtor through case a, but not col_b's case at the platform
    assert set(restrict(Case.objects.filter(debtor=debtor), world.users["col_a"])) == {world.cases["a"]}


def test_reassignment_moves_visibility(world):
    from concord.cases import services as cases

    cases.assign_case(None, world.cases["a"], collector=world.users["col_b"])
    assert not restrict(Case.objects.all(), world.users["col_a"]).exists()
    assert not restrict(Case.objects.all(), world.users["lead_a"]).exists()
    assert set(restrict(Case.objects.all(), world.users["col_b"])) == {world.cases["a"], world.cases["b"]}


def test_models_without_case_path_cannot_be_restricted(world):
    with pytest.raises(TypeError):
        restrict(Product.objects.all(), world.users["manager"])
