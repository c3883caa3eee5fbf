from django.contrib import admin

from concord.core.admin_base import ReadOnlyAdmin

from .models import ImportBatch, SavedProfile, UnmatchedPayment


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ("id", "file_name", "creditor", "kind", "status", "dry_run", "processed_rows", "created_count",
                    "updated_count", "unchanged_count", "rejected_count", "created_at")
    list_filter = ("creditor", "kind", "status", "dry_run")
    search_fields = ("file_name", "file_sha256")


@admin.register(SavedProfile)
class SavedProfileAdmin(ReadOnlyAdmin):
    list_display = ("creditor", "kind", "name", "updated_at")


@admin.register(UnmatchedPayment)
class UnmatchedPaymentAdmin(ReadOnlyAdmin):
    list_display = ("external_reference", "creditor", "account_reference", "amount", "paid_at", "status", "batch")
    list_filter = ("creditor", "status")
    search_fields = ("external_reference", "account_reference")
