"""Two people move the same case into the legal track at once: exactly one track and one hold (PostgreSQL runs it
with two threads; SQLite, which serialises writers, one after the other)."""
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from concord.compliance.models import Hold
from concord.legal import services
from concord.legal.models import LegalCase


@pytest.mark.django_db(transaction=True)
def test_two_entries_of_one_case_exactly_one_wins():
    from concord.conftest import build_world

    world = build_world()
    case = world.cases["a"]
    results = []

    def enter(name):
        from django.db import connection as conn
        try:
            if barrier:
                barrier.wait(timeout=10)
            services.enter_legal(world.users[name], case)
            results.append(("won", name))
        except ValidationError as exc:
            results.append(("refused", exc.message_dict["case"][0]))
        finally:
            if barrier:
                conn.close()

    if connection.vendor == "postgresql":
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=enter, args=(n,)) for n in ("legal", "manager")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    else:
        barrier = None
        enter("legal")
        enter("manager")
    assert sorted(r[0] for r in results) == ["refused", "won"], results
    assert "已在法律程序中" in next(r[1] for r in results if r[0] == "refused")
    assert LegalCase.objects.filter(case=case).count() == 1
    assert Hold.objects.filter(kind="legal", released_at__isnull=True).count() == 1
