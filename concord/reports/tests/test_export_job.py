"""Exports as jobs of the worker: the rows the requester may see, a file only they may download."""
import pytest
from django.urls import reverse

from concord.core.models import Job, JobState

pytestmark = pytest.mark.django_db


@pytest.fixture
def inline(settings, tmp_path):
    settings.CONCORD_JOBS_INLINE = True
    settings.DATA_DIR = tmp_path


def test_a_background_export_is_a_job_with_a_file_for_its_requester(world, client, inline):
    viewer = world.users["viewer"]  # sees only the bank's cases
    client.force_login(viewer)
    confirm = client.get(reverse("report-export"), {"what": "cases", "format": "csv", "background": "1"})
    assert b"export-confirm" in confirm.content
    response = client.post(reverse("report-export"), {"what": "cases", "format": "csv"})
    job = Job.objects.get(kind="reports.export")
    assert response.status_code == 302 and response.url == reverse("job-detail", args=[job.pk])
    assert job.state == JobState.SUCCEEDED and job.result["rows"] == 2 and job.created_by == viewer
    page = client.get(reverse("job-detail", args=[job.pk]))
    assert b"job-download" in page.content
    download = client.get(reverse("report-export-file", args=[job.pk]))
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "BANK-" in text and "FIN-" not in text

    client.force_login(world.users["manager"])  # not the requester: no file
    assert client.get(reverse("report-export-file", args=[job.pk])).status_code == 404
