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
