"""The import's job (``imports.batch``): a queued batch run by the worker, resumable after a crash, cancellable
between two chunks."""
from __future__ import annotations

from django.utils.translation import gettext_lazy

from concord.core import jobs

from . import services
from .models import BatchStatus, ImportBatch


@jobs.kind("imports.batch", label=gettext_lazy("导入文件"), resumable=True, cancellable=True)
def run_import(ctx: jobs.Context) -> dict:
    batch = ImportBatch.objects.select_related("creditor").get(pk=ctx.params["batch"])
    if batch.status not in (BatchStatus.QUEUED, BatchStatus.RUNNING):  # ended already (a repeat of the task)
        return {"batch": batch.pk, "status": batch.status}

    def progress(b: ImportBatch) -> None:
        ctx.progress(b.processed_rows, b.total_rows or None, stage="rows")

    try:
        batch = services.run_batch(ctx.by, batch, progress=progress, stop=ctx.cancelled)
    except services.Stopped:
        if not jobs.stopping().is_set():  # a person asked: the batch ends here, its committed rows stay
            services.cancel_batch(ctx.by, batch)
        raise jobs.Cancelled from None
    return {"batch": batch.pk, "status": batch.status, "rows": batch.processed_rows,
            "created": batch.created_count, "updated": batch.updated_count, "rejected": batch.rejected_count}
