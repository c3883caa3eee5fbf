"""The demo's book for a test module: 120 debtors and their 60 days of history, seeded once for the module
(committed, the last 7 nights run by the end-of-day engine) and erased at the end."""
from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from concord.conftest import TEST_AUDIT_KEY, TEST_PII_KEY
from concord.core import audit, clock, pii

DEBTORS = 120


def seed(*args) -> tuple[str, str]:
    """Run the command as of today (options given later override the defaults given first): (stdout, stderr)."""
    out, err = StringIO(), StringIO()
    call_command("seed", "--seed", "7", "--debtors", str(DEBTORS), "--as-of", clock.today().isoformat(),
                 *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def book(django_db_setup, django_db_blocker, tmp_path_factory):
    """Seed once for the module (committed) and erase it afterwards."""
    from concord.demo.portfolio import fingerprint

    # the same PII and audit keys and (fast) password hasher as the function-scoped fixtures in concord/conftest.py
    history = tmp_path_factory.mktemp("demo-history")
    with django_db_blocker.unblock(), override_settings(
            CONCORD_HISTORY_DIR=history, CONCORD_PII_KEY=TEST_PII_KEY, CONCORD_AUDIT_KEY=TEST_AUDIT_KEY, CONCORD_AUDIT_KEYRING=[],
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        pii.reset_keys()
        audit.reset_keys()
        output, errors = seed()
        yield {"output": output, "errors": errors, "fingerprint": fingerprint(), "history": history}
        call_command("flush", interactive=False, verbosity=0)
        pii.reset_keys()
        audit.reset_keys()
