"""Quality inspection pages: the supervisors' queue (/quality/), the review of one call with its recording and the
checklist, a collector's own scores and comments (/quality/mine/), the checklist's editor (managers)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from concord.staff.models import User
from concord.staff.roles import Capability, may, require_capability

from . import services
from .forms import QueueForm
from .models import ChecklistItem, Review


def _people(user):
    from concord.core.access import own_team_ids

    people = User.objects.filter(role__in=("collector", "team_lead", "field_agent")).order_by("username")
    return people if user.case_scope == "book" else people.filter(team_id__in=sorted(own_team_ids(user)))


@login_required
def queue(request):
    if not services.may_review(request.user):
        raise PermissionDenied(_("您的角色不能做质检"))
    form = QueueForm(request.GET or None, people=_people(request.user))
    samples = services.visible_samples(request.user).select_related("review", "review__reviewer")
    status = "pending"
    if form.is_valid():
        d = form.cleaned_data
        status = d.get("status") or "pending"
        if d.get("reason"):
            wanted = [pk for pk, reasons in samples.values_list("pk", "reasons") if d["reason"] in reasons]
            samples = samples.filter(pk__in=wanted)
        if d.get("collector"):
            samples = samples.filter(collector=d["collector"])
    if status == "pending":
        samples = samples.filter(review__isnull=True)
    elif status == "reviewed":
        samples = samples.filter(review__isnull=False)
    page = Paginator(samples.order_by("-call_day", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "quality/queue.html", {"form": form, "page": page, "status": status,
                                                  "may_configure": may(request.user, Capability.CONFIGURE)})


@login_required
def review(request, pk):
    sample = get_object_or_404(services.visible_samples(request.user).select_related(
        "activity", "activity__recording", "activity__related_party"), pk=pk)
    done = Review.objects.filter(sample=sample).select_related("reviewer").first()
    services.ensure_checklist()
    items = list(ChecklistItem.objects.filter(active=True))
    errors = {}
    if request.method == "POST" and done is None:
        results = {i.code: request.POST.get(f"item_{i.code}") for i in items}
        try:
            services.submit_review(request.user, sample, results, request.POST.get("comments", ""))
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("质检已保存"))
            return redirect("quality-review", pk=sample.pk)
    call = getattr(sample.activity, "switch_call", None)
    recording = getattr(sample.activity, "recording", None)
    return render(request, "quality/review.html", {
        "sample": sample, "activity": sample.activity, "review": done, "errors": errors,
        "items": [(i, request.POST.get(f"item_{i.code}", "") if errors else "") for i in items],
        "posted": request.POST if errors else {}, "recording": recording,
        "may_play": may(request.user, Capability.PLAY_RECORDINGS),
        "flags": call.quality_flags if call is not None else [], "lang": get_language() or "zh"})


@login_required
def mine(request):
    """A collector's own reviewed calls, scores and comments, and their line of the scorecard."""
    reviews = Review.objects.filter(sample__collector=request.user).select_related("sample", "sample__case",
                                                                                   "reviewer")
    page = Paginator(reviews, 50).get_page(request.GET.get("page"))
    from .scorecard_views import own_line

    line, period = own_line(request.user)
    return render(request, "quality/mine.html", {"page": page, "line": line, "period": period,
                                                 "lang": get_language() or "zh"})


@login_required
def checklist(request):
    require_capability(request.user, Capability.CONFIGURE)
    services.ensure_checklist()
    items = list(ChecklistItem.objects.all())
    errors = {}
    if request.method == "POST":
        rows = []
        ids = request.POST.getlist("id")
        for n, raw_id in enumerate(ids):
            g = lambda f: (request.POST.getlist(f) + [""] * len(ids))[n]  # noqa: E731
            if not raw_id and not g("code").strip():
                continue                         # the empty row for a new item, left empty
            try:
                points = int(g("points"))
            except ValueError:
                points = None
            rows.append({"id": int(raw_id) if raw_id else None, "code": g("code").strip(), "label_zh": g("label_zh"),
                         "label_en": g("label_en"), "points": points, "position": n + 1,
                         "breach": str(n) in request.POST.getlist("breach"),
                         "active": str(n) in request.POST.getlist("active")})
        try:
            services.save_checklist(request.user, rows)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("质检清单已保存"))
            return redirect("quality-checklist")
    return render(request, "quality/checklist.html", {"items": items, "errors": errors,
                                                      "total": sum(i.points for i in items if i.active)})
