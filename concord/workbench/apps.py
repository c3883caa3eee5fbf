from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    name = "concord.workbench"
    label = "workbench"
    verbose_name = _("催收工作台")

    def ready(self):
        from . import jobs  # noqa: F401 — registers the promise reminders' job
        from concord.loans import followers

        from .promises import on_payment_changed

        followers.register(on_payment_changed)

        from concord.cases import recall_reports

        from .promises import open_promises
        recall_reports.register(open_promises)

        from concord.cases import activities, panels

        from .calls import say_call
        from .promises import promise_values, say_promise
        activities.register_summary("call", say_call)
        activities.register_summary("promise", say_promise)
        activities.register_phrases({"task.create": (_("跟进：%(t)s（%(d)s）"), {})})

        from concord.cases import values
        values.register(promise_values)   # the message templates' {promise_amount} and {promise_date}

        from .case_views import render_case_page
        panels.register_page(render_case_page)
