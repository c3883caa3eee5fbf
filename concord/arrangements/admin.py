from django.contrib import admin

from concord.core.admin_base import ReadOnlyAdmin

from .models import ApprovalLimit, Approval, Arrangement, ArrangementPolicy


@admin.register(Arrangement)
class ArrangementAdmin(ReadOnlyAdmin):
    list_display = ("id", "case", "kind", "status", "total", "discount_rate", "months", "proposed_by", "proposed_at")
    list_filter = ("status", "kind")
    raw_id_fields = ("case",)


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    list_display = ("arrangement", "approver", "role", "decision", "limit_rate", "at")


@admin.register(ApprovalLimit)
class ApprovalLimitAdmin(ReadOnlyAdmin):
    list_display = ("creditor", "role", "max_discount_rate")


@admin.register(ArrangementPolicy)
class ArrangementPolicyAdmin(ReadOnlyAdmin):
    list_display = ("creditor", "income_share", "max_months", "settlement_max_months", "grace_days")
