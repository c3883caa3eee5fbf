"""Users and teams are edited in the admin (the staff app has no pages of its own). Every change is recorded on
Concord's audit trail in the admin's own transaction — which fields changed, with the values before and after of
those that decide what a person may do (role, team, creditor, active, staff, superuser, capacity) — beside Django's
admin log. Users and teams are not deleted here: a user is deactivated, and deleting a team would blank it out of
the assignment history. A user's two-factor devices are reset here (a lost phone), audited."""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.admin.utils import unquote
from django.db import router, transaction
from django.utils.translation import gettext_lazy as _

from concord.core import audit

from .models import Team, User

SECRET_FIELDS = {"password", "password1", "password2"}


class AuditedAdmin(admin.ModelAdmin):
    #: Fields whose new values the event records (the others are named only).
    audited_values: tuple[str, ...] = ()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        before = type(obj).objects.filter(pk=obj.pk).first() if change and obj.pk else None
        super().save_model(request, obj, form, change)  # inside the admin's transaction

        def value(instance, name):
            return getattr(instance, instance._meta.get_field(name).attname)

        fields = sorted(set(form.changed_data) - SECRET_FIELDS)
        if before is None:  # added: the values it starts with
            values = {name: value(obj, name) for name in self.audited_values}
        else:  # changed: [before, after] of each deciding field that changed
            values = {name: [value(before, name), value(obj, name)] for name in self.audited_values
                      if value(before, name) != value(obj, name)}
        changes = {"fields": fields, **values}
        if SECRET_FIELDS & set(form.changed_data):
            changes["password"] = "set"
        audit.record(request.user, f"staff.{obj._meta.model_name}.{'change' if change else 'add'}", obj, changes)


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "team", "creditor", "is_active")
    list_filter = ("role", "team", "is_active")
    fieldsets = BaseUserAdmin.fieldsets + ((_("Concord"), {"fields": ("role", "team", "creditor", "capacity",
                                                                   "balance_capacity", "skills")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Concord"), {"fields": ("role", "team", "creditor")}),)
    audited_values = ("username", "role", "team", "creditor", "is_active", "is_staff", "is_superuser", "capacity",
                      "balance_capacity", "skills")
    actions = ["reset_two_factor"]

    @admin.action(description=_("重置两步验证（用户下次登录时重新绑定）"))
    def reset_two_factor(self, request, queryset):
        from . import twofactor

        for user in queryset:
            twofactor.reset(request.user, user)

    def user_change_password(self, request, id, form_url=""):
        """Django's password page saves outside a transaction of its own: here the new password and its event
        commit together."""
        with transaction.atomic(using=router.db_for_write(self.model)):
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:  # saved, redirected back to the user
                user = self.get_object(request, unquote(id))
                audit.record(request.user, "staff.user.password", user, {"password": "set"})
        return response


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ("name", "lead", "capacity")
    audited_values = ("name", "lead", "capacity", "buckets")
