from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RecoveryTarget(models.Model):
    """The cash a manager expects to recover for a creditor in a month (回收目标); written by ``targets.set_target``."""

    creditor = models.ForeignKey("creditors.Creditor", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("委托方"))
    month = models.DateField(_("月份"), help_text=_("该月的第一天"))
    amount = models.DecimalField(_("回收目标金额"), max_digits=16, decimal_places=2)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("设置人"))
    updated_at = models.DateTimeField(_("设置时间"))

    class Meta:
        ordering = ["-month", "creditor_id"]
        constraints = [models.UniqueConstraint(fields=["creditor", "month"], name="one_recovery_target_a_month")]
        verbose_name = _("回收目标")
        verbose_name_plural = _("回收目标")

    def __str__(self):
        return f"{self.creditor} {self.month:%Y-%m}"
