"""What the end-of-day run (日终) keeps in the application database.

Written only by :mod:`concord.eod.adapter` (the EOD service), in the run's single transaction, except the
``EodRun`` row itself, which is created before the run and marked finished or failed after it.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    RUNNING = "running", _("运行中")
    SUCCEEDED = "succeeded", _("成功")
    FAILED = "failed", _("失败")


class EodRun(models.Model):
    """One end-of-day run: its date, engine, outcome, time per stage and summary."""
    as_of = models.DateField(_("日终日期"), db_index=True)
    engine = models.CharField(_("计算引擎"), max_length=10)
    status = models.CharField(_("状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING,
                              db_index=True)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("发起人"))
    stage_seconds = models.JSONField(_("各阶段耗时（秒）"), default=dict, blank=True)
    summary = models.JSONField(_("运行摘要"), default=dict, blank=True)
    recomputed_from = models.DateField(_("回溯重算起始日"), null=True, blank=True,
                                       help_text=_("因倒填日期的还款而重算的最早日期"))
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("日终运行")
        verbose_name_plural = _("日终运行")

    def __str__(self):
        return f"{self.as_of} {self.engine} {self.status}"


class AccountState(models.Model):
    """Per account, what the last run started from and gave: a rerun for the same date starts from the same
    inputs (``prev_bucket``, the charges already accrued before it), so it gives the same state."""
    # no database-level foreign keys on these bulk tables: a million deferred FK checks would double the commit
    # (rows are replaced by every run; Django still cascades deletes)
    account = models.OneToOneField("loans.LoanAccount", primary_key=True, on_delete=models.CASCADE,
                                   related_name="eod_state", verbose_name=_("账户"), db_constraint=False)
    as_of = models.DateField(_("日终日期"))
    bucket = models.CharField(_("账龄"), max_length=4)
    prev_bucket = models.CharField(_("前一日账龄"), max_length=4)
    penalty_before_fen = models.BigIntegerField(_("运行前累计罚息（分）"))
    fees_before_fen = models.BigIntegerField(_("运行前累计费用（分）"))

    class Meta:
        verbose_name = _("账户日终状态")
        verbose_name_plural = _("账户日终状态")


class CaseState(models.Model):
    """Per case, the score, segment and treatment the last run gave."""
    CASE_PATH = "case"
    case = models.OneToOneField("cases.Case", primary_key=True, on_delete=models.CASCADE, related_name="eod_state",
                                verbose_name=_("案件"), db_constraint=False)
    as_of = models.DateField(_("日终日期"))
    score = models.IntegerField(_("评分"))
    segment = models.CharField(_("客群"), max_length=40)
    treatment = models.CharField(_("处置策略"), max_length=40)
    channel = models.CharField(_("渠道"), max_length=10)
    priority = models.IntegerField(_("优先级"))
    held = models.BooleanField(_("暂停催收"))
    promise_state = models.CharField(_("承诺状态"), max_length=20)
    arrangement = models.BooleanField(_("有效还款方案"))
    # the treatment path: the run's date on which the case entered its segment (null: kept before the column
    # existed — read as this row's as_of), and what the segment rule's path asks for on the queue day
    # (call/sms/letter/visit/email, legal_review — due for legal review, nothing queued —, or "": no path or nothing)
    segment_since = models.DateField(_("进入客群日期"), null=True, blank=True)
    path_action = models.CharField(_("路径动作"), max_length=20, blank=True, default="")
    # the segment the run started from (the previous run's): a rerun for the same date carries it over again
    start_segment = models.CharField(_("运行前客群"), max_length=40, blank=True, default="")
    start_segment_since = models.DateField(_("运行前进入客群日期"), null=True, blank=True)
    # the assignment the run started from: a rerun for the same date starts from it again
    start_status = models.CharField(_("运行前状态"), max_length=20, blank=True)
    start_team_id = models.BigIntegerField(_("运行前小组"), null=True, blank=True)
    start_collector_id = models.BigIntegerField(_("运行前催收员"), null=True, blank=True)
    start_assigned_on = models.DateField(_("运行前分配日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("案件日终状态")
        verbose_name_plural = _("案件日终状态")


class QueueEntry(models.Model):
    """One line of a collector's contact queue for a day (the day after the run's date)."""
    CASE_PATH = "case"
    run = models.ForeignKey(EodRun, on_delete=models.CASCADE, related_name="queue", verbose_name=_("日终运行"),
                            db_constraint=False)
    day = models.DateField(_("日期"), db_index=True)
    collector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="eod_queue",
                                  verbose_name=_("催收员"), db_constraint=False, db_index=False)
    position = models.PositiveIntegerField(_("序号"))
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="eod_queue",
                             verbose_name=_("案件"), db_constraint=False, db_index=False)
    channel = models.CharField(_("渠道"), max_length=10)
    priority = models.IntegerField(_("优先级"))
    earliest_at = models.DateTimeField(_("最早联系时间"))

    class Meta:
        ordering = ["day", "collector", "position"]
        verbose_name = _("联系队列")
        verbose_name_plural = _("联系队列")
        # "next case" looks up each candidate case's planned position (collector, day, case); reading a collector's
        # whole day in order sorts a few hundred rows found by the same index.
        indexes = [models.Index(fields=["collector", "day", "case"], name="eod_queue_collector_day_case")]
