"""Letters as PDF: a valid document, the CJK font embedded, the pack's disclosures; downloads; bulk letters."""
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from concord.cases.models import Activity
from concord.compliance import services as compliance
from concord.debtors import services as debtors
from concord.outreach import services
from concord.outreach.models import OutboundMessage

from .conftest import AT, at


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_demand_letter_pdf_has_font_and_disclosures(book):
    outcome = services.send_message(book.users["col_a"], book.cases["a"], channel="letter",
                                    template_code="demand_letter", at=AT)
    m = outcome.message
    assert outcome.allowed and m.status == "sent" and m.to_masked.startswith("北京市朝阳区")
    activity = Activity.objects.get(case=book.cases["a"], kind="letter")
    assert activity.decision == outcome.decision and activity.direction == "outbound"
    data = services.letters_pdf([m])
    assert data.startswith(b"%PDF-") and b"FontFile2" in data and b"WenQuanYi" in data
    text = text_of(data)
    for needle in ("还款通知函", "张三", "债务信息", "原因与法律依据", "您的权利", "如何核对与提出异议", "委托方联系方式",
                   "民法典", "95555", "上海市浦东新区", book.cases["a"].reference, "0001", "2026-12-01",
                   f"{book.cases['a'].total_balance:,.2f}", "北京市朝阳区建国路"):
        assert needle in text, needle


def test_english_us_letter_has_validation_notice(book):
    creditor = book.creditors["bank"]
    creditor.policy_pack = "us_reg_f"
    creditor.save()
    debtor = book.cases["a"].debtor
    debtor.locale, debtor.time_zone = "en", "America/Chicago"
    debtor.save()
    import datetime as dt
    from zoneinfo import ZoneInfo
    when = dt.datetime(2026, 12, 1, 11, 0, tzinfo=ZoneInfo("America/Chicago"))
    m = services.send_message(book.users["col_a"], book.cases["a"], channel="letter", template_code="demand_letter",
                              at=when).message
    text = " ".join(text_of(services.letters_pdf([m])).split())
    assert "This is a communication from a debt collector" in text
    assert "2027-01-05" in text  # dispute by: 35 days after 2026-12-01
    assert "cfpb.gov/debt-collection" in text


def test_letter_download_respects_case_access(book, client):
    m = services.send_message(book.users["col_a"], book.cases["a"], channel="letter",
                              template_code="arrangement_confirmation", at=AT).message
    url = reverse("outreach-letter-pdf", args=[m.public_id])
    client.force_login(book.users["col_a"])
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert "还款安排确认函" in text_of(r.content)
    client.force_login(book.users["col_b"])
    assert client.get(url).status_code == 404
    client.force_login(book.users["col_a"])
    page = client.get(reverse("case-detail", args=[book.cases["a"].pk])).content.decode()
    assert url in page


def test_bulk_letters_one_document_denials_listed(book, client):
    for key in ("b", "u"):
        debtors.add_contact_point(None, book.cases[key].debtor, kind="address", value="广州市天河区体育西路 1 号",
                                  status="valid")
    compliance.place_hold(None, debtor=book.cases["b"].debtor, kind="legal", reason="诉讼中", at=at(hour=8))
    result = services.bulk_letters(book.users["manager"], [book.cases[k] for k in ("a", "b", "u")],
                                   template_code="demand_letter", at=AT)
    assert [m.case for m in result.issued] == [book.cases["a"], book.cases["u"]]
    assert [c for c, _r in result.refused] == [book.cases["b"]] and "暂停期" in result.refused[0][1]
    assert not OutboundMessage.objects.filter(case=book.cases["b"]).exists()
    data = services.letters_pdf(result.issued)
    reader = PdfReader(io.BytesIO(data))
    pages = [p.extract_text() for p in reader.pages]
    assert sum("还款通知函" in p for p in pages) == 2 and "王五" in "".join(pages) and "李四" not in "".join(pages)
    assert Activity.objects.filter(kind="letter").count() == 2


def test_bulk_page_and_batch_download(book, client):
    debtors.add_contact_point(None, book.cases["u"].debtor, kind="address", value="广州市天河区体育西路 1 号",
                              status="valid")
    client.force_login(book.users["manager"])
    r = client.post(reverse("outreach-bulk"), {"template": "demand_letter",
                                               "cases": f"{book.cases['a'].reference}, {book.cases['b'].pk}\n"
                                                        f"{book.cases['u'].reference} NOPE-9"})
    html = r.content.decode()
    assert r.status_code == 200 and 'id="bulk-result"' in html and "NOPE-9" in html
    assert book.cases["b"].reference in html and "地址" in html  # no postal address: listed with the reason
    ids = r.context["ids"]
    assert len(ids.split(",")) == 2
    pdf = client.get(reverse("outreach-batch-pdf") + "?ids=" + ids)
    assert pdf.status_code == 200 and len(PdfReader(io.BytesIO(pdf.content)).pages) >= 2
    client.force_login(book.users["col_a"])  # col_a sees case a only: the batch is refused whole
    assert client.get(reverse("outreach-batch-pdf") + "?ids=" + ids).status_code == 404
    client.force_login(book.users["viewer"])
    assert client.get(reverse("outreach-bulk")).status_code == 403


def test_letter_without_address_is_refused_with_the_field(book):
    from django.core.exceptions import ValidationError
    with pytest.raises(ValidationError) as exc:
        services.send_message(book.users["col_b"], book.cases["b"], channel="letter", template_code="demand_letter",
                              at=AT)
    assert "to" in exc.value.message_dict


def test_bulk_page_takes_the_case_list_filters(book, client):
    client.force_login(book.users["manager"])
    r = client.get(reverse("outreach-bulk"), {"creditor": book.creditors["bank"].pk})
    initial = r.context["form"].initial["cases"].split("\n")
    assert sorted(initial) == sorted([book.cases["a"].reference, book.cases["u"].reference])
    client.force_login(book.users["col_a"])  # a collector's selection is only their own cases
    r = client.get(reverse("outreach-bulk"), {"q": ""})
    assert r.context["form"].initial["cases"].split("\n") == [book.cases["a"].reference]


RARE = "张\U00020000\U0002A6A5"  # 𠀀 and 𪚥: CJK Extension B, not in WenQuanYi Micro Hei


def test_a_name_with_extension_b_characters_prints_in_the_fallback_font(book):
    debtors.update_debtor(None, book.cases["a"].debtor, full_name=RARE)
    outcome = services.send_message(book.users["col_a"], book.cases["a"], channel="letter",
                                    template_code="demand_letter", at=AT)
    assert outcome.allowed
    data = services.letters_pdf([outcome.message])
    assert b"WenQuanYi" in data and b"HanaMin" in data  # the rare characters in HanaMin, embedded
    assert RARE in text_of(data)


def test_a_letter_with_a_character_no_font_has_is_refused_before_the_gate(book, settings):
    from django.core.exceptions import ValidationError

    from concord.compliance.models import ContactDecision

    settings.CONCORD_LETTER_FALLBACK_FONTS = "/nonexistent/HanaMinB.ttf"  # the fallback package missing
    debtors.update_debtor(None, book.cases["a"].debtor, full_name=RARE)
    decisions = ContactDecision.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.send_message(book.users["col_a"], book.cases["a"], channel="letter", template_code="demand_letter",
                              at=AT)
    assert "U+20000" in str(exc.value.message_dict["body"]) and "U+2A6A5" in str(exc.value.message_dict["body"])
    assert not OutboundMessage.objects.filter(channel="letter").exists()
    assert ContactDecision.objects.count() == decisions  # nothing asked of the gate, nothing stored


def test_the_pdf_refuses_rather_than_prints_a_blank(book):
    from concord.outreach.letters import Letter, UnrenderableText, render_pdf

    letter = Letter(sender="示例银行", sender_lines=[], recipient="张三", address="北京市\U0001F9FF", date="2026-12-07",
                    subject="还款通知函", body="正文")
    with pytest.raises(UnrenderableText) as exc:
        render_pdf([letter])
    assert exc.value.chars == ["\U0001F9FF"]
