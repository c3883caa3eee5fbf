"""The statement pages, the reconciliation, the remittance and the creditor portal, with row-level access."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from concord.creditors import services as creditors
from concord.statements.models import ReconciliationItem, Statement, StatementStatus

from .book import october, seed_batch

pytestmark = pytest.mark.django_db
URL = "/statements/bank/2026-10/"

THEIR_FILE = ("借据号,交易流水号,还款金额,还款时间,还款渠道\n"
              "CARD-0001,CARD-0001-2026-10-05-1000.00,1000.00,2026-10-05 10:00:00,支付宝\n"     # matched
              "LOAN-0003,LOAN-0003-2026-10-10-20.00,25.00,2026-10-10 10:00:00,支付宝\n"        # amount differs
              "LOAN-0003,THEIRS-1,66.00,2026-10-12 10:00:00,银行转账\n"                        # only theirs
              "CARD-0001,CARD-0001-2026-10-20-5000.00,5000.00,2026-10-20 10:00:00,支付宝\n"    # matched
              "LOAN-0003,LOAN-0003-2026-10-25-800.00,800.00,2026-10-25 10:00:00,直接还款\n"     # matched
              "LOAN-0003,BAD,abc,2026-10-26 10:00:00,支付宝\n")                                # unreadable


def upload(client, text=THEIR_FILE, name="bank-2026-10.csv"):
    return client.post(URL + "reconcile/", {"file": SimpleUploadedFile(name, text.encode("utf-8"))})


def test_the_manager_sees_lines_totals_and_downloads(world, client):
    seed_batch(world)
    october(world)
    client.force_login(world.users["manager"])
    page = client.get(URL).content.decode()
    assert "¥6,820.00" in page and "¥625.00" in page and "¥5,395.00" in page and "委案账龄 M1 费率 12%（封顶）" in page
    xlsx = client.get(URL + "download.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    from openpyxl import load_workbook
    import io
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "CARD-0001" in values and 5395.0 in values and 625.0 in values
    pdf = client.get(URL + "download.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert b"FontFile2" in pdf.content                      # the CJK font is embedded
    assert client.get(URL + "download.doc").status_code == 404


def test_reconciliation_differences_are_resolved_with_a_note(world, client):
    seed_batch(world)
    october(world)
    client.force_login(world.users["viewer"])
    assert upload(client).status_code == 302
    items = {(i.kind, i.account_reference, i.reference) for i in ReconciliationItem.objects.all()}
    assert items == {("matched", "CARD-0001", "CARD-0001-2026-10-05-1000.00"),
                     ("amount", "LOAN-0003", "LOAN-0003-2026-10-10-20.00"),
                     ("theirs_only", "LOAN-0003", "THEIRS-1"),
                     ("matched", "CARD-0001", "CARD-0001-2026-10-20-5000.00"),
                     ("matched", "LOAN-0003", "LOAN-0003-2026-10-25-800.00")}
    page = client.get(URL).content.decode()
    assert 'id="sum-open">2<' in page and "第 7 行" in page
    amount = ReconciliationItem.objects.get(kind="amount")
    assert client.post(URL + f"differences/{amount.pk}/resolve/", {"note": ""}).status_code == 400
    client.post(URL + f"differences/{amount.pk}/resolve/", {"note": "我方文件录入错误，以 20 元为准"})
    amount.refresh_from_db()
    assert amount.resolved and amount.resolved_by == world.users["viewer"]
    assert 'id="sum-open">1<' in client.get(URL).content.decode()


def test_an_ours_only_payment_is_a_difference(world, client):
    seed_batch(world)
    october(world)
    client.force_login(world.users["manager"])
    upload(client, "借据号,交易流水号,还款金额,还款时间\nCARD-0001,CARD-0001-2026-10-05-1000.00,1000.00,2026-10-05 10:00\n")
    assert ReconciliationItem.objects.filter(kind="ours_only").count() == 3


def test_approve_query_close_remit_through_the_pages(world, client):
    seed_batch(world)
    october(world)
    client.force_login(world.users["viewer"])
    page = client.get(URL).content.decode()
    assert 'id="query-form"' in page and 'id="remit-form"' not in page and 'id="close"' not in page
    assert client.post(URL + "query/", {"comment": ""}).status_code == 400
    client.post(URL + "query/", {"comment": "10-25 的 800 元请核对"})
    assert Statement.objects.get().status == StatementStatus.QUERIED
    assert client.post(URL + "close/").status_code == 400          # the agency's step
    client.post(URL + "approve/")
    assert Statement.objects.get().status == StatementStatus.APPROVED
    client.force_login(world.users["manager"])
    assert 'id="remit-form"' in client.get(URL).content.decode()
    client.post(URL + "remit/", {"amount": "5395.00", "reference": "HK20261105", "paid_on": "2026-11-05", "note": ""})
    client.post(URL + "close/")
    s = Statement.objects.get()
    assert s.status == StatementStatus.CLOSED and s.remittances.get().reference == "HK20261105"
    assert "HK20261105" in client.get(URL).content.decode()


def test_a_creditor_user_never_sees_another_creditor(world, client):
    fin = world.creditors["fin"]
    creditors.create_placement("tester", fin, reference="FIN-SECRET", placed_on=dt.date(2026, 10, 1),
                               period_days=90)
    seed_batch(world)
    client.force_login(world.users["viewer"])
    assert client.get("/statements/fin/2026-10/").status_code == 404
    assert client.get("/statements/fin/2026-10/download.pdf").status_code == 404
    assert client.post("/statements/fin/2026-10/approve/").status_code == 404
    assert client.get("/statements/").status_code == 302            # to their portal
    home = client.get("/creditor/").content.decode()
    assert "B1" in home and "FIN-SECRET" not in home and "示例平台" not in home
    assert client.get("/placements/").status_code == 403
    for user in ("col_a", "lead_a", "compliance"):
        client.force_login(world.users[user])
        assert client.get(URL).status_code == 403
        assert client.get("/creditor/").status_code == 403


def test_portal_home_figures_and_recovery_by_month(world, client):
    seed_batch(world)
    october(world)
    client.force_login(world.users["viewer"])
    page = client.get("/creditor/").content.decode()
    assert "2026-10" in page and "¥6,820.00" in page


def test_portal_upload_goes_through_the_import_pipeline(world, client, settings):
    settings.CONCORD_IMPORTS_INLINE = True
    seed_batch(world)
    client.force_login(world.users["viewer"])
    text = "借据号,退案原因\nLOAN-0003,委托方收回\nNOPE-1,x\n"
    response = client.post("/creditor/uploads/", {"kind": "recalls",
                                                  "file": SimpleUploadedFile("recall.csv", text.encode())})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert 'id="upload-rejected">1<' in page and "NOPE-1" in page
    from concord.imports.models import ImportBatch
    batch = ImportBatch.objects.get()
    client.force_login(world.users["admin"])
    from concord.staff.models import User
    other = User.objects.create_user(username="fin_viewer", password="x", role="creditor_viewer",
                                     creditor=world.creditors["fin"])
    client.force_login(other)
    assert client.get(f"/creditor/uploads/{batch.pk}/").status_code == 404


def test_the_portal_reports_open_promises_of_recalled_cases(world, client):
    from concord.placements import services as placements
    from concord.placements.tests.helpers import bank_batch
    from concord.workbench.promises import record_promise
    placement = bank_batch(world)            # no retention: the case with a promise is recalled, its promise reported
    record_promise("tester", world.cases["a"], amount=D("500"), due_date=dt.date(2026, 12, 10))
    placements.end_period("tester", placement, on=dt.date(2026, 11, 21))
    client.force_login(world.users["viewer"])
    page = client.get("/creditor/").content.decode()
    assert 'id="portal-recall-report"' in page and "承诺还款 ¥500.00，2026-12-10 到期" in page
