"""Calls placed through a telephony provider, and the provider's raw events as they came."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .outcomes import HANGUP_BY, RESULTS

USER = settings.AUTH_USER_MODEL


#: The call results of ``outcomes.RESULTS`` with their labels.
RESULT_CHOICES = [("answered", _("接通")), ("no_answer", _("无人接听")), ("busy", _("忙/拒接")), ("vacant", _("空号")),
                  ("powered_off", _("关机")), ("suspended", _("停机")), ("unreachable", _("无法接通")),
                  ("abandoned", _("接通后放弃（无坐席）")), ("failed", _("呼叫失败"))]
assert [r for r, _label in RESULT_CHOICES] == list(RESULTS)


class CallState(models.TextChoices):
    DIALING = "dialing", _("拨号中")
    RINGING = "ringing", _("振铃")
    ANSWERED = "answered", _("通话中")
    ENDED = "ended", _("已结束")
    FAILED = "failed", _("未拨出")


class Call(models.Model):
    """One outbound call under one gate permit (the allowed ``ContactDecision``): placed by the provider, filled by
    its final call record (话单). The activity (催记) is written from that record; the collector adds the disposition."""
    CASE_PATH = "case"
    ref = models.CharField(_("呼叫编号"), max_length=40, unique=True)
    provider = models.CharField(_("话务通道"), max_length=20)
    provider_call_id = models.CharField(_("通道呼叫编号"), max_length=120, blank=True, db_index=True)
    decision = models.OneToOneField("compliance.ContactDecision", on_delete=models.PROTECT, related_name="call",
                                    verbose_name=_("放行决定"))
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="switch_calls",
                             verbose_name=_("案件"))
    agent = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("催收员"))
    state = models.CharField(_("状态"), max_length=10, choices=CallState.choices, default=CallState.DIALING)
    result = models.CharField(_("呼叫结果"), max_length=12, blank=True,
                              choices=RESULT_CHOICES)
    started_at = models.DateTimeField(_("发起时间"))
    answered_at = models.DateTimeField(_("接通时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    ring_seconds = models.PositiveIntegerField(_("振铃秒数"), default=0)
    talk_seconds = models.PositiveIntegerField(_("通话秒数"), default=0)
    hangup_by = models.CharField(_("挂断方"), max_length=10, blank=True, choices=[(h, h) for h in HANGUP_BY])
    end_reason = models.CharField(_("结束原因"), max_length=60, blank=True)
    sip_cause = models.CharField(_("SIP 原因"), max_length=20, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    activity = models.OneToOneField("cases.Activity", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="switch_call", verbose_name=_("催记"))
    recording_ref = models.CharField(_("录音编号"), max_length=300, blank=True)
    recording_sha256 = models.CharField(_("录音校验值"), max_length=64, blank=True)
    recording = models.OneToOneField("workbench.CallRecording", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="switch_call", verbose_name=_("录音"))
    quality_checked_at = models.DateTimeField(_("质检时间"), null=True, blank=True)
    quality_flags = models.JSONField(_("质检问题"), default=list, blank=True)

    class Meta:
        verbose_name = _("话务呼叫")
        verbose_name_plural = _("话务呼叫")
        indexes = [models.Index(fields=["agent", "state"], name="tel_call_agent_state")]

    def __str__(self):
        return self.ref


class ProviderEvent(models.Model):
    """A provider's event as it came (push or pull), stored once per provider and key, then processed."""
    provider = models.CharField(_("话务通道"), max_length=20)
    key = models.CharField(_("事件编号"), max_length=200)
    source = models.CharField(_("来源"), max_length=10, choices=[("push", _("推送")), ("pull", _("拉取"))])
    payload = models.JSONField(_("原始内容"))
    received_at = models.DateTimeField(_("接收时间"))
    processed_at = models.DateTimeField(_("处理时间"), null=True, blank=True, db_index=True)
    error = models.CharField(_("处理错误"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("话务事件")
        verbose_name_plural = _("话务事件")
        constraints = [models.UniqueConstraint(fields=["provider", "key"], name="tel_event_once")]

    def __str__(self):
        return f"{self.provider}:{self.key}"


class InboundCall(models.Model):
    """A call a borrower (or anyone) made to the collection line: recognised by number (the phone's blind index,
    never the number in clear) and opened on the right case, or kept for follow-up when the number is unknown."""
    CASE_PATH = "case"
    at = models.DateTimeField(_("来电时间"), db_index=True)
    number_masked = models.CharField(_("号码（脱敏）"), max_length=40)
    number_index = models.CharField(_("号码索引"), max_length=64, db_index=True)
    agent = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("接听人"))
    debtor = models.ForeignKey("debtors.Debtor", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("债务人"))
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("案件"))
    followed_up_at = models.DateTimeField(_("跟进时间"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("来电")
        verbose_name_plural = _("来电")

    def __str__(self):
        return f"{self.number_masked} {self.at:%Y-%m-%d %H:%M}"
