"""Readings of shared/compliance/SCENARIOS.md settled in words, one test each: the closed list of words that reveal a
debt to a third party (both directions: every entry denies, nothing else does), the US3/US11 split of a cease,
history events of one instant in file order, a number however written, a call without a number."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest

from concord.compliance import content
from concord.compliance.packs import PACK_NAMES, load_pack
from concord.compliance.scenario import decide, parse

TZ = {"cn_online_lending": "Asia/Shanghai", "cn_bank": "Asia/Shanghai", "us_reg_f": "America/Chicago",
      "uk_conc": "Europe/London"}
TP_CODE = {"cn_online_lending": "CN3", "cn_bank": "CN7", "us_reg_f": "US10", "uk_conc": "UK3"}
# 10:00 local on a Monday, for each pack
AT = {p: dt.datetime(2026, 6, 1, 10, tzinfo=ZoneInfo(z)).isoformat() for p, z in TZ.items()}


def scenario(policy, history=(), checks=(), parties=(("T1", "friend"),)):
    return {"name": "reading", "policy": policy, "debtor": {"id": "P1", "timezone": TZ[policy]},
            "debts": [{"id": "D1", "creditor": "C1"}, {"id": "D2", "creditor": "C2"}],
            "parties": [{"id": p, "relation": r} for p, r in parties], "history": list(history),
            "checks": [dict(c, expect=None) for c in checks]}


def run(policy, history=(), checks=(), **kw):
    return decide(parse(json.loads(json.dumps(scenario(policy, history, checks, **kw)))))


def location_message(policy, template, channel="sms"):
    """A location message to a third party while the debtor is lost: only the disclosure rule can deny it."""
    lost = {"at": "2026-05-01T00:00:00Z", "event": "lost_contact", "party": "P1"}
    check = {"at": AT[policy], "request": {"channel": channel, "debt": "D1", "party": "T1", "purpose": "location",
                                           "number": "+8613900139000", "template": template}}
    return run(policy, [lost], [check])[0]


# -- 1. the closed list of disclosure words ---------------------------------------------------------------------
#: Every entry of the list in SCENARIOS.md ("Third parties"), each in a short location message; the English words
#: also as a plural or a longer word where the list says so (borrow…, lend…, collect…, delinquen…, default…,
#: credit…, invoice…), and in another case.
LISTED = [
    "欠", "债", "贷", "逾期", "还款", "还钱", "偿还", "清偿", "结清", "催收", "催款", "催缴", "借款", "借钱", "借贷", "账单", "分期",
    "信用卡", "违约", "罚息", "本金", "利息", "额度", "征信", "透支", "诉讼", "起诉", "律师函", "法院",
    "debt", "debts", "Arrears", "overdue", "past due", "past-due", "owe", "owed", "owes", "owing", "repay", "repaid",
    "repays", "repaying", "repayment", "repayments", "unpaid", "PAY", "paid", "paying", "payment", "payments",
    "borrow", "borrower", "borrowing", "loan", "loans", "lend", "lender", "lending", "collect", "collection",
    "collector", "collecting", "balance", "balances", "delinquent", "delinquency", "default", "defaulted",
    "credit", "creditor", "credits", "bill", "bills", "billing", "invoice", "invoices", "instalment", "instalments",
    "installment", "lawsuit", "lawsuits", "sue", "sued", "court", "courts",
]
ZH_FRAME, EN_FRAME = "您好，{}，请转告他给我们回电。", "Hello, {}: please ask him to call us back."
#: Amounts of money in every form the list names.
AMOUNTS = ["有一笔500元需要处理", "Please ask him to pay $200.", "5.43万", "一共3000万元", "请转告 800 元", "¥99", "￥1,200",
           "€50", "£7", "RMB 300", "cny300", "USD 40", "５００元"]
#: Messages that name nothing of the list: no disclosure, whatever they resemble (words that merely contain a listed
#: word, other inflections the list does not name, numbers that are not amounts, other words for money).
UNLISTED = [
    "您好，我们是张三的朋友，请他回个电话。", "Hello, please ask Zhang San to call us back on 4008-123-456.",
    "debtor", "arrear", "suing", "judgment", "repayable", "loaned", "balanced", "payday", "courtyard", "billion",
    "owner", "duet", "sueing", "creed", "lent", "pass due", "元旦快乐", "2026年6月1日下午3点", "请拨打95555", "房间号 305",
    "500块", "五百元", "200 dollars", "第3期活动", "万事如意", "期待您的回电", "Call 555-0100 ext 12",
]


@pytest.mark.parametrize("word", LISTED)
def test_every_listed_word_denies_a_location_message(word):
    text = (ZH_FRAME if not word.isascii() else EN_FRAME).format(word)
    for policy in PACK_NAMES:
        d = location_message(policy, text)
        assert not d.allowed and d.rules == (TP_CODE[policy],), (policy, word, d.reason_en)
    assert [f.category for f in content.check(text, third_party=True)] == ["disclosure"], word


@pytest.mark.parametrize("text", AMOUNTS)
def test_an_amount_of_money_denies_a_location_message(text):
    for policy in PACK_NAMES:
        d = location_message(policy, text)
        assert not d.allowed and d.rules == (TP_CODE[policy],), (policy, d.reason_en)
    assert {f.category for f in content.check(text, third_party=True)} == {"disclosure"}


@pytest.mark.parametrize("text", UNLISTED)
def test_nothing_outside_the_list_denies_a_location_message(text):
    for policy in PACK_NAMES:
        d = location_message(policy, text)
        assert d.allowed, (policy, text, d.reason_en)
    assert content.check(text, third_party=True) == [], text


def test_issue_examples():
    for policy in PACK_NAMES:
        assert not location_message(policy, "instalment plan").allowed
        assert "“500元”" in location_message(policy, "有一笔500元需要处理").reason_zh
    assert [f.matched for f in content.check("5.43万", third_party=True)] == ["5.43万"]
    assert [f.matched for f in content.check("Please ask him to pay $200.", third_party=True)] == ["pay", "$200"]


def test_the_packs_carry_the_list_of_scenarios_md():
    """One list: each pack's third-party disclosure rule has exactly the checker's terms, and amounts."""
    for name in PACK_NAMES:
        rule = load_pack(name).rule("third_party_disclosure")
        assert list(rule.params["terms"]) == content.DISCLOSURE_TERMS and rule.params["amounts"] is True


def test_the_debtor_and_guarantor_may_read_the_debt():
    """The list is about third parties: the same message to the debtor or a guarantor is allowed."""
    for policy in PACK_NAMES:
        checks = [{"at": AT[policy], "request": {"channel": "sms", "debt": "D1", "party": p, "purpose": "collection",
                                                 "template": "您有一笔500元的逾期账单 (overdue payment)"}}
                  for p in ("P1", "G1")]
        assert all(d.allowed for d in run(policy, [], checks, parties=(("G1", "guarantor"),)))


# -- 2. a cease on an electronic medium is US11 in us_reg_f -----------------------------------------------------
@pytest.mark.parametrize("cease_channel, request_channel, code", [
    ("sms", "sms", "US11"), ("email", "email", "US11"), ("wechat", "wechat", "US11"),
    ("call", "call", "US3"), ("visit", "visit", "US3"), ("letter", "letter", "US3"),
    (None, "sms", "US3"), (None, "email", "US3"), (None, "call", "US3"), (None, "letter", "US3"),
])
def test_us_cease_code_by_channel(cease_channel, request_channel, code):
    cease = {"at": "2026-05-29T10:00:00-05:00", "event": "cease", "party": "P1", "channel": cease_channel,
             "debt": None}
    req = {"channel": request_channel, "debt": "D1", "party": "P1", "number": "+13125550100", "agents": 2}
    checks = [{"at": AT["us_reg_f"], "request": dict(req, purpose=p)} for p in ("collection", "location", "service")]
    collection, location, service = run("us_reg_f", [cease], checks)
    assert collection.rules == (code,) and location.rules == (code,), collection.reason_en
    assert collection.reason_en.startswith(f"Denied: [{code}] a request to stop contact by")
    assert service.allowed


def test_us_cease_on_every_channel_and_on_sms_report_both_codes():
    ceases = [{"at": "2026-05-29T10:00:00-05:00", "event": "cease", "party": "P1", "channel": c, "debt": None}
              for c in (None, "sms")]
    req = {"channel": "sms", "debt": "D1", "party": "P1", "purpose": "collection"}
    assert run("us_reg_f", ceases, [{"at": AT["us_reg_f"], "request": req}])[0].rules == ("US3", "US11")


def test_us_opt_out_leaves_other_channels_open_and_other_packs_keep_their_code():
    cease = {"at": "2026-05-29T10:00:00Z", "event": "cease", "party": "P1", "channel": "sms", "debt": None}
    for policy, code in (("us_reg_f", "US11"), ("cn_bank", "CEASE"), ("cn_online_lending", "CEASE"),
                         ("uk_conc", "UK3")):
        checks = [{"at": AT[policy], "request": {"channel": c, "debt": "D1", "party": "P1", "purpose": "collection",
                                                 "number": "+8613800138000"}} for c in ("sms", "call", "email")]
        sms, call, email = run(policy, [cease], checks)
        assert sms.rules == (code,) and call.allowed and email.allowed, policy


def test_us11_is_an_enforced_cease_rule_and_us3_covers_the_rest():
    pack = load_pack("us_reg_f")
    assert pack.rule("US11").kind == "cease" and set(pack.rule("US11").params["cease_channels"]) == {
        "sms", "email", "wechat"}
    assert set(pack.rule("US3").params["cease_channels"]) == {"all", "call", "visit", "letter"}


def test_us11_in_the_live_gate_console_and_export(client, world):
    """A US debtor's SMS opt-out: the stored decision, its reason, the console and the export say US11; a cease on
    calls says US3."""
    from django.urls import reverse

    from concord.compliance import services

    creditor = world.creditors["bank"]
    creditor.policy_pack = "us_reg_f"
    creditor.save()
    case = world.cases["a"]
    debtor = case.debtor
    debtor.locale, debtor.time_zone = "en", "America/New_York"
    debtor.save()
    when = dt.datetime(2026, 12, 1, 11, 0, tzinfo=ZoneInfo("America/New_York"))
    manager = world.users["manager"]
    services.record_cease(manager, debtor=debtor, channel="sms", valid_from=when - dt.timedelta(days=1))
    sms = services.decide_contact(manager, case=case, channel="sms", at=when)
    assert not sms.allowed and sms.rules == ["US11"] and sms.reason_en.startswith("Denied: [US11]")
    assert services.decide_contact(manager, case=case, channel="email", at=when).rules == []
    services.record_cease(manager, debtor=debtor, channel="call", valid_from=when - dt.timedelta(days=1))
    call = services.decide_contact(manager, case=case, channel="call", number="13812348000", at=when)
    assert call.rules == ["US3"]
    client.force_login(world.users["compliance"])
    html = client.get(reverse("compliance-decisions")).content.decode()
    assert "US11" in html and "US3" in html
    assert "[US11]" in client.get(reverse("compliance-decision", args=[sms.pk])).content.decode()
    days = {"date_from": "2026-11-30", "date_to": "2026-12-03", "format": "csv"}
    r = client.get(reverse("compliance-export"), days)
    rows = {row[0]: row for row in csv.reader(io.StringIO(r.content.decode("utf-8-sig")))}
    assert rows[str(sms.pk)][10] == "US11" and rows[str(call.pk)][10] == "US3"


# -- 3. readings already followed, now written down -------------------------------------------------------------
@pytest.mark.parametrize("policy", PACK_NAMES)
def test_same_instant_history_events_take_effect_in_file_order(policy):
    t = "2026-05-30T12:00:00Z"
    hold = {"at": t, "event": "hold", "kind": "complaint", "debt": None}
    release = {"at": t, "event": "hold_released", "kind": "complaint", "debt": None}
    lost = {"at": t, "event": "lost_contact", "party": "P1"}
    restored = {"at": t, "event": "contact_restored", "party": "P1"}
    to_debtor = {"at": AT[policy], "request": {"channel": "sms", "debt": "D1", "party": "P1",
                                               "purpose": "collection"}}
    to_friend = {"at": AT[policy], "request": {"channel": "sms", "debt": "D1", "party": "T1",
                                               "purpose": "location"}}
    assert run(policy, [hold, release], [to_debtor])[0].allowed              # the release listed after ends it
    assert not run(policy, [release, hold], [to_debtor])[0].allowed          # a hold listed after stays
    assert run(policy, [restored, lost], [to_friend])[0].allowed             # lost listed last: still lost
    assert not run(policy, [lost, restored], [to_friend])[0].allowed


@pytest.mark.parametrize("written", ["+86 138 0013 8000", "8613800138000", "13800138000", "+86-138-0013-8000",
                                     "0086 13800138000"])
def test_a_number_is_one_number_however_written(written):
    """cn_bank CN6: six unanswered attempts on one number, written six different ways, deny the seventh whichever
    way it is written; another number is not affected."""
    forms = ["+86 138 0013 8000", "8613800138000", "13800138000", "+86-138-0013-8000", "0086 13800138000",
             "+8613800138000"]
    history = [{"at": f"2026-06-01T{8 + i // 2:02d}:{(i % 2) * 30:02d}:00+08:00", "channel": "call",
                "direction": "outbound", "debt": "D1", "party": "P1", "number": n, "outcome": "no_answer"}
               for i, n in enumerate(forms)]
    checks = [{"at": "2026-06-01T12:00:00+08:00", "request": {"channel": "call", "debt": "D2", "party": "P1",
                                                              "purpose": "collection", "number": n}}
              for n in (written, "13800138001")]
    same, other = run("cn_bank", history, checks)
    assert same.rules == ("CN6",) and other.allowed


def test_a_history_call_without_a_number_counts_against_every_number():
    history = [{"at": f"2026-06-01T09:{m:02d}:00+08:00", "channel": "call", "debt": "D1", "party": "P1",
                "outcome": "busy"} for m in range(0, 60, 10)]
    checks = [{"at": "2026-06-01T12:00:00+08:00", "request": {"channel": "call", "debt": "D1", "party": "P1",
                                                              "purpose": "collection", "number": n}}
              for n in ("13800138000", "+86 139 0000 0001", "13700002222")]
    assert [d.rules for d in run("cn_bank", history, checks)] == [("CN6",)] * 3
    # with a number, only that number counts
    numbered = [dict(e, number="13800138000") for e in history]
    assert [d.allowed for d in run("cn_bank", numbered, checks)] == [False, True, True]
