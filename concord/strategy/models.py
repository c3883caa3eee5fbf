"""Strategies as versioned data (docs/strategy.md "Strategies as data").

A strategy is never edited in place: each save is a new :class:`StrategyVersion` (who, when, on what version it was
based, what changed); rolling back saves an old version's tree as the newest, as allocation rule sets do. The
newest version of the live strategy is the champion: the end-of-day run compiles it (``concord.eod.strategies``).
The tree itself is a plain dict checked by :mod:`concord.strategy.tree` (pure).
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Strategy(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    live = models.BooleanField(_("生效中"), default=False)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        ordering = ["-live", "code"]
        verbose_name = _("策略")
        verbose_name_plural = _("策略")
        constraints = [models.UniqueConstraint(fields=["live"], condition=models.Q(live=True),
                                               name="strategy_one_live")]

    def __str__(self):
        return self.code

    @property
    def current(self):
        return self.versions.order_by("-version").first()


class StrategyVersion(models.Model):
    strategy = models.ForeignKey(Strategy, on_delete=models.PROTECT, related_name="versions",
                                 verbose_name=_("策略"))
    version = models.PositiveIntegerField(_("版本"))
    tree = models.JSONField(_("策略树"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    based_on = models.PositiveIntegerField(_("基于版本"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("修改人"))
    created_at = models.DateTimeField(_("修改时间"))

    class Meta:
        ordering = ["strategy", "-version"]
        verbose_name = _("策略版本")
        verbose_name_plural = _("策略版本")
        constraints = [models.UniqueConstraint(fields=["strategy", "version"], name="strategy_version_unique")]

    def __str__(self):
        return f"{self.strategy.code} v{self.version}"

    @property
    def label(self):
        return f"{self.strategy.code} v{self.version}"


class Experiment(models.Model):
    """Champion/challenger: the live strategy (arm 0) against up to three challenger versions, each arm a share of
    the cases (whole percentages summing to 100). Cases are assigned once, at random but reproducibly (seeded by
    the experiment and the case), and each assignment is kept with its date (:class:`ArmAssignment`)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("进行中")
        ENDED = "ended", _("已结束")

    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    seed = models.PositiveIntegerField(_("随机种子"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("发起人"))
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    promoted_arm = models.PositiveSmallIntegerField(_("晋升的挑战者"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("策略实验")
        verbose_name_plural = _("策略实验")
        constraints = [models.UniqueConstraint(fields=["status"], condition=models.Q(status="running"),
                                               name="strategy_one_running_experiment")]

    def __str__(self):
        return f"#{self.pk}"


class ExperimentArm(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="arms",
                                   verbose_name=_("实验"))
    arm = models.PositiveSmallIntegerField(_("组别"))  # 0: the champion
    version = models.ForeignKey(StrategyVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("策略版本"))
    # arm 0 (the champion): the live strategy's newest version when the experiment started (what the page shows for
    # the arm; the end-of-day run applies the live strategy's newest version to it). Null only for experiments started
    # before it was recorded whose version migration 0003 could not recover: the page then falls back to the current
    # champion (docs/strategy.md "Champion/challenger")
    share = models.PositiveSmallIntegerField(_("比例（%）"))

    class Meta:
        ordering = ["experiment", "arm"]
        constraints = [models.UniqueConstraint(fields=["experiment", "arm"], name="strategy_arm_unique")]


class ArmAssignment(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="assignments")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    arm = models.PositiveSmallIntegerField(_("组别"))
    assigned_on = models.DateField(_("分组日期"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["experiment", "case"], name="strategy_assignment_unique")]
        indexes = [models.Index(fields=["experiment", "arm"])]
