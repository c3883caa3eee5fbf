"""Cases: one debtor's accounts from one creditor, and who works them.

Activities (催记), promises, arrangements, visits and legal actions belong here too and arrive in later work.
"""
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    NEW = "new", _("新案")
    OPEN = "open", _("跟进中")
    ON_HOLD = "on_hold", _("暂停")
    SETTLED = "settled", _("已结清")
    RECALLED = "recalled", _("已撤案")
    CLOSED = "closed", _("已关闭")


ACTIVE_STATUSES = (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.ON_HOLD)


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


class PromiseStatus(models.TextChoices):
    PENDING = "pending", _("待履行")
    KEPT = "kept", _("已履行")
    PARTIAL = "partial", _("部分履行")
    BROKEN = "broken", _("已违约")
    SUPERSEDED = "superseded", _("已被新承诺取代")


OPEN_PROMISE = (PromiseStatus.PENDING,)


class Promise(models.Model):
    """A promise to pay (承诺还款, PTP): an amount by a date, tracked to kept / partially kept / broken by payments."""

    CASE_PATH = "case"
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="promises", verbose_name=_("案件"))
    amount = models.DecimalField(_("承诺金额"), max_digits=14, decimal_places=2)
    due_date = models.DateField(_("承诺还款日期"), db_index=True)
    grace_days = models.PositiveSmallIntegerField(_("宽限天数"), default=1)
    status = models.CharField(_("状态"), max_length=12, choices=PromiseStatus.choices, default=PromiseStatus.PENDING,
                              db_index=True)
    paid_amount = models.DecimalField(_("已还金额"), max_digits=14, decimal_places=2, default=Decimal("0"))
    made_at = models.DateTimeField(_("承诺时间"))
    resolved_at = models.DateTimeField(_("结果时间"), null=True, blank=True)
    activity = models.ForeignKey(Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("催记"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("登记人"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["-made_at", "-id"]
        verbose_name = _("承诺还款")
        verbose_name_plural = _("承诺还款")

    def __str__(self):
        return f"{self.case} {self.amount} @ {self.due_date}"


class TaskKind(models.TextChoices):
    FOLLOW_UP = "follow_up", _("跟进")
    CALLBACK = "callback", _("约定回电")
    PROMISE_REMINDER = "promise_reminder", _("承诺还款提醒")
    VERIFY_PAYMENT = "verify_payment", _("核实已还款")


class Task(models.Model):
    """A follow-up with a due time (跟进任务): created by hand, by a call's result (callback, already paid) or by the
    promise reminders; done once."""

    CASE_PATH = "case"
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("案件"))
    kind = models.CharField(_("类型"), max_length=20, choices=TaskKind.choices, default=TaskKind.FOLLOW_UP)
    title = models.CharField(_("事项"), max_length=200)
    due_at = models.DateTimeField(_("到期时间"), db_index=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="work_tasks", verbose_name=_("负责人"))
    promise = models.ForeignKey(Promise, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks",
                                verbose_name=_("承诺还款"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("创建人"))
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True, db_index=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("完成人"))
    result = models.CharField(_("处理结果"), max_length=200, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("跟进任务")
        verbose_name_plural = _("跟进任务")
        constraints = [models.UniqueConstraint(fields=["promise", "kind"], condition=models.Q(promise__isnull=False),
                                               name="task_one_per_promise_kind")]

    def __str__(self):
        return self.title


class CallRecording(models.Model):
    """A call's recording: an uploaded audio file under ``DATA_DIR/recordings/`` or the telephony system's
    reference, kept until ``retain_until`` (the creditor pack's period, see ``retention.py``)."""

    CASE_PATH = "case"
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="recordings", verbose_name=_("案件"))
    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="recording",
                                    verbose_name=_("催记"))
    path = models.CharField(_("文件"), max_length=300, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=60, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    reference = models.CharField(_("话单/录音编号"), max_length=120, blank=True)
    retain_until = models.DateField(_("保存至"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("通话录音")
        verbose_name_plural = _("通话录音")

    def __str__(self):
        return self.reference or self.path


class ScriptTopic(models.TextChoices):
    HARDSHIP = "hardship", _("经济困难")
    ANGER = "anger", _("情绪激动")
    DISPUTE = "dispute", _("对债务有异议")
    THIRD_PARTY = "third_party", _("第三方接听")


class Script(models.Model):
    """A script for a difficult conversation, in Chinese and English; editable by managers."""

    topic = models.CharField(_("场景"), max_length=20, choices=ScriptTopic.choices, unique=True)
    title_zh = models.CharField(_("标题（中文）"), max_length=100)
    title_en = models.CharField(_("标题（英文）"), max_length=100)
    body_zh = models.TextField(_("话术（中文）"))
    body_en = models.TextField(_("话术（英文）"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("修改人"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["topic"]
        verbose_name = _("沟通话术")
        verbose_name_plural = _("沟通话术")

    def __str__(self):
        return self.get_topic_display()

    def title(self, language: str | None) -> str:
        return self.title_zh if (language or "zh").startswith("zh") else self.title_en

    def body(self, language: str | None) -> str:
        return self.body_zh if (language or "zh").startswith("zh") else self.body_en
