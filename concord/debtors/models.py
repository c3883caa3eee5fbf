"""The borrower file: person, contact points, related parties, employment, finances, assets, credit."""
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from concord.core.fields import BlindIndexField, EncryptedTextField

MONEY = dict(max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])


def _id_normal(value: str) -> str:
    return value.strip().upper()


def _contact_normal(value: str) -> str:
    return value.strip().lower()


class IdType(models.TextChoices):
    CN_RIC = "cn_ric", _("居民身份证")
    PASSPORT = "passport", _("护照")
    HK_MACAO_PERMIT = "hk_macao", _("港澳居民来往内地通行证")
    TAIWAN_PERMIT = "taiwan", _("台湾居民来往大陆通行证")
    FOREIGN_PR = "foreign_pr", _("外国人永久居留身份证")
    OTHER = "other", _("其他")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")
    UNKNOWN = "", _("未知")


class Debtor(models.Model):
    CASE_PATH = "cases"

    full_name = models.CharField(_("姓名"), max_length=100, db_index=True)
    id_type = models.CharField(_("证件类型"), max_length=20, choices=IdType.choices, default=IdType.CN_RIC)
    id_number = EncryptedTextField(_("证件号码"))
    id_number_index = BlindIndexField(source="id_number", kind="id_number", normalizer=_id_normal)
    id_last4 = models.CharField(_("证件后四位"), max_length=4, db_index=True, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True, default="")
    locale = models.CharField(_("语言"), max_length=10, default="zh-hans")
    time_zone = models.CharField(_("时区"), max_length=64, default="Asia/Shanghai")
    lost_contact = models.BooleanField(_("失联"), default=False)
    deceased = models.BooleanField(_("已故"), default=False)
    # the region of the home address (``region.parse``; the address itself is encrypted): allocation rules match it
    province = models.CharField(_("省份"), max_length=20, blank=True, default="", db_index=True)
    city = models.CharField(_("城市"), max_length=40, blank=True, default="")
    incapacitated = models.BooleanField(_("无民事行为能力"), default=False)
    purged_at = models.DateTimeField(_("个人信息清除时间"), null=True, blank=True,
                                     help_text=_("保存期限届满后个人信息已清除；清除记录保留在审计日志中"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("债务人")
        verbose_name_plural = _("债务人")
        constraints = [models.UniqueConstraint(fields=["id_type", "id_number_index"], name="debtor_unique_id")]

    def __str__(self):
        return self.full_name


class ContactKind(models.TextChoices):
    MOBILE = "mobile", _("手机")
    LANDLINE = "landline", _("固话")
    EMAIL = "email", _("电子邮箱")
    WECHAT = "wechat", _("微信")
    ADDRESS = "address", _("地址")


class AddressType(models.TextChoices):
    NONE = "", _("—")
    HOME = "home", _("家庭住址")
    REGISTERED = "registered", _("户籍地址")
    WORK = "work", _("单位地址")


class ContactStatus(models.TextChoices):
    VALID = "valid", _("有效")
    INVALID = "invalid", _("无效")
    WRONG_PARTY = "wrong_party", _("非本人")
    DO_NOT_CONTACT = "do_not_contact", _("禁止联系")
    UNKNOWN = "unknown", _("未核实")


#: Statuses of a contact point that no contact may use (every channel, every app).
UNUSABLE_STATUSES = frozenset({ContactStatus.INVALID, ContactStatus.WRONG_PARTY, ContactStatus.DO_NOT_CONTACT})


class ContactSource(models.TextChoices):
    CREDITOR = "creditor", _("委托方提供")
    DEBTOR = "debtor", _("本人提供")
    REPAIR = "repair", _("信息修复")
    FIELD = "field", _("外访获取")
    OTHER = "other", _("其他")


class ContactPoint(models.Model):
    CASE_PATH = "debtor__cases"

    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="contact_points",
                               verbose_name=_("债务人"))
    kind = models.CharField(_("类型"), max_length=20, choices=ContactKind.choices)
    address_type = models.CharField(_("地址类型"), max_length=20, choices=AddressType.choices, blank=True,
                                    default="")
    value = EncryptedTextField(_("号码/地址"))
    value_index = BlindIndexField(source="value", kind="contact", normalizer=_contact_normal)
    source = models.CharField(_("来源"), max_length=20, choices=ContactSource.choices,
                              default=ContactSource.CREDITOR)
    source_detail = models.CharField(_("来源说明"), max_length=100, blank=True,
                                     help_text=_("如 委托方代码与导入批次"))
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    #: Who supplied the value (ids of creditors, the first supplier first): a creditor's file, or the debtor in a
    #: conversation about a debt of that creditor (then ``given_for_case`` names the case). A case uses only the
    #: points of its own creditor, unless both creditors allow sharing (``compliance.provenance``).
    suppliers = models.JSONField(_("提供方（委托方）"), default=list, blank=True)
    given_for_case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+", verbose_name=_("债务人就该案件提供"))
    status = models.CharField(_("状态"), max_length=20, choices=ContactStatus.choices,
                              default=ContactStatus.UNKNOWN)
    is_primary = models.BooleanField(_("首选"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_primary", "kind", "id"]
        verbose_name = _("联系方式")
        verbose_name_plural = _("联系方式")

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class PartyRole(models.TextChoices):
    GUARANTOR = "guarantor", _("担保人")
    CO_BORROWER = "co_borrower", _("共同借款人")
    SPOUSE = "spouse", _("配偶")
    EMERGENCY_CONTACT = "emergency_contact", _("紧急联系人")
    OTHER = "other", _("其他")


#: Related parties who owe under the contract: they may be asked to pay. Everyone else is a third party
#: who may at most be asked for the debtor's whereabouts (decided by the compliance gate), never told of the debt.
LIABLE_ROLES = {PartyRole.GUARANTOR, PartyRole.CO_BORROWER}


class RelatedParty(models.Model):
    CASE_PATH = "debtor__cases"

    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="related_parties",
                               verbose_name=_("债务人"))
    role = models.CharField(_("法律角色"), max_length=20, choices=PartyRole.choices)
    full_name = models.CharField(_("姓名"), max_length=100)
    relation = models.CharField(_("关系说明"), max_length=50, blank=True, help_text=_("如 父亲、同事"))
    phone = EncryptedTextField(_("电话"), blank=True, default="")
    phone_index = BlindIndexField(source="phone", kind="contact", normalizer=_contact_normal)
    refused_contact = models.BooleanField(_("已拒绝再联系"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("关联人")
        verbose_name_plural = _("关联人")

    def __str__(self):
        return f"{self.full_name} ({self.get_role_display()})"

    @property
    def is_liable(self) -> bool:
        return self.role in LIABLE_ROLES


class Employment(models.Model):
    CASE_PATH = "debtor__cases"

    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="employments",
                               verbose_name=_("债务人"))
    employer_name = models.CharField(_("工作单位"), max_length=200)
    position = models.CharField(_("职位"), max_length=100, blank=True)
    since = models.DateField(_("入职日期"), null=True, blank=True)
    is_current = models.BooleanField(_("当前"), default=True)

    class Meta:
        ordering = ["-is_current", "-since"]
        verbose_name = _("工作信息")
        verbose_name_plural = _("工作信息")

    def __str__(self):
        return self.employer_name


class FinancialProfile(models.Model):
    CASE_PATH = "debtor__cases"

    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="financial_profiles",
                               verbose_name=_("债务人"))
    monthly_income = models.DecimalField(_("月收入"), **MONEY)
    other_debt_payments = models.DecimalField(_("其他债务月供"), default=Decimal("0"), **MONEY)
    household_expenses = models.DecimalField(_("家庭月支出"), default=Decimal("0"), **MONEY)
    dependants = models.PositiveSmallIntegerField(_("供养人数"), default=0)
    as_of = models.DateField(_("截至日期"))
    source = models.CharField(_("来源"), max_length=50, default="debtor",
                              help_text=_("本人陈述、银行流水、征信报告等"))

    class Meta:
        ordering = ["-as_of", "-id"]
        verbose_name = _("经济状况")
        verbose_name_plural = _("经济状况")

    @property
    def disposable_income(self) -> Decimal:
        """What is left each month: income − household expenses − other debt payments (may be negative)."""
        return self.monthly_income - self.household_expenses - self.other_debt_payments


class AssetKind(models.TextChoices):
    PROPERTY = "property", _("房产")
    VEHICLE = "vehicle", _("车辆")
    DEPOSIT = "deposit", _("存款")
    OTHER = "other", _("其他")


class Asset(models.Model):
    CASE_PATH = "debtor__cases"

    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="assets", verbose_name=_("债务人"))
    kind = models.CharField(_("类型"), max_length=20, choices=AssetKind.choices)
    description = models.CharField(_("描述"), max_length=200, blank=True)
    value = models.DecimalField(_("估值"), **MONEY)
    encumbrance = models.DecimalField(_("已抵押/负债金额"), default=Decimal("0"), **MONEY)
    pledged = models.BooleanField(_("已质押/抵押给委托方"), default=False)
    as_of = models.DateField(_("截至日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("资产")
        verbose_name_plural = _("资产")

    @property
    def equity(self) -> Decimal:
        return max(self.value - self.encumbrance, Decimal("0"))


class CreditReport(models.Model):
    CASE_PATH = "debtor__cases"

    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="credit_reports",
                               verbose_name=_("债务人"))
    as_of = models.DateField(_("报告日期"))
    accounts = models.PositiveIntegerField(_("账户数"), default=0)
    delinquent_accounts = models.PositiveIntegerField(_("逾期账户数"), default=0)
    total_balance = models.DecimalField(_("总余额"), default=Decimal("0"), **MONEY)
    inquiries_6m = models.PositiveIntegerField(_("近6个月查询次数"), default=0)
    worst_status = models.CharField(_("最差状态"), max_length=20, blank=True)

    class Meta:
        ordering = ["-as_of"]
        verbose_name = _("征信摘要")
        verbose_name_plural = _("征信摘要")


class BankStatementSummary(models.Model):
    CASE_PATH = "debtor__cases"

    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="bank_statements",
                               verbose_name=_("债务人"))
    as_of = models.DateField(_("截至日期"))
    months = models.PositiveSmallIntegerField(_("覆盖月数"), default=6)
    avg_monthly_inflow = models.DecimalField(_("月均流入"), **MONEY)
    avg_monthly_outflow = models.DecimalField(_("月均流出"), **MONEY)

    class Meta:
        ordering = ["-as_of"]
        verbose_name = _("银行流水摘要")
        verbose_name_plural = _("银行流水摘要")


class OtherLoanStatus(models.TextChoices):
    CURRENT = "current", _("正常")
    OVERDUE = "overdue", _("逾期")
    CLOSED = "closed", _("结清")


class OtherLoan(models.Model):
    CASE_PATH = "debtor__cases"

    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="other_loans",
                               verbose_name=_("债务人"))
    lender = models.CharField(_("贷款机构"), max_length=200)
    balance = models.DecimalField(_("余额"), **MONEY)
    monthly_payment = models.DecimalField(_("月供"), default=Decimal("0"), **MONEY)
    status = models.CharField(_("状态"), max_length=20, choices=OtherLoanStatus.choices,
                              default=OtherLoanStatus.CURRENT)

    class Meta:
        verbose_name = _("其他贷款")
        verbose_name_plural = _("其他贷款")
