"""A borrower who calls back is recognised by number (blind index) and the collector's screen opens their case;
an unknown number is logged for follow-up."""
import pytest

from concord.core.models import AuditEvent
from concord.telephony.inbound import receive_call, unknown_calls
from concord.telephony.models import InboundCall

pytestmark = pytest.mark.django_db


def test_a_known_number_opens_the_collectors_case(crew, client):
    col, case = crew.users["col_b"], crew.cases["b"]
    client.force_login(col)
    response = client.get("/telephony/inbound/", {"number": "+86 139-0000-1111"})     # written another way
    assert response.status_code == 302 and response.url.startswith(f"/cases/{case.pk}/")
    call = InboundCall.objects.get()
    assert call.case == case and call.number_masked.endswith("1111")
    assert "13900001111" not in str(InboundCall.objects.values_list("number_index", "number_masked").get())
    assert AuditEvent.objects.filter(action="telephony.inbound").exists()


def test_an_unknown_number_is_kept_for_follow_up(crew):
    call = receive_call("13011112222", agent=crew.users["col_a"])
    assert call.case is None and call.debtor is None
    assert list(unknown_calls()) == [call]


def test_a_recognised_call_is_an_inbound_contact_in_the_ledger(crew):
    from concord.compliance.models import ContactAttempt

    case = crew.cases["b"]
    call = receive_call("13900001111", agent=crew.users["col_b"])
    row = ContactAttempt.objects.get(direction="inbound")
    assert (row.debtor, row.case, row.channel, row.outcome) == (case.debtor, case, "call", "conversation")
    assert row.decision is None and row.collector == crew.users["col_b"] and row.number_masked.endswith("1111")
    assert AuditEvent.objects.get(action="telephony.inbound").changes["ledger"] == row.pk
    receive_call("13011112222", agent=crew.users["col_a"])                  # unknown: nobody's ledger
    assert ContactAttempt.objects.filter(direction="inbound").count() == 1 and call.case == case
