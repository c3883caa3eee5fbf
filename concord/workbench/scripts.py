"""Scripts for difficult conversations: read them in the user's language, edit them (managers)."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from concord.core import audit
from concord.core.services import changed, require, save_validated, snapshot

from concord.cases.activities import check_note
from .models import Script
from concord.staff.roles import Capability, may

FIELDS = ("title_zh", "title_en", "body_zh", "body_en")


def scripts_for(language: str | None) -> list[dict]:
    return [{"topic": s.topic, "title": s.title(language), "body": s.body(language)} for s in Script.objects.all()]


@transaction.atomic
def ensure_defaults() -> int:
    """Create any missing default script (e.g. after a test flushed the table); returns how many were created."""
    from .script_defaults import seed

    return seed(Script)


@transaction.atomic
def update_script(actor, script: Script, **values) -> Script:
    """Change a script's titles or texts; each text is content-checked (a script must never teach a threat)."""
    if not may(actor, Capability.EDIT_SCRIPTS):
        raise ValidationError({"script": [_("只有经理可以修改话术")]})
    unknown = set(values) - set(FIELDS)
    require(not unknown, "script", _("未知字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    before = snapshot(script, FIELDS)
    for name, value in values.items():
        value = (value or "").strip()
        require(bool(value), name, _("不能为空"))
        check_note(value, field=name)
        setattr(script, name, value)
    script.updated_by = actor if getattr(actor, "pk", None) else None
    save_validated(script)
    audit.record(actor, "script.update", script, changed(before, snapshot(script, FIELDS)))
    return script
