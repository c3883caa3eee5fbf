"""The import pages and the upload API: upload, map unknown columns once, progress, issues, error file."""
from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from concord.imports.models import BatchStatus, ImportBatch, SavedProfile
from concord.loans.models import LoanAccount

from .builders import HEADERS, ID_2, row, rows_matrix, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _inline(settings, tmp_path):
    settings.CONCORD_IMPORT_DIR = tmp_path / "imports"
    settings.CONCORD_IMPORTS_INLINE = True


def upload(client, path, creditor, **extra):
    with path.open("rb") as fh:
        return client.post(reverse("import-list"), {"creditor": creditor.pk, "kind": "placements", "file": fh,
                                                    **extra})


def test_an_upload_with_an_unknown_column_asks_once_then_remembers(client, world, tmp_path):
    client.force_login(world.users["manager"])
    fin = world.creditors["fin"]
    headers = [*HEADERS, "客户经理", "备注"]
    rows = [row(**{"借据号": "N1", "客户经理": "小王", "备注": "x"}),
            row(**{"借据号": "N2", "身份证号": "bad", "客户经理": "小李"})]
    response = upload(client, write_csv(tmp_path / "a.csv", rows_matrix(rows, headers)), fin)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("import-map", args=[batch.pk])
    page = client.get(response.url)
    assert "客户经理" in page.content.decode() and "备注" in page.content.decode()
    response = client.post(reverse("import-map", args=[batch.pk]), {"col_0": "employer", "col_1": "__ignore__"})
    assert response.url == reverse("import-detail", args=[batch.pk])
    batch.refresh_from_db()
    assert (batch.status, batch.created_count, batch.rejected_count) == (BatchStatus.DONE, 1, 1)
    assert SavedProfile.objects.get(creditor=fin).columns == {"客户经理": "employer", "备注": ""}
    assert LoanAccount.objects.get(reference="N1").debtor.employments.get().employer_name == "小王"
    detail = client.get(reverse("import-detail", args=[batch.pk])).content.decode()
    assert "身份证号" in detail and reverse("import-download", args=[batch.pk, "errors"]) in detail
    errors = client.get(reverse("import-download", args=[batch.pk, "errors"]))
    assert b"N2" in b"".join(errors.streaming_content)
    # the next file with the same columns is not asked about
    again = upload(client, write_csv(tmp_path / "b.csv", rows_matrix([row(**{"借据号": "N3", "身份证号": ID_2,
                                                                              "客户经理": "小张"})], headers)), fin)
    assert again.url == reverse("import-detail", args=[ImportBatch.objects.first().pk])
    assert ImportBatch.objects.first().created_count == 1


def test_the_mapping_form_refuses_one_field_for_two_columns(client, world, tmp_path):
    client.force_login(world.users["manager"])
    headers = [*HEADERS, "单位", "公司名"]
    upload(client, write_csv(tmp_path / "a.csv", rows_matrix([row()], headers)), world.creditors["fin"])
    batch = ImportBatch.objects.get()
    page = client.post(reverse("import-map", args=[batch.pk]), {"col_0": "employer", "col_1": "employer"})
    assert page.status_code == 200 and "employer" in page.content.decode()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.QUEUED


def test_a_file_without_a_header_is_rejected_with_the_reason(client, world, tmp_path):
    client.force_login(world.users["manager"])
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,c\n1,2,3\n")
    response = upload(client, bad, world.creditors["fin"])
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.REJECTED and batch.failure
    assert batch.failure.split(" / ")[0] in client.get(response.url).content.decode()


def test_progress_fragment_and_english_page(client, world, tmp_path):
    client.force_login(world.users["manager"])
    upload(client, write_csv(tmp_path / "a.csv", rows_matrix([row(**{"借据号": "Z1"})])), world.creditors["fin"])
    batch = ImportBatch.objects.get()
    fragment = client.get(reverse("import-progress", args=[batch.pk]))
    assert fragment["HX-Refresh"] == "true" and "<svg" in fragment.content.decode()
    client.cookies["django_language"] = "en"
    page = client.get(reverse("import-list")).content.decode()
    assert "File imports" in page and "Upload and import" in page


def test_only_importers_may_import(client, world, tmp_path):
    client.force_login(world.users["col_a"])
    assert client.get(reverse("import-list")).status_code == 403
    response = upload(client, write_csv(tmp_path / "a.csv", rows_matrix([row()])), world.creditors["fin"])
    assert response.status_code == 403 and not ImportBatch.objects.exists()


def test_the_api_accepts_machine_uploads(world, tmp_path):
    api = APIClient()
    api.force_authenticate(world.users["manager"])
    path = write_csv(tmp_path / "a.csv", rows_matrix([row(**{"借据号": "A1"}), row(**{"借据号": "A2", "合同金额": "x"})]))
    with path.open("rb") as fh:
        response = api.post("/api/imports/", {"creditor": "fin", "kind": "placements", "file": fh}, format="multipart")
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["status"], body["created_count"], body["rejected_count"]) == ("done", 1, 1)
    issues = api.get(f"/api/imports/{body['id']}/issues/").json()["results"]
    assert [(i["row"], i["field"], i["severity"]) for i in issues] == [(3, "contract_amount", "error")]
    with path.open("rb") as fh:
        bad = api.post("/api/imports/", {"creditor": "nobody", "kind": "placements", "file": fh}, format="multipart")
    assert bad.status_code == 400 and "creditor" in bad.json()
    collector = APIClient()
    collector.force_authenticate(world.users["col_a"])
    assert collector.get("/api/imports/").status_code == 403


def test_uploads_above_the_size_limit_are_refused_with_the_limit_named(client, world, tmp_path, settings):
    from django.conf import settings as live

    from concord.imports.forms import check_upload_size

    assert live.CONCORD_IMPORT_MAX_MB == 200  # the default
    assert check_upload_size(200 * 1024 * 1024) is None
    assert "200 MB" in str(check_upload_size(200 * 1024 * 1024 + 1))
    settings.CONCORD_IMPORT_MAX_MB = 1
    path = tmp_path / "junk.csv"
    path.write_bytes(b"x" * (1024 * 1024 + 10))
    client.force_login(world.users["manager"])
    page = upload(client, path, world.creditors["fin"])
    assert page.status_code == 200 and "1 MB" in page.content.decode()
    api = APIClient()
    api.force_authenticate(world.users["manager"])
    with path.open("rb") as fh:
        response = api.post("/api/imports/", {"creditor": "fin", "kind": "placements", "file": fh}, format="multipart")
    assert response.status_code == 400 and "1 MB" in str(response.json()["file"])
    assert not ImportBatch.objects.exists()
