from django.contrib import admin

from concord.core.admin_base import ReadOnlyAdmin

from . import services
from .models import Creditor, Placement, Product


@admin.register(Creditor)
class CreditorAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "policy_pack", "currency", "time_zone", "active")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    """Product rules are editable here; the change goes through ``update_product`` (validated, audited)."""

    list_display = ("creditor", "code", "name", "kind", "penalty_daily_rate", "grace_days", "total_cost_cap_rate")
    list_filter = ("creditor", "kind")
    fields = ["creditor", "code", "kind", *services.PRODUCT_FIELDS]
    readonly_fields = ("creditor", "code", "kind")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        original = Product.objects.get(pk=obj.pk)
        services.update_product(request.user, original, **{f: form.cleaned_data[f] for f in form.changed_data
                                                           if f in services.PRODUCT_FIELDS})


@admin.register(Placement)
class PlacementAdmin(ReadOnlyAdmin):
    list_display = ("creditor", "reference", "placed_on", "return_on", "status")
    list_filter = ("creditor", "status")
