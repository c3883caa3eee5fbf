from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from concord.loans.allocation import COMPONENTS, DEFAULT_WATERFALL
from concord.loans.delinquency import BUCKETS
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
    if not isinstance(value, dict):
        raise ValidationError(_("佣金条款必须是 账龄→费率 的映射"))
    for bucket, rate in value.items():
        if bucket not in BUCKETS:
            raise ValidationError(_("未知账龄 %(b)s") % {"b": bucket})
        try:
            rate = Decimal(str(rate))
        except Exception:
            raise ValidationError(_("账龄 %(b)s 的佣金费率不是数字") % {"b": bucket})
        if not (0 <= rate <= 1):
            raise ValidationError(_("账龄 %(b)s 的佣金费率必须在 0 到 1 之间") % {"b": bucket})


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
    commission_terms = models.JSONField(_("佣金条款（按账龄）"), default=dict, blank=True,
                                        validators=[validate_commission_terms])
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
