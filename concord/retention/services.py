"""The retention job: personal data kept no longer than the creditor's policy pack says (PIPL: storage limited to
what the purpose needs).

:func:`run_retention` — one call, for ``concord retention`` and for a scheduler — does two things:

- **import files**: a batch's files (the sealed upload, its issue list and its error file) are deleted once the
  batch ended (or was uploaded, if it never ran) more than the pack's ``retention.upload_days`` ago; the batch row
  stays with its counts, marked ``files_deleted_at`` (``imports.services.delete_batch_files``);
- **closed cases**: a person whose every case has ended (settled, recalled or closed) and whose last case closed
  more than the longest ``retention.closed_case_days`` of their cases' packs ago has their personal data purged —
  the borrower file (``debtors.services.purge_personal_data``), the messages' recipients and texts
  (``outreach.services.purge_messages``) and the activities' free-text notes (``cases.activities.purge_notes``).
  Cases, accounts, payments, the contact ledger and the audit trail stay: the record that the data existed and was
  purged, without the data.

Each batch and each person is one transaction with its audit events; a failure leaves the others done and is
counted in ``errors``. A dry run counts what would go and writes nothing.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.db.models import Max

from concord.cases.activities import purge_notes
from concord.cases.models import Case, CaseStatus
from concord.compliance.live import pack_for
from concord.core import clock
from concord.debtors.models import Debtor
from concord.debtors.services import purge_personal_data
from concord.imports.models import BatchStatus, ImportBatch
from concord.imports.services import delete_batch_files
from concord.outreach.services import purge_messages

log = logging.getLogger(__name__)
ACTOR = "system:retention"
ENDED = (CaseStatus.SETTLED, CaseStatus.RECALLED, CaseStatus.CLOSED)


@dataclass
class RetentionResult:
    dry_run: bool
    at: str
    batches: int = 0          # import batches whose files were (or would be) deleted
    files: int = 0            # files deleted
    people: int = 0           # people whose personal data was (or would be) purged
    cases: int = 0            # their cases
    purged: dict = field(default_factory=dict)  # rows emptied or deleted, by kind
    errors: list = field(default_factory=list)  # (what, id, error) for the ones that failed

    def as_dict(self) -> dict:
        return asdict(self)


def run_retention(now: dt.datetime | None = None, dry_run: bool = False, actor=ACTOR) -> dict:
    """Apply the retention periods as of ``now`` (the clock's now by default); returns the counts
    (:class:`RetentionResult` as a dict)."""
    now = clock.now_or(now)
    result = RetentionResult(dry_run=dry_run, at=now.isoformat())
    _import_files(now, dry_run, actor, result)
    _closed_cases(now, dry_run, actor, result)
    return result.as_dict()


def _import_files(now: dt.datetime, dry_run: bool, actor, result: RetentionResult) -> None:
    batches = (ImportBatch.objects.filter(files_deleted_at__isnull=True)
               .exclude(status__in=[BatchStatus.QUEUED, BatchStatus.RUNNING])
               .select_related("creditor").order_by("pk"))
    packs: dict = {}
    for batch in batches.iterator(chunk_size=500):
        creditor = batch.creditor
        if creditor.pk not in packs:
            packs[creditor.pk] = pack_for(creditor)
        days = packs[creditor.pk].retention_upload_days
        if (batch.finished_at or batch.created_at) + dt.timedelta(days=days) > now:
            continue
        result.batches += 1
        if dry_run:
            continue
        try:
            result.files += len(delete_batch_files(actor, batch, reason=f"retention {days} days", at=now))
        except Exception as exc:  # one batch's failure must not stop the others
            log.exception("retention: batch %s", batch.pk)
            result.errors.append(("batch", batch.pk, f"{type(exc).__name__}: {exc}"))


def due_people(now: dt.datetime):
    """(debtor id, [case ids]) of the people whose personal data's retention has ended at ``now``."""
    ended = (Debtor.objects.filter(purged_at__isnull=True)
             .exclude(cases__status__in=[s for s in CaseStatus.values if s not in ENDED])
             .annotate(last_closed=Max("cases__closed_on"))
             .filter(last_closed__isnull=False)
             .order_by("pk").values_list("pk", "last_closed"))
    today = clock.local_date(now)
    packs: dict = {}
    for debtor_id, last_closed in ended.iterator(chunk_size=500):
        cases = list(Case.objects.filter(debtor_id=debtor_id).select_related("creditor"))
        if any(c.status not in ENDED or c.closed_on is None for c in cases):
            continue
        days = 0
        for case in cases:
            if case.creditor_id not in packs:
                packs[case.creditor_id] = pack_for(case.creditor)
            days = max(days, packs[case.creditor_id].retention_closed_case_days)
        if last_closed + dt.timedelta(days=days) <= today:
            yield debtor_id, [c.pk for c in cases], days


def _closed_cases(now: dt.datetime, dry_run: bool, actor, result: RetentionResult) -> None:
    for debtor_id, case_ids, days in list(due_people(now)):
        result.people += 1
        result.cases += len(case_ids)
        if dry_run:
            continue
        reason = f"retention {days} days after the last case closed"
        try:
            with transaction.atomic():
                counts = purge_personal_data(actor, Debtor.objects.get(pk=debtor_id), reason=reason, at=now)
                counts["messages"] = purge_messages(actor, case_ids, reason=reason)
                counts["notes"] = purge_notes(actor, case_ids, reason=reason)
        except Exception as exc:
            log.exception("retention: debtor %s", debtor_id)
            result.errors.append(("debtor", debtor_id, f"{type(exc).__name__}: {exc}"))
            continue
        for kind, n in counts.items():
            result.purged[kind] = result.purged.get(kind, 0) + n
