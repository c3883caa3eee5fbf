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
