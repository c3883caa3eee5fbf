"""Import actions: record an uploaded file as a batch, run it, remember a creditor's column mapping.

A batch runs in chunks of :data:`CHUNK_ROWS` rows. Each chunk is one transaction with one audit event (the
rows it created, updated or left unchanged); rows are checked before anything is written, so a row lands whole
or not at all. A dry run does the same work inside one transaction that is rolled back, so its counts are
exactly what a real run would give. The same file (by SHA-256) imported again for the same creditor changes
nothing: the batch is recorded as a repeat of the first.

Files kept per batch in ``CONCORD_IMPORT_DIR/<batch id>/``, each sealed under the PII key (``core.sealed``) and
readable by the service's user only (0600, the folder 0700): the upload, ``issues.jsonl`` (every rejected row and
every warning, reasons in Chinese and English, phone numbers masked) and the error file (the rejected rows as
uploaded, plus a reason column, in the upload's format) that the user fixes and uploads again. The retention job
(``concord retention``) deletes them after the creditor's policy pack's period.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import re
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from concord.core import audit, clock, dbstats, sealed
from concord.core.spreadsheets import TableWriter

from . import followers
from .mapping import MappingProfile, catalogue, default_profile
from .models import BatchStatus, ImportBatch, ImportKind, SavedProfile
from .pipeline import ParsingProcess, open_rows
from .readers import FileRejected
from .rows import RowResult

CHUNK_ROWS = 2000
log = logging.getLogger(__name__)
REASON_HEADER = "错误原因 / Reason"
Progress = Callable[[ImportBatch], None]


class _DryRunDone(Exception):
    """Raised at the end of a dry run to roll its transaction back."""


def batch_dir(batch: ImportBatch) -> Path:
    return Path(settings.CONCORD_IMPORT_DIR) / str(batch.pk)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _safe_name(name: str) -> str:
    name = Path(name).name or "upload"
    return re.sub(r"[^\w.\-\u4e00-\u9fff]+", "_", name)[:120]


# --- profiles ---------------------------------------------------------------------------------------------

def load_profile(creditor, kind: str, name: str = "") -> MappingProfile:
    """The creditor's saved profile ``name`` (ValidationError if there is none); without a name, the creditor's
    ``default`` profile for this kind of file when saved, else the built-in one."""
    if name:
        saved = SavedProfile.objects.filter(creditor=creditor, kind=kind, name=name).first()
        if saved is None:
            raise ValidationError({"profile": [_("委托方 %(c)s 没有名为“%(n)s”的映射方案") % {
                "c": creditor.code, "n": name}]})
    else:
        saved = SavedProfile.objects.filter(creditor=creditor, kind=kind, name="default").first()
        if saved is None:
            return default_profile(kind)
    return MappingProfile(saved.name, {h: f for h, f in saved.columns.items() if f},
                          include_defaults=saved.include_defaults, kind=kind)


def ignored_columns(creditor, kind: str, name: str = "") -> set[str]:
    """Columns the user chose not to import (saved with an empty field), so the upload does not ask again."""
    saved = SavedProfile.objects.filter(creditor=creditor, kind=kind, name=name or "default").first()
    return {h for h, f in saved.columns.items() if not f} if saved else set()


def field_labels(kind: str) -> dict:
    """Concord field → label for the column-mapping form."""
    return dict(catalogue(kind).labels)


@transaction.atomic
def save_profile(actor, creditor, *, kind: str = ImportKind.PLACEMENTS, name: str = "default",
                 columns: dict[str, str], include_defaults: bool = True) -> SavedProfile:
    """Remember (or extend) a column mapping for a creditor; later uploads use it. A column mapped to ``""``
    is remembered as not imported."""
    unknown = sorted({f for f in columns.values() if f} - set(catalogue(kind).fields))
    if unknown:
        raise ValidationError({"columns": [_("未知字段：%(f)s") % {"f": ", ".join(unknown)}]})
    if not name or len(name) > 100:
        raise ValidationError({"name": [_("方案名称应为 1–100 个字符")]})
    saved, _created = SavedProfile.objects.get_or_create(creditor=creditor, kind=kind, name=name)
    before = dict(saved.columns)
    saved.columns = {**saved.columns, **columns}
    saved.include_defaults = include_defaults
    saved.save()
    audit.record(actor, "import.profile.save", saved, {"name": name, "columns": [before, saved.columns]})
    return saved


# --- batches ----------------------------------------------------------------------------------------------

@transaction.atomic
def start_batch(actor, *, creditor, kind: str, path: Path, file_name: str = "", profile_name: str = "",
                encoding: str = "", dry_run: bool = False) -> ImportBatch:
    """Record an uploaded file as a queued batch and keep a copy of it."""
    if kind not in ImportKind.values:
        raise ValidationError({"kind": [_("未知的文件类型：%(k)s") % {"k": kind}]})
    path = Path(path)
    if not path.is_file():
        raise ValidationError({"file": [_("文件不存在：%(p)s") % {"p": path}]})
    if profile_name:
        load_profile(creditor, kind, profile_name)
    batch = ImportBatch.objects.create(
        creditor=creditor, kind=kind, file_name=(file_name or path.name)[:255], file_sha256=sha256_of(path),
        file_size=path.stat().st_size, profile_name=profile_name, encoding=encoding, dry_run=dry_run,
        created_by=actor if getattr(actor, "pk", None) else None)
    sealed.private_dir(batch_dir(batch))
    sealed.seal_file(path, stored_file(batch))
    audit.record(actor, f"import.{kind}.upload", batch, {"file": batch.file_name, "sha256": batch.file_sha256,
                                                         "dry_run": dry_run, "creditor": creditor.code})
    return batch


def stored_file(batch: ImportBatch) -> Path:
    """The upload as kept: sealed (a batch recorded before uploads were sealed keeps its plaintext copy)."""
    name = _safe_name(batch.file_name)
    legacy = batch_dir(batch) / name
    return legacy if legacy.exists() else batch_dir(batch) / f"{name}.sealed"


@contextlib.contextmanager
def upload_copy(batch: ImportBatch):
    """A plaintext copy of the upload for the readers, in a private temporary folder, removed afterwards."""
    with sealed.plain_copy(stored_file(batch), Path(_safe_name(batch.file_name)).suffix) as path:
        yield path


def error_file(batch: ImportBatch) -> Path | None:
    name = batch.summary.get("error_file")
    return batch_dir(batch) / name if name else None


def export_error_file(batch: ImportBatch, target) -> Path:
    """Write the batch's error file in clear to ``target`` (mode 0600), for the command line."""
    target = Path(target)
    with sealed.open_private(target, "wb") as out:
        for chunk in sealed.iter_plain(error_file(batch)):
            out.write(chunk)
    return target


def error_bytes(batch: ImportBatch) -> bytes:
    return sealed.read_plain(error_file(batch))


def issues_file(batch: ImportBatch) -> Path:
    return batch_dir(batch) / "issues.jsonl"


def read_issues(batch: ImportBatch, *, severity: str | None = None, limit: int | None = None) -> list[dict]:
    path = issues_file(batch)
    out: list[dict] = []
    if not path.exists():
        return out
    for line in sealed.iter_lines(path):
        if line.strip():
            issue = json.loads(line)
            if severity is None or issue["severity"] == severity:
                out.append(issue)
                if limit is not None and len(out) >= limit:
                    break
    return out


def import_file(actor, *, creditor, kind: str, path: Path, progress: Progress | None = None, **options) -> ImportBatch:
    """Record and run a file at once (the command line, small uploads)."""
    return run_batch(actor, start_batch(actor, creditor=creditor, kind=kind, path=path, **options),
                     progress=progress)


def run_in_background(actor, batch: ImportBatch):
    """Run a queued batch as a job of the worker (``concord worker``) once the upload is committed; the web page
    polls its progress. With ``CONCORD_IMPORTS_INLINE`` (tests) the job runs at once, in the caller's thread."""
    from concord.core import jobs

    return jobs.start_job("imports.batch", {"batch": batch.pk}, by=actor,
                          inline=True if settings.CONCORD_IMPORTS_INLINE else None)


class Stopped(Exception):
    """The batch stopped between two chunks when asked to (``stop()`` said yes): every committed chunk stays, the
    batch stays *running* and :func:`run_batch` goes on from the next row when called again."""


def run_batch(actor, batch: ImportBatch, *, progress: Progress | None = None,
              stop: Callable[[], bool] | None = None) -> ImportBatch:
    """Process a queued batch. A file that cannot be read ends the batch as *rejected* with the reason; an
    unexpected error ends it as *failed* (chunks already committed stay: re-running the file completes it).

    A batch found *running* was interrupted (its worker died, or it was stopped): it resumes after the last committed
    chunk — the rows before it are read again only to rebuild the issues and the error file, nothing is written
    twice (each chunk commits whole with the batch's counters). ``stop`` is asked after each chunk; when it says yes
    the run raises :class:`Stopped`."""
    from .kinds import KINDS

    if batch.status == BatchStatus.RUNNING and not batch.dry_run:
        return _resume(actor, batch, KINDS[batch.kind], progress, stop)

    if not batch.dry_run:
        first = (ImportBatch.objects.filter(creditor=batch.creditor_id, kind=batch.kind,
                                            file_sha256=batch.file_sha256, status=BatchStatus.DONE,
                                            dry_run=False, duplicate_of__isnull=True)
                 .exclude(pk=batch.pk).order_by("pk").first())
        if first is not None:
            return _finish_repeat(actor, batch, first)
    with transaction.atomic():
        batch.status, batch.started_at = BatchStatus.RUNNING, clock.now()
        batch.save(update_fields=["status", "started_at"])
        audit.record(actor, f"import.{batch.kind}.start", batch, {"dry_run": batch.dry_run, "file": batch.file_name})
    run = _Run(actor, batch, KINDS[batch.kind], progress, stop)
    return _execute(actor, batch, run)


def _resume(actor, batch: ImportBatch, kind, progress, stop) -> ImportBatch:
    with transaction.atomic():
        audit.record(actor, f"import.{batch.kind}.resume", batch, {"after_row_count": batch.processed_rows,
                                                                   "file": batch.file_name})
    run = _Run(actor, batch, kind, progress, stop, resume=True)
    return _execute(actor, batch, run)


@transaction.atomic
def cancel_batch(actor, batch: ImportBatch) -> ImportBatch:
    """End a batch stopped at a user's request: *failed*, saying how far it got (those rows stay imported)."""
    batch.refresh_from_db()
    reason = _both(_("已按请求取消：前 %(n)s 行已导入并保留，其余未导入；重新上传同一文件可补齐") % {"n": batch.processed_rows})
    return _end(actor, batch, BatchStatus.FAILED, failure=reason, action="cancel")


def _execute(actor, batch: ImportBatch, run: "_Run") -> ImportBatch:
    try:
        if batch.dry_run:
            try:
                with transaction.atomic():
                    run.execute()
                    raise _DryRunDone
            except _DryRunDone:
                pass
        else:
            run.execute()
    except Stopped:
        run.close()
        raise
    except FileRejected as exc:
        run.close()
        return _end(actor, batch, BatchStatus.REJECTED, failure=_both(exc.reason), summary=run.summary())
    except Exception as exc:
        run.close()
        _end(actor, batch, BatchStatus.FAILED, failure=f"{type(exc).__name__}: {exc}", summary=run.summary())
        raise
    run.close()
    return _end(actor, batch, BatchStatus.DONE, summary=run.summary())


def _both(message) -> str:
    return " / ".join(dict.fromkeys(_in(lang, message) for lang in ("zh-hans", "en")))


def _in(language: str, message) -> str:
    with translation.override(language):
        return str(message)


#: The audit action that ends a batch, by its final status.
END_ACTIONS = {BatchStatus.DONE: "finish", BatchStatus.REJECTED: "reject", BatchStatus.FAILED: "fail"}
_COUNTERS = {"rows": "processed_rows", "created": "created_count", "updated": "updated_count",
             "unchanged": "unchanged_count", "rejected": "rejected_count", "warnings": "warning_count"}
COUNTS = ("rows", "created", "updated", "unchanged", "rejected", "warnings")


@transaction.atomic
def _end(actor, batch: ImportBatch, status: str, *, failure: str = "", summary: dict | None = None,
         action: str = "") -> ImportBatch:
    """Record how a batch ended, with its audit event (``import.<kind>.finish``, ``.reject`` or ``.fail``)."""
    batch.status, batch.failure, batch.finished_at = status, failure, clock.now()
    if summary is not None:
        batch.summary = summary
        batch.total_rows = summary.get("rows", batch.total_rows)
        batch.processed_rows = summary.get("rows", batch.processed_rows)
        for name in ("created", "updated", "unchanged", "rejected"):
            setattr(batch, f"{name}_count", summary.get(name, 0))
        batch.warning_count = summary.get("warnings", 0)
    batch.save()
    audit.record(actor, f"import.{batch.kind}.{action or END_ACTIONS[status]}", batch, {
        "dry_run": batch.dry_run, **{k: batch.summary.get(k, 0) for k in COUNTS},
        **({"failure": failure[:500]} if failure else {}),
        **({"duplicate_of": batch.duplicate_of_id} if batch.duplicate_of_id else {})})
    return batch


def _finish_repeat(actor, batch: ImportBatch, first: ImportBatch) -> ImportBatch:
    summary = {**first.summary, "created": 0, "updated": 0, "unchanged": first.total_rows - first.rejected_count,
               "duplicate_of_batch": first.pk, "batch": batch.pk, "dry_run": False}
    batch.duplicate_of = first
    for name in ("issues.jsonl", first.summary.get("error_file")):  # the same rows are still rejected
        if name and (batch_dir(first) / name).exists():
            sealed.copy_private(batch_dir(first) / name, batch_dir(batch) / name)
    return _end(actor, batch, BatchStatus.DONE, summary=summary, action="repeat")


class _Run:
    """One pass over a file: chunks to the kind's writer, issues and the error file as rows are decided."""

    def __init__(self, actor, batch: ImportBatch, kind, progress: Progress | None, stop=None, *, resume=False):
        self.actor, self.batch, self.kind, self.progress, self.stop = actor, batch, kind, progress, stop
        self.today = clock.today()
        self.counts = {"rows": 0, "created": 0, "updated": 0, "unchanged": 0, "rejected": 0, "warnings": 0}
        self.skip = 0
        if resume:  # what the committed chunks counted: they are not written again
            self.counts = {name: getattr(batch, field) for name, field in _COUNTERS.items()}
            self.skip = batch.processed_rows
        self.facts: dict = {}
        self.errors: TableWriter | None = None
        sealed.private_dir(batch_dir(batch))
        self.issues = sealed.SealedWriter(issues_file(batch))
        self.parsed = None
        self._plain = contextlib.ExitStack()  # the plaintext copy of the upload while the run reads it
        self._scratch = Path(self._plain.enter_context(tempfile.TemporaryDirectory(prefix="concord-errors-")))

    def execute(self) -> None:
        batch = self.batch
        profile = load_profile(batch.creditor, batch.kind, batch.profile_name)
        upload = self._plain.enter_context(upload_copy(batch))
        self.parsed = parsed = open_rows(batch.kind, upload, today=self.today,
                                         encoding=batch.encoding or None, profile=profile)
        self.facts = {"format": parsed.format, "sheet": parsed.sheet, "header_row": parsed.header_row,
                      "encoding": parsed.encoding, "delimiter": parsed.delimiter,
                      "skipped_sheets": list(parsed.skipped_sheets), "unknown_columns": list(parsed.unknown_columns),
                      "mapping": dict(parsed.mapping)}
        batch.total_rows = estimate_rows(upload, parsed)  # written with the first chunk's progress
        writer = self.kind.writer(batch.creditor, batch=batch, actor=self.actor, today=self.today)
        chunk: list[RowResult] = []
        keys: set = set()
        skip = self.skip
        for result in parsed:
            if skip:  # committed by an earlier attempt: only its issues and error rows are written again
                skip -= 1
                self._report(result)
                continue
            key = self.kind.key(result) if result.ok else None
            if key is not None and key in keys:  # the same account twice: the earlier row lands first
                self._flush(writer, chunk)
                chunk, keys = [], set()
            chunk.append(result)
            if key is not None:
                keys.add(key)
            if len(chunk) >= (settings.CONCORD_IMPORTS_CHUNK_ROWS or CHUNK_ROWS):
                self._flush(writer, chunk)
                chunk, keys = [], set()
        self._flush(writer, chunk)

    def _flush(self, writer, chunk: list[RowResult]) -> None:
        if not chunk:
            return
        good = [r for r in chunk if r.ok]
        with transaction.atomic():
            outcome = writer.write(good) if good else {}
            if good:
                followers.placed(self.actor, self.batch, getattr(writer, "placed_cases", ()))
            decided = {name: [] for name in ("created", "updated", "unchanged")}
            for r in good:
                status = "rejected" if r.errors else outcome[r.row_number]
                if status != "rejected":
                    decided[status].append(self.kind.audit_label(r))
            audit.record(self.actor, f"import.{self.batch.kind}.rows", self.batch, {
                "rows": [chunk[0].row_number, chunk[-1].row_number],
                **{name: len(keys) for name, keys in decided.items()},
                "rejected": sum(1 for r in chunk if r.errors),
                "references": {name: keys[:5000] for name, keys in decided.items() if keys}})
            counts = dict(self.counts)
            for r in chunk:
                counts["rows"] += 1
                counts["rejected" if r.errors else outcome[r.row_number]] += 1
                counts["warnings"] += len(r.warnings)
            if not self.batch.dry_run:  # the progress commits with the chunk it counts
                ImportBatch.objects.filter(pk=self.batch.pk).update(
                    total_rows=self.batch.total_rows, processed_rows=counts["rows"],
                    created_count=counts["created"], updated_count=counts["updated"],
                    unchanged_count=counts["unchanged"], rejected_count=counts["rejected"],
                    warning_count=counts["warnings"])
        self.counts = counts
        for r in chunk:
            self._report(r)
        self.batch.processed_rows = self.counts["rows"]
        if not self.batch.dry_run:
            dbstats.analyze_grown_tables()  # the next chunk's lookups are planned for the tables as they are now
        if self.progress:
            self.progress(self.batch)
        if self.stop is not None and self.stop():
            raise Stopped

    def _report(self, r: RowResult) -> None:
        if r.errors:
            problems = [self._problem(p) for p in r.errors]
            first = problems[0]
            self._write_issue({"row": r.row_number, "sheet": r.sheet, "severity": "error", "field": first["field"],
                               "column": first["column"], "code": first["code"],
                               "reason": "；".join(p["reason"] for p in problems),
                               "reason_en": "; ".join(p["reason_en"] for p in problems), "errors": problems})
            self._error_row(r, "；".join(p["reason"] for p in problems))
        for p in r.warnings:
            self._write_issue({"row": r.row_number, "sheet": r.sheet, "severity": "warning", **self._problem(p)})

    @staticmethod
    def _problem(p) -> dict:
        label = lambda lang: _in(lang, p.column or p.label)  # noqa: E731
        return {"field": p.field, "column": p.column, "code": p.code,
                "reason": f"{label('zh-hans')}：{_in('zh-hans', p.message)}",
                "reason_en": f"{label('en')}: {_in('en', p.message)}"}

    def _write_issue(self, issue: dict) -> None:
        self.issues.write(json.dumps(issue, ensure_ascii=False) + "\n")

    def _error_row(self, r: RowResult, reason: str) -> None:
        parsed = self.parsed
        if self.errors is None:
            suffix = "xlsx" if parsed.format == "xlsx" else "csv"
            self.facts["error_file"] = f"errors.{suffix}"
            self.errors = TableWriter(self._scratch / f"errors.{suffix}", parsed.format,
                                      [*parsed.headers, REASON_HEADER], encoding=parsed.encoding or "utf-8-sig",
                                      delimiter=parsed.delimiter or ",", sheet=parsed.sheet)
        self.errors.write([*(r.cells.get(h) for h in parsed.headers), reason])

    def close(self) -> None:
        if isinstance(self.parsed, ParsingProcess):  # stop the reader if the rows were not read to the end
            self.parsed.close()
        if not self.issues.closed:
            self.issues.close()
        if self.errors is not None:  # written in the scratch folder, kept sealed
            plain = self.errors.close()
            sealed.seal_file(plain, batch_dir(self.batch) / plain.name)
            self.errors = None
        self._plain.close()

    def summary(self) -> dict:
        batch = self.batch
        return {"file": batch.file_name, "kind": batch.kind, "creditor": batch.creditor.code, "batch": batch.pk,
                "dry_run": batch.dry_run, **self.facts, **self.counts}


@transaction.atomic
def delete_batch_files(actor, batch: ImportBatch, *, reason: str, at: dt.datetime | None = None) -> list[str]:
    """Delete a batch's files (the upload, the issue list, the error file) at the end of their retention; the batch
    row stays with its counts, marked ``files_deleted_at``. Records the files' names as ``import.files.delete``.
    The files go once the transaction commits (a rollback leaves them)."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.files_deleted_at is not None:
        return []
    folder = batch_dir(batch)
    names = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    batch.files_deleted_at = clock.now_or(at)
    batch.save(update_fields=["files_deleted_at"])
    audit.record(actor, "import.files.delete", batch, {"files": len(names), "reason": reason[:200]})
    transaction.on_commit(lambda: shutil.rmtree(folder, ignore_errors=True))
    return names


def estimate_rows(path: Path, parsed) -> int:
    """Data rows in the file, for the progress bar (blank rows included: an upper bound)."""
    if parsed.format == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        try:
            sheet = book[parsed.sheet]
            return max(0, (sheet.max_row or 0) - parsed.header_row)
        finally:
            book.close()
    lines = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            lines += chunk.count(b"\n")
    return max(0, lines + 1 - parsed.header_row)


def today() -> dt.date:
    return clock.today()
