from django.utils.translation import gettext_lazy as _

from concord.workbench.forms import DispositionFields


class SwitchDispositionForm(DispositionFields):
    """The collector's part of a call the switch logged: the disposition and the note (the result, ring and talk
    seconds and who hung up come from the call record)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result_codes"].label = _("通话结论")
