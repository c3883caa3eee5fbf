"""The borrower's self-service portal: sign-in codes, portal sessions, payment orders and the provider's
notifications, reconciliations, contact preferences and dispute attachments.

Written only by ``concord.portal.services`` and ``concord.portal.payments.service``. Nothing here holds a personal
value in clear: numbers are kept as blind indexes and masked text, codes and session keys as hashes.
"""
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = dict(max_digits=14, decimal_places=2)


class CodeChallenge(models.Model):
    """One request for a sign-in code. ``debtor`` is empty when the name, ID digits and number matched nobody: the
    row is kept all the same (and behaves the same) so that the page never says whether a person exists."""
    debtor = models.ForeignKey("debtors.Debtor", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("债务人"))
    number_key = models.CharField(_("手机号索引"), max_length=64, db_index=True)
    number_masked = models.CharField(_("手机号"), max_length=32)
    address = models.CharField(_("来源地址"), max_length=64, db_index=True)
    code_hash = models.CharField(_("验证码摘要"), max_length=64, blank=True)
    sent = models.BooleanField(_("已发送"), default=False)
    created_at = models.DateTimeField(_("申请时间"), db_index=True)
    expires_at = models.DateTimeField(_("失效时间"))
    wrong = models.PositiveSmallIntegerField(_("错误次数"), default=0)
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("登录验证码")
        verbose_name_plural = _("登录验证码")


class Lockout(models.Model):
    """Code sign-in refused for a person (or for a number, when nobody matched) until ``until``."""
    debtor = models.ForeignKey("debtors.Debtor", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    number_key = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField()
    until = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("登录锁定")
        verbose_name_plural = _("登录锁定")


class PortalSession(models.Model):
    """A borrower's signed-in session: its own cookie (``concord_portal``, path ``/p/``), never the staff session.
    Only the SHA-256 of the cookie's value is stored."""
    key_hash = models.CharField(max_length=64, unique=True)
    debtor = models.ForeignKey("debtors.Debtor", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("登录方式"), max_length=10)  # code | sms | email | letter
    created_at = models.DateTimeField()
    last_seen = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("自助服务会话")
        verbose_name_plural = _("自助服务会话")


class UsedLink(models.Model):
    """A sign-in link is good once: its nonce is kept when it is used."""
    nonce = models.CharField(max_length=32, unique=True)
    debtor = models.ForeignKey("debtors.Debtor", on_delete=models.CASCADE, related_name="+")
    used_at = models.DateTimeField()


class Preference(models.Model):
    """What the borrower said about being contacted. The gate applies the ceases and the times recorded through
    the compliance services; this row keeps the choices as the borrower made them, for the page and the collector."""
    debtor = models.OneToOneField("debtors.Debtor", on_delete=models.CASCADE, related_name="portal_preference")
    preferred_channel = models.CharField(_("首选渠道"), max_length=10, blank=True)
    hours_from = models.TimeField(_("方便联系开始"), null=True, blank=True)
    hours_to = models.TimeField(_("方便联系结束"), null=True, blank=True)
    writing_only = models.BooleanField(_("仅书面联系"), default=False)
    stopped = models.JSONField(_("已停止的渠道"), default=list, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("联系偏好")
        verbose_name_plural = _("联系偏好")


class Provider(models.TextChoices):
    ALIPAY = "alipay", _("支付宝")
    WECHAT = "wechat", _("微信支付")
    SANDBOX = "sandbox", _("沙箱（演示）")


class OrderStatus(models.TextChoices):
    CREATED = "created", _("待支付")
    PAID = "paid", _("已入账")
    FAILED = "failed", _("入账失败")


class PaymentOrder(models.Model):
    """A payment the borrower started. ``out_trade_no`` is ours; ``trade_no`` the provider's (unique per provider:
    a notification repeated is recorded once)."""
    CASE_PATH = "account__case"

    out_trade_no = models.CharField(_("商户订单号"), max_length=32, unique=True)
    provider = models.CharField(_("支付渠道"), max_length=10, choices=Provider.choices)
    debtor = models.ForeignKey("debtors.Debtor", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey("loans.LoanAccount", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("借据/卡账户"))
    amount = models.DecimalField(_("金额"), **MONEY)
    status = models.CharField(_("状态"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.CREATED)
    created_at = models.DateTimeField(_("创建时间"))
    trade_no = models.CharField(_("渠道交易号"), max_length=64, blank=True)
    paid_at = models.DateTimeField(_("支付时间"), null=True, blank=True)
    payment = models.ForeignKey("loans.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    failure = models.CharField(_("失败原因"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("支付订单")
        verbose_name_plural = _("支付订单")
        constraints = [
            models.UniqueConstraint(fields=["provider", "trade_no"], condition=~models.Q(trade_no=""),
                                    name="portal_order_trade_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=Decimal("0")), name="portal_order_positive"),
        ]


class NotificationOutcome(models.TextChoices):
    POSTED = "posted", _("已入账")
    DUPLICATE = "duplicate", _("重复通知")
    REFUSED = "refused", _("已拒绝")


class PaymentNotification(models.Model):
    """Every asynchronous notification a provider sent, accepted or refused, with the reason."""
    provider = models.CharField(max_length=10, choices=Provider.choices)
    received_at = models.DateTimeField(db_index=True)
    outcome = models.CharField(max_length=10, choices=NotificationOutcome.choices)
    reason = models.CharField(max_length=300, blank=True)
    out_trade_no = models.CharField(max_length=64, blank=True)
    trade_no = models.CharField(max_length=64, blank=True)
    amount = models.CharField(max_length=32, blank=True)
    order = models.ForeignKey(PaymentOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="notices")
    body_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("支付通知")
        verbose_name_plural = _("支付通知")


class Reconciliation(models.Model):
    """One day's comparison of the provider's bill with the orders posted."""
    provider = models.CharField(max_length=10, choices=Provider.choices)
    day = models.DateField()
    file_name = models.CharField(max_length=200)
    file_sha256 = models.CharField(max_length=64)
    matched = models.PositiveIntegerField(default=0)
    posted_from_bill = models.PositiveIntegerField(default=0)
    differences = models.JSONField(default=list, blank=True)
    run_at = models.DateTimeField()

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = _("对账")
        verbose_name_plural = _("对账")


class DisputeFile(models.Model):
    """A receipt or document the borrower uploaded with a dispute."""
    CASE_PATH = "complaint__case"

    complaint = models.ForeignKey("compliance.Complaint", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    path = models.CharField(max_length=300)
    uploaded_at = models.DateTimeField()
