"""Paying: the sandbox end to end, Alipay's and WeChat Pay's request signing and verified notifications (through
their SDKs, with keys made here), idempotency, refusals recorded, and the daily reconciliation."""
import base64
import datetime as dt
import json
import os
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse

from concord.core import clock
from concord.core.actors import Borrower
from concord.core.models import AuditEvent
from concord.loans.models import Payment
from concord.portal.models import NotificationOutcome, OrderStatus, PaymentNotification, Reconciliation
from concord.portal.payments import keys, ledger, providers

pytestmark = pytest.mark.django_db


def start(world, amount="500.00", provider="sandbox", case="a"):
    account = world.cases[case].accounts.get()
    return ledger.start_payment(Borrower(world.cases["a"].debtor_id), account=account, amount=amount,
                                provider=provider)


def test_sandbox_checkout_pay_and_notify(borrower_client, two_debts):
    case = two_debts.cases["a"]
    account = case.accounts.get()
    before = account.total_balance
    response = borrower_client.post(reverse("portal-pay", args=[case.pk]),
                                    {"account": account.pk, "amount": "500.00", "provider": "sandbox"})
    assert response.status_code == 302
    checkout = response["Location"]
    assert checkout.startswith("/p/sandbox/pay/?") and "sign=" in checkout
    page = borrower_client.get(checkout)
    assert page.status_code == 200 and "500.00" in page.content.decode()
    # a tampered request (amount changed) fails the merchant signature check
    assert borrower_client.get(checkout.replace("500.00", "5.00")).status_code == 400
    query = checkout.split("?", 1)[1]
    done = borrower_client.post(reverse("portal-sandbox"), {"q": query})
    assert done.status_code == 302 and "/p/order/" in done["Location"]
    account.refresh_from_db()
    assert account.total_balance == before - Decimal("500.00")
    payment = Payment.objects.get(account=account)
    assert payment.channel == "alipay" and payment.external_reference.startswith("sandbox:")
    order = two_debts.cases["a"].accounts.get().pk and __import__("concord.portal.models", fromlist=["x"]).PaymentOrder.objects.get()
    assert order.status == OrderStatus.PAID and order.payment == payment
    assert AuditEvent.objects.filter(action="payment.record").get().actor_label == f"borrower:{case.debtor_id}"
    assert "已入账" in borrower_client.get(done["Location"]).content.decode()


def test_notifications_idempotent_and_refusals_recorded(client, two_debts):
    order = start(two_debts)
    platform = providers.SandboxPlatform()
    trade_no, body = platform.notification(out_trade_no=order.out_trade_no, amount="500.00")
    url = reverse("portal-notify", args=["sandbox"])
    ct = "application/x-www-form-urlencoded"
    first = client.post(url, body, content_type=ct)
    again = client.post(url, body, content_type=ct)
    assert first.content == again.content == b"success"
    assert Payment.objects.count() == 1
    assert list(PaymentNotification.objects.order_by("id").values_list("outcome", flat=True)) == [
        NotificationOutcome.POSTED, NotificationOutcome.DUPLICATE]

    # a bad signature: the body changed after signing
    other = start(two_debts, amount="100.00")
    _t, good = platform.notification(out_trade_no=other.out_trade_no, amount="100.00")
    forged = good.replace(b"total_amount=100.00", b"total_amount=1.00")
    assert client.post(url, forged, content_type=ct).content == b"fail"
    # signed by someone else's key
    stranger_private, _ = keys.generate_pair()
    from alipay import AliPay
    _p, merchant_public = keys.local_pair("sandbox-merchant")
    stranger = AliPay(appid="x", app_private_key_string=stranger_private, alipay_public_key_string=merchant_public)
    stranger_body = stranger.sign_data({"app_id": providers.SANDBOX_APPID, "out_trade_no": other.out_trade_no,
                                        "trade_no": "T1", "total_amount": "100.00", "trade_status": "TRADE_SUCCESS",
                                        "gmt_payment": "2026-12-07 10:00:00"}).encode()
    assert client.post(url, stranger_body, content_type=ct).content == b"fail"
    # a wrong amount, correctly signed
    _t, wrong = platform.notification(out_trade_no=other.out_trade_no, amount="99.00")
    assert client.post(url, wrong, content_type=ct).content == b"fail"
    # an unknown order, correctly signed
    _t, unknown = platform.notification(out_trade_no="CPNOSUCHORDER", amount="1.00")
    assert client.post(url, unknown, content_type=ct).content == b"fail"
    refused = list(PaymentNotification.objects.filter(outcome=NotificationOutcome.REFUSED).order_by("id")
                   .values_list("reason", flat=True))
    assert refused[0] == "bad signature" and refused[1] == "bad signature"
    assert refused[2].startswith("wrong amount") and refused[3] == "unknown order"
    assert Payment.objects.count() == 1
    assert AuditEvent.objects.filter(action="portal.payment.refused").count() == 4
    # an unknown provider's URL is not an endpoint
    assert client.post(reverse("portal-notify", args=["paypal"]), b"x", content_type=ct).status_code == 404


def test_amount_cannot_exceed_the_debt_or_be_someone_elses(two_debts):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as err:
        start(two_debts, amount="99999999.00")
    assert "amount" in err.value.message_dict
    other = two_debts.cases["b"].accounts.get()
    with pytest.raises(ValidationError):
        ledger.start_payment(Borrower(two_debts.cases["a"].debtor_id), account=other, amount="1", provider="sandbox")


@pytest.fixture
def alipay_keys():
    app_private, app_public = keys.generate_pair()
    ali_private, ali_public = keys.generate_pair()
    return app_private, app_public, ali_private, ali_public


def test_alipay_signs_the_request_and_verifies_the_notification(client, borrower_client, two_debts, settings, tmp_path,
                                                               alipay_keys):
    from alipay import AliPay

    app_private, app_public, ali_private, ali_public = alipay_keys
    (tmp_path / "app.pem").write_text(app_private)
    (tmp_path / "ali.pem").write_text(ali_public)
    settings.CONCORD_ALIPAY_APP_ID = "2021000000000001"
    settings.CONCORD_ALIPAY_PRIVATE_KEY_FILE = str(tmp_path / "app.pem")
    settings.CONCORD_ALIPAY_PUBLIC_KEY_FILE = str(tmp_path / "ali.pem")
    settings.CONCORD_PORTAL_PROVIDERS = "alipay,wechat,sandbox"
    page = borrower_client.get(reverse("portal-pay", args=[two_debts.cases["a"].pk]))
    assert "https://openapi.alipay.com" in page["Content-Security-Policy"].split("form-action")[1].split(";")[0]
    order = start(two_debts, amount="300.00", provider="alipay")
    url = providers.provider("alipay").checkout(out_trade_no=order.out_trade_no, amount=order.amount, subject="还款",
                                                return_url="https://h/p/order/x/", notify_url="https://h/p/notify/alipay/")
    params = dict(parse_qsl(urlsplit(url).query))
    assert params["method"] == "alipay.trade.wap.pay" and params["sign_type"] == "RSA2"
    # Alipay's side: the request verifies with the merchant's public key
    gateway = AliPay(appid="x", app_private_key_string=ali_private, alipay_public_key_string=app_public)
    signature = params.pop("sign")
    assert gateway._verify("&".join(f"{k}={v}" for k, v in sorted(params.items())), signature)
    assert json.loads(params["biz_content"])["total_amount"] == "300.00"
    # Alipay's notification, signed with Alipay's key
    body = gateway.sign_data({"app_id": "2021000000000001", "out_trade_no": order.out_trade_no,
                              "trade_no": "2026120722001400001", "total_amount": "300.00",
                              "trade_status": "TRADE_SUCCESS", "gmt_payment": "2026-12-07 09:59:00",
                              "notify_time": "2026-12-07 09:59:01"}) + "&sign_type=RSA2"
    response = client.post(reverse("portal-notify", args=["alipay"]), body.encode(),
                           content_type="application/x-www-form-urlencoded")
    assert response.content == b"success"
    payment = Payment.objects.get()
    assert payment.amount == Decimal("300.00") and payment.external_reference == "alipay:2026120722001400001"


def wechat_setup(settings, tmp_path):
    merchant_private, merchant_public = keys.generate_pair()
    platform_private, platform_public = keys.generate_pair()
    (tmp_path / "mch.pem").write_text(merchant_private)
    (tmp_path / "wxpub.pem").write_text(platform_public)
    settings.CONCORD_WECHAT_MCHID = "1900000109"
    settings.CONCORD_WECHAT_APPID = "wxd678efh567hg6787"
    settings.CONCORD_WECHAT_SERIAL_NO = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
    settings.CONCORD_WECHAT_APIV3_KEY = "0123456789abcdef0123456789abcdef"
    settings.CONCORD_WECHAT_PUBLIC_KEY_ID = "PUB_KEY_ID_0114232134912410000000000000"
    settings.CONCORD_WECHAT_PRIVATE_KEY_FILE = str(tmp_path / "mch.pem")
    settings.CONCORD_WECHAT_PUBLIC_KEY_FILE = str(tmp_path / "wxpub.pem")
    settings.CONCORD_PORTAL_PROVIDERS = "alipay,wechat,sandbox"
    return merchant_public, platform_private


def _sign(private_pem, message: bytes) -> str:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def wechat_notification(platform_private, settings, *, out_trade_no, fen, transaction_id, mchid=None, stamp=None):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    resource = {"mchid": mchid or settings.CONCORD_WECHAT_MCHID, "appid": settings.CONCORD_WECHAT_APPID,
                "out_trade_no": out_trade_no, "transaction_id": transaction_id, "trade_state": "SUCCESS",
                "success_time": "2026-12-07T09:58:00+08:00", "amount": {"total": fen, "currency": "CNY"}}
    nonce = os.urandom(6).hex()
    cipher = AESGCM(settings.CONCORD_WECHAT_APIV3_KEY.encode()).encrypt(
        nonce.encode(), json.dumps(resource).encode(), b"transaction")
    body = json.dumps({"id": "EV-1", "create_time": "2026-12-07T09:58:01+08:00", "resource_type": "encrypt-resource",
                       "event_type": "TRANSACTION.SUCCESS", "summary": "支付成功",
                       "resource": {"algorithm": "AEAD_AES_256_GCM", "ciphertext": base64.b64encode(cipher).decode(),
                                    "associated_data": "transaction", "nonce": nonce,
                                    "original_type": "transaction"}})
    stamp = stamp or str(int(clock.now().timestamp()))
    header_nonce = os.urandom(8).hex()
    headers = {"HTTP_WECHATPAY_TIMESTAMP": stamp, "HTTP_WECHATPAY_NONCE": header_nonce,
               "HTTP_WECHATPAY_SERIAL": settings.CONCORD_WECHAT_PUBLIC_KEY_ID,
               "HTTP_WECHATPAY_SIGNATURE_TYPE": "WECHATPAY2-SHA256-RSA2048",
               "HTTP_WECHATPAY_SIGNATURE": _sign(platform_private, f"{stamp}\n{header_nonce}\n{body}\n".encode())}
    return body, headers


def test_wechat_signs_the_order_and_verifies_the_notification(client, two_debts, settings, tmp_path, monkeypatch):
    merchant_public, platform_private = wechat_setup(settings, tmp_path)
    order = start(two_debts, amount="250.50", provider="wechat")
    seen = {}

    class Answer:
        status_code = 200
        headers = {"Content-Type": "application/json"}
        text = json.dumps({"h5_url": "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx1"})

    def fake_post(url, json=None, data=None, headers=None, **kw):
        seen.update(url=url, body=json, headers=headers)
        return Answer()

    import wechatpayv3.core as core
    monkeypatch.setattr(core.requests, "post", fake_post)
    monkeypatch.setattr(core.Core, "_verify_signature", lambda self, h, b: True)  # the answer's own signature
    url = providers.provider("wechat").checkout(out_trade_no=order.out_trade_no, amount=order.amount, subject="还款",
                                                return_url="https://h/p/order/x/",
                                                notify_url="https://h/p/notify/wechat/", client_ip="10.0.0.1")
    assert url.startswith("https://wx.tenpay.com/") and "redirect_url=" in url
    assert seen["url"].endswith("/v3/pay/transactions/h5") and seen["body"]["amount"]["total"] == 25050
    # the Authorization header is WeChat Pay's signature over the request, by the merchant's key
    auth = seen["headers"]["Authorization"]
    assert auth.startswith("WECHATPAY2-SHA256-RSA2048 ")
    fields = dict(part.split("=", 1) for part in auth.split(" ", 1)[1].split(","))
    fields = {k: v.strip('"') for k, v in fields.items()}
    message = (f"POST\n/v3/pay/transactions/h5\n{fields['timestamp']}\n{fields['nonce_str']}\n"
               f"{__import__('json').dumps(seen['body'])}\n")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    serialization.load_pem_public_key(merchant_public.encode()).verify(
        base64.b64decode(fields["signature"]), message.encode(), padding.PKCS1v15(), hashes.SHA256())

    body, headers = wechat_notification(platform_private, settings, out_trade_no=order.out_trade_no, fen=25050,
                                        transaction_id="4200000000202612070000000001")
    response = client.post(reverse("portal-notify", args=["wechat"]), body, content_type="application/json",
                           **headers)
    assert response.status_code == 200 and json.loads(response.content)["code"] == "SUCCESS"
    assert Payment.objects.get().external_reference == "wechat:4200000000202612070000000001"
    # replayed an hour later: refused for its timestamp
    old = str(int(clock.now().timestamp()) - 3600)
    body, headers = wechat_notification(platform_private, settings, out_trade_no=order.out_trade_no, fen=25050,
                                        transaction_id="4200000000202612070000000001", stamp=old)
    assert client.post(reverse("portal-notify", args=["wechat"]), body, content_type="application/json",
                       **headers).status_code == 400
    # signed by another key
    other_private, _ = keys.generate_pair()
    body, headers = wechat_notification(other_private, settings, out_trade_no=order.out_trade_no, fen=25050,
                                        transaction_id="4200000000202612070000000002")
    assert client.post(reverse("portal-notify", args=["wechat"]), body, content_type="application/json",
                       **headers).status_code == 400
    assert Payment.objects.count() == 1
    assert PaymentNotification.objects.filter(outcome="refused").count() == 2


def test_reconciliation_against_the_sandbox_bill(two_debts):
    platform = providers.SandboxPlatform()
    paid = start(two_debts, amount="100.00")
    _t, body = platform.notification(out_trade_no=paid.out_trade_no, amount="100.00")
    ledger.receive_notification("sandbox", {}, body)
    lost = start(two_debts, amount="200.00")
    platform.notification(out_trade_no=lost.out_trade_no, amount="200.00")  # its notification never arrives
    assert Payment.objects.count() == 1
    bill = providers.SandboxPlatform.bill(clock.today())
    run = ledger.reconcile(None, provider_name="sandbox", day=clock.today(), text=bill, file_name="bill.csv")
    assert run.matched == 1 and run.posted_from_bill == 1
    assert Payment.objects.count() == 2
    lost.refresh_from_db()
    assert lost.status == OrderStatus.PAID
    again = ledger.reconcile(None, provider_name="sandbox", day=clock.today(), text=bill, file_name="bill.csv")
    assert again.matched == 2 and again.posted_from_bill == 0 and again.differences == []
    assert Reconciliation.objects.count() == 2


def test_reconciliation_reads_the_wechat_bill_and_names_differences(two_debts, settings, tmp_path):
    wechat_setup(settings, tmp_path)
    order = start(two_debts, amount="80.00", provider="wechat")
    bill = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,"
            "应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,"
            "手续费,费率,订单金额,申请退款金额,费率备注\n"
            f"`2026-12-07 09:30:00,`wx1,`1900000109,`0,`,`4200000001,`{order.out_trade_no},`o1,`MWEB,`SUCCESS,"
            "`CMB_DEBIT,`CNY,`80.00,`0.00,`0,`0,`0.00,`0.00,`,`,`还款,`,`0.48000,`0.60%,`80.00,`0.00,`\n"
            "`2026-12-07 09:31:00,`wx1,`1900000109,`0,`,`4200000002,`CPUNKNOWN,`o1,`MWEB,`SUCCESS,"
            "`CMB_DEBIT,`CNY,`5.00,`0.00,`0,`0,`0.00,`0.00,`,`,`还款,`,`0.03,`0.60%,`5.00,`0.00,`\n"
            "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\n`2,`85.00,`0.00,`0.00,`0.51,`85.00,`0.00\n")
    run = ledger.reconcile(None, provider_name="wechat", day=dt.date(2026, 12, 7), text=bill, file_name="wx.csv")
    assert run.posted_from_bill == 1
    issues = {d["issue"] for d in run.differences}
    assert "unknown order" in issues and "posted from the bill (no notification)" in issues


def test_the_reconcile_and_link_commands(two_debts):
    from io import StringIO

    from django.core.management import call_command

    order = start(two_debts, amount="120.00")
    providers.SandboxPlatform().notification(out_trade_no=order.out_trade_no, amount="120.00")
    out = StringIO()
    call_command("portal", "reconcile", "--provider", "sandbox", "--day", str(clock.today()), stdout=out)
    assert "0 matched, 1 posted from the bill" in out.getvalue()
    out = StringIO()
    call_command("portal", "link", "--debtor", str(two_debts.cases["a"].debtor_id), stdout=out)
    assert out.getvalue().startswith("/p/in/")
    from concord.portal.actions import demo_entry
    entry = demo_entry()
    assert entry["name"] == "张三" and entry["link"].startswith("/p/in/")  # the borrower with two creditors
