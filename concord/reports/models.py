from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RecoveryTarget(models.Model):
    """The cash a manager expects to recover for a creditor in a month (回收目标); written by ``targets.set_target``."""

    creditor = models.ForeignKey("creditors.Creditor", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("委托方"))
    month = models.DateField(_("月份"), help_text=_("该月的第一天"))
    amount = models.DecimalField(_("回收目标金额"), max_digits=16, decimal_places=2)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("设置人"))
    updated_at = models.DateTimeField(_("设置时间"))

    class Meta:
        ordering = ["-month", "creditor_id"]
        constraints = [models.UniqueConstraint(fields=["creditor", "month"], name="one_recovery_target_a_month")]
        verbose_name = _("回收目标")
        verbose_name_plural = _("回收目标")

    def __str__(self):
        return f"{self.creditor} {self.month:%Y-%m}"


class Frequency(models.TextChoices):
    DAILY = "daily", _("每天")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")


class PeriodRule(models.TextChoices):
    YESTERDAY = "yesterday", _("昨天")
    LAST_7_DAYS = "last_7_days", _("最近 7 天")
    LAST_30_DAYS = "last_30_days", _("最近 30 天")
    LAST_WEEK = "last_week", _("上周（周一至周日）")
    LAST_MONTH = "last_month", _("上月")
    MONTH_TO_DATE = "month_to_date", _("本月至昨天")


class ReportSubscription(models.Model):
    """A report e-mailed as its Excel file on a schedule (报表订阅). Written only by ``subscriptions.services``.

    The report counts what its owner may see when it is sent (``scope.scoped_filters(owner, …)``): a team lead's
    subscription is always limited to their teams. Recipients are e-mail addresses of active Concord users who may
    see that report themselves (``subscriptions.rules.recipient_problem``)."""

    title = models.CharField(_("名称"), max_length=120)
    report = models.CharField(_("报表"), max_length=20)
    creditor = models.ForeignKey("creditors.Creditor", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("委托方"))
    product = models.ForeignKey("creditors.Product", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("产品"))
    team = models.ForeignKey("staff.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("小组"))
    collector = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("催收员"))
    bucket = models.CharField(_("账龄"), max_length=8, blank=True)
    period = models.CharField(_("报表期间"), max_length=20, choices=PeriodRule.choices)
    frequency = models.CharField(_("频率"), max_length=10, choices=Frequency.choices)
    weekday = models.PositiveSmallIntegerField(_("星期几"), null=True, blank=True, help_text=_("1=星期一 … 7=星期日"))
    month_day = models.PositiveSmallIntegerField(_("每月几号"), null=True, blank=True, help_text=_("1–28"))
    at = models.TimeField(_("发送时间"))
    recipients = models.JSONField(_("收件人"), default=list)
    enabled = models.BooleanField(_("启用"), default=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("修改时间"))

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("报表订阅")
        verbose_name_plural = _("报表订阅")

    def __str__(self):
        return self.title


class DeliveryState(models.TextChoices):
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class ReportDelivery(models.Model):
    """One sending of a subscription: a scheduled slot (``slot``: once) or a "send now", with its outcome. A failed
    delivery is tried again by the schedule up to ``subscriptions.delivery.MAX_ATTEMPTS`` times."""

    subscription = models.ForeignKey(ReportSubscription, on_delete=models.CASCADE, related_name="deliveries",
                                     verbose_name=_("订阅"))
    slot = models.CharField(_("计划时点"), max_length=120, null=True, blank=True, unique=True)
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("截止日期"))
    state = models.CharField(_("状态"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.SENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_try_at = models.DateTimeField(_("下次重试时间"), null=True, blank=True)
    recipients = models.JSONField(_("收件人"), default=list)
    skipped = models.JSONField(_("未发送的收件人"), default=list, blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    file_name = models.CharField(_("附件"), max_length=200, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("手动发送人"))
    created_at = models.DateTimeField(_("时间"), db_index=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("报表发送记录")
        verbose_name_plural = _("报表发送记录")

    def __str__(self):
        return f"{self.subscription} {self.start}–{self.end} {self.state}"
