from django.contrib import admin

from concord.core.admin_base import ReadOnlyAdmin

from .models import LoanAccount, Overpayment, Payment


@admin.register(LoanAccount)
class LoanAccountAdmin(ReadOnlyAdmin):
    list_display = ("reference", "creditor", "product", "method", "principal_balance", "dpd", "bucket", "status")
    list_filter = ("creditor", "bucket", "status", "method")
    search_fields = ("reference",)
    raw_id_fields = ("debtor", "case")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("external_reference", "account", "amount", "paid_at", "channel", "reversed_at")
    list_filter = ("channel",)
    search_fields = ("external_reference",)


@admin.register(Overpayment)
class OverpaymentAdmin(ReadOnlyAdmin):
    list_display = ("payment", "account", "creditor", "amount", "status", "created_at")
    list_filter = ("status", "creditor")
