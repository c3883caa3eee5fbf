"""Cases: one debtor's accounts from one creditor, who works them (assignments), and the case's activity log (催记).

The collector's work on a case (promises, tasks, recordings, scripts) is in ``concord.workbench``; arrangements,
visits and the legal track in their own apps.
"""
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from concord.loans import summary


class CaseStatus(models.TextChoices):
    NEW = "new", _("新案")
    OPEN = "open", _("跟进中")
    ON_HOLD = "on_hold", _("暂停")
    SETTLED = "settled", _("已结清")
    RECALLED = "recalled", _("已撤案")
    CLOSED = "closed", _("已关闭")


#: The statuses still being worked (``loans.summary``, which every path that keeps a case's summary applies).
ACTIVE_STATUSES = tuple(CaseStatus(s) for s in summary.ACTIVE_CASE_STATUSES)


class Case(models.Model):
    CASE_PATH = ""

    creditor = models.ForeignKey("creditors.Creditor", on_delete=models.PROTECT, related_name="cases",
                                 verbose_name=_("委托方"))
    debtor = models.ForeignKey("debtors.Debtor", on_delete=models.PROTECT, related_name="cases",
                               verbose_name=_("债务人"))
    placement = models.ForeignKey("creditors.Placement", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="cases", verbose_name=_("委案批次"))
    reference = models.CharField(_("案件编号"), max_length=40, unique=True)
    status = models.CharField(_("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW,
                              db_index=True)
    assigned_team = models.ForeignKey("staff.Team", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="cases", verbose_name=_("小组"))
    assigned_collector = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="cases",
                                           verbose_name=_("催收员"))
    # Summary of the case's accounts, kept current by the loan services and the end-of-day run.
    # total_balance and max_dpd change every day for most cases: not indexed, so the end-of-day update is HOT
    # (docs/eod.md); bucket changes only at bucket boundaries and stays indexed.
    total_balance = models.DecimalField(_("欠款总额"), max_digits=14, decimal_places=2, default=Decimal("0"))
    max_dpd = models.PositiveIntegerField(_("最大逾期天数"), default=0)
    bucket = models.CharField(_("账龄"), max_length=4, default="M0", db_index=True)
    opened_on = models.DateField(_("立案日期"))
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The "next case" claim: who is working the case right now, until when (compare-and-set in claims.py).
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="claimed_cases", verbose_name=_("处理人"))
    claimed_until = models.DateTimeField(_("占用至"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-max_dpd", "id"]
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        constraints = [models.UniqueConstraint(fields=["creditor", "debtor"], name="case_unique_creditor_debtor")]

    def __str__(self):
        return self.reference


class Assignment(models.Model):
    CASE_PATH = "case"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("案件"))
    team = models.ForeignKey("staff.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("小组"))
    collector = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("催收员"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("分配人"))
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("分案记录")
        verbose_name_plural = _("分案记录")


class ActivityKind(models.TextChoices):
    CALL = "call", _("电话")
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")
    LETTER = "letter", _("信函")
    VISIT = "visit", _("外访")
    NOTE = "note", _("备注")
    TASK = "task", _("跟进任务")
    PROMISE = "promise", _("承诺还款")
    ARRANGEMENT = "arrangement", _("还款方案")
    LEGAL = "legal", _("法律程序")
    PAYMENT = "payment", _("还款")
    SYSTEM = "system", _("系统")


class ActivityDirection(models.TextChoices):
    OUTBOUND = "outbound", _("呼出/发出")
    INBOUND = "inbound", _("呼入/收到")
    INTERNAL = "internal", _("内部")


class Activity(models.Model):
    """One entry of a case's activity log (催记). Written only through ``concord.cases.activities.log_activity``,
    in the same transaction as the action it records; a contact carries the compliance decision that allowed it."""

    CASE_PATH = "case"
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="activities", verbose_name=_("案件"))
    kind = models.CharField(_("类型"), max_length=20, choices=ActivityKind.choices)
    direction = models.CharField(_("方向"), max_length=10, choices=ActivityDirection.choices,
                                 default=ActivityDirection.INTERNAL)
    channel = models.CharField(_("渠道"), max_length=20, blank=True)
    related_party = models.ForeignKey("debtors.RelatedParty", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="activities", verbose_name=_("关联人"))
    outcome = models.CharField(_("结果"), max_length=30, blank=True)
    result_codes = models.JSONField(_("结果代码"), default=list, blank=True)
    summary = models.CharField(_("摘要"), max_length=200)
    note = models.TextField(_("备注"), blank=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)
    decision = models.ForeignKey("compliance.ContactDecision", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="activities", verbose_name=_("合规决定"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("操作人"))
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("催记")
        verbose_name_plural = _("催记")
        indexes = [models.Index(fields=["case", "-at"], name="activity_case_at")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    @property
    def summary_text(self) -> str:
        """The summary in the reader's language where the writing app can say it again (``activities``)."""
        from .activities import summary_text
        return summary_text(self)

    @property
    def outcome_label(self) -> str:
        from .activities import outcome_label
        return outcome_label(self)
