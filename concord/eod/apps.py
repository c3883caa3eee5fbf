from django.apps import AppConfig


class EodConfig(AppConfig):
    name = "concord.eod"
    label = "eod"
    verbose_name = "日终"
