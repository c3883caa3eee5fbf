"""Outreach: message templates (approved before use), every message sent or letter issued, creditor sender details.

Written only by ``concord.outreach.services``. A message row exists only for a contact the compliance gate allowed;
the decision it was sent under is kept with it.
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from concord.core.fields import EncryptedTextField


class Channel(models.TextChoices):
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")
    LETTER = "letter", _("信函")


class Language(models.TextChoices):
    ZH = "zh-hans", _("简体中文")
    EN = "en", _("English")


class Purpose(models.TextChoices):
    COLLECTION = "collection", _("催收")
    SERVICE = "service", _("服务通知")


class TemplateStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    APPROVED = "approved", _("已批准")
    RETIRED = "retired", _("已停用")


class MessageTemplate(models.Model):
    code = models.SlugField(_("模板代码"), max_length=50)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    language = models.CharField(_("语言"), max_length=10, choices=Language.choices)
    purpose = models.CharField(_("目的"), max_length=12, choices=Purpose.choices, default=Purpose.COLLECTION)
    name = models.CharField(_("名称"), max_length=100)
    subject = models.CharField(_("主题"), max_length=200, blank=True, help_text=_("电子邮件与信函必填"))
    body = models.TextField(_("正文"))
    status = models.CharField(_("状态"), max_length=10, choices=TemplateStatus.choices, default=TemplateStatus.DRAFT,
                              db_index=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("最后修改人"))
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("批准人"))
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)

    class Meta:
        ordering = ["channel", "code", "language"]
        verbose_name = _("消息模板")
        verbose_name_plural = _("消息模板")
        constraints = [models.UniqueConstraint(fields=["code", "channel", "language"],
                                               name="outreach_template_unique_code")]

    def __str__(self):
        return f"{self.code} · {self.get_channel_display()} · {self.language}"

    @property
    def is_approved(self) -> bool:
        return self.status == TemplateStatus.APPROVED


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENT = "sent", _("已发出")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("失败")


class OutboundMessage(models.Model):
    """One SMS, e-mail or letter that went out (or failed) under an allowed compliance decision."""
    CASE_PATH = "case"

    public_id = models.UUIDField(_("消息编号"), default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="outbound_messages",
                             verbose_name=_("案件"))
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    template = models.ForeignKey(MessageTemplate, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="messages", verbose_name=_("模板"))
    template_version = models.PositiveIntegerField(_("模板版本"), default=1)
    language = models.CharField(_("语言"), max_length=10, choices=Language.choices)
    to = EncryptedTextField(_("收件人"))
    to_masked = models.CharField(_("收件人（脱敏）"), max_length=80, blank=True)
    subject = models.CharField(_("主题"), max_length=200, blank=True)
    body = models.TextField(_("正文"))
    extra = models.JSONField(_("版式信息"), default=dict, blank=True, help_text=_("信函的抬头、收件人与披露段落"))
    status = models.CharField(_("状态"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED,
                              db_index=True)
    status_reason = models.CharField(_("状态说明"), max_length=300, blank=True)
    provider = models.CharField(_("通道"), max_length=30, blank=True)
    provider_id = models.CharField(_("通道消息编号"), max_length=200, blank=True, db_index=True)
    decision = models.OneToOneField("compliance.ContactDecision", on_delete=models.PROTECT,
                                    related_name="outbound_message", verbose_name=_("合规决定"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("发送人"))
    created_at = models.DateTimeField(_("创建时间"), db_index=True)
    updated_at = models.DateTimeField(_("状态更新时间"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("外发消息")
        verbose_name_plural = _("外发消息")
        indexes = [models.Index(fields=["case", "-created_at"], name="outreach_msg_case_at")]

    def __str__(self):
        return f"{self.get_channel_display()} {self.public_id}"


class SenderProfile(models.Model):
    """What a creditor's messages and letters give as its contact details (服务热线, 地址, 还款链接)."""
    creditor = models.OneToOneField("creditors.Creditor", on_delete=models.CASCADE, related_name="sender_profile",
                                    verbose_name=_("委托方"))
    display_name = models.CharField(_("对外名称"), max_length=200, blank=True)
    phone = models.CharField(_("服务热线"), max_length=40)
    email = models.EmailField(_("联系邮箱"), blank=True)
    address = models.CharField(_("联系地址"), max_length=300, blank=True)
    payment_url = models.CharField(_("还款链接"), max_length=300, blank=True,
                                   help_text=_("可含 {case_reference}，例如 https://pay.example.cn/c/{case_reference}"))

    class Meta:
        verbose_name = _("委托方对外联系信息")
        verbose_name_plural = _("委托方对外联系信息")

    def __str__(self):
        return self.display_name or str(self.creditor)
