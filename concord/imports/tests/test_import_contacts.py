"""Contact-repair files (信修文件): verified contact points and related parties for known people."""
from __future__ import annotations

import pytest

from concord.conftest import resident_id
from concord.debtors.models import ContactPoint, ContactSource, ContactStatus, RelatedParty

from .kindfiles import command_json, counts, csv_file, problems, run, xlsx_file

pytestmark = pytest.mark.django_db
HEADERS = ["身份证号", "借据号", "姓名", "联系方式类型", "联系方式", "地址类型", "关系", "联系人姓名"]
ID_ZHANG = resident_id(seq=111)  # 张三, bank: CARD-0001
ID_LI = resident_id("310101", "19851212", 222)  # 李四, fin only
ID_WANG = resident_id("440106", "19780505", 333)  # 王五, bank: LOAN-0003


def points(world, key: str):
    return ContactPoint.objects.filter(debtor=world.cases[key].debtor_id)


def test_repaired_contacts_become_verified_contact_points(world, tmp_path):
    rows = [{"身份证号": ID_ZHANG, "联系方式": "135 1234 5678"},
            {"借据号": "LOAN-0003", "联系方式类型": "邮箱", "联系方式": "Wang.Wu@Example.com"},
            {"借据号": "LOAN-0003", "联系方式类型": "地址", "联系方式": "北京市朝阳区某路1号", "地址类型": "单位"},
            {"身份证号": ID_WANG, "联系方式类型": "固话", "联系方式": "010-62345678"},
            {"身份证号": ID_WANG, "联系方式类型": "微信", "联系方式": "wangwu_88"}]
    batch = run("contacts", world.creditors["bank"], csv_file(tmp_path / "c.csv", HEADERS, rows))
    assert counts(batch) == {"rows": 5, "created": 5, "updated": 0, "unchanged": 0, "rejected": 0, "warnings": 0}
    new = points(world, "a").get(value_index=ContactPoint._meta.get_field("value_index").compute("+8613512345678"))
    assert (new.kind, new.source, new.status, new.source_detail) == ("mobile", ContactSource.REPAIR,
                                                                     ContactStatus.VALID, f"bank #{batch.pk}")
    assert new.verified_at is not None and not new.is_primary  # 张三 already has a primary mobile
    got = {(p.kind, p.value, p.address_type) for p in points(world, "u").filter(source=ContactSource.REPAIR)}
    assert got == {("email", "wang.wu@example.com", ""), ("address", "北京市朝阳区某路1号", "work"),
                   ("landline", "+861062345678", ""), ("wechat", "wangwu_88", "")}
    assert all(p.verified_at for p in points(world, "u").filter(source=ContactSource.REPAIR))


def test_an_invalid_phone_is_kept_invalid_with_a_warning(world, tmp_path):
    batch = run("contacts", world.creditors["bank"], csv_file(tmp_path / "c.csv", HEADERS,
                                                              [{"借据号": "LOAN-0003", "联系方式": "12345"}]))
    assert counts(batch)["created"] == 1 and problems(batch, "warning") == [(2, "contact_value", "phone_invalid")]
    kept = points(world, "u").get(source=ContactSource.REPAIR)
    assert (kept.value, kept.status, kept.verified_at) == ("12345", ContactStatus.INVALID, None)


def test_an_existing_value_is_unchanged_but_verified(world, tmp_path):
    known = points(world, "u").get()
    assert known.verified_at is None
    unknown = ContactPoint.objects.create(debtor=known.debtor, kind="mobile", value="+8613600001111",
                                          status=ContactStatus.UNKNOWN)
    barred = ContactPoint.objects.create(debtor=known.debtor, kind="mobile", value="+8613600002222",
                                         status=ContactStatus.DO_NOT_CONTACT)
    rows = [{"借据号": "LOAN-0003", "联系方式": "13700002222"}, {"借据号": "LOAN-0003", "联系方式": "13600001111"},
            {"借据号": "LOAN-0003", "联系方式": "13600002222"}]
    batch = run("contacts", world.creditors["bank"], csv_file(tmp_path / "c.csv", HEADERS, rows))
    assert counts(batch) == {"rows": 3, "created": 0, "updated": 1, "unchanged": 2, "rejected": 0, "warnings": 1}
    assert problems(batch, "warning") == [(4, "contact_value", "contact_status_kept")]
    known.refresh_from_db(), unknown.refresh_from_db(), barred.refresh_from_db()
    assert known.verified_at is not None and known.status == ContactStatus.VALID
    assert unknown.status == ContactStatus.VALID and barred.status == ContactStatus.DO_NOT_CONTACT
    assert points(world, "u").count() == 3 and known.source == ContactSource.CREDITOR


def test_a_relation_makes_a_related_party_not_an_own_contact(world, tmp_path):
    rows = [{"借据号": "LOAN-0003", "联系方式": "13511112222", "关系": "配偶", "联系人姓名": "王妻"},
            {"借据号": "LOAN-0003", "联系方式": "13511113333", "关系": "同事"},
            {"借据号": "LOAN-0003", "联系方式": "13511113333", "关系": "同事"}]
    batch = run("contacts", world.creditors["bank"], csv_file(tmp_path / "c.csv", HEADERS, rows))
    assert (counts(batch)["created"], counts(batch)["unchanged"]) == (2, 1)
    parties = {(p.full_name, p.role, p.relation, p.phone) for p in RelatedParty.objects.all()}
    assert parties == {("王妻", "spouse", "配偶", "+8613511112222"), ("同事", "other", "同事", "+8613511113333")}
    assert points(world, "u").count() == 1


def test_every_rejection_names_the_field(world, tmp_path):
    rows = [{"身份证号": resident_id("110105", "19700101", 555), "联系方式": "13512345678"},  # 2 unknown person
            {"身份证号": ID_LI, "联系方式": "13512345678"},             # 3 not this creditor's person
            {"借据号": "NOPE-1", "联系方式": "13512345678"},            # 4 unknown account
            {"身份证号": ID_ZHANG, "借据号": "LOAN-0003", "联系方式": "13512345678"},  # 5 two people
            {"姓名": "某人", "联系方式": "13512345678"},                 # 6 neither ID nor account
            {"借据号": "LOAN-0003", "联系方式": ""},                     # 7 no value
            {"借据号": "LOAN-0003", "联系方式类型": "邮箱", "联系方式": "not-an-email"},  # 8
            {"借据号": "LOAN-0003", "联系方式类型": "地址", "联系方式": "某地", "关系": "父亲"},  # 9
            {"借据号": "LOAN-0003", "联系方式类型": "传真", "联系方式": "123"},  # 10
            {"借据号": "LOAN-0003", "联系方式类型": "地址", "联系方式": "某地", "地址类型": "火星"},  # 11
            {"身份证号": "110105199001011230", "联系方式": "13512345678"}]  # 12 bad checksum
    batch = run("contacts", world.creditors["bank"], csv_file(tmp_path / "c.csv", HEADERS, rows))
    assert counts(batch)["rejected"] == len(rows)
    found = problems(batch)
    assert found[:10] == [(2, "national_id", "person_unknown"), (3, "national_id", "person_unknown"),
                          (4, "account_reference", "account_unknown"),
                          (5, "account_reference", "account_other_person"), (6, "national_id", "required"),
                          (7, "contact_value", "required"), (8, "contact_value", "email_invalid"),
                          (9, "contact_kind", "party_needs_phone"), (10, "contact_kind", "unknown_contact_kind"),
                          (11, "address_type", "unknown_address_type")]
    assert found[10][:2] == (12, "national_id") and found[10][2].startswith("id_")
    assert ContactPoint.objects.filter(source=ContactSource.REPAIR).count() == 0
    assert RelatedParty.objects.count() == 0


def test_a_different_name_is_a_warning(world, tmp_path):
    batch = run("contacts", world.creditors["bank"], csv_file(tmp_path / "c.csv", HEADERS,
                                                              [{"借据号": "LOAN-0003", "姓名": "王六", "联系方式": "13512345678"}]))
    assert counts(batch)["created"] == 1 and problems(batch, "warning") == [(2, "full_name", "name_mismatch")]


def test_idempotent_same_file_is_a_repeat_and_same_rows_are_unchanged(world, tmp_path):
    rows = [{"借据号": "LOAN-0003", "联系方式": "13512345678"},
            {"借据号": "LOAN-0003", "联系方式": "13511113333", "关系": "同事"}]
    path = csv_file(tmp_path / "c.csv", HEADERS, rows)
    first = run("contacts", world.creditors["bank"], path)
    again = run("contacts", world.creditors["bank"], path)
    assert again.duplicate_of == first and counts(again)["unchanged"] == 2
    by_id = [{"身份证号": ID_WANG, "联系方式": "+86 135-1234-5678"}, {"身份证号": ID_WANG, "联系方式": "13511113333",
                                                                  "关系": "同事"}]
    other = run("contacts", world.creditors["bank"], csv_file(tmp_path / "c2.csv", HEADERS, by_id))
    assert other.duplicate_of is None and counts(other)["unchanged"] == 2
    assert points(world, "u").count() == 2 and RelatedParty.objects.count() == 1


def test_a_dry_run_writes_nothing(world, tmp_path):
    known = points(world, "u").get()
    batch = run("contacts", world.creditors["bank"], csv_file(tmp_path / "c.csv", HEADERS, [
        {"借据号": "LOAN-0003", "联系方式": "13512345678"}, {"借据号": "LOAN-0003", "联系方式": "13700002222"},
        {"借据号": "LOAN-0003", "联系方式": "13511113333", "关系": "同事"}]), dry_run=True)
    assert (counts(batch)["created"], counts(batch)["unchanged"]) == (2, 1)
    known.refresh_from_db()
    assert points(world, "u").count() == 1 and known.verified_at is None and RelatedParty.objects.count() == 0


def test_gbk_csv_english_headers_and_xlsx_json_lines(world, tmp_path):
    path = csv_file(tmp_path / "gbk.csv", ["ID Number", "Name", "Contact Type", "Contact", "Relationship"],
                    [{"ID Number": ID_WANG, "Name": "王五", "Contact": "13512345678"},
                     {"ID Number": ID_LI, "Name": "李四", "Contact": "13512345678"}], encoding="gbk")
    lines = command_json("contacts", path)
    assert [(line["row"], line["field"]) for line in lines[:-1]] == [(3, "national_id")]
    assert lines[-1]["summary"]["encoding"] == "gb18030" and lines[-1]["summary"]["created"] == 1
    path = xlsx_file(tmp_path / "c.xlsx", HEADERS, [{"借据号": "LOAN-0003", "联系方式": 13599998888},
                                                     {"借据号": "NOPE", "联系方式": "13599997777"}], title="信修结果")
    lines = command_json("contacts", path)
    assert [(line["row"], line["sheet"], line["field"]) for line in lines[:-1]] == [(5, "Sheet1", "account_reference")]
    repaired = {p.value for p in points(world, "u").filter(source=ContactSource.REPAIR)}
    assert repaired == {"+8613512345678", "+8613599998888"}  # the numeric cell is read as a phone
