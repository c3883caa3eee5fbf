"""Users and teams edited in the admin: each change is on the audit trail, in the transaction that made it, without
the password; nothing is deleted there."""
import pytest
from django.urls import reverse

from concord.core.models import AuditEvent
from concord.core.tests import writer_tracking as tracking
from concord.staff.models import Team, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.users["admin"])
    return client


def _audited(monkeypatch, request):
    with tracking.tracking(monkeypatch) as tracker:
        response = request()
    assert response.status_code == 302, response.content.decode()[:2000]
    unaudited = [w for w in tracker.unaudited() if w.table != "django_session"]  # the login session, not data
    assert tracker.writes and not unaudited, unaudited
    return AuditEvent.objects.order_by("-id").first()


def test_adding_a_user_is_audited_without_the_password(admin_client, world, monkeypatch):
    event = _audited(monkeypatch, lambda: admin_client.post(reverse("admin:staff_user_add"), {
        "username": "col_c", "password1": "Secret-pass-123", "password2": "Secret-pass-123", "usable_password": "true",
        "role": "collector", "team": world.teams["B"].pk}))
    user = User.objects.get(username="col_c")
    assert (event.action, event.object_id) == ("staff.user.add", str(user.pk))
    assert event.changes["role"] == "collector" and event.changes["team"] == world.teams["B"].pk
    assert event.changes["password"] == "set" and "Secret-pass-123" not in str(event.changes)


def test_changing_a_role_and_a_password_is_audited(admin_client, world, monkeypatch):
    user = world.users["col_b"]
    form = {"username": user.username, "role": "team_lead", "team": world.teams["B"].pk, "capacity": 300,
            "balance_capacity": "0", "skills": "[]", "is_active": "on", "date_joined_0": "2026-12-01", "date_joined_1": "09:00:00"}
    event = _audited(monkeypatch, lambda: admin_client.post(reverse("admin:staff_user_change", args=[user.pk]), form))
    assert event.action == "staff.user.change" and event.changes["role"] == ["collector", "team_lead"]
    assert "role" in event.changes["fields"] and "team" not in event.changes  # unchanged: named by neither
    event = _audited(monkeypatch, lambda: admin_client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),  # Django names it so for any user model
        {"password1": "New-secret-456", "password2": "New-secret-456", "usable_password": "true"}))
    assert event.action == "staff.user.password" and "New-secret-456" not in str(event.changes)
    user.refresh_from_db()
    assert user.check_password("New-secret-456")


def test_teams_are_audited_and_nothing_is_deleted_in_the_admin(admin_client, world, monkeypatch):
    event = _audited(monkeypatch, lambda: admin_client.post(reverse("admin:staff_team_add"), {
        "name": "C组", "buckets": '["M1"]', "capacity": 500}))
    team = Team.objects.get(name="C组")
    assert (event.action, event.changes["capacity"], event.changes["buckets"]) == ("staff.team.add", 500, ["M1"])
    assert admin_client.get(reverse("admin:staff_team_delete", args=[team.pk])).status_code == 403
    assert admin_client.get(reverse("admin:staff_user_delete", args=[world.users["col_b"].pk])).status_code == 403
