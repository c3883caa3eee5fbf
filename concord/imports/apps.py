from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "concord.imports"
    verbose_name = _("文件导入")
    label = "imports"

    def ready(self):
        from . import jobs  # noqa: F401 — registers the import's job kind
