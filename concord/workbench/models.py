"""The collector's workbench: promises to pay (承诺还款), follow-up tasks, call recordings and conversation scripts.

These models were born in the ``cases`` app and keep its tables (``db_table``); the move was state-only
(``cases/0007`` and ``workbench/0001``).
"""
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from concord.cases.models import Activity, Case


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
        db_table = "cases_promise"
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
        db_table = "cases_task"
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
        db_table = "cases_callrecording"
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
        db_table = "cases_script"
        ordering = ["topic"]
        verbose_name = _("沟通话术")
        verbose_name_plural = _("沟通话术")

    def __str__(self):
        return self.get_topic_display()

    def title(self, language: str | None) -> str:
        return self.title_zh if (language or "zh").startswith("zh") else self.title_en

    def body(self, language: str | None) -> str:
        return self.body_zh if (language or "zh").startswith("zh") else self.body_en
