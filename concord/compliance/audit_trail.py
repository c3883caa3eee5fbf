"""The audit trail for compliance officers: find events by person (a debtor's name), case, user, action and period,
each with a readable label and its changes as before → after. Reads only (the trail is written by ``core.audit``)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone

from concord.core.models import AuditEvent

from .audit_labels import action_label

#: At most this many objects of one kind are looked up for a case or person search.
OBJECT_LIMIT = 5000


@dataclass(frozen=True)
class AuditSearch:
    person: str = ""        # part of a debtor's name
    case: str = ""          # a case reference
    user: str = ""          # a username (the actor)
    action: str = ""        # the thing acted on (a code's first part) or a whole code
    start: dt.date | None = None
    end: dt.date | None = None


def _case_ids(search: AuditSearch) -> list[int] | None:
    if not (search.person or search.case):
        return None
    cases = apps.get_model("cases", "Case").objects.all()
    if search.case:
        cases = cases.filter(reference__iexact=search.case.strip())
    if search.person:
        cases = cases.filter(debtor__full_name__icontains=search.person.strip())
    return list(cases.values_list("pk", flat=True)[:OBJECT_LIMIT])


def _on_cases(case_ids: list[int]) -> Q:
    """Events on the cases or on anything that belongs to them (every model that says its way to its case)."""
    q = Q(pk__in=[])
    for model in apps.get_models():
        path = getattr(model, "CASE_PATH", None)
        if path is None:
            continue
        lookup = f"{path}__in" if path else "pk__in"
        ids = [str(pk) for pk in model.objects.filter(**{lookup: case_ids}).values_list("pk", flat=True)
               .distinct()[:OBJECT_LIMIT]]
        if ids:
            q |= Q(object_type=model._meta.label_lower, object_id__in=ids)
    return q


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def events(search: AuditSearch) -> QuerySet:
    qs = AuditEvent.objects.select_related("actor").order_by("-id")
    case_ids = _case_ids(search)
    if case_ids is not None:
        qs = qs.filter(_on_cases(case_ids)) if case_ids else qs.none()
    if search.user:
        qs = qs.filter(Q(actor__username__iexact=search.user.strip()) | Q(actor_label__iexact=search.user.strip()))
    if search.action:
        code = search.action.strip()
        qs = qs.filter(Q(action=code) | Q(action__startswith=code + "."))
    if search.start:
        qs = qs.filter(at__gte=_day_start(search.start))
    if search.end:
        qs = qs.filter(at__lt=_day_start(search.end + dt.timedelta(days=1)))
    return qs


def object_label(event: AuditEvent) -> str:
    try:
        model = apps.get_model(event.object_type) if event.object_type else None
    except (LookupError, ValueError):
        model = None
    name = str(model._meta.verbose_name) if model else event.object_type
    return f"{name} #{event.object_id}" if event.object_id else name


def changes(event: AuditEvent) -> list[dict]:
    """Each changed field: before and after (a value given alone is what the event set)."""
    out = []
    for key, value in (event.changes or {}).items():
        if isinstance(value, list) and len(value) == 2:
            out.append({"field": key, "before": value[0], "after": value[1], "pair": True})
        else:
            out.append({"field": key, "before": None, "after": value, "pair": False})
    return out


def shown(event: AuditEvent) -> dict:
    return {"event": event, "label": action_label(event.action), "object": object_label(event),
            "changes": changes(event)}
