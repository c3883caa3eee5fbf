from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "concord.staff"
    label = "staff"
    verbose_name = _("人员")

    def ready(self):
        from . import security  # noqa: F401  (connects the login, failed-login and logout receivers)
