"""The payment providers: Alipay (python-alipay-sdk), WeChat Pay API v3 (wechatpayv3) and the sandbox.

Each provider signs the payment request with the merchant's private key (the provider's own SDK does the signing),
verifies an asynchronous notification's signature with the provider's public key before reading a field of it, and
reads the provider's daily bill. No database: ``payments.ledger`` records what these return.

The sandbox is Alipay's protocol end to end with keys generated locally (``keys.local_pair``): the merchant's
request is signed as for Alipay and checked by the sandbox's page, and the sandbox's notification is signed with its
own platform key exactly as Alipay signs one (RSA2 over the sorted parameters) and verified by the same code.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from concord.core import clock

from . import keys

CN = ZoneInfo("Asia/Shanghai")
NOTIFY_MAX_SKEW = dt.timedelta(minutes=5)  # WeChat Pay: a notification's timestamp this far off is a replay


class NotificationRefused(Exception):
    """The notification is not believed: bad or missing signature, unreadable, not a success."""


class ProviderNotConfigured(Exception):
    pass


@dataclass(frozen=True)
class Notice:
    out_trade_no: str
    trade_no: str
    amount: Decimal
    paid_at: dt.datetime


@dataclass(frozen=True)
class BillRow:
    out_trade_no: str
    trade_no: str
    amount: Decimal
    paid_at: dt.datetime | None


@dataclass(frozen=True)
class Ack:
    body: str
    content_type: str
    status: int = 200


def _money(text) -> Decimal:
    try:
        value = Decimal(str(text).strip().lstrip("`"))
    except (InvalidOperation, ValueError):
        raise NotificationRefused(f"amount is not a number: {text!r}") from None
    if not value.is_finite() or value <= 0:
        raise NotificationRefused(f"amount must be positive: {text!r}")
    return value.quantize(Decimal("0.01"))


def _cn_time(text: str) -> dt.datetime:
    return dt.datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=CN)


# -- Alipay -----------------------------------------------------------------------------------------------------
class Alipay:
    name = "alipay"
    SUCCESS = {"TRADE_SUCCESS", "TRADE_FINISHED"}

    def __init__(self, *, appid: str, app_private_key: str, alipay_public_key: str, gateway: str):
        from alipay import AliPay

        self.appid, self.gateway = appid, gateway
        self.client = AliPay(appid=appid, app_private_key_string=app_private_key,
                             alipay_public_key_string=alipay_public_key, sign_type="RSA2")

    @classmethod
    def from_settings(cls) -> Alipay:
        appid = keys.setting("CONCORD_ALIPAY_APP_ID")
        private = keys.read_setting_file("CONCORD_ALIPAY_PRIVATE_KEY_FILE")
        public = keys.read_setting_file("CONCORD_ALIPAY_PUBLIC_KEY_FILE")
        if not (appid and private and public):
            raise ProviderNotConfigured("alipay: set CONCORD_ALIPAY_APP_ID, CONCORD_ALIPAY_PRIVATE_KEY_FILE and "
                                        "CONCORD_ALIPAY_PUBLIC_KEY_FILE")
        return cls(appid=appid, app_private_key=private, alipay_public_key=public,
                   gateway=keys.setting("CONCORD_ALIPAY_GATEWAY", "https://openapi.alipay.com/gateway.do"))

    def checkout(self, *, out_trade_no: str, amount: Decimal, subject: str, return_url: str, notify_url: str,
                 client_ip: str = "") -> str:
        """The signed mobile-web payment request (alipay.trade.wap.pay): the URL the borrower's browser opens."""
        signed = self.client.api_alipay_trade_wap_pay(subject=subject, out_trade_no=out_trade_no,
                                                      total_amount=f"{amount:.2f}", return_url=return_url,
                                                      notify_url=notify_url)
        return f"{self.gateway}?{signed}"

    def parse_notification(self, headers: dict, body: bytes) -> Notice:
        try:
            data = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
        except (UnicodeDecodeError, ValueError):
            raise NotificationRefused("unreadable body") from None
        signature = data.pop("sign", "")
        if not signature:
            raise NotificationRefused("no signature")
        if data.get("sign_type", "RSA2") != "RSA2":
            raise NotificationRefused("unsupported sign type")
        try:
            good = self.client.verify(dict(data), signature)
        except Exception:  # a malformed signature (base64, length) is a bad signature
            good = False
        if not good:
            raise NotificationRefused("bad signature")
        if data.get("app_id") != self.appid:
            raise NotificationRefused("notification for another app")
        if data.get("trade_status") not in self.SUCCESS:
            raise NotificationRefused(f"not a successful trade: {data.get('trade_status')}")
        try:
            paid_at = _cn_time(data.get("gmt_payment") or data["notify_time"])
        except (KeyError, ValueError):
            raise NotificationRefused("no payment time") from None
        return Notice(data.get("out_trade_no", ""), data.get("trade_no", ""), _money(data.get("total_amount")), paid_at)

    def ack(self, ok: bool) -> Ack:
        return Ack("success" if ok else "fail", "text/plain")

    @staticmethod
    def parse_bill(text: str) -> list[BillRow]:
        """Alipay's trade bill (业务明细, CSV, comment lines start with #): 支付宝交易号, 商户订单号, 完成时间, 订单金额（元）."""
        lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        rows = []
        for record in csv.DictReader(io.StringIO("\n".join(lines))):
            record = {(k or "").strip(): (v or "").strip() for k, v in record.items()}
            if not record.get("商户订单号"):
                continue
            when = record.get("完成时间") or ""
            rows.append(BillRow(record["商户订单号"], record.get("支付宝交易号", ""),
                                _money(record.get("订单金额（元）") or record.get("订单金额(元)")),
                                _cn_time(when) if when else None))
        return rows


# -- WeChat Pay -------------------------------------------------------------------------------------------------
class WeChat:
    name = "wechat"

    def __init__(self, *, mchid: str, appid: str, serial_no: str, private_key: str, apiv3_key: str,
                 public_key: str, public_key_id: str, notify_url: str = ""):
        from wechatpayv3 import WeChatPay, WeChatPayType

        self.mchid, self.appid = mchid, appid
        self.client = WeChatPay(wechatpay_type=WeChatPayType.H5, mchid=mchid, private_key=private_key,
                                cert_serial_no=serial_no, appid=appid, apiv3_key=apiv3_key, notify_url=notify_url,
                                public_key=public_key, public_key_id=public_key_id, timeout=(5, 10))

    @classmethod
    def from_settings(cls) -> WeChat:
        values = {k: keys.setting(s) for k, s in (("mchid", "CONCORD_WECHAT_MCHID"), ("appid", "CONCORD_WECHAT_APPID"),
                                                   ("serial_no", "CONCORD_WECHAT_SERIAL_NO"),
                                                   ("apiv3_key", "CONCORD_WECHAT_APIV3_KEY"),
                                                   ("public_key_id", "CONCORD_WECHAT_PUBLIC_KEY_ID"))}
        values["private_key"] = keys.read_setting_file("CONCORD_WECHAT_PRIVATE_KEY_FILE")
        values["public_key"] = keys.read_setting_file("CONCORD_WECHAT_PUBLIC_KEY_FILE")
        missing = [k for k, v in values.items() if not v]
        if missing:
            raise ProviderNotConfigured("wechat: missing " + ", ".join(missing))
        return cls(**values)

    def checkout(self, *, out_trade_no: str, amount: Decimal, subject: str, return_url: str, notify_url: str,
                 client_ip: str = "") -> str:
        """Place an H5 order (POST /v3/pay/transactions/h5, signed by the SDK with the merchant key) and return the
        h5_url the borrower's browser opens."""
        from urllib.parse import quote

        fen = int((amount * 100).to_integral_value())
        try:
            code, message = self._pay(fen, out_trade_no, subject, notify_url, client_ip)
        except Exception as exc:  # the network, a refused certificate, an unreadable answer
            raise ProviderNotConfigured(f"wechat: order not placed ({type(exc).__name__})") from None
        if code not in range(200, 300):
            raise ProviderNotConfigured(f"wechat: order refused ({code}): {str(message)[:200]}")
        url = json.loads(message)["h5_url"]
        return f"{url}&redirect_url={quote(return_url, safe='')}" if return_url else url

    def _pay(self, fen, out_trade_no, subject, notify_url, client_ip):
        from wechatpayv3 import WeChatPayType

        return self.client.pay(description=subject[:127], out_trade_no=out_trade_no,
                                        amount={"total": fen, "currency": "CNY"}, notify_url=notify_url,
                                        scene_info={"payer_client_ip": client_ip or "127.0.0.1",
                                                    "h5_info": {"type": "Wap"}}, pay_type=WeChatPayType.H5)

    def parse_notification(self, headers: dict, body: bytes) -> Notice:
        stamp = headers.get("Wechatpay-Timestamp") or headers.get("wechatpay-timestamp") or ""
        try:
            skew = abs(clock.now().timestamp() - int(stamp))
        except ValueError:
            raise NotificationRefused("no timestamp") from None
        if skew > NOTIFY_MAX_SKEW.total_seconds():
            raise NotificationRefused("timestamp too far from now (replay?)")
        try:
            data = self.client.callback(headers=headers, body=body.decode("utf-8"))
        except Exception as exc:  # unsupported algorithm, malformed key material or ciphertext
            raise NotificationRefused(f"unreadable: {type(exc).__name__}") from None
        if not data:
            raise NotificationRefused("bad signature")
        resource = data.get("resource") or {}
        if resource.get("mchid") != self.mchid:
            raise NotificationRefused("notification for another merchant")
        if resource.get("trade_state") != "SUCCESS":
            raise NotificationRefused(f"not a successful trade: {resource.get('trade_state')}")
        try:
            fen = int(resource["amount"]["total"])
            paid_at = dt.datetime.fromisoformat(resource["success_time"])
        except (KeyError, TypeError, ValueError):
            raise NotificationRefused("no amount or time") from None
        return Notice(resource.get("out_trade_no", ""), resource.get("transaction_id", ""),
                      _money(Decimal(fen) / 100), paid_at)

    def ack(self, ok: bool) -> Ack:
        if ok:
            return Ack(json.dumps({"code": "SUCCESS", "message": "成功"}), "application/json")
        return Ack(json.dumps({"code": "FAIL", "message": "失败"}), "application/json", 400)

    @staticmethod
    def parse_bill(text: str) -> list[BillRow]:
        """WeChat Pay's trade bill (CSV, values prefixed with a back-quote, a summary after the rows): 微信订单号,
        商户订单号, 交易时间, 交易状态, 订单金额 (or 应结订单金额)."""
        body = text.split("总交易单数")[0]
        rows = []
        for record in csv.DictReader(io.StringIO(body)):
            record = {(k or "").strip(): (v or "").strip().lstrip("`") for k, v in record.items()}
            if not record.get("商户订单号") or record.get("交易状态", "SUCCESS") != "SUCCESS":
                continue
            when = record.get("交易时间") or ""
            rows.append(BillRow(record["商户订单号"], record.get("微信订单号", ""),
                                _money(record.get("订单金额") or record.get("应结订单金额")),
                                _cn_time(when) if when else None))
        return rows


# -- the sandbox ------------------------------------------------------------------------------------------------
SANDBOX_APPID = "sandbox-concord"


class Sandbox(Alipay):
    """Alipay's protocol with local keys; its "gateway" is the sandbox's own page in the portal."""
    name = "sandbox"

    def __init__(self, gateway: str = "/p/sandbox/pay/"):
        merchant_private, _merchant_public = keys.local_pair("sandbox-merchant")
        _platform_private, platform_public = keys.local_pair("sandbox-platform")
        super().__init__(appid=SANDBOX_APPID, app_private_key=merchant_private, alipay_public_key=platform_public,
                         gateway=gateway)

    @classmethod
    def from_settings(cls) -> Sandbox:
        return cls()


class SandboxPlatform:
    """The other side of the sandbox: checks the merchant's signed request, takes the payment, signs the
    notification with the platform key as Alipay does, and writes the bill."""

    def __init__(self):
        from alipay import AliPay

        platform_private, _ = keys.local_pair("sandbox-platform")
        _, merchant_public = keys.local_pair("sandbox-merchant")
        # one client: signs with the platform's key, verifies with the merchant's public key
        self.client = AliPay(appid=SANDBOX_APPID, app_private_key_string=platform_private,
                             alipay_public_key_string=merchant_public, sign_type="RSA2")

    def read_request(self, query: dict) -> dict:
        """The merchant's request, verified: its biz_content and notify_url. ValueError when the signature fails."""
        data = dict(query)
        signature = data.pop("sign", "")
        if not signature:
            raise ValueError("no signature")
        # a request's signature covers every parameter but ``sign`` (sign_type included, unlike a notification's)
        message = "&".join(f"{k}={v}" for k, v in sorted(data.items()))
        try:
            good = self.client._verify(message, signature)
        except Exception:
            good = False
        if not good:
            raise ValueError("bad signature")
        biz = json.loads(data.get("biz_content") or "{}")
        return {"out_trade_no": biz.get("out_trade_no", ""), "amount": biz.get("total_amount", ""),
                "subject": biz.get("subject", ""), "notify_url": data.get("notify_url", ""),
                "return_url": data.get("return_url", "")}

    def notification(self, *, out_trade_no: str, amount: str, subject: str = "", at: dt.datetime | None = None,
                     trade_no: str | None = None) -> tuple[str, bytes]:
        """(trade_no, body): a signed asynchronous notification of a successful payment, form-encoded."""
        from urllib.parse import quote_plus

        at = (at or clock.now()).astimezone(CN)
        trade_no = trade_no or f"SBX{at:%Y%m%d}{uuid.uuid4().hex[:16].upper()}"
        data = {"notify_time": f"{at:%Y-%m-%d %H:%M:%S}", "notify_type": "trade_status_sync",
                "notify_id": uuid.uuid4().hex, "app_id": SANDBOX_APPID, "charset": "utf-8", "version": "1.0",
                "trade_no": trade_no, "out_trade_no": out_trade_no, "total_amount": amount,
                "receipt_amount": amount, "trade_status": "TRADE_SUCCESS", "subject": subject,
                "gmt_payment": f"{at:%Y-%m-%d %H:%M:%S}"}
        signed = self.client.sign_data(data)
        self._record(trade_no, out_trade_no, amount, at)
        return trade_no, (signed + "&sign_type=" + quote_plus("RSA2")).encode()

    def _record(self, trade_no, out_trade_no, amount, at):
        folder = keys.key_dir()
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "sandbox-trades.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"trade_no": trade_no, "out_trade_no": out_trade_no, "amount": amount,
                                 "at": f"{at:%Y-%m-%d %H:%M:%S}"}) + "\n")

    @staticmethod
    def bill(day: dt.date) -> str:
        """The sandbox's bill for ``day`` in Alipay's trade-bill format."""
        path = keys.key_dir() / "sandbox-trades.jsonl"
        out = io.StringIO()
        out.write(f"#支付宝业务明细查询\n#账号：[{SANDBOX_APPID}]\n#起始日期：[{day} 00:00:00]   终止日期：[{day} 23:59:59]\n")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["支付宝交易号", "商户订单号", "业务类型", "商品名称", "创建时间", "完成时间", "订单金额（元）",
                         "商家实收（元）"])
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                if row["at"].startswith(day.isoformat()):
                    writer.writerow([row["trade_no"], row["out_trade_no"], "交易", "", row["at"], row["at"],
                                     row["amount"], row["amount"]])
        out.write("#-----------------------------------------业务明细列表结束------------------------------------\n")
        return out.getvalue()


PROVIDERS = {"alipay": Alipay, "wechat": WeChat, "sandbox": Sandbox}


def enabled() -> list[str]:
    """The providers offered to borrowers (``CONCORD_PORTAL_PROVIDERS``, default the sandbox only)."""
    names = [n.strip() for n in keys.setting("CONCORD_PORTAL_PROVIDERS", "sandbox").split(",") if n.strip()]
    return [n for n in names if n in PROVIDERS]


def checkout_origins() -> list[str]:
    """The providers' cashier origins the pay page's form may lead to (its Content-Security-Policy form-action:
    a browser checks the redirect after the form against it)."""
    from urllib.parse import urlsplit

    origins = []
    if "alipay" in enabled():
        url = urlsplit(keys.setting("CONCORD_ALIPAY_GATEWAY", "https://openapi.alipay.com/gateway.do"))
        origins.append(f"{url.scheme}://{url.netloc}")
    if "wechat" in enabled():
        origins.append("https://wx.tenpay.com")
    return origins


def provider(name: str):
    if name not in PROVIDERS:
        raise ProviderNotConfigured(f"unknown provider {name!r}")
    return PROVIDERS[name].from_settings()

