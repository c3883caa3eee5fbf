"""The scorecard's measures as a person reads them."""
from django.utils.translation import gettext as _


def measure_labels() -> dict:
    return {"recovery": _("回收率"), "promise_kept": _("承诺履约率"), "complaints": _("每万次联系投诉数"),
            "denials": _("合规闸门拒绝率"), "breaches": _("质检违规（每次质检）"), "quality": _("质检平均分")}
