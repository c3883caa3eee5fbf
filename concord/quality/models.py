"""Quality inspection (质检) and the balanced scorecard's rubric.

* ``ChecklistItem`` — the inspection checklist managers edit: what a reviewer checks on a call, its points (weights)
  and whether failing it is a *breach* (a threat, a disclosure to a third party) that the scorecard counts.
* ``Sample`` — a call (its activity, 催记) chosen for review, with why: random, a complaint or a dispute on the case,
  a prohibited word in the note, the automatic transcript checks' flags.
* ``Review`` — a supervisor's review of a sample: each item passed or failed with its points, the score 0–100,
  the breaches, comments.
* ``Rubric`` — the scorecard's weights, one row per version (the latest is in force).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class Reason(models.TextChoices):
    RANDOM = "random", _("随机抽样")
    COMPLAINT = "complaint", _("投诉")
    DISPUTE = "dispute", _("异议")
    NOTE_WORD = "note_word", _("备注含违规用语")
    TRANSCRIPT = "transcript", _("录音转写质检提示")


class ChecklistItem(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    label_zh = models.CharField(_("检查项（中文）"), max_length=100)
    label_en = models.CharField(_("检查项（英文）"), max_length=100)
    points = models.PositiveSmallIntegerField(_("分值"))
    breach = models.BooleanField(_("未通过即为违规"), default=False)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("质检项")
        verbose_name_plural = _("质检项")

    def __str__(self):
        return self.label_zh

    def label(self, language: str | None) -> str:
        return self.label_zh if (language or "zh").startswith("zh") else self.label_en


class Sample(models.Model):
    CASE_PATH = "case"
    activity = models.OneToOneField("cases.Activity", on_delete=models.PROTECT, related_name="quality_sample",
                                    verbose_name=_("通话催记"))
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name=_("案件"))
    collector = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="quality_samples",
                                  verbose_name=_("催收员"))
    team = models.ForeignKey("staff.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("小组"))
    call_day = models.DateField(_("通话日期"), db_index=True)
    reasons = models.JSONField(_("抽样原因"), default=list)
    sampled_at = models.DateTimeField(_("抽样时间"))

    class Meta:
        ordering = ["-call_day", "-id"]
        verbose_name = _("质检样本")
        verbose_name_plural = _("质检样本")

    def __str__(self):
        return f"{self.case} {self.call_day}"

    @property
    def reason_labels(self) -> list[str]:
        labels = dict(Reason.choices)
        return [str(labels.get(r, r)) for r in self.reasons]


class Review(models.Model):
    CASE_PATH = "sample__case"
    sample = models.OneToOneField(Sample, on_delete=models.PROTECT, related_name="review", verbose_name=_("样本"))
    reviewer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("质检人"))
    items = models.JSONField(_("检查结果"), default=list)  # [{code, label_zh, label_en, points, breach, passed}]
    score = models.PositiveSmallIntegerField(_("得分"))
    breaches = models.PositiveSmallIntegerField(_("违规项数"), default=0)
    comments = models.TextField(_("评语"), blank=True)
    reviewed_at = models.DateTimeField(_("质检时间"), db_index=True)

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        verbose_name = _("质检评分")
        verbose_name_plural = _("质检评分")

    def __str__(self):
        return f"{self.sample} {self.score}"


class Rubric(models.Model):
    """A version of the scorecard's weights (measure → whole-number weight, summing to 100); the newest is in force."""
    weights = models.JSONField(_("权重"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("设定人"))
    created_at = models.DateTimeField(_("设定时间"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("计分卡权重")
        verbose_name_plural = _("计分卡权重")

    def __str__(self):
        return f"#{self.pk} {self.created_at:%Y-%m-%d}"
