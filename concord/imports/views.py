"""Web pages for file imports: upload, map unknown columns once, watch progress, read and download the errors."""
from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concord.core import clock, sealed
from concord.core.models import Job
from concord.core.charts import stacked_bars
from concord.staff.roles import Capability, may

from . import services
from .forms import IGNORE, MapColumnsForm, UploadForm
from .kinds import KINDS
from .models import BatchStatus, ImportBatch
from .readers import FileRejected

ISSUES_PER_PAGE = 100


def _require_importer(user):
    if not may(user, Capability.CONFIGURE):
        raise PermissionDenied(_("只有系统管理员和催收经理可以导入文件"))


@login_required
def batch_list(request):
    _require_importer(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        with tempfile.NamedTemporaryFile(suffix=Path(upload.name).suffix, delete=False) as tmp:
            for chunk in upload.chunks():
                tmp.write(chunk)
        try:
            batch = services.start_batch(request.user, creditor=data["creditor"], kind=data["kind"],
                                         path=Path(tmp.name), file_name=upload.name, profile_name=data["profile"],
                                         encoding=data["encoding"], dry_run=data["dry_run"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return _map_or_run(request, batch)
        finally:
            Path(tmp.name).unlink(missing_ok=True)
    page = Paginator(ImportBatch.objects.select_related("creditor", "created_by"), 30).get_page(request.GET.get("page"))
    return render(request, "imports/batch_list.html", {"form": form, "page": page})


def _map_or_run(request, batch: ImportBatch):
    """Ask for the unknown columns first, else start the batch and show its progress."""
    if _unknown_columns(batch):
        return redirect("import-map", pk=batch.pk)
    services.run_in_background(request.user, batch)
    return redirect("import-detail", pk=batch.pk)


def _unknown_columns(batch: ImportBatch) -> list[str]:
    """Columns neither the profile nor an earlier choice covers (empty when the file cannot even be opened:
    the run will say why)."""
    try:
        profile = services.load_profile(batch.creditor, batch.kind, batch.profile_name)
        with services.upload_copy(batch) as path:
            parsed = KINDS[batch.kind].parse_file(path, today=clock.today(), encoding=batch.encoding or None,
                                                  profile=profile)
            unknown = list(parsed.unknown_columns)
    except (FileRejected, ValidationError):
        return []
    ignored = services.ignored_columns(batch.creditor, batch.kind, batch.profile_name)
    return [c for c in unknown if c not in ignored]


@login_required
def map_columns(request, pk):
    _require_importer(request.user)
    batch = get_object_or_404(ImportBatch, pk=pk, status=BatchStatus.QUEUED)
    columns = _unknown_columns(batch)
    if not columns:
        return _map_or_run(request, batch)
    form = MapColumnsForm(request.POST or None, columns=columns, fields=services.field_labels(batch.kind))
    if request.method == "POST" and form.is_valid():
        mapping = {column: ("" if field == IGNORE else field) for column, field in form.mapping().items()}
        services.save_profile(request.user, batch.creditor, kind=batch.kind, name=batch.profile_name or "default",
                              columns=mapping)
        services.run_in_background(request.user, batch)
        messages.success(request, _("已记住这些列的对应关系，以后同一委托方的文件不再询问。"))
        return redirect("import-detail", pk=batch.pk)
    return render(request, "imports/map_columns.html", {"batch": batch, "form": form})


@login_required
def batch_detail(request, pk):
    _require_importer(request.user)
    batch = get_object_or_404(ImportBatch.objects.select_related("creditor", "created_by", "duplicate_of"), pk=pk)
    issues = services.read_issues(batch)
    page = Paginator(issues, ISSUES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "imports/batch_detail.html", {
        "batch": batch, "page": page, "chart": _chart(batch), "error_file": services.error_file(batch),
        "english": not request.LANGUAGE_CODE.startswith("zh"), "job": _job(batch)})


def _job(batch: ImportBatch) -> Job | None:
    """The worker's job running this batch (its ETA, attempts, cancel)."""
    return Job.objects.filter(kind="imports.batch", params__batch=batch.pk).order_by("-id").first()


def _eta(job: Job | None) -> str:
    if job is None or job.eta_seconds is None:
        return "—"
    return f"{job.eta_seconds // 60}:{job.eta_seconds % 60:02d}"


@login_required
def progress(request, pk):
    """The progress fragment the detail page polls while the batch runs."""
    _require_importer(request.user)
    batch = get_object_or_404(ImportBatch, pk=pk)
    job = _job(batch)
    response = render(request, "imports/_progress.html", {"batch": batch, "chart": _chart(batch), "job": job,
                                                          "eta": _eta(job)})
    if batch.status not in (BatchStatus.QUEUED, BatchStatus.RUNNING):
        response["HX-Refresh"] = "true"  # finished: reload the page once to show the rows
    return response


def _chart(batch: ImportBatch) -> str:
    counts = [(_("新增"), batch.created_count), (_("更新"), batch.updated_count),
              (_("无变化"), batch.unchanged_count), (_("拒绝"), batch.rejected_count)]
    return stacked_bars([batch.file_name[:18]], [(label, [n]) for label, n in counts], title=_("各行结果"))


@login_required
def download(request, pk, which):
    _require_importer(request.user)
    batch = get_object_or_404(ImportBatch, pk=pk)
    path = services.error_file(batch) if which == "errors" else services.stored_file(batch)
    if path is None or not path.exists():
        raise Http404(_("文件不存在"))
    name = f"{Path(batch.file_name).stem}-errors{path.suffix}" if which == "errors" else batch.file_name
    # kept sealed: decrypted as it streams out
    response = StreamingHttpResponse(sealed.iter_plain(path), content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
@require_POST
def rerun(request, pk):
    """Run a failed or rejected file again (e.g. after saving a mapping); already landed rows stay unchanged."""
    _require_importer(request.user)
    old = get_object_or_404(ImportBatch, pk=pk)
    with services.upload_copy(old) as path:
        batch = services.start_batch(request.user, creditor=old.creditor, kind=old.kind, path=path,
                                     file_name=old.file_name, profile_name=old.profile_name, encoding=old.encoding,
                                     dry_run=False)
    return _map_or_run(request, batch)
