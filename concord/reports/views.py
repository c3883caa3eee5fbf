"""The export page: pick what, whose and which period; the file downloads at once."""
from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.cases.selectors import visible_cases
from concord.core import clock, jobs
from concord.core.models import Job, JobState
from concord.staff.roles import Capability, may

from . import exports
from .jobs import export_path
from .forms import ExportForm



class _DeleteOnClose:
    """A file that removes itself once the response has streamed it."""

    def __init__(self, path: Path):
        self.path, self._fh = path, path.open("rb")

    def read(self, *args):
        return self._fh.read(*args)

    def close(self):
        self._fh.close()
        self.path.unlink(missing_ok=True)


@login_required
def export(request):
    if not may(request.user, Capability.EXPORT):
        raise PermissionDenied(_("您的角色无权导出数据"))
    base = visible_cases(request.user)
    form = ExportForm(request.POST or request.GET or None, visible_cases=base)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if request.method == "POST":  # the confirmed background export: a job of the worker
            job = jobs.start_job("reports.export", {
                "what": data["what"], "format": data["format"], "status": data["status"] or None,
                "creditor": data["creditor"].code if data["creditor"] else None,
                "start": data["start"].isoformat() if data["start"] else None,
                "end": data["end"].isoformat() if data["end"] else None}, by=request.user)
            return redirect("job-detail", pk=job.pk)
        if request.GET.get("background"):
            confirm = {k: v for k, v in request.GET.items() if k in form.fields and v}
            return render(request, "reports/export.html", {"form": form, "confirm": confirm})
        cases = base
        if data["creditor"]:
            cases = cases.filter(creditor=data["creditor"])
        if data["status"]:
            cases = cases.filter(status=data["status"])
        fmt = data["format"]
        filters = {"creditor": data["creditor"].code if data["creditor"] else None, "status": data["status"]}
        path = Path(tempfile.mkstemp(suffix=f".{fmt}")[1])
        stamp = timezone.localtime(clock.now()).strftime("%Y%m%d-%H%M")
        if data["what"] == "cases":
            exports.export_cases(request.user, cases, path, fmt, filters=filters)
        else:
            exports.export_activities(request.user, cases, path, fmt, start=data["start"], end=data["end"],
                                      filters=filters)
        return FileResponse(_DeleteOnClose(path), as_attachment=True, filename=f"concord-{data['what']}-{stamp}.{fmt}")
    return render(request, "reports/export.html", {"form": form})


@login_required
def export_file(request, pk):
    """The file of the user's own finished export job."""
    if not may(request.user, Capability.EXPORT):
        raise PermissionDenied(_("您的角色无权导出数据"))
    job = get_object_or_404(Job, pk=pk, kind="reports.export", state=JobState.SUCCEEDED, created_by=request.user)
    path = export_path(job)
    if not path.exists():
        raise Http404(_("文件不存在"))
    stamp = timezone.localtime(job.finished_at).strftime("%Y%m%d-%H%M")
    return FileResponse(path.open("rb"), as_attachment=True,
                        filename=f"concord-{job.params['what']}-{stamp}.{job.params['format']}")
