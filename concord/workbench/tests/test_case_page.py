"""The case page reads the borrower file once for all its sections and panels, and renders its empty forms once."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from concord.core.webforms import form_html
from concord.workbench.case_page import read_case_file
from concord.workbench.forms import NoteForm, PromiseForm, TaskForm
from concord.debtors import services as debtor_services

pytestmark = pytest.mark.django_db


def test_read_case_file_shares_the_rows_every_section_reads(crew, django_assert_num_queries):
    from concord.cases.models import Case

    case = Case.objects.select_related("debtor").get(pk=crew.cases["a"].pk)
    accounts = read_case_file(case)
    assert accounts and accounts == list(case.accounts.all())
    with django_assert_num_queries(0):
        points = list(case.debtor.contact_points.all())
        list(case.debtor.related_parties.all())
        case.debtor.financial_profiles.first()
        list(case.debtor.assets.all())
        for a in case.accounts.all():
            a.product.kind, list(a.instalments.all()), list(a.payments.all())
    assert points


def _tables(queries, table):
    """The ORM's reads of ``table`` (the gate's own one-query read of the person is plain SQL, unquoted)."""
    return [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"]]


def test_the_page_and_its_panels_read_contact_points_and_accounts_once(client, crew):
    case = crew.cases["a"]
    debtor_services.add_contact_point(None, case.debtor, kind="address", value="北京市朝阳区建国路 88 号",
                                      address_type="home", status="valid")
    client.force_login(crew.users["col_a"])
    url = reverse("case-detail", args=[case.pk])
    with CaptureQueriesContext(connection) as page:
        html = client.get(url).content.decode()
    assert 'id="outreach"' in html and 'id="visits"' in html and 'id="legal"' in html
    assert 'id="visit-request-form"' in html                       # the visits panel found the address
    assert len(_tables(page.captured_queries, "debtors_contactpoint")) == 1
    assert len(_tables(page.captured_queries, "loans_loanaccount")) == 1
    assert len(_tables(page.captured_queries, "debtors_financialprofile")) == 1


def test_a_collector_gets_no_forms_of_other_roles(client, crew):
    client.force_login(crew.users["col_a"])
    response = client.get(reverse("case-detail", args=[crew.cases["a"].pk]))
    ctx = response.context
    assert ctx["payment_form"] is None and ctx["assign_form"] is None     # managers' and leads' forms
    legal = dict((panel.name, p) for panel, p in ctx["panels"])["legal"]
    assert legal["cost_form"] is None and legal["close_form"] is None and legal["ack_form"]
    html = response.content.decode()
    assert 'id="payment-form"' not in html and 'id="promise-form"' in html and 'id="task-form"' in html


def test_form_html_is_the_forms_own_markup_per_language():
    limits = {"earliest": "2026-12-01", "latest": "2026-12-15"}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert form_html(TaskForm) == TaskForm().render()
            assert form_html(NoteForm) == NoteForm().render()
            assert form_html(PromiseForm, limits=limits) == PromiseForm(limits=limits).render()
            assert 'max="2026-12-15"' in form_html(PromiseForm, limits=limits)
    with translation.override("en"):
        english = form_html(TaskForm)
    with translation.override("zh-hans"):
        assert form_html(TaskForm) != english
