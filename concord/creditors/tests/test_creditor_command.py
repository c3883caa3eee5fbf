from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from concord.core.models import AuditEvent
from concord.creditors.models import Creditor, Product


def run(*args) -> str:
    out = StringIO()
    call_command("creditor", *args, stdout=out)
    return out.getvalue()


def add(code="hsbank", name="华盛银行信用卡中心", kind="bank", policy="cn_bank", *extra) -> str:
    return run("add", code, "--name", name, "--kind", kind, "--policy", policy, *extra)


def nothing_written():
    return not Creditor.objects.exists() and not Product.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_add_creates_creditor_with_two_default_products_and_audit_events():
    out = add("hsbank", "华盛银行信用卡中心", "bank", "cn_bank", "--time-zone", "Asia/Shanghai")
    creditor = Creditor.objects.get(code="hsbank")
    assert (creditor.name, creditor.kind, creditor.policy_pack, creditor.currency, creditor.time_zone) == (
        "华盛银行信用卡中心", "bank", "cn_bank", "CNY", "Asia/Shanghai")
    assert sorted(creditor.products.values_list("kind", flat=True)) == ["credit_card", "online_loan"]
    assert "hsbank" in out and "card" in out and "loan" in out
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {"creditor.add", "product.add"}


@pytest.mark.django_db
def test_add_accepts_currency_and_lowercase():
    add("jiexin", "捷信贷", "platform", "cn_online_lending", "--currency", "usd")
    assert Creditor.objects.get(code="jiexin").currency == "USD"


@pytest.mark.django_db
@pytest.mark.parametrize("args, field, reason", [
    (("hsbank", "X", "bnk", "cn_bank"), "--kind", "unknown kind 'bnk'"),
    (("hsbank", "X", "bank", "cn_bnak"), "--policy", "unknown policy pack 'cn_bnak'"),
    (("bad code!", "X", "bank", "cn_bank"), "CODE", "not a valid code"),
    (("hsbank", "  ", "bank", "cn_bank"), "--name", "must not be empty"),
    (("hsbank", "X", "bank", "cn_bank", "--currency", "RMB1"), "--currency", "ISO 4217"),
    (("hsbank", "X", "bank", "cn_bank", "--time-zone", "Mars/Olympus"), "--time-zone", "unknown time zone"),
])
def test_bad_input_names_the_field_and_writes_nothing(args, field, reason):
    with pytest.raises(CommandError) as exc:
        add(*args)
    assert f"{field}: " in str(exc.value) and reason in str(exc.value)
    assert nothing_written()


@pytest.mark.django_db
def test_several_problems_are_reported_together():
    with pytest.raises(CommandError) as exc:
        add("hs bank", "X", "shop", "eu_gdpr")
    message = str(exc.value)
    assert "CODE:" in message and "--kind:" in message and "--policy:" in message
    assert nothing_written()


@pytest.mark.django_db
def test_duplicate_code_is_refused_and_changes_nothing():
    add()
    events = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="CODE: a creditor with code 'hsbank' already exists"):
        add("hsbank", "另一家", "platform", "cn_online_lending")
    assert Creditor.objects.get().name == "华盛银行信用卡中心"
    assert Product.objects.count() == 2 and AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_list_shows_code_name_kind_pack_and_products():
    assert "no creditors" in run("list")
    add()
    add("xiaoyu", "小鱼金融", "platform", "cn_online_lending")
    lines = run("list").splitlines()
    assert lines[0].split()[:4] == ["code", "name", "kind", "policy"]
    assert lines[1].split()[:4] == ["hsbank", "华盛银行信用卡中心", "bank", "cn_bank"]
    assert lines[2].split()[:4] == ["xiaoyu", "小鱼金融", "platform", "cn_online_lending"]
    assert lines[1].endswith("card, loan")
    # CJK names are padded by display width, so the columns line up
    def column(line, text):  # display columns before ``text`` (a CJK character is two columns wide)
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in line[:line.index(text)])

    assert column(lines[1], " bank ") == column(lines[2], " platform ")


@pytest.mark.django_db
def test_a_subcommand_is_required():
    with pytest.raises(CommandError):
        call_command("creditor")
    with pytest.raises(CommandError):
        call_command("creditor", "add", "hsbank")  # --name, --kind, --policy missing
    assert nothing_written()
