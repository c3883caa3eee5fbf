"""One set of merge rules: the same placements entered through the services one at a time
(``cases.services.place_single_account``) and as one placement file (``imports.placing``, in bulk) leave the same
borrower files and cases; the same contact details merged by ``debtors.services.merge_contact_point`` /
``merge_related_party`` and by a contact-repair file add the same points and parties.

What is compared: the people (name, birth date, gender), their contact points (kind, value, status, primary, address
type, source), employers (current or not), related parties (role, name, relation, phone) and cases (status, reference,
assignment). Not compared, by design: the accounts — a placement file states the balances and one overdue instalment,
a placement entered by hand builds the schedule from the contract terms — and the batch-specific source detail and
placement. Each path runs in a transaction rolled back afterwards, on the same starting book.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from concord.cases import merge as case_merge
from concord.cases.models import Case
from concord.conftest import resident_id
from concord.debtors.models import ContactPoint, Debtor, Employment, RelatedParty
from concord.imports import services

from .kindfiles import csv_file

pytestmark = pytest.mark.django_db

HEADERS = ["姓名", "身份证号", "手机号", "借据号", "产品", "合同金额", "年利率", "期数", "还款方式", "放款日期",
           "逾期天数", "家庭地址", "工作单位", "紧急联系人", "紧急联系人关系", "紧急联系人电话"]
P1, P2 = resident_id("320102", "19920315", 444), resident_id("420106", "19880808", 555)
ZHANG, WANG = resident_id(seq=111), resident_id("440106", "19780505", 333)  # the world's 张三 (bank) and 王五 (bank)
ADDRESS = "北京市朝阳区建国路88号3单元501室"

#: (name, ID, mobile, account, address, employer, emergency name, relation, emergency phone)
PLACEMENTS = [
    ("赵六", P1, "13500003333", "D-1", ADDRESS, "甲科技有限公司", "李梅", "妻子", "13911112222"),
    # the same person again: another name (kept as registered), a second mobile (not primary), the same address
    # (kept), a second employer (not current), the same emergency phone under another name (the same party)
    ("赵陆", P1, "13500004444", "D-2", ADDRESS, "乙贸易有限公司", "李小梅", "爱人", "13911112222"),
    # a person on file whose case was recalled: placed again, the case reopens; the number written otherwise
    ("张三", ZHANG, "+86 138 1234 8000", "D-3", "", "丙物流有限公司", "王同事", "同事", "13722223333"),
    # a person on file with an active case and a primary mobile
    ("王五", WANG, "13700005555", "D-4", "上海市黄浦区南京东路1号", "", "", "", ""),
    # an emergency contact without a phone is known by the name
    ("钱七", P2, "", "D-5", "", "", "孙八", "朋友", ""),
    ("钱七", P2, "", "D-6", "", "", "孙八", "朋友", ""),
]


def _row(name, number, mobile, reference, address, employer, party, relation, phone) -> dict:
    return {"姓名": name, "身份证号": number, "手机号": mobile, "借据号": reference, "产品": "网贷", "合同金额": "6000",
            "年利率": "15%", "期数": "6", "还款方式": "等额本息", "放款日期": "2026-05-01", "逾期天数": "40",
            "家庭地址": address, "工作单位": employer, "紧急联系人": party, "紧急联系人关系": relation,
            "紧急联系人电话": phone}


def _by_file(world, tmp_path):
    batch = services.import_file(world.users["manager"], creditor=world.creditors["bank"], kind="placements",
                                 path=csv_file(tmp_path / "placements.csv", HEADERS, [_row(*p) for p in PLACEMENTS]))
    assert batch.rejected_count == 0, services.read_issues(batch)


def _by_hand(world, tmp_path):
    from concord.cases.services import place_single_account

    bank = world.creditors["bank"]
    for name, number, mobile, reference, address, employer, party, relation, phone in PLACEMENTS:
        place_single_account(
            world.users["manager"], creditor=bank, product=bank.products.get(kind="online_loan"), full_name=name,
            id_type="cn_ric", id_number=number, mobile=mobile, home_address=address, employer=employer,
            emergency_contact={"full_name": party, "relation": relation, "phone": phone} if party else None,
            account={"reference": reference, "contract_amount": Decimal("6000"), "annual_rate": Decimal("0.15"),
                     "method": "equal_installment", "term_months": 6, "start_date": dt.date(2026, 5, 1)})


def _borrower_files() -> dict:
    def person(debtor_id):
        return Debtor.objects.get(pk=debtor_id).id_number

    out = {"people": {d.id_number: (d.full_name, d.birth_date, d.gender) for d in Debtor.objects.all()},
           "points": {(person(p.debtor_id), p.kind, p.value): (p.status, p.is_primary, p.address_type, p.source)
                      for p in ContactPoint.objects.all()},
           "employers": {(person(e.debtor_id), e.employer_name): e.is_current for e in Employment.objects.all()},
           "parties": {(person(p.debtor_id), p.phone or p.full_name): (p.role, p.full_name, p.relation)
                       for p in RelatedParty.objects.all()},
           "cases": {}}
    for case in Case.objects.select_related("creditor", "debtor"):
        out["cases"][(case.debtor.id_number, case.creditor.code)] = (
            case.status, case.reference == case_merge.case_reference(case.creditor.code, case.debtor_id),
            case.assigned_team_id, case.assigned_collector_id, case.assignments.filter(ended_at__isnull=True).count())
    assert len(out["points"]) == ContactPoint.objects.count()  # no duplicate point
    return out


class _Undo(Exception):
    pass


def _outcome(path, *args) -> dict:
    try:
        with transaction.atomic():
            path(*args)
            result = _borrower_files()
            raise _Undo
    except _Undo:
        return result


def test_a_placement_by_hand_and_the_same_placement_in_a_file_leave_the_same_borrower_files(world, tmp_path,
                                                                                             settings):
    from concord.cases.services import recall_accounts

    settings.CONCORD_IMPORT_DIR = tmp_path / "imports"
    recall_accounts(None, list(world.cases["a"].accounts.all()), reason="委托方退案")
    by_file, by_hand = _outcome(_by_file, world, tmp_path), _outcome(_by_hand, world, tmp_path)
    for part in ("people", "points", "employers", "parties", "cases"):
        assert by_hand[part] == by_file[part], part

    # and the rules did what they say
    points = by_file["points"]
    assert by_file["people"][P1][0] == "赵六"                                         # the registered name stays
    assert points[(P1, "mobile", "+8613500003333")][1] and not points[(P1, "mobile", "+8613500004444")][1]
    assert sum(1 for (who, kind, _v) in points if (who, kind) == (P1, "address")) == 1
    assert by_file["employers"] == {(P1, "甲科技有限公司"): True, (P1, "乙贸易有限公司"): False,
                                    (ZHANG, "丙物流有限公司"): True}
    assert by_file["parties"][(P1, "+8613911112222")] == ("spouse", "李梅", "妻子")
    assert by_file["parties"][(ZHANG, "+8613722223333")][0] == "emergency_contact"
    assert by_file["parties"][(P2, "孙八")][0] == "emergency_contact"
    assert sum(1 for (who, _k) in by_file["parties"] if who == P2) == 1
    assert points[(ZHANG, "mobile", "+8613812348000")][1] and sum(                  # the number on file: kept
        1 for (who, _kind, _v), (_s, primary, *_r) in points.items() if who == ZHANG and primary) == 1
    assert by_file["cases"][(ZHANG, "bank")] == ("new", True, None, None, 0)         # reopened, unassigned
    assert by_file["cases"][(WANG, "bank")][0] == "new"


CONTACT_HEADERS = ["身份证号", "联系方式类型", "联系方式", "地址类型", "关系", "联系人姓名"]
#: (ID, kind, value, relation, contact name): the world's 张三 has the primary mobile 13812348000
REPAIRS = [
    (ZHANG, "mobile", "13612345678", "", ""),
    (ZHANG, "mobile", "+86 138 1234 8000", "", ""),          # on file already
    (ZHANG, "email", "zhangsan@example.cn", "", ""),
    (ZHANG, "mobile", "13612345678", "", ""),                # twice in the file
    (WANG, "mobile", "13655556666", "", ""),                 # 王五 has a primary mobile already
    (ZHANG, "mobile", "13911112222", "妻子", "李梅"),
    (ZHANG, "mobile", "13911112222", "配偶", "李梅"),          # the same party again
    (ZHANG, "mobile", "13922223333", "同事", "周九"),          # a repair file makes no one liable: other
]


def _repair_file(world, tmp_path):
    labels = {"mobile": "手机", "email": "邮箱"}
    rows = [{"身份证号": who, "联系方式类型": labels[kind], "联系方式": value, "关系": relation, "联系人姓名": name}
            for who, kind, value, relation, name in REPAIRS]
    batch = services.import_file(world.users["manager"], creditor=world.creditors["bank"], kind="contacts",
                                 path=csv_file(tmp_path / "repair.csv", CONTACT_HEADERS, rows))
    assert batch.rejected_count == 0, services.read_issues(batch)


def _repair_by_services(world, tmp_path):
    from concord.debtors import services as debtors
    from concord.debtors.models import ContactSource, PartyRole

    for who, kind, value, relation, name in REPAIRS:
        debtor = Debtor.objects.get(id_number_index=Debtor._meta.get_field("id_number_index").compute(who))
        if relation or name:
            debtors.merge_related_party(None, debtor, full_name=name, relation=relation, phone=value,
                                        otherwise=PartyRole.OTHER)
        else:
            debtors.merge_contact_point(None, debtor, kind=kind, value=value, source=ContactSource.REPAIR)


def test_a_contact_repair_file_adds_what_the_services_add(world, tmp_path, settings):
    """The add-or-keep and primary rules, and who a party is: the same for a repair file and the services (a repair
    file also marks values already on file verified — a step of its own, not compared here)."""
    settings.CONCORD_IMPORT_DIR = tmp_path / "imports"

    def added(outcome):
        return ({key: primary for key, (_status, primary, *_rest) in outcome["points"].items()}, outcome["parties"])

    by_file, by_services = _outcome(_repair_file, world, tmp_path), _outcome(_repair_by_services, world, tmp_path)
    assert added(by_services) == added(by_file)
    points, parties = added(by_file)
    assert not points[(ZHANG, "mobile", "+8613612345678")] and points[(ZHANG, "mobile", "+8613812348000")]
    assert parties[(ZHANG, "+8613911112222")][0] == "spouse" and parties[(ZHANG, "+8613922223333")][0] == "other"
