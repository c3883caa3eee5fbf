"""Shared test fixtures: a small book with two creditors, two teams and one user per role."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
import time_machine
from hypothesis import settings as hypothesis_settings

#: Property tests have no per-example time limit: speed is measured in benchmarks/, and a database round trip on a
#: loaded machine (two test processes, a browser, PostgreSQL) took 351 ms against Hypothesis's default 200 ms.
hypothesis_settings.register_profile("concord", deadline=None)
hypothesis_settings.load_profile("concord")

TEST_PII_KEY = "q2VhZ5a9oQm1n8kYtqWv0x3Zr7cLb4Gd6Hf2Je9KsPU="
TEST_AUDIT_KEY = "test-audit-key-7b1f0c5e9a3d4c2b8e6f1a0d9c8b7a6e"

#: The suite's "now". Every test starts at this instant and time flows from there, whatever the wall clock says
#: (``make test`` passes a year ahead and a year back); a test that needs another moment says so with
#: ``@pytest.mark.clock("2027-01-04T09:00:00+08:00")``. The pin starts when pytest starts, so values computed while
#: test modules are imported and session fixtures (the test database, its seeds) are pinned too.
SUITE_NOW = dt.datetime.fromisoformat("2026-12-07T10:00:00+08:00")
_suite_travel: list = []


def pytest_configure(config):
    if not _suite_travel:
        _suite_travel.append(time_machine.travel(SUITE_NOW, tick=True))
        _suite_travel[0].start()


def pytest_unconfigure(config):
    while _suite_travel:
        _suite_travel.pop().stop()


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres_only`` (PostgreSQL's locking, planner statistics) are skipped on SQLite, saying so."""
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://… (make test does)")
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _test_clock(request):
    marker = request.node.get_closest_marker("clock")
    when = dt.datetime.fromisoformat(marker.args[0]) if marker else SUITE_NOW
    with time_machine.travel(when, tick=True):
        yield


@pytest.fixture(autouse=True)
def _history_dir(settings, tmp_path_factory):
    """Each test keeps the end-of-day runs' daily history in its own directory."""
    settings.CONCORD_HISTORY_DIR = tmp_path_factory.mktemp("history")


@pytest.fixture(autouse=True)
def _pii_key(settings):
    from concord.core import audit, pii

    settings.CONCORD_PII_KEY = TEST_PII_KEY
    settings.CONCORD_AUDIT_KEY = TEST_AUDIT_KEY
    settings.CONCORD_AUDIT_KEYRING = []
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    pii.reset_keys()
    audit.reset_keys()
    yield
    pii.reset_keys()
    audit.reset_keys()


#: Rows the application relies on that data migrations seed (default message templates, call scripts). A test
#: using ``transactional_db`` (live-server browser tests, race tests) ends with a flush that empties every table,
#: seeds included; each database test therefore puts them back first (each seed is idempotent).
DB_FIXTURES = {"db", "transactional_db", "world", "live_server"}


@pytest.fixture(autouse=True)
def _data_seeds(request):
    if not (DB_FIXTURES & set(request.fixturenames) or request.node.get_closest_marker("django_db")):
        yield
        return
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or bool(marker and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")
    from concord.demo.work import restore_data_seeds

    restore_data_seeds()
    yield


# Valid resident IDs (checksums computed; regions exist).
def resident_id(region: str = "110105", birth: str = "19900101", seq: int = 123) -> str:
    from stdnum.cn import ric

    body = f"{region}{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


@dataclass
class World:
    creditors: dict = field(default_factory=dict)
    teams: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    cases: dict = field(default_factory=dict)


def make_case(actor, creditor, *, name: str, id_number: str, phone: str, product_kind: str = "online_loan",
              reference: str, collector=None, team=None, paid_instalments: int = 2,
              start: dt.date = dt.date(2026, 1, 10), as_of: dt.date = dt.date(2026, 11, 28)):
    from concord.cases import services as cases
    from concord.debtors import services as debtors
    from concord.loans import services as loans

    debtor, _ = debtors.find_or_register_debtor(actor, full_name=name, id_number=id_number)
    debtors.merge_contact_point(actor, debtor, kind="mobile", value=phone, status="valid", supplied_by=creditor)
    case, _ = cases.open_case(actor, creditor=creditor, debtor=debtor, opened_on=as_of)
    product = creditor.products.get(kind=product_kind)
    if product_kind == "credit_card":
        loans.open_account(actor, case=case, product=product, reference=reference,
                           contract_amount=Decimal("20000"), annual_rate=Decimal("0.18"), method="revolving",
                           start_date=start, as_of=as_of, card_principal=Decimal("15000.00"),
                           card_interest=Decimal("450.00"), card_overdue_since=dt.date(2026, 9, 5))
    else:
        loans.open_account(actor, case=case, product=product, reference=reference,
                           contract_amount=Decimal("12000"), annual_rate=Decimal("0.18"),
                           method="equal_installment", term_months=12, start_date=start, as_of=as_of,
                           paid_instalments=paid_instalments)
    if collector or team:
        cases.assign_case(actor, case, team=team, collector=collector, reason="test")
    case.refresh_from_db()
    return case


@pytest.fixture
def world(db) -> World:
    return build_world()


def build_world() -> World:
    """Creditors bank + fintech; teams A (lead_a, col_a) and B (col_b); a case each for col_a, col_b,
    and an unassigned one at the bank; one user per role (viewer sees only the bank)."""
    from concord.creditors.services import add_creditor
    from concord.staff.models import Team, User

    w = World()
    w.creditors["bank"] = add_creditor(None, code="bank", name="示例银行", kind="bank", policy_pack="cn_bank")
    w.creditors["fin"] = add_creditor(None, code="fin", name="示例平台", kind="platform",
                                      policy_pack="cn_online_lending")
    w.teams["A"] = Team.objects.create(name="A组")
    w.teams["B"] = Team.objects.create(name="B组")

    def user(username, role, **kw):
        u = User.objects.create_user(username=username, password="pw-" + username, role=role, **kw)
        w.users[username] = u
        return u

    user("admin", "admin", is_staff=True, is_superuser=True)
    user("manager", "manager")
    lead = user("lead_a", "team_lead", team=w.teams["A"])
    w.teams["A"].lead = lead
    w.teams["A"].save()
    user("col_a", "collector", team=w.teams["A"])
    user("col_b", "collector", team=w.teams["B"])
    user("compliance", "compliance")
    user("legal", "legal")
    user("field", "field_agent", team=w.teams["A"])
    user("viewer", "creditor_viewer", creditor=w.creditors["bank"])

    w.cases["a"] = make_case(None, w.creditors["bank"], name="张三", id_number=resident_id(seq=111),
                             phone="13812348000", product_kind="credit_card", reference="CARD-0001",
                             collector=w.users["col_a"], team=w.teams["A"])
    w.cases["b"] = make_case(None, w.creditors["fin"], name="李四", id_number=resident_id("310101", "19851212", 222),
                             phone="13900001111", reference="LOAN-0002", collector=w.users["col_b"],
                             team=w.teams["B"])
    w.cases["u"] = make_case(None, w.creditors["bank"], name="王五", id_number=resident_id("440106", "19780505", 333),
                             phone="13700002222", reference="LOAN-0003")
    return w


class SmtpInbox:
    """What a local SMTP server (aiosmtpd) received: its envelopes, in order."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings):
    """A real SMTP server on a free local port, with Concord's e-mail settings pointed at it; yields its inbox."""
    import socket

    from aiosmtpd.controller import Controller

    inbox = SmtpInbox()
    with socket.socket() as probe:  # a free port (aiosmtpd's own start-up check cannot use port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.CONCORD_EMAIL_FROM = "collections@concord.example.cn"
    yield inbox
    controller.stop()
