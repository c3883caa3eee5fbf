"""Loan and card accounts, their schedules and payments. The math lives in schedule/delinquency/allocation."""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .schedule import RepaymentMethod as Method

MONEY = dict(max_digits=14, decimal_places=2, default=Decimal("0"))


class ProductKind(models.TextChoices):
    """The kind of a creditor's product, which decides the ledger's arithmetic (a card revolves, a loan has a
    schedule)."""
    CREDIT_CARD = "credit_card", _("信用卡")
    ONLINE_LOAN = "online_loan", _("网贷")


class RepaymentMethod(models.TextChoices):
    EQUAL_INSTALLMENT = Method.EQUAL_INSTALLMENT.value, _("等额本息")
    EQUAL_PRINCIPAL = Method.EQUAL_PRINCIPAL.value, _("等额本金")
    INTEREST_ONLY = Method.INTEREST_ONLY.value, _("先息后本")
    BULLET = Method.BULLET.value, _("一次性还本付息")
    REVOLVING = Method.REVOLVING.value, _("信用卡循环")


class AccountStatus(models.TextChoices):
    OPEN = "open", _("未结清")
    SETTLED = "settled", _("已结清")
    RECALLED = "recalled", _("已撤案")
    WRITTEN_OFF = "written_off", _("已核销")


class LoanAccount(models.Model):
    CASE_PATH = "case"

    creditor = models.ForeignKey("creditors.Creditor", on_delete=models.PROTECT, related_name="accounts",
                                 verbose_name=_("委托方"))
    product = models.ForeignKey("creditors.Product", on_delete=models.PROTECT, related_name="accounts",
                                verbose_name=_("产品"))
    debtor = models.ForeignKey("debtors.Debtor", on_delete=models.PROTECT, related_name="accounts",
                               verbose_name=_("债务人"))
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="accounts", verbose_name=_("案件"))
    reference = models.CharField(_("借据号/卡号"), max_length=64)
    contract_amount = models.DecimalField(_("合同金额"), max_digits=14, decimal_places=2,
                                          validators=[MinValueValidator(Decimal("0.01"))])
    annual_rate = models.DecimalField(_("年利率"), max_digits=7, decimal_places=5,
                                      validators=[MinValueValidator(0), MaxValueValidator(Decimal("0.99999"))])
    term_months = models.PositiveSmallIntegerField(_("期数"), default=0, help_text=_("信用卡为 0"))
    method = models.CharField(_("还款方式"), max_length=20, choices=RepaymentMethod.choices)
    start_date = models.DateField(_("放款/开卡日期"))
    statement_day = models.PositiveSmallIntegerField(_("账单日"), null=True, blank=True,
                                                     validators=[MinValueValidator(1), MaxValueValidator(28)])
    due_day = models.PositiveSmallIntegerField(_("还款日"), null=True, blank=True,
                                               validators=[MinValueValidator(1), MaxValueValidator(28)])
    credit_limit = models.DecimalField(_("信用额度"), max_digits=14, decimal_places=2, null=True, blank=True)
    minimum_payment = models.DecimalField(_("最低还款额"), **MONEY)
    principal_balance = models.DecimalField(_("剩余本金"), **MONEY)
    interest_balance = models.DecimalField(_("欠息"), **MONEY)
    penalty_balance = models.DecimalField(_("罚息"), **MONEY)
    fees_balance = models.DecimalField(_("费用"), **MONEY)
    interest_charged = models.DecimalField(_("累计已计利息"), **MONEY)
    penalty_accrued = models.DecimalField(_("累计罚息"), **MONEY)
    fees_accrued = models.DecimalField(_("累计费用"), **MONEY)
    credit_balance = models.DecimalField(_("溢缴款"), **MONEY)
    dpd = models.PositiveIntegerField(_("逾期天数"), default=0)  # changes daily: not indexed (HOT updates)
    bucket = models.CharField(_("账龄"), max_length=4, default="M0", db_index=True)
    balances_as_of = models.DateField(_("余额日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=AccountStatus.choices, default=AccountStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["creditor", "reference"]
        unique_together = [("creditor", "reference")]
        verbose_name = _("借据/卡账户")
        verbose_name_plural = _("借据/卡账户")

    def __str__(self):
        return self.reference

    @property
    def total_balance(self) -> Decimal:
        return self.principal_balance + self.interest_balance + self.penalty_balance + self.fees_balance

    def balances(self) -> dict[str, Decimal]:
        return {"principal": self.principal_balance, "interest": self.interest_balance,
                "penalty": self.penalty_balance, "fees": self.fees_balance}


class Instalment(models.Model):
    CASE_PATH = "account__case"

    account = models.ForeignKey(LoanAccount, on_delete=models.CASCADE, related_name="instalments",
                                verbose_name=_("账户"))
    number = models.PositiveSmallIntegerField(_("期次"))
    due_date = models.DateField(_("应还日期"))
    principal_due = models.DecimalField(_("应还本金"), **MONEY)
    interest_due = models.DecimalField(_("应还利息"), **MONEY)
    principal_paid = models.DecimalField(_("已还本金"), **MONEY)
    interest_paid = models.DecimalField(_("已还利息"), **MONEY)

    class Meta:
        ordering = ["account", "number"]
        unique_together = [("account", "number")]
        verbose_name = _("还款计划")
        verbose_name_plural = _("还款计划")

    @property
    def total_due(self) -> Decimal:
        return self.principal_due + self.interest_due

    @property
    def unpaid(self) -> Decimal:
        return self.total_due - self.principal_paid - self.interest_paid


class PaymentChannel(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("银行转账")
    ALIPAY = "alipay", _("支付宝")
    WECHAT_PAY = "wechat_pay", _("微信支付")
    UNIONPAY = "unionpay", _("银联")
    DEDUCTION = "deduction", _("代扣")
    CASH = "cash", _("现金")
    CREDITOR_DIRECT = "creditor_direct", _("直接还款至委托方")  # reported in the creditor's payment file


class Payment(models.Model):
    CASE_PATH = "account__case"

    account = models.ForeignKey(LoanAccount, on_delete=models.PROTECT, related_name="payments",
                                verbose_name=_("账户"))
    creditor = models.ForeignKey("creditors.Creditor", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01"))])
    paid_at = models.DateTimeField(_("还款时间"))
    channel = models.CharField(_("渠道"), max_length=20, choices=PaymentChannel.choices)
    external_reference = models.CharField(_("外部流水号"), max_length=100)
    allocation = models.JSONField(_("冲抵明细"), default=dict)
    reversed_at = models.DateTimeField(_("冲正时间"), null=True, blank=True)
    reversal_reason = models.CharField(_("冲正原因"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("录入人"))
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-paid_at", "-id"]
        verbose_name = _("还款")
        verbose_name_plural = _("还款")
        constraints = [models.UniqueConstraint(fields=["creditor", "external_reference"],
                                               name="payment_unique_external_reference")]

    def __str__(self):
        return f"{self.amount} {self.external_reference}"

    @property
    def is_reversed(self) -> bool:
        return self.reversed_at is not None

    def allocation_lines(self) -> list[tuple[str, Decimal]]:
        """How the payment was applied, as (component label, amount) for the non-zero parts."""
        parts = self.allocation.get("parts", {})
        lines = [(COMPONENT_LABELS[k], Decimal(parts[k])) for k in COMPONENT_LABELS if Decimal(parts.get(k, "0")) > 0]
        remainder = Decimal(self.allocation.get("remainder", "0"))
        return lines + ([(_("溢缴款（超出欠款，待退还）"), remainder)] if remainder > 0 else [])


class OverpaymentStatus(models.TextChoices):
    HELD = "held", _("待退还")
    REFUNDED = "refunded", _("已退还")
    CANCELLED = "cancelled", _("已撤销（还款冲正）")


class Overpayment(models.Model):
    """The part of a payment above what the account owed (溢缴款): the payment is accepted up to the balance and
    the excess is held as an item to refund (or credit) that the creditor sees — never absorbed silently."""
    CASE_PATH = "account__case"

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="overpayment",
                                   verbose_name=_("还款"))
    account = models.ForeignKey(LoanAccount, on_delete=models.PROTECT, related_name="overpayments",
                                verbose_name=_("账户"))
    creditor = models.ForeignKey("creditors.Creditor", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("溢缴金额"), max_digits=14, decimal_places=2)
    status = models.CharField(_("状态"), max_length=20, choices=OverpaymentStatus.choices,
                              default=OverpaymentStatus.HELD)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("溢缴款待退项")
        verbose_name_plural = _("溢缴款待退项")

    def __str__(self):
        return f"{self.amount} ({self.get_status_display()})"


COMPONENT_LABELS = {"fees": _("费用"), "penalty": _("罚息"), "interest": _("利息"), "principal": _("本金")}
