"""Read queries of the compliance console, and the contact options of a case (what the gate would decide now).

``contact_options`` previews decisions without storing them: it is a read for the screen. Acting on an option
goes through ``services.decide_contact``, which stores the decision.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core import clock
from concord.core.masking import mask
from concord.staff.models import User
from concord.staff.roles import Capability, may, roles_with

from . import live
from .gate import evaluate
from .model import Request, decision_usable, to_us
from .models import OPEN_STATUSES, Complaint, ContactAttempt, ContactDecision, Hold, Qualification

#: Codes whose denial lasts until someone changes the state (no waiting helps).
STATE_CODES = {"CEASE", "ATTORNEY", "DECEASED", "DATA", "QUAL", "CONTENT", "US2", "US3", "US11", "US10", "CN3", "CN7",
               "UK3"}
HORIZON_DAYS = 8


@dataclass
class Option:
    action: str                 # "call", "sms", "email", "visit", "party_call"
    channel: str
    target: str                 # masked number / address / party name
    purpose: str
    allowed: bool
    rules: tuple = ()
    reason_zh: str = ""
    reason_en: str = ""
    next_at: dt.datetime | None = None
    next_note: str = ""
    extra: dict = field(default_factory=dict)

    def reason(self, language: str | None) -> str:
        return self.reason_zh if (language or "zh").startswith("zh") else self.reason_en


def _requests(case, debts):
    from concord.debtors.models import UNUSABLE_STATUSES
    from .provenance import usable_points
    debtor = case.debtor
    for cp in usable_points(case, debtor.contact_points.all()):  # only the points this case's creditor may use
        if cp.status in UNUSABLE_STATUSES:
            continue
        if cp.kind in ("mobile", "landline"):
            yield ("call", mask(cp.kind, cp.value), "collection", cp.value,
                   Request("call", debts, live.DEBTOR_KEY, "collection", number=live.number_token(cp.value)))
        if cp.kind == "mobile":
            yield ("sms", mask(cp.kind, cp.value), "collection", None,
                   Request("sms", debts, live.DEBTOR_KEY, "collection"))
        if cp.kind == "email":
            yield ("email", mask("email", cp.value), "collection", None,
                   Request("email", debts, live.DEBTOR_KEY, "collection"))
        if cp.kind == "address":
            yield ("visit", mask("address", cp.value), "collection", None,
                   Request("visit", debts, live.DEBTOR_KEY, "collection", agents=2))
    for rp in debtor.related_parties.all():
        purpose = "collection" if rp.is_liable else "location"
        yield ("party_call", f"{mask('name', rp.full_name)} · {rp.get_role_display()}", purpose, rp.phone or None,
               Request("call", debts, f"R{rp.pk}", purpose, number=live.number_token(rp.phone) or None))


#: The contact-point kind each message channel goes to (``outreach`` sends by the same table).
MESSAGE_POINT_KINDS = {"sms": "mobile", "email": "email", "letter": "address"}


def _message_requests(case, debts, channel: str, purpose: str, template: str):
    """One message on ``channel`` to each usable point of the debtor, as ``decide_contact`` would be asked at send:
    the message's purpose and full text, and the number for an SMS."""
    from concord.debtors.models import UNUSABLE_STATUSES
    from .provenance import usable_points
    kind = MESSAGE_POINT_KINDS[channel]
    for cp in usable_points(case, case.debtor.contact_points.all()):
        if cp.status in UNUSABLE_STATUSES or cp.kind != kind:
            continue
        number = cp.value if channel == "sms" else None
        yield (channel, mask(cp.kind, cp.value), purpose, number,
               Request(channel, debts, live.DEBTOR_KEY, purpose, number=live.number_token(number) or None,
                       template=template or None), {"point": cp.pk})


def _candidates(now: dt.datetime, tz, pack, history) -> list[dt.datetime]:
    """Instants worth trying after ``now``: every half hour today, each following local day at the start of the
    pack's hours and every two hours after, and the end of every hold with an end."""
    local = now.astimezone(tz)
    starts = [r.params["start"] for r in pack.rules if r.kind == "hours"] or ["08:00"]
    h, m = (int(x) for x in max(starts)[:5].split(":"))
    out = []
    t = local.replace(second=0, microsecond=0) + dt.timedelta(minutes=30 - local.minute % 30)
    while t.date() == local.date():
        out.append(t)
        t += dt.timedelta(minutes=30)
    for k in range(1, HORIZON_DAYS + 1):
        day = local.date() + dt.timedelta(days=k)
        first = dt.datetime.combine(day, dt.time(h, m), tz)
        out += [first + dt.timedelta(hours=2 * i) for i in range(6)]
    for hold in history.state(to_us(now)).holds:
        if hold.until is not None:
            out.append(dt.datetime.fromtimestamp(hold.until / 1e6, tz))
    return sorted(x for x in set(out) if x > now)


def contact_options(case, user, at: dt.datetime | None = None, *, message: tuple[str, str, str] | None = None
                    ) -> list[Option]:
    """For each way of reaching the debtor or a related party: would the gate allow it now, and if not, why and
    from when it becomes possible if nothing else changes (next allowed hour, the cap's next local day, a hold's
    end) — or that it needs a change of state (a cease, an attorney, a refusal).

    ``message=(channel, purpose, text)`` asks instead about one SMS, e-mail or letter to each of the debtor's
    usable points of that channel, with the message's purpose and full text (the outreach preview); each option's
    ``extra["point"]`` is the contact point's id."""
    at = at or clock.now()
    debtor, creditor = case.debtor, case.creditor
    from .services import _debts_of_case
    # one read gives the history, the accounts, the creditor's overrides and the actor's qualifications, as for
    # ``services.decide_contact`` (not one query per option)
    user_id = user.pk if may(user, Capability.CONTACT_NEEDS_QUALIFICATION) else None
    person = live.read_person(debtor, at, creditor_id=creditor.pk, user_id=user_id)
    debts = tuple(_debts_of_case(person.accounts, case, creditor)) or None
    history = person.history
    pack = live.pack_for(creditor, person.overrides)
    qualifications = person.qualifications if user_id else None
    tz = history.tz
    out = []
    requests = (_message_requests(case, debts, *message) if message is not None
                else ((*r, {}) for r in _requests(case, debts)))
    for action, target, purpose, number, request, extra in requests:
        result = live.evaluate_live(user, request, at, history, pack, masked_number=live.masked(number),
                                    qualifications=qualifications)
        d = result.decision
        opt = Option(action, request.channel, target, purpose, d.allowed, d.rules, d.reason_zh, d.reason_en,
                     extra=extra)
        if not d.allowed:
            if set(d.rules) & STATE_CODES or tz is None:
                opt.next_note = _("需先变更状态（如撤销停止联系、解除暂停、恢复联系或补全资料）")
            else:
                for t in _candidates(at, tz, pack, history):
                    if evaluate(request, t, history, pack).allowed:
                        opt.next_at = t
                        break
                if opt.next_at is None:
                    opt.next_note = _("%(n)d 天内无可行时间，需先变更状态") % {"n": HORIZON_DAYS}
        out.append(opt)
    return out


# -- console queries --------------------------------------------------------------------------------------------
def decisions(filters: dict) -> QuerySet:
    qs = ContactDecision.objects.select_related("actor", "creditor", "case", "debtor")
    if filters.get("rule"):
        qs = qs.filter(rules_text__contains=f" {filters['rule']} ")
    if filters.get("collector"):
        qs = qs.filter(actor=filters["collector"])
    if filters.get("creditor"):
        qs = qs.filter(creditor=filters["creditor"])
    if filters.get("allowed") in ("allow", "deny"):
        qs = qs.filter(allowed=filters["allowed"] == "allow")
    if filters.get("date_from"):
        qs = qs.filter(at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        qs = qs.filter(at__date__lte=filters["date_to"])
    return qs.order_by("-at", "-id")


def rule_codes() -> list[str]:
    codes = set()
    for text in ContactDecision.objects.filter(allowed=False).values_list("rules_text", flat=True).distinct()[:500]:
        codes.update(text.split())
    return sorted(codes)


def denials_by_rule(qs: QuerySet, days: int = 14, today: dt.date | None = None):
    """(dates, [(rule, [count per date])]) of the denials in ``qs`` over the last ``days`` local days."""
    today = today or clock.today()
    start = today - dt.timedelta(days=days - 1)
    dates = [start + dt.timedelta(days=i) for i in range(days)]
    counts: dict[str, Counter] = defaultdict(Counter)
    for at, rules in qs.filter(allowed=False, at__date__gte=start, at__date__lte=today).values_list("at", "rules"):
        day = timezone.localtime(at).date()
        for code in rules:
            counts[code][day] += 1
    series = [(code, [counts[code][d] for d in dates]) for code in sorted(counts)]
    return dates, series


def holds(active: bool | None = True) -> QuerySet:
    qs = Hold.objects.select_related("debtor", "creditor", "account", "placed_by", "released_by")
    if active is True:
        qs = qs.filter(released_at__isnull=True)
    elif active is False:
        qs = qs.filter(released_at__isnull=False)
    return qs.order_by("-placed_at", "-id")


def complaint_queue(status: str = "open") -> QuerySet:
    qs = Complaint.objects.select_related("debtor", "creditor", "owner", "case")
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    return qs.order_by("due_at", "id")


def lapsing_qualifications(within_days: int = 30, today: dt.date | None = None):
    """Collectors' qualifications expiring within ``within_days`` (or expired), and collectors missing one."""
    today = today or clock.today()
    lapsing = (Qualification.objects.select_related("user")
               .filter(expires_on__isnull=False, expires_on__lte=today + dt.timedelta(days=within_days))
               .filter(Q(user__is_active=True)).order_by("expires_on"))
    field_users = User.objects.filter(role__in=roles_with(Capability.CONTACT_NEEDS_QUALIFICATION), is_active=True).order_by("username")
    missing = [(u, live.missing_qualifications(u, today)) for u in field_users]
    return list(lapsing), [(u, m) for u, m in missing if m]


def pending_allow(decision_id, *, case, actor, channel: str, at=None) -> ContactDecision | None:
    """``actor``'s allow ``decision_id`` on ``case`` for ``channel`` while it may still be acted on: allowed, no
    outcome recorded against it yet, and within its validity (``model.decision_usable``) — else None."""
    if not str(decision_id).isdigit():
        return None
    decision = ContactDecision.objects.filter(pk=decision_id, case=case, actor=actor, channel=channel,
                                              allowed=True).select_related("related_party").first()
    if decision is None or not decision_usable(decision.at, clock.now_or(at)):
        return None
    if ContactAttempt.objects.filter(decision=decision).exists():
        return None
    return decision
