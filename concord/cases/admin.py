from django.contrib import admin

from concord.core.admin_base import ReadOnlyAdmin

from .models import Case


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("reference", "creditor", "status", "bucket", "max_dpd", "total_balance", "assigned_collector")
    list_filter = ("creditor", "status", "bucket")
    search_fields = ("reference",)
    raw_id_fields = ("debtor",)
