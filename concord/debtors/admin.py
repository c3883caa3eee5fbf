from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from concord.core.admin_base import ReadOnlyAdmin
from concord.core.masking import mask

from .models import Debtor


@admin.register(Debtor)
class DebtorAdmin(ReadOnlyAdmin):
    list_display = ("id", "full_name", "masked_id", "lost_contact", "deceased")
    list_filter = ("lost_contact", "deceased", "incapacitated")
    search_fields = ("full_name", "id_last4")
    exclude = ("id_number", "id_number_index")
    readonly_fields = ("masked_id",)

    @admin.display(description=_("证件号码"))
    def masked_id(self, obj):
        return mask("id_number", obj.id_number)
