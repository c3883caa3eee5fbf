from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import roles
from .roles import Capability, Role


class Team(models.Model):
    name = models.CharField(_("名称"), max_length=100, unique=True)
    lead = models.ForeignKey("staff.User", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="led_teams", verbose_name=_("组长"))
    buckets = models.JSONField(_("负责账龄"), default=list, blank=True,
                               help_text=_("例如 [\"M1\", \"M2\"]；空表示全部"))
    capacity = models.PositiveIntegerField(_("案件容量"), default=0, help_text=_("0 表示按成员容量合计"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("小组")
        verbose_name_plural = _("小组")

    def __str__(self):
        return self.name


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.COLLECTOR)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members",
                             verbose_name=_("小组"))
    creditor = models.ForeignKey("creditors.Creditor", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="viewers", verbose_name=_("所属委托方"),
                                 help_text=_("仅委托方查看角色需要"))
    capacity = models.PositiveIntegerField(_("案件容量"), default=300, validators=[MinValueValidator(0)])
    balance_capacity = models.DecimalField(_("金额容量"), max_digits=16, decimal_places=2, default=0,
                                           validators=[MinValueValidator(0)],
                                           help_text=_("可承接的欠款总额上限（元），0 表示不限"))
    skills = models.JSONField(_("技能"), default=list, blank=True,
                              help_text=_("例如 [\"en\", \"legal\", \"field\"]：语言代码、法律、外访"))

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.get_full_name() or self.username

    def get_full_name(self):
        """Chinese names read family name first (杨帆); others given name first (Jane Smith)."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if (first + last) and not (first + last).isascii():
            return f"{last}{first}"
        return f"{first} {last}".strip()

    # The role table as the rest of Concord asks it (core reads these without importing staff).
    def may(self, capability: Capability) -> bool:
        return roles.may(self, capability)

    @property
    def read_only(self) -> bool:
        return roles.may(self, Capability.READ_ONLY)

    @property
    def case_scope(self) -> str:
        return roles.case_scope(self)

    def save(self, *args, **kwargs):
        """A new password or deactivation revokes the user's API tokens (in the same transaction, audited)."""
        from django.db import transaction

        password_changed = self._password is not None and self.pk is not None
        with transaction.atomic():
            super().save(*args, **kwargs)
            if password_changed or not self.is_active:
                from . import tokens

                tokens.revoke_all(None, self, reason="password" if password_changed else "deactivated")


class ApiToken(models.Model):
    """An API token, kept as its SHA-256 digest only: the token itself is shown once, when it is issued."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("用户"))
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("前缀"), max_length=8, help_text=_("令牌的前几个字符，用于区分"))
    created_at = models.DateTimeField(_("签发时间"))
    expires_at = models.DateTimeField(_("到期时间"), db_index=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("吊销原因"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self):
        return f"{self.prefix}… ({self.user})"
