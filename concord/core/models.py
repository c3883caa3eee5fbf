"""The audit trail: an append-only, hash-chained log of every write."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def event_label(chain: int, seq: int) -> str:
    """How an event is named to people: ``#seq`` on chain 1, ``#chain-seq`` on the others."""
    return f"#{seq}" if chain == 1 else f"#{chain}-{seq}"


class AuditEvent(models.Model):
    """One event of the trail; ``seq`` counts within its ``chain`` (see ``core.audit``), ``id`` is the global order."""

    chain = models.PositiveSmallIntegerField(_("链"), default=1)
    seq = models.BigIntegerField(_("序号"))
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("操作人"))
    actor_label = models.CharField(_("操作人名称"), max_length=150, blank=True)
    action = models.CharField(_("动作"), max_length=80, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=80, blank=True)
    object_id = models.CharField(_("对象ID"), max_length=64, blank=True, db_index=True)
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    request_id = models.CharField(_("请求ID"), max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    #: The fingerprint of the audit key the hash is an HMAC under (empty: written before keys, plain SHA-256).
    key_id = models.CharField(max_length=16, blank=True, default="")

    class Meta:
        ordering = ["id"]
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        indexes = [models.Index(fields=["object_type", "object_id"])]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="core_auditevent_chain_seq")]

    @property
    def label(self) -> str:
        return event_label(self.chain, self.seq)

    def __str__(self):
        return f"{self.label} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The head of one chain (``id`` is the chain); locked while an event is appended so the chain stays linear."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)


class JobState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


class Job(models.Model):
    """One piece of long work run by the worker (``concord worker``): an import, the end-of-day run, an export…
    Written only by :mod:`concord.core.jobs`; the kind's code reports progress through its context."""

    kind = models.CharField(_("任务类型"), max_length=60, db_index=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("发起人"))
    created_at = models.DateTimeField(_("创建时间"), db_index=True)
    state = models.CharField(_("状态"), max_length=10, choices=JobState.choices, default=JobState.QUEUED,
                             db_index=True)
    stage = models.CharField(_("阶段"), max_length=60, blank=True)
    stages = models.JSONField(_("各阶段"), default=list, blank=True)  # [[stage, seconds or None], ...]
    done = models.BigIntegerField(_("已处理"), default=0)
    total = models.BigIntegerField(_("总数"), null=True, blank=True)
    percent = models.FloatField(_("进度（%）"), default=0)
    eta_seconds = models.IntegerField(_("预计剩余（秒）"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("心跳时间"), null=True, blank=True)
    worker = models.CharField(_("工作进程"), max_length=120, blank=True)
    attempts = models.PositiveSmallIntegerField(_("运行次数"), default=0)
    cancel_requested = models.BooleanField(_("已请求取消"), default=False)
    error = models.TextField(_("失败原因"), blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    slot = models.CharField(_("计划时点"), max_length=120, null=True, blank=True, unique=True,
                            help_text=_("计划任务的时点：同一时点只运行一次"))
    task_id = models.CharField(_("队列任务"), max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        indexes = [models.Index(fields=["kind", "state"])]

    def __str__(self):
        return f"#{self.pk} {self.kind} {self.state}"

    @property
    def finished(self) -> bool:
        return self.state in (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)


class WorkerProcess(models.Model):
    """A running ``concord worker``: its heartbeat tells the others whether a job it holds is still alive."""

    name = models.CharField(_("名称"), max_length=120, unique=True)
    host = models.CharField(_("主机"), max_length=120)
    pid = models.IntegerField(_("进程号"))
    started_at = models.DateTimeField(_("启动时间"))
    heartbeat_at = models.DateTimeField(_("心跳时间"))
    stopped_at = models.DateTimeField(_("停止时间"), null=True, blank=True)

    class Meta:
        ordering = ["-heartbeat_at"]
        verbose_name = _("工作进程")
        verbose_name_plural = _("工作进程")

    def __str__(self):
        return self.name
