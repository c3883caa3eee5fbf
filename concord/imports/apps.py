from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "concord.imports"
    verbose_name = _("文件导入")
    label = "imports"
