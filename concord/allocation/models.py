"""Allocation rules (分案规则) as versioned data, and the runs that applied them.

A rule set is never edited in place: each save is a new :class:`RuleSet` version (who, when, what changed, on what
version it was based); rolling back saves an old version's rules as the newest. The rules themselves are plain
dicts interpreted by :mod:`concord.eod.allocrules` (pure, shared with the end-of-day engine).
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleSet(models.Model):
    version = models.PositiveIntegerField(_("版本"), unique=True)
    rules = models.JSONField(_("规则"), default=list)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    based_on = models.PositiveIntegerField(_("基于版本"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("修改人"))
    created_at = models.DateTimeField(_("修改时间"))

    class Meta:
        ordering = ["-version"]
        verbose_name = _("分案规则版本")
        verbose_name_plural = _("分案规则版本")

    def __str__(self):
        return f"v{self.version}"


class RunKind(models.TextChoices):
    MANUAL = "manual", _("手工执行")
    IMPORT = "import", _("导入新案")
    COMMAND = "command", _("命令行")


class AllocationRun(models.Model):
    """One application of a rule set: what it moved, by rule and reason (each move is an ``Assignment`` whose
    reason names the version and the rule)."""
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="runs", verbose_name=_("规则版本"))
    kind = models.CharField(_("来源"), max_length=10, choices=RunKind.choices, default=RunKind.MANUAL)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("执行人"))
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    cases = models.PositiveIntegerField(_("评估案件数"), default=0)
    moved = models.PositiveIntegerField(_("调整案件数"), default=0)
    summary = models.JSONField(_("汇总"), default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("分案执行")
        verbose_name_plural = _("分案执行")


class BulkAction(models.TextChoices):
    REASSIGN = "reassign", _("重新分配")
    POOL = "pool", _("退回公共池")
    HOLD = "hold", _("暂停")
    RELEASE = "release", _("恢复")
    RECALL = "recall", _("退案（退回委托方）")
    MESSAGE = "message", _("发送模板消息/信函")


class BulkRequest(models.Model):
    """What a person asked to be done to many cases: the action, its options and the cases chosen (frozen when
    asked, whether chosen by a filter or by ticking rows). Its job (``allocation.bulk``) names it in its params."""
    action = models.CharField(_("操作"), max_length=10, choices=BulkAction.choices)
    options = models.JSONField(_("选项"), default=dict, blank=True)
    case_ids = models.JSONField(_("案件"), default=list)
    selection = models.CharField(_("选择方式"), max_length=400, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("发起人"))
    created_at = models.DateTimeField(_("发起时间"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("批量作业")
        verbose_name_plural = _("批量作业")
