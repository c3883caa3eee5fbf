"""Arrangements (还款方案): instalment plans and settlements, their schedules, approval limits and approvals.

Written only by ``concord.arrangements.services``.
"""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from concord.staff.roles import Role

from . import calculator

MONEY = dict(max_digits=14, decimal_places=2)
RATE = dict(max_digits=5, decimal_places=4, validators=[MinValueValidator(0), MaxValueValidator(1)])

#: What each role may grant when the creditor has not configured its own limits (discount ÷ balance).
DEFAULT_LIMITS = {Role.COLLECTOR: Decimal("0"), Role.TEAM_LEAD: Decimal("0.10"), Role.MANAGER: Decimal("0.25"),
                  Role.ADMIN: Decimal("0.25")}


class ArrangementKind(models.TextChoices):
    INSTALMENT_PLAN = calculator.INSTALMENT_PLAN, _("分期还款")
    SETTLEMENT = calculator.SETTLEMENT, _("减免结清")


class ArrangementStatus(models.TextChoices):
    PROPOSED = "proposed", _("待审批")
    AWAITING_CREDITOR = "awaiting_creditor", _("待委托方审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
    ACTIVE = "active", _("履行中")
    COMPLETED = "completed", _("已履行完毕")
    BROKEN = "broken", _("已违约")


PENDING = (ArrangementStatus.PROPOSED, ArrangementStatus.AWAITING_CREDITOR)
OPEN = (*PENDING, ArrangementStatus.APPROVED, ArrangementStatus.ACTIVE)


class ArrangementPolicy(models.Model):
    """A creditor's terms for arrangements; a creditor without a row gets the defaults."""
    creditor = models.OneToOneField("creditors.Creditor", on_delete=models.PROTECT, related_name="arrangement_policy",
                                    verbose_name=_("委托方"))
    income_share = models.DecimalField(_("月供占可支配收入上限"), default=calculator.DEFAULT_INCOME_SHARE,
                                       max_digits=5, decimal_places=4,
                                       validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(1)])
    max_months = models.PositiveSmallIntegerField(_("最长期数"), null=True, blank=True,
                                                  validators=[MinValueValidator(1), MaxValueValidator(60)],
                                                  help_text=_("空表示按产品上限：信用卡 60 期，网贷 36 期"))
    settlement_max_months = models.PositiveSmallIntegerField(
        _("减免结清最长期数"), default=calculator.DEFAULT_SETTLEMENT_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(24)])
    grace_days = models.PositiveSmallIntegerField(_("违约宽限天数"), default=5, validators=[MaxValueValidator(30)])

    class Meta:
        verbose_name = _("还款方案政策")
        verbose_name_plural = _("还款方案政策")


class ApprovalLimit(models.Model):
    """The largest discount (÷ balance) a role may grant on one creditor's cases."""
    creditor = models.ForeignKey("creditors.Creditor", on_delete=models.PROTECT, related_name="approval_limits",
                                 verbose_name=_("委托方"))
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    max_discount_rate = models.DecimalField(_("最高减免比例"), **RATE)

    class Meta:
        ordering = ["creditor", "max_discount_rate"]
        verbose_name = _("审批权限")
        verbose_name_plural = _("审批权限")
        constraints = [models.UniqueConstraint(fields=["creditor", "role"], name="arr_limit_unique_role")]


class Arrangement(models.Model):
    CASE_PATH = "case"

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="arrangements",
                             verbose_name=_("案件"))
    kind = models.CharField(_("方案类型"), max_length=20, choices=ArrangementKind.choices)
    status = models.CharField(_("状态"), max_length=20, choices=ArrangementStatus.choices,
                              default=ArrangementStatus.PROPOSED, db_index=True)
    balance = models.DecimalField(_("提出时欠款"), **MONEY)
    discount_amount = models.DecimalField(_("减免金额"), default=Decimal("0"), **MONEY)
    discount_rate = models.DecimalField(_("减免比例"), default=Decimal("0"), **RATE)
    total = models.DecimalField(_("约定还款总额"), **MONEY)
    months = models.PositiveSmallIntegerField(_("期数"), validators=[MinValueValidator(1), MaxValueValidator(60)])
    monthly_amount = models.DecimalField(_("月供"), **MONEY)
    first_due = models.DateField(_("首期还款日"))
    grace_days = models.PositiveSmallIntegerField(_("宽限天数"), default=5, validators=[MaxValueValidator(30)])
    reason = models.TextField(_("理由"))
    affordability = models.JSONField(_("还款能力评估"), default=dict, blank=True)
    required_role = models.CharField(_("所需审批"), max_length=20, blank=True,
                                     help_text=_("能批准该减免的最低角色；“creditor”表示需委托方批准"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("提出人"))
    proposed_at = models.DateTimeField(_("提出时间"))
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    activated_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=200, blank=True)
    paid_total = models.DecimalField(_("已还金额"), default=Decimal("0"), **MONEY)
    hold = models.ForeignKey("compliance.Hold", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("暂停催收"))

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("还款方案")
        verbose_name_plural = _("还款方案")
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(status__in=[s.value for s in OPEN]),
                                    name="arr_one_open_per_case"),
            models.CheckConstraint(condition=Q(total__gt=0), name="arr_total_positive"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def discount_percent(self) -> str:
        return f"{self.discount_rate:.2%}"

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING


class ArrangementInstalment(models.Model):
    CASE_PATH = "arrangement__case"

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="instalments",
                                    verbose_name=_("还款方案"))
    number = models.PositiveSmallIntegerField(_("期次"))
    due_date = models.DateField(_("应还日期"))
    amount = models.DecimalField(_("应还金额"), **MONEY)
    paid_amount = models.DecimalField(_("已还金额"), default=Decimal("0"), **MONEY)
    paid_on = models.DateField(_("还清日期"), null=True, blank=True)

    class Meta:
        ordering = ["arrangement", "number"]
        verbose_name = _("方案分期")
        verbose_name_plural = _("方案分期")
        constraints = [models.UniqueConstraint(fields=["arrangement", "number"], name="arr_instalment_unique")]

    @property
    def paid(self) -> bool:
        return self.paid_amount >= self.amount


class Decision(models.TextChoices):
    APPROVE = "approve", _("批准")
    REJECT = "reject", _("驳回")
    CREDITOR_APPROVE = "creditor_approve", _("委托方批准")
    CREDITOR_REJECT = "creditor_reject", _("委托方驳回")


class Approval(models.Model):
    """One decision on an arrangement, with the approver's authority at that moment."""
    CASE_PATH = "arrangement__case"

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="approvals",
                                    verbose_name=_("还款方案"))
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("审批人"))
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    limit_rate = models.DecimalField(_("审批权限"), **RATE)
    decision = models.CharField(_("决定"), max_length=20, choices=Decision.choices)
    reason = models.CharField(_("理由"), max_length=500)
    reference = models.CharField(_("委托方批复编号"), max_length=100, blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("审批记录")
        verbose_name_plural = _("审批记录")
