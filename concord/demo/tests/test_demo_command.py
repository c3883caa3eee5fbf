from io import StringIO

import pytest
from django.core.management import call_command

from concord.creditors.models import Creditor


@pytest.mark.django_db
def test_demo_prepares_the_database_once_and_prints_logins():
    out = StringIO()
    call_command("demo", debtors=12, engine_days=1, no_serve=True, stdout=out)
    assert Creditor.objects.count() == 3
    assert "http://127.0.0.1:8000/" in out.getvalue() and "concord-demo" in out.getvalue()
    again = StringIO()
    call_command("demo", debtors=12, no_serve=True, stdout=again)
    assert "not loaded again" in again.getvalue() and "viewer" in again.getvalue()
    assert Creditor.objects.count() == 3
