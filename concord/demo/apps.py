from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "concord.demo"
    label = "demo"
    verbose_name = "Demo portfolio"
