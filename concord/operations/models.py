"""The schedule as the operators set it, and the alerts sent about it. Written only by
:mod:`concord.operations.services` (the schedule) and :mod:`concord.operations.alerts` (the alerts)."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduleEntry(models.Model):
    """An operator's setting for one schedulable job (``concord.core.jobs.SCHEDULABLE``); without a row the job's
    defaults apply."""

    key = models.CharField(_("计划任务"), max_length=60, unique=True)
    enabled = models.BooleanField(_("启用"), default=True)
    at = models.TimeField(_("运行时间"))
    weekdays = models.CharField(_("运行日"), max_length=7, default="1234567",
                                help_text=_("星期几运行：1=星期一 … 7=星期日"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("修改人"))
    updated_at = models.DateTimeField(_("修改时间"), null=True, blank=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("计划任务设置")
        verbose_name_plural = _("计划任务设置")

    def __str__(self):
        return f"{self.key} {self.at:%H:%M}"


class AlertKind(models.TextChoices):
    FAILED = "failed", _("计划任务失败")
    MISSED = "missed", _("计划任务错过")
    DRIFT = "drift", _("评分模型漂移")


class Alert(models.Model):
    """One alert about a scheduled slot, e-mailed to the operators once."""

    slot = models.CharField(_("计划时点"), max_length=120)
    kind = models.CharField(_("类型"), max_length=10, choices=AlertKind.choices)
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                            verbose_name=_("任务"))
    message = models.TextField(_("内容"))
    created_at = models.DateTimeField(_("时间"), db_index=True)
    recipients = models.JSONField(_("收件人"), default=list, blank=True)
    sent = models.BooleanField(_("已发送"), default=False)
    send_error = models.TextField(_("发送失败原因"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("运维告警")
        verbose_name_plural = _("运维告警")
        constraints = [models.UniqueConstraint(fields=["slot", "kind"], name="operations_alert_once")]

    def __str__(self):
        return f"{self.kind} {self.slot}"
