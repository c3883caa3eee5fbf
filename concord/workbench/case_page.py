"""The workbench's part of the case page: call targets with the gate's preview (allowed, or why not and from
when), the pending call's disposition form and scripts, promises, tasks, recordings and the claim. Built once per
page with a bounded number of queries, whatever the number of accounts or activities.

``read_case_file`` reads once what several sections of the page show (the debtor's contact points, related parties,
financial profiles and assets; the case's accounts with their product, schedule and payments) and keeps it on the
case and its debtor as Django prefetches: every section and panel that reads ``case.accounts.all()`` or
``case.debtor.contact_points.all()`` gets the same rows without a query of its own. Empty forms come from
``core.webforms.form_html`` (rendered once per process and language)."""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import get_language

from . import telephony
from concord.compliance.provenance import usable_points
from concord.core import clock
from concord.core.masking import mask
from concord.core.webforms import form_html
from concord.staff.roles import Capability, may

from .calls import BAD_STATUSES, PHONE_KINDS
from .claims import holder
from .models import PromiseStatus


def read_case_file(case) -> list:
    """Prefetch onto ``case`` and its debtor what the page's sections share; returns the case's accounts."""
    from concord.loans.models import LoanAccount

    prefetch_related_objects([case.debtor], "contact_points", "related_parties", "financial_profiles", "assets")
    prefetch_related_objects([case], Prefetch("accounts", queryset=LoanAccount.objects.select_related("product")
                                              .prefetch_related("instalments", "payments")))
    return list(case.accounts.all())


#: Rendered empty forms by (form class, language, arguments); bounded (arguments such as a date limit change daily).
@dataclass
class Target:
    key: str              # "cp:<id>" or "rp:<id>"
    label: str            # masked number or party
    party: object | None  # RelatedParty or None for the debtor's own number
    option: object        # compliance.selectors.Option
    number: str           # the real number, for the tel: link once allowed
    held_by: str = ""     # the unlogged calls that hold a daily cap this target is refused under

    @property
    def allowed(self):
        return self.option.allowed


def call_targets(case, user, at=None) -> list[Target]:
    """The debtor's phones and the related parties, each with what the gate would decide now (nothing stored)."""
    from concord.compliance.selectors import contact_options

    options = contact_options(case, user, at or clock.now())
    debtor = case.debtor
    calls = [o for o in options if o.action == "call"]
    points = [p for p in usable_points(case, debtor.contact_points.all())
              if p.status not in BAD_STATUSES and p.kind in PHONE_KINDS]
    out = [Target(f"cp:{p.pk}", mask(p.kind, p.value), None, o, p.value) for p, o in zip(points, calls)]
    by_label: dict[str, list] = {}
    for o in options:
        if o.action == "party_call":
            by_label.setdefault(o.target, []).append(o)
    for rp in sorted(debtor.related_parties.all(), key=lambda r: r.pk):
        label = f"{mask('name', rp.full_name)} · {rp.get_role_display()}"
        group = by_label.get(label) or []
        if group:
            out.append(Target(f"rp:{rp.pk}", label, rp, group.pop(0), rp.phone))
    return out


def workbench(request, case, pending_decision=None, *, accounts=None) -> dict:
    user = request.user
    now = clock.now()
    language = get_language()
    may_work = may(user, Capability.WORK_CASES)
    # everyone but a creditor's viewer sees what the gate would say (compliance reviews it too); only workers act
    targets = call_targets(case, user, now) if may(user, Capability.SEE_INTERNAL) else []
    capped = [t for t in targets if not t.allowed and {"CN2", "CN6"} & set(t.option.rules or ())]
    if capped:
        from django.utils.translation import gettext as _

        from .calls import cap_holders, describe_unlogged
        holding = cap_holders(case, now)
        if holding:
            text = _("计入上限的未登记通话：%(c)s。登记其结果后，若实际未接通，上限随之释放。") % {
                "c": "；".join(describe_unlogged(d) for d in holding)}
            for t in capped:
                t.held_by = text
    from .promises import promise_limits
    from .scripts import scripts_for
    from .forms import CallDispositionForm, NoteForm, PromiseForm, TaskForm

    limits = promise_limits(case, clock.today(), accounts=accounts)
    recent_promises = list(case.promises.all()[:10])
    claim_holder = holder(case, now)
    recordings = list(case.recordings.select_related("activity", "activity__actor").order_by("-activity__at")[:20])
    own = [t for t in targets if t.party is None]
    return {
        "may_work": may_work, "targets": targets,
        "gate_now": next((t for t in own if t.allowed), own[0] if own else None),
        "parties_status": {t.party.pk: t for t in targets if t.party is not None},
        "pending": pending_decision,
        "pending_number": _pending_number(targets, pending_decision),
        "call_form": CallDispositionForm(decision=pending_decision, auto_id="call_%s") if pending_decision else None,
        "scripts": scripts_for(language) if pending_decision else [],
        "promises": recent_promises,
        "open_promise": next((p for p in recent_promises if p.status == PromiseStatus.PENDING), None),
        "promise_form": form_html(PromiseForm, limits={k: limits[k] for k in ("earliest", "latest")}, auto_id="promise_%s")
        if may_work else None, "limits": limits,
        "tasks": list(case.tasks.select_related("assigned_to").filter(done_at__isnull=True)[:20]),
        "task_form": form_html(TaskForm, auto_id="task_%s") if may_work else None,
        "note_form": form_html(NoteForm, auto_id="note_%s") if may_work else None,
        "recordings": recordings, "may_play": may(user, Capability.PLAY_RECORDINGS),
        "denials": list(case.contact_decisions.filter(allowed=False).select_related("actor").order_by("-at")[:10]),
        "claim_holder": claim_holder, "claim_mine": claim_holder is not None and claim_holder.pk == user.pk,
        "claimed_until": timezone.localtime(case.claimed_until) if claim_holder else None,
        "switch": telephony.case_context(request, case, pending_decision) if may_work else {},
    }


def _pending_number(targets, decision) -> str:
    """The real number of the pending allow (for the tel: link): the target whose masked label matches."""
    if decision is None or not decision.allowed:
        return ""
    for t in targets:
        if (decision.related_party_id and t.party is not None and t.party.pk == decision.related_party_id) or (
                not decision.related_party_id and t.party is None and t.label == decision.number_masked):
            return "".join(ch for ch in t.number if ch.isdigit() or ch == "+")
    return ""
