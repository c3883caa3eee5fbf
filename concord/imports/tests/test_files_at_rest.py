"""An import's files at rest: the upload, its issue list and its error file are sealed under the PII key, readable by
the service's user only (0600, the folder 0700), and hold no ID number or phone number in clear; the pages and the
command still give them back in clear to an importer; the issue list shows an invalid phone number masked."""
from __future__ import annotations

import pytest
from django.urls import reverse

from concord.core import pii, sealed
from concord.core.masking import mask_phone
from concord.imports import services

from .builders import ID_1, ID_2, row, rows_matrix, write_csv

pytestmark = pytest.mark.django_db
BAD_PHONE = "1391234"  # too short: kept invalid, with a warning


@pytest.fixture
def batch(world, tmp_path, settings):
    settings.CONCORD_IMPORT_DIR = tmp_path / "imports"
    settings.CONCORD_IMPORTS_INLINE = True
    path = write_csv(tmp_path / "p.csv", rows_matrix([
        row(**{"手机号": BAD_PHONE}),
        row(**{"借据号": "L2", "身份证号": ID_2, "合同金额": "x"}),  # rejected: into the error file
    ]))
    return services.import_file("tester", creditor=world.creditors["fin"], kind="placements", path=path)


def test_every_file_of_a_batch_is_sealed_and_private(batch):
    folder = services.batch_dir(batch)
    files = sorted(p.name for p in folder.iterdir())
    assert files == sorted(["p.csv.sealed", "issues.jsonl", "errors.csv"])
    assert folder.stat().st_mode & 0o777 == 0o700
    for path in folder.iterdir():
        raw = path.read_bytes()
        assert sealed.is_sealed(path), path.name
        assert path.stat().st_mode & 0o777 == 0o600, path.name
        for secret in (ID_1, ID_2, "13812348000", "13912345678", BAD_PHONE):
            assert secret.encode() not in raw, (path.name, secret)
    assert ID_2 in services.error_bytes(batch).decode("utf-8-sig")


def test_the_issue_list_shows_an_invalid_phone_masked(batch, client, world):
    warnings = services.read_issues(batch, severity="warning")
    assert [w["code"] for w in warnings] == ["phone_invalid"]
    assert BAD_PHONE not in warnings[0]["reason"] + warnings[0]["reason_en"]
    assert mask_phone(BAD_PHONE) in warnings[0]["reason"]
    client.force_login(world.users["manager"])
    page = client.get(reverse("import-detail", args=[batch.pk])).content.decode()
    assert BAD_PHONE not in page and mask_phone(BAD_PHONE) in page


def test_the_pages_give_the_files_back_in_clear(batch, client, world, tmp_path):
    client.force_login(world.users["manager"])
    upload = client.get(reverse("import-download", args=[batch.pk, "upload"]))
    assert b"".join(upload.streaming_content) == (tmp_path / "p.csv").read_bytes()
    errors = b"".join(client.get(reverse("import-download", args=[batch.pk, "errors"])).streaming_content)
    assert ID_2.encode() in errors and "错误原因".encode() in errors
    rerun = client.post(reverse("import-rerun", args=[batch.pk]))
    assert rerun.status_code == 302


def test_a_changed_or_cut_file_or_another_key_does_not_open(batch, settings):
    path = services.stored_file(batch)
    good = path.read_bytes()
    path.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
    with pytest.raises(sealed.SealedFileError):
        sealed.read_plain(path)
    path.write_bytes(good[:-20])
    with pytest.raises(sealed.SealedFileError):
        sealed.read_plain(path)
    path.write_bytes(good)
    old = settings.CONCORD_PII_KEY
    settings.CONCORD_PII_KEY = pii.generate_key()
    pii.reset_keys()
    try:
        with pytest.raises(sealed.SealedFileError):
            sealed.read_plain(path)
    finally:
        settings.CONCORD_PII_KEY = old
        pii.reset_keys()


def test_a_large_file_is_sealed_in_records_and_reads_back(tmp_path):
    data = bytes(range(256)) * (3 * sealed.CHUNK // 256 + 7)
    (tmp_path / "big").write_bytes(data)
    sealed.seal_file(tmp_path / "big", tmp_path / "big.sealed")
    assert sealed.read_plain(tmp_path / "big.sealed") == data
    with sealed.plain_copy(tmp_path / "big.sealed", ".bin") as copy:
        assert copy.read_bytes() == data and copy.stat().st_mode & 0o777 == 0o600
    assert not copy.exists()
