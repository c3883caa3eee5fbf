"""A batch interrupted between two chunks (its worker died or stopped) resumes after the last committed chunk:
every row lands exactly once, the counters and the issues are those of one uninterrupted run."""
from __future__ import annotations

import pytest

from concord.core import jobs
from concord.core.models import AuditEvent, Job, JobState
from concord.imports import samples, services
from concord.imports.models import BatchStatus
from concord.loans.models import LoanAccount

pytestmark = pytest.mark.django_db


def _file(tmp_path, n=23):
    return samples.write_csv(tmp_path / "placements.csv", samples.placement_rows(n, seed=3, bad_rate=0.15))


def test_a_stopped_batch_resumes_and_lands_every_row_once(world, tmp_path, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_ROWS", 5)
    manager, bank = world.users["manager"], world.creditors["bank"]
    path = _file(tmp_path)
    whole = services.import_file(manager, creditor=world.creditors["fin"], kind="placements", path=path)
    before = LoanAccount.objects.count()

    batch = services.start_batch(manager, creditor=bank, kind="placements", path=path)
    calls = []
    with pytest.raises(services.Stopped):
        services.run_batch(manager, batch, stop=lambda: calls.append(1) or len(calls) >= 2)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RUNNING and batch.processed_rows == 10
    landed = LoanAccount.objects.count() - before
    assert 0 < landed <= 10

    batch = services.run_batch(manager, batch)
    assert batch.status == BatchStatus.DONE
    for name in ("processed_rows", "created_count", "updated_count", "unchanged_count", "rejected_count",
                 "warning_count"):
        assert getattr(batch, name) == getattr(whole, name), name
    assert LoanAccount.objects.count() - before == whole.created_count
    assert len(services.read_issues(batch)) == len(services.read_issues(whole))
    rows = [e.changes["rows"] for e in AuditEvent.objects.filter(action="import.placements.rows",
                                                                  object_id=str(batch.pk)).order_by("id")]
    covered = [n for first, last in rows for n in range(first, last + 1)]
    assert sorted(covered) == sorted(set(covered)) and len(covered) == 23  # every row in exactly one chunk
    assert AuditEvent.objects.filter(action="import.placements.resume", object_id=str(batch.pk)).count() == 1


def test_cancelling_the_import_job_ends_the_batch_keeping_its_committed_rows(world, tmp_path, monkeypatch,
                                                                            settings):
    monkeypatch.setattr(services, "CHUNK_ROWS", 5)
    settings.CONCORD_JOBS_INLINE = False
    manager = world.users["manager"]
    batch = services.start_batch(manager, creditor=world.creditors["bank"], kind="placements", path=_file(tmp_path))
    job = jobs.start_job("imports.batch", {"batch": batch.pk}, by=manager)
    Job.objects.filter(pk=job.pk).update(cancel_requested=True)
    assert jobs.run_job(job.pk) == JobState.CANCELLED
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED and batch.processed_rows == 5
    assert "已按请求取消" in batch.failure
