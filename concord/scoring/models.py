"""The model registry: each trained scorecard with its data (bins and points), its training window, its validation
figures and its status — draft, approved by a manager (only one approved model per target: the live one), retired —
and the drift checks of the end-of-day runs. Written only by ``services``."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Target(models.TextChoices):
    PAID_30D = "paid_30d", _("30 天内还款")
    PROMISE_KEPT = "promise_kept", _("承诺兑现")
    SELF_CURE_30D = "self_cure_30d", _("30 天内未联系自愈")


class ModelStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    APPROVED = "approved", _("已批准（生效）")
    RETIRED = "retired", _("已停用")


class ScoringModel(models.Model):
    name = models.CharField(_("名称"), max_length=80)
    target = models.CharField(_("目标"), max_length=20, choices=Target.choices)
    version = models.PositiveIntegerField(_("版本"))
    status = models.CharField(_("状态"), max_length=10, choices=ModelStatus.choices, default=ModelStatus.DRAFT)
    train_from = models.DateField(_("训练期起"))
    train_to = models.DateField(_("训练期止"))
    holdout_from = models.DateField(_("留出样本起"), null=True, blank=True)
    features = models.JSONField(_("特征"), default=list)
    bins = models.JSONField(_("分箱与分值"), default=list)        # [[characteristic, lower, upper, points], …]
    details = models.JSONField(_("训练结果"), default=dict)        # bin statistics, IV, coefficients, reference …
    validation = models.JSONField(_("验证"), default=dict)         # AUC / KS / Gini, scorecard and challenger
    created_at = models.DateTimeField(_("创建时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("创建人"))
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("批准人"))
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    retired_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("停用人"))

    class Meta:
        ordering = ["target", "-version"]
        verbose_name = _("评分模型")
        verbose_name_plural = _("评分模型")
        constraints = [
            models.UniqueConstraint(fields=["target", "version"], name="scoring_model_version"),
            models.UniqueConstraint(fields=["target"], condition=Q(status="approved"),
                                    name="scoring_one_live_model_per_target"),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"


class DriftCheck(models.Model):
    """The PSI of a model's characteristics and score on one day (the end-of-day run's), against training."""

    model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="drift_checks",
                              verbose_name=_("模型"))
    day = models.DateField(_("日期"))
    rows = models.PositiveIntegerField(_("案件数"), default=0)
    score_psi = models.FloatField(_("评分 PSI"), null=True, blank=True)
    feature_psi = models.JSONField(_("特征 PSI"), default=dict)
    alert = models.BooleanField(_("告警"), default=False)
    created_at = models.DateTimeField(_("计算时间"))

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = _("漂移监测")
        verbose_name_plural = _("漂移监测")
        constraints = [models.UniqueConstraint(fields=["model", "day"], name="scoring_drift_once_a_day")]

    @property
    def worst(self) -> float:
        values = [v for v in [self.score_psi, *self.feature_psi.values()] if v is not None]
        return max(values) if values else 0.0
