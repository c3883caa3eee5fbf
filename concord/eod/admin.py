from django.contrib import admin

from .models import EodRun


@admin.register(EodRun)
class EodRunAdmin(admin.ModelAdmin):
    """Read-only: runs are written by the end-of-day service only."""
    list_display = ("id", "as_of", "engine", "status", "started_at", "finished_at", "recomputed_from")
    list_filter = ("status", "engine")
    readonly_fields = [f.name for f in EodRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
