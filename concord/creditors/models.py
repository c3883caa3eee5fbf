from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from concord.loans.allocation import COMPONENTS, DEFAULT_WATERFALL
from concord.loans.models import ProductKind


class CreditorKind(models.TextChoices):
    BANK = "bank", _("银行")
    PLATFORM = "platform", _("网贷平台")
    CONSUMER_FINANCE = "consumer_finance", _("消费金融公司")


class PolicyPack(models.TextChoices):
    CN_BANK = "cn_bank", _("中国·银行业（信用卡）")
    CN_ONLINE_LENDING = "cn_online_lending", _("中国·网络借贷")
    US_REG_F = "us_reg_f", _("美国·Regulation F")
    UK_CONC = "uk_conc", _("英国·FCA CONC")


def validate_waterfall(value):
    if not isinstance(value, list) or sorted(value) != sorted(COMPONENTS):
        raise ValidationError(_("冲抵顺序必须是 %(c)s 的一个排列") % {"c": ", ".join(COMPONENTS)})


def validate_commission_terms(value):
    """Commission terms in the form :mod:`concord.creditors.commission` reads (a plain 账龄→费率 map too)."""
    from .commission import TermsError, parse_terms
    try:
        parse_terms(value)
    except TermsError as exc:
        raise ValidationError(str(exc))


class EndAction(models.TextChoices):
    RECALL = "recall", _("到期自动退案")
    EXTEND = "extend", _("按约定延期")


class RetainWhen(models.TextChoices):
    NEVER = "never", _("不留案")
    PROMISE = "promise", _("有进行中的承诺还款")
    ARRANGEMENT = "arrangement", _("有履行中的还款方案")
    EITHER = "either", _("有进行中的承诺还款或还款方案")


class Creditor(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=CreditorKind.choices)
    policy_pack = models.CharField(_("合规规则包"), max_length=30, choices=PolicyPack.choices)
    currency = models.CharField(_("币种"), max_length=3, default="CNY")
    time_zone = models.CharField(_("时区"), max_length=64, default="Asia/Shanghai")
    active = models.BooleanField(_("启用"), default=True)
    share_contact_points = models.BooleanField(
        _("允许共享联系方式"), default=False,
        help_text=_("允许本委托方提供的联系方式用于同一债务人在其他委托方的案件（对方也须允许）；默认不共享"))
    commission_terms = models.JSONField(_("默认佣金条款"), default=dict, blank=True,
                                        validators=[validate_commission_terms],
                                        help_text=_("新委案批次沿用的佣金条款（批次可另定）"))
    retain_when = models.CharField(_("留案条件"), max_length=20, choices=RetainWhen.choices,
                                   default=RetainWhen.NEVER,
                                   help_text=_("委案到期时哪些案件按约定留案继续催收"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("委托方")
        verbose_name_plural = _("委托方")

    def __str__(self):
        return self.name


class Product(models.Model):
    creditor = models.ForeignKey(Creditor, on_delete=models.PROTECT, related_name="products",
                                 verbose_name=_("委托方"))
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("产品类型"), max_length=20, choices=ProductKind.choices)
    penalty_daily_rate = models.DecimalField(_("日罚息率"), max_digits=8, decimal_places=6, default=Decimal("0.0005"),
                                             validators=[MinValueValidator(0), MaxValueValidator(Decimal("0.01"))])
    compound_on_interest = models.BooleanField(_("逾期利息计复利"), default=False)
    grace_days = models.PositiveSmallIntegerField(_("宽限天数"), default=0)
    late_fee = models.DecimalField(_("每期滞纳金"), max_digits=12, decimal_places=2, default=Decimal("0"),
                                   validators=[MinValueValidator(0)])
    total_cost_cap_rate = models.DecimalField(_("综合年化成本上限"), max_digits=6, decimal_places=4, null=True,
                                              blank=True, validators=[MinValueValidator(0), MaxValueValidator(1)],
                                              help_text=_("如 0.24；利息、罚息、费用合计不超过本金×上限×天数/365"))
    waterfall = models.JSONField(_("冲抵顺序"), default=list, validators=[validate_waterfall],
                                 help_text=_("fees, penalty, interest, principal 的排列"))
    min_payment_rate = models.DecimalField(_("最低还款比例"), max_digits=5, decimal_places=4,
                                           default=Decimal("0.10"),
                                           validators=[MinValueValidator(0), MaxValueValidator(1)])
    min_payment_floor = models.DecimalField(_("最低还款下限"), max_digits=12, decimal_places=2,
                                            default=Decimal("0"), validators=[MinValueValidator(0)])
    promise_grace_days = models.PositiveSmallIntegerField(_("承诺还款宽限天数"), default=1)

    class Meta:
        ordering = ["creditor", "code"]
        unique_together = [("creditor", "code")]
        verbose_name = _("产品")
        verbose_name_plural = _("产品")

    def __str__(self):
        return f"{self.creditor.code}/{self.name}"

    def save(self, *args, **kwargs):
        if not self.waterfall:
            self.waterfall = list(DEFAULT_WATERFALL)
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        """The product's name for the reader: a default name (信用卡, 网贷) in the reader's language; a creditor's own
        name as written, with its kind in the reader's language when that is not Chinese."""
        from django.utils.translation import get_language, gettext
        if (get_language() or "zh").startswith("zh"):
            return self.name
        said = gettext(self.name)
        return said if said != self.name else f"{self.name} ({self.get_kind_display()})"



class PlacementStatus(models.TextChoices):
    ACTIVE = "active", _("在案")
    RETURNED = "returned", _("已退案")
    RECALLED = "recalled", _("已撤案")


class Placement(models.Model):
    creditor = models.ForeignKey(Creditor, on_delete=models.PROTECT, related_name="placements",
                                 verbose_name=_("委托方"))
    reference = models.CharField(_("批次号"), max_length=64)
    placed_on = models.DateField(_("委案日期"))
    return_on = models.DateField(_("退案日期"))
    commission_terms = models.JSONField(_("佣金条款"), default=dict, blank=True,
                                        validators=[validate_commission_terms])
    period_days = models.PositiveSmallIntegerField(_("委案期限（天）"), null=True, blank=True,
                                                   validators=[MinValueValidator(1), MaxValueValidator(3660)])
    end_action = models.CharField(_("到期处理"), max_length=10, choices=EndAction.choices, default=EndAction.RECALL)
    extension_days = models.PositiveSmallIntegerField(_("延期天数"), default=0,
                                                      validators=[MaxValueValidator(3660)])
    extended_on = models.DateField(_("已延期至"), null=True, blank=True)
    retain_when = models.CharField(_("留案条件"), max_length=20, choices=RetainWhen.choices,
                                   default=RetainWhen.NEVER)
    products = models.ManyToManyField(Product, blank=True, related_name="placements", verbose_name=_("产品"))
    policy_pack = models.CharField(_("合规规则包"), max_length=30, choices=PolicyPack.choices, blank=True,
                                   help_text=_("留空即沿用委托方的规则包"))
    status = models.CharField(_("状态"), max_length=20, choices=PlacementStatus.choices,
                              default=PlacementStatus.ACTIVE)
    recalled_at = models.DateTimeField(_("撤案时间"), null=True, blank=True)
    recall_reason = models.CharField(_("撤案原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["-placed_on", "reference"]
        unique_together = [("creditor", "reference")]
        verbose_name = _("委案批次")
        verbose_name_plural = _("委案批次")

    def __str__(self):
        return f"{self.creditor.code}/{self.reference}"

    def clean(self):
        if self.placed_on and self.return_on and self.return_on < self.placed_on:
            raise ValidationError({"return_on": _("退案日期不能早于委案日期")})
        if self.end_action == EndAction.EXTEND and not self.extension_days:
            raise ValidationError({"extension_days": _("按约定延期须填写延期天数")})

    @property
    def days(self) -> int:
        """The placement period in days (委案期限): as agreed, or from the placement to the return date."""
        return self.period_days or (self.return_on - self.placed_on).days

    @property
    def pack(self) -> str:
        return self.policy_pack or self.creditor.policy_pack


class AccountState(models.TextChoices):
    PLACED = "placed", _("在案")
    RECALLED = "recalled", _("已退案")
    RETAINED = "retained", _("留案")


class PlacementAccount(models.Model):
    """An account in a placement batch as it was placed (balance and bucket at placement), and how it left: recalled
    (when, why, the promises and arrangements still open then, reported to the creditor) or retained by agreement.
    Kept as the record of the placement for as long as the account is (no personal data)."""

    CASE_PATH = "account__case"

    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="accounts",
                                  verbose_name=_("委案批次"))
    account = models.ForeignKey("loans.LoanAccount", on_delete=models.PROTECT, related_name="placements",
                                verbose_name=_("借据"))
    balance = models.DecimalField(_("委案金额"), max_digits=14, decimal_places=2)
    bucket = models.CharField(_("委案时账龄"), max_length=4)
    state = models.CharField(_("状态"), max_length=10, choices=AccountState.choices, default=AccountState.PLACED,
                             db_index=True)
    recalled_on = models.DateField(_("退案日期"), null=True, blank=True)
    recall_reason = models.CharField(_("退案原因"), max_length=200, blank=True)
    retained_reason = models.CharField(_("留案原因"), max_length=300, blank=True)
    open_items = models.JSONField(_("退案时未结的承诺和方案"), default=list, blank=True)

    class Meta:
        ordering = ["placement", "id"]
        verbose_name = _("委案借据")
        verbose_name_plural = _("委案借据")
        constraints = [models.UniqueConstraint(fields=["placement", "account"], name="placement_account_once")]

    def __str__(self):
        return f"{self.placement}/{self.account_id}"
