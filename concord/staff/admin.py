from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "team", "creditor", "is_active")
    list_filter = ("role", "team", "is_active")
    fieldsets = BaseUserAdmin.fieldsets + ((_("Concord"), {"fields": ("role", "team", "creditor", "capacity", "skills")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Concord"), {"fields": ("role", "team", "creditor")}),)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "lead", "capacity")
