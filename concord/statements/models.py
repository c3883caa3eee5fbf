"""Monthly statements (回款对账单) per creditor, their frozen lines, remittances, and the reconciliation of the
creditor's payment file against Concord's payments.

A statement of an open month is computed from the ledger each time it is read (``compute.py``); approving it freezes
its lines and totals here, and a frozen statement never changes again: a payment recorded later for its month
(backdated) or a reversal of one of its payments lands in the next statement as an adjustment."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}
USER = settings.AUTH_USER_MODEL


class StatementStatus(models.TextChoices):
    DRAFT = "draft", _("待确认")
    QUERIED = "queried", _("委托方有疑问")
    APPROVED = "approved", _("已确认")
    CLOSED = "closed", _("已关账")


FROZEN = (StatementStatus.APPROVED, StatementStatus.CLOSED)


class Statement(models.Model):
    creditor = models.ForeignKey("creditors.Creditor", on_delete=models.PROTECT, related_name="statements",
                                 verbose_name=_("委托方"))
    month = models.DateField(_("月份"), help_text=_("当月第一天"))
    status = models.CharField(_("状态"), max_length=10, choices=StatementStatus.choices,
                              default=StatementStatus.DRAFT)
    totals = models.JSONField(_("合计"), default=dict, blank=True)
    approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("确认人"))
    approved_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    closed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("关账人"))
    closed_at = models.DateTimeField(_("关账时间"), null=True, blank=True)
    query_comment = models.TextField(_("委托方疑问"), blank=True)
    queried_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("提出人"))
    queried_at = models.DateTimeField(_("提出时间"), null=True, blank=True)

    class Meta:
        ordering = ["creditor", "-month"]
        verbose_name = _("回款对账单")
        verbose_name_plural = _("回款对账单")
        constraints = [models.UniqueConstraint(fields=["creditor", "month"], name="statement_once_per_month")]

    def __str__(self):
        return f"{self.creditor.code} {self.month:%Y-%m}"

    @property
    def frozen(self) -> bool:
        return self.status in FROZEN


class LineKind(models.TextChoices):
    PAYMENT = "payment", _("还款")
    BACKDATED = "backdated", _("补录（往期还款）")
    REVERSAL = "reversal", _("冲正（往期还款）")


class StatementLine(models.Model):
    """A frozen line: a payment of the month, or an adjustment for an earlier frozen month."""
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="lines",
                                  verbose_name=_("对账单"))
    payment = models.ForeignKey("loans.Payment", on_delete=models.PROTECT, related_name="+", verbose_name=_("还款"))
    kind = models.CharField(_("类型"), max_length=10, choices=LineKind.choices)
    account_reference = models.CharField(_("借据号"), max_length=64)
    paid_on = models.DateField(_("还款日期"))
    amount = models.DecimalField(_("金额"), **MONEY)
    channel = models.CharField(_("渠道"), max_length=20)
    direct = models.BooleanField(_("直接还款至委托方"), default=False)
    commission = models.DecimalField(_("佣金"), **MONEY)
    rule = models.CharField(_("计佣规则"), max_length=120)
    placement = models.ForeignKey("creditors.Placement", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("委案批次"))

    class Meta:
        ordering = ["statement", "id"]
        verbose_name = _("对账单明细")
        verbose_name_plural = _("对账单明细")
        constraints = [models.UniqueConstraint(fields=["statement", "payment", "kind"], name="statement_line_once")]


class Remittance(models.Model):
    """What the agency paid over to the creditor for a statement, with the bank reference."""
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="remittances",
                                  verbose_name=_("对账单"))
    amount = models.DecimalField(_("汇款金额"), **MONEY)
    reference = models.CharField(_("汇款流水号"), max_length=100)
    paid_on = models.DateField(_("汇款日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        ordering = ["-paid_on", "-id"]
        verbose_name = _("汇款记录")
        verbose_name_plural = _("汇款记录")
        constraints = [models.UniqueConstraint(fields=["statement", "reference"], name="remittance_reference_once")]


class Reconciliation(models.Model):
    """One comparison of a creditor's payment file for a month with Concord's payments of that month."""
    creditor = models.ForeignKey("creditors.Creditor", on_delete=models.PROTECT, related_name="reconciliations",
                                 verbose_name=_("委托方"))
    month = models.DateField(_("月份"))
    file_name = models.CharField(_("文件名"), max_length=200)
    rows = models.PositiveIntegerField(_("文件行数"), default=0)
    rejected = models.JSONField(_("无法读取的行"), default=list, blank=True)
    uploaded_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("对账")
        verbose_name_plural = _("对账")


class DifferenceKind(models.TextChoices):
    MATCHED = "matched", _("一致")
    THEIRS_ONLY = "theirs_only", _("仅委托方有")
    OURS_ONLY = "ours_only", _("仅本系统有")
    AMOUNT = "amount", _("金额不一致")


class ReconciliationItem(models.Model):
    reconciliation = models.ForeignKey(Reconciliation, on_delete=models.CASCADE, related_name="items",
                                       verbose_name=_("对账"))
    kind = models.CharField(_("结果"), max_length=12, choices=DifferenceKind.choices, db_index=True)
    account_reference = models.CharField(_("借据号"), max_length=64)
    reference = models.CharField(_("交易流水号"), max_length=100, blank=True)
    paid_on = models.DateField(_("还款日期"))
    their_amount = models.DecimalField(_("委托方金额"), null=True, blank=True, **MONEY)
    our_amount = models.DecimalField(_("本系统金额"), null=True, blank=True, **MONEY)
    payment = models.ForeignKey("loans.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("还款"))
    resolved = models.BooleanField(_("已处理"), default=False)
    note = models.CharField(_("处理说明"), max_length=500, blank=True)
    resolved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("处理人"))
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        ordering = ["reconciliation", "kind", "paid_on", "id"]
        verbose_name = _("对账差异")
        verbose_name_plural = _("对账差异")
