"""Admin building blocks: domain data is read-only in the admin (services are the only writers)."""
from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Operators can browse and search; changes go through the application's own forms and commands."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
