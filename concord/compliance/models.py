"""Persistence of the compliance gate: the contact ledger, stored decisions, the state the gate reads (consents,
ceases, holds, attorneys, inconvenient times), creditor pack overrides, collector qualifications and complaints.

Only ``services.py`` writes these rows. Third-party refusals, 失联 and death are read from the borrower file
(``RelatedParty.refused_contact``, ``Debtor.lost_contact``, ``Debtor.deceased``).
Debts are identified to the pure gate by the ``LoanAccount`` primary key as a string.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class Channel(models.TextChoices):
    CALL = "call", _("电话")
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")
    LETTER = "letter", _("信函")
    VISIT = "visit", _("外访")
    WECHAT = "wechat", _("微信")


class Direction(models.TextChoices):
    OUTBOUND = "outbound", _("呼出/发出")
    INBOUND = "inbound", _("呼入/收到")


class Outcome(models.TextChoices):
    NO_ANSWER = "no_answer", _("无人接听")
    BUSY = "busy", _("忙线")
    VOICEMAIL = "voicemail", _("语音信箱")
    CONVERSATION = "conversation", _("接通通话")
    THIRD_PARTY = "third_party", _("第三方接听")
    WRONG_NUMBER = "wrong_number", _("号码错误")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("失败")


class Purpose(models.TextChoices):
    COLLECTION = "collection", _("催收")
    LOCATION = "location", _("查找联系方式")
    SERVICE = "service", _("服务通知")


class PartyKind(models.TextChoices):
    DEBTOR = "debtor", _("债务人本人")
    RELATED = "related", _("关联人")
    ATTORNEY = "attorney", _("代理律师")


class HoldKind(models.TextChoices):
    COMPLAINT = "complaint", _("投诉")
    DISPUTE = "dispute", _("争议")
    ARRANGEMENT = "arrangement", _("还款安排")
    BREATHING_SPACE = "breathing_space", _("喘息期")
    LEGAL = "legal", _("法律程序")
    OTHER = "other", _("其他")


class ConsentScope(models.TextChoices):
    HOURS = "hours", _("联系时段")
    FREQUENCY = "frequency", _("联系频次")
    ALL = "all", _("全部")


class Party(models.Model):
    """Who a ledger row or decision addresses: the debtor, one related party, or the debtor's attorney."""
    party_kind = models.CharField(_("联系对象类型"), max_length=10, choices=PartyKind.choices,
                                  default=PartyKind.DEBTOR)
    related_party = models.ForeignKey("debtors.RelatedParty", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name=_("关联人"))
    attorney = models.ForeignKey("compliance.AttorneyRepresentation", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+", verbose_name=_("代理律师"))

    class Meta:
        abstract = True


class ContactDecision(Party):
    """One live decision of the gate, allowed or denied, with what it was decided on."""
    CASE_PATH = "case"

    at = models.DateTimeField(_("决定时间"), db_index=True)
    debtor = models.ForeignKey("debtors.Debtor", on_delete=models.PROTECT, related_name="contact_decisions",
                               verbose_name=_("债务人"))
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="contact_decisions", verbose_name=_("案件"))
    creditor = models.ForeignKey("creditors.Creditor", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="contact_decisions", verbose_name=_("委托方"))
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("申请人"))
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(_("目的"), max_length=12, choices=Purpose.choices)
    number_key = models.CharField(_("号码索引"), max_length=40, blank=True)
    number_masked = models.CharField(_("号码（脱敏）"), max_length=40, blank=True)
    accounts = models.JSONField(_("所涉借据"), default=list)
    allowed = models.BooleanField(_("允许"), db_index=True)
    rules = models.JSONField(_("触发规则"), default=list)
    rules_text = models.CharField(_("规则代码"), max_length=200, blank=True, db_index=True,
                                  help_text=_("以空格分隔并首尾带空格，便于筛选"))
    reason_zh = models.TextField(_("原因（中文）"))
    reason_en = models.TextField(_("原因（英文）"))
    pack = models.CharField(_("规则包"), max_length=30)
    pack_version = models.CharField(_("规则包版本"), max_length=60)
    inputs = models.JSONField(_("输入摘要"), default=dict)
    released_at = models.DateTimeField(_("放行释放时间"), null=True, blank=True,
                                       help_text=_("拨号未发出（如话务系统拒绝外呼）：放行不再计入联系上限"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("联系决定")
        verbose_name_plural = _("联系决定")
        indexes = [models.Index(fields=["debtor", "at"], name="cmp_dec_debtor_at"),
                   models.Index(fields=["creditor", "at"], name="cmp_dec_creditor_at"),
                   models.Index(fields=["actor", "at"], name="cmp_dec_actor_at")]

    def __str__(self):
        return f"#{self.pk} {'allow' if self.allowed else 'deny'} {self.channel}"

    def reason(self, language: str | None) -> str:
        return self.reason_zh if (language or "zh").startswith("zh") else self.reason_en


class ContactAttempt(Party):
    """The contact ledger: one attempt or contact that happened, with its outcome."""
    CASE_PATH = "case"

    at = models.DateTimeField(_("时间"))
    debtor = models.ForeignKey("debtors.Debtor", on_delete=models.PROTECT, related_name="contact_attempts",
                               verbose_name=_("债务人"))
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="contact_attempts", verbose_name=_("案件"))
    creditor = models.ForeignKey("creditors.Creditor", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("委托方"))
    decision = models.OneToOneField(ContactDecision, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="attempt", verbose_name=_("放行决定"))
    collector = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("催收员"))
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices, default=Direction.OUTBOUND)
    number_key = models.CharField(_("号码索引"), max_length=40, blank=True)
    number_masked = models.CharField(_("号码（脱敏）"), max_length=40, blank=True)
    accounts = models.JSONField(_("所涉借据"), null=True, blank=True, help_text=_("空表示涉及全部债务"))
    outcome = models.CharField(_("结果"), max_length=20, choices=Outcome.choices, blank=True)
    purpose = models.CharField(_("目的"), max_length=12, choices=Purpose.choices, blank=True)
    note = models.CharField(_("备注"), max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("联系记录")
        verbose_name_plural = _("联系记录")
        indexes = [models.Index(fields=["debtor", "at"], name="cmp_att_debtor_at")]


class StateRow(models.Model):
    """Common fields of a state the gate reads: whose, since when, until when, who recorded it."""
    debtor = models.ForeignKey("debtors.Debtor", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("债务人"))
    related_party = models.ForeignKey("debtors.RelatedParty", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name=_("关联人"), help_text=_("空表示债务人本人"))
    accounts = models.JSONField(_("所涉借据"), null=True, blank=True, help_text=_("空表示全部债务"))
    valid_from = models.DateTimeField(_("生效时间"))
    valid_until = models.DateTimeField(_("失效时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("登记人"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-valid_from", "-id"]


class Consent(StateRow):
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices, blank=True,
                               help_text=_("空表示全部渠道"))
    scope = models.CharField(_("范围"), max_length=10, choices=ConsentScope.choices)

    class Meta(StateRow.Meta):
        verbose_name = _("联系同意")
        verbose_name_plural = _("联系同意")
        indexes = [models.Index(fields=["debtor", "valid_from"], name="cmp_consent_debtor")]


class CeaseRequest(StateRow):
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices, blank=True,
                               help_text=_("空表示全部渠道"))

    class Meta(StateRow.Meta):
        verbose_name = _("停止联系要求")
        verbose_name_plural = _("停止联系要求")
        indexes = [models.Index(fields=["debtor", "valid_from"], name="cmp_cease_debtor")]


class InconvenientTime(StateRow):
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))

    class Meta(StateRow.Meta):
        verbose_name = _("不便联系时段")
        verbose_name_plural = _("不便联系时段")
        indexes = [models.Index(fields=["debtor", "valid_from"], name="cmp_inconv_debtor")]


class AttorneyRepresentation(StateRow):
    attorney_name = models.CharField(_("律师姓名"), max_length=100)
    firm = models.CharField(_("律师事务所"), max_length=200, blank=True)

    class Meta(StateRow.Meta):
        verbose_name = _("律师代理")
        verbose_name_plural = _("律师代理")
        indexes = [models.Index(fields=["debtor", "valid_from"], name="cmp_attorney_debtor")]

    def __str__(self):
        return self.attorney_name


class Hold(models.Model):
    """Collection stops for a debtor (optionally one creditor's debts, or one account) while the hold is in force."""
    debtor = models.ForeignKey("debtors.Debtor", on_delete=models.PROTECT, related_name="compliance_holds",
                               verbose_name=_("债务人"))
    creditor = models.ForeignKey("creditors.Creditor", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("委托方"), help_text=_("空表示全部委托方"))
    account = models.ForeignKey("loans.LoanAccount", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("借据/卡账户"))
    kind = models.CharField(_("类型"), max_length=20, choices=HoldKind.choices)
    reason = models.CharField(_("原因"), max_length=500)
    placed_at = models.DateTimeField(_("开始时间"))
    placed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("设置人"))
    until = models.DateTimeField(_("到期时间"), null=True, blank=True, help_text=_("空表示直至解除"))
    released_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    released_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("解除人"))
    release_reason = models.CharField(_("解除原因"), max_length=500, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("暂停催收")
        verbose_name_plural = _("暂停催收")
        indexes = [models.Index(fields=["debtor", "placed_at"], name="cmp_hold_debtor")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def active(self) -> bool:
        return self.released_at is None


class CreditorPolicy(models.Model):
    """A creditor's compliance settings: stricter pack overrides and the complaint deadline."""
    creditor = models.OneToOneField("creditors.Creditor", on_delete=models.PROTECT, related_name="compliance",
                                    verbose_name=_("委托方"))
    overrides = models.JSONField(_("规则收紧"), default=dict, blank=True)
    complaint_days = models.PositiveSmallIntegerField(_("投诉处理时限（天）"), null=True, blank=True)
    dispute_days = models.PositiveSmallIntegerField(_("争议处理时限（天）"), null=True, blank=True)
    updated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("修改人"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("委托方合规设置")
        verbose_name_plural = _("委托方合规设置")


class QualificationKind(models.TextChoices):
    PRE_JOB_TRAINING = "pre_job_training", _("岗前培训")
    PRE_JOB_EXAM = "pre_job_exam", _("岗前考试")
    ANNUAL_REFRESHER = "annual_refresher", _("年度培训")


class Qualification(models.Model):
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="qualifications",
                             verbose_name=_("人员"))
    kind = models.CharField(_("类型"), max_length=20, choices=QualificationKind.choices)
    passed_on = models.DateField(_("通过日期"))
    expires_on = models.DateField(_("到期日期"), null=True, blank=True, help_text=_("空表示长期有效"))
    reference = models.CharField(_("证书/记录编号"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("登记人"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user", "kind", "-passed_on"]
        verbose_name = _("催收员资质")
        verbose_name_plural = _("催收员资质")
        indexes = [models.Index(fields=["user", "kind"], name="cmp_qual_user_kind")]


class ComplaintKind(models.TextChoices):
    COMPLAINT = "complaint", _("投诉")
    DISPUTE = "dispute", _("争议")


class ComplaintSource(models.TextChoices):
    PHONE = "phone", _("电话")
    LETTER = "letter", _("信函")
    REGULATOR_12378 = "regulator_12378", _("监管转办（12378）")
    EMAIL = "email", _("电子邮件")
    PORTAL = "portal", _("线上渠道")
    OTHER = "other", _("其他")


class ComplaintCategory(models.TextChoices):
    CONDUCT = "conduct", _("催收行为")
    FREQUENCY = "frequency", _("联系频次/时段")
    THIRD_PARTY = "third_party", _("骚扰第三方/泄露债务")
    AMOUNT = "amount", _("金额/费用异议")
    IDENTITY = "identity", _("非本人债务")
    PRIVACY = "privacy", _("个人信息")
    OTHER = "other", _("其他")


class Severity(models.TextChoices):
    LOW = "low", _("一般")
    MEDIUM = "medium", _("较重")
    HIGH = "high", _("严重")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("处理中")
    ESCALATED = "escalated", _("已升级")
    RESOLVED = "resolved", _("已办结")


class Resolution(models.TextChoices):
    UPHELD = "upheld", _("投诉成立")
    PARTLY_UPHELD = "partly_upheld", _("部分成立")
    NOT_UPHELD = "not_upheld", _("不成立")
    WITHDRAWN = "withdrawn", _("撤回")


OPEN_STATUSES = (ComplaintStatus.OPEN, ComplaintStatus.ESCALATED)


class Complaint(models.Model):
    CASE_PATH = "case"

    kind = models.CharField(_("类别"), max_length=10, choices=ComplaintKind.choices, default=ComplaintKind.COMPLAINT)
    debtor = models.ForeignKey("debtors.Debtor", on_delete=models.PROTECT, related_name="complaints",
                               verbose_name=_("债务人"))
    creditor = models.ForeignKey("creditors.Creditor", on_delete=models.PROTECT, related_name="complaints",
                                 verbose_name=_("委托方"))
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="complaints", verbose_name=_("案件"))
    source = models.CharField(_("来源"), max_length=20, choices=ComplaintSource.choices)
    category = models.CharField(_("分类"), max_length=20, choices=ComplaintCategory.choices)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    summary = models.TextField(_("内容摘要"))
    received_at = models.DateTimeField(_("受理时间"), db_index=True)
    due_at = models.DateTimeField(_("办结期限"), db_index=True)
    owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("负责人"))
    status = models.CharField(_("状态"), max_length=10, choices=ComplaintStatus.choices,
                              default=ComplaintStatus.OPEN, db_index=True)
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    resolution = models.CharField(_("处理结论"), max_length=20, choices=Resolution.choices, blank=True)
    reply = models.TextField(_("答复内容"), blank=True)
    hold = models.OneToOneField(Hold, null=True, blank=True, on_delete=models.PROTECT, related_name="complaint",
                                verbose_name=_("暂停催收"))
    opened_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("登记人"))

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("投诉/争议")
        verbose_name_plural = _("投诉/争议")

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def case_model():
    """The case model, reached through the decisions' relation: compliance sits below the cases app and never
    imports it, though the console looks cases up by reference."""
    return ContactDecision._meta.get_field("case").related_model
