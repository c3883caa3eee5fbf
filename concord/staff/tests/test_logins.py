"""Logins: every login, failed login and logout is on the audit trail; password guessing is locked out per account
and per address on the web, admin and API logins, and X-Forwarded-For does not choose the address; passwords must
pass the validators."""
import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from concord.core.models import AuditEvent
from concord.staff import security

pytestmark = pytest.mark.django_db

LOGIN = "/login/"


def _events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def _login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


class TestEvents:
    def test_login_failed_login_and_logout_are_audited(self, client, world):
        assert _login(client, "col_a", "wrong-password").status_code == 200
        failed = _events("auth.login_failed")[-1]
        assert failed.actor is None and failed.object_id == str(world.users["col_a"].pk)
        assert failed.changes == {"username": "col_a", "known_user": True, "channel": "web", "ip": "127.0.0.1",
                                  "locked_out": False}
        assert _login(client, "col_a", "pw-col_a").status_code == 302
        login = _events("auth.login")[-1]
        assert login.actor == world.users["col_a"] and login.changes == {"channel": "web", "ip": "127.0.0.1"}
        client.post(reverse("logout"))
        logout = _events("auth.logout")[-1]
        assert logout.actor == world.users["col_a"] and logout.changes["reason"] == "user"

    def test_an_unknown_name_is_kept_only_by_its_first_characters(self, client, world):
        _login(client, "13900001111", "whatever-1")
        event = _events("auth.login_failed")[-1]
        assert event.changes["username"] == "13********" and event.changes["known_user"] is False
        assert "13900001111" not in str(event.changes)

    def test_admin_and_api_logins_are_audited_with_their_channel(self, client, world):
        client.post("/admin/login/", {"username": "admin", "password": "pw-admin"})
        assert _events("auth.login")[-1].changes["channel"] == "admin"
        r = APIClient().post("/api/auth/token/", {"username": "col_a", "password": "nope"}, format="json")
        assert r.status_code == 400 and _events("auth.login_failed")[-1].changes["channel"] == "api"
        r = APIClient().post("/api/auth/token/", {"username": "col_a", "password": "pw-col_a"}, format="json")
        assert r.status_code == 200
        issue = _events("auth.token.issue")[-1]
        assert issue.actor == world.users["col_a"] and issue.changes["prefix"] == r.json()["token"][:8]
        assert r.json()["token"] not in str(issue.changes)


class TestLockout:
    def test_thirty_wrong_passwords_lock_the_account_and_the_right_one_is_refused(self, client, world):
        codes = [_login(client, "col_a", f"wrong-{i}").status_code for i in range(30)]
        assert codes[:4] == [200] * 4 and set(codes[5:]) == {429}
        r = _login(client, "col_a", "pw-col_a")
        assert r.status_code == 429 and "_auth_user_id" not in client.session
        assert "暂时锁定" in r.content.decode()
        assert _events("auth.login_failed")[-1].changes["locked_out"] is True

    def test_per_account_across_addresses(self, client, world):
        for i in range(5):
            _login(client, "col_b", f"wrong-{i}", REMOTE_ADDR=f"10.0.0.{i + 1}")
        assert _login(client, "col_b", "pw-col_b", REMOTE_ADDR="10.0.0.99").status_code == 429

    def test_per_address_across_accounts(self, client, world):
        for name in ["col_a", "col_b", "lead_a", "legal", "field"]:
            _login(client, name, "wrong-password", REMOTE_ADDR="10.1.1.1")
        assert _login(client, "manager", "pw-manager", REMOTE_ADDR="10.1.1.1").status_code == 429
        assert _login(client, "manager", "pw-manager", REMOTE_ADDR="10.1.1.2").status_code == 302  # another address

    def test_x_forwarded_for_does_not_choose_the_address(self, client, world, settings):
        assert settings.CONCORD_NUM_PROXIES == 0
        for i, name in enumerate(["col_a", "col_b", "lead_a", "legal", "field"]):
            _login(client, name, "wrong-password", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
        r = _login(client, "manager", "pw-manager", HTTP_X_FORWARDED_FOR="198.51.100.7")
        assert r.status_code == 429

    def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(self, rf, settings):
        settings.CONCORD_NUM_PROXIES = 1
        request = rf.get("/", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9", REMOTE_ADDR="10.0.0.1")
        assert security.client_ip(request) == "203.0.113.9"  # the client's own header entries come before
        settings.CONCORD_NUM_PROXIES = 0
        assert security.client_ip(request) == "10.0.0.1"

    def test_admin_login_is_locked_out_too(self, client, world):
        codes = [client.post("/admin/login/", {"username": "admin", "password": f"bad-{i}"}).status_code
                 for i in range(6)]
        assert codes[-1] == 429
        assert client.post("/admin/login/", {"username": "admin", "password": "pw-admin"}).status_code == 429

    def test_api_token_login_is_locked_out_and_xff_does_not_escape_the_throttle(self, world):
        api = APIClient()
        codes = [api.post("/api/auth/token/", {"username": "col_a", "password": f"bad-{i}"}, format="json",
                          HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code for i in range(6)]
        assert codes[:4] == [400] * 4 and codes[4:] == [429, 429]  # the fifth failure locks
        r = api.post("/api/auth/token/", {"username": "col_a", "password": "pw-col_a"}, format="json")
        assert r.status_code == 429 and "token" not in r.json()

    def test_the_token_throttle_keys_on_the_real_address(self, world, settings):
        from django.core.cache import cache

        cache.clear()
        settings.AXES_ENABLED = False  # the throttle alone
        api = APIClient()
        codes = [api.post("/api/auth/token/", {"username": "nobody", "password": "x"}, format="json",
                          HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code for i in range(22)]
        cache.clear()
        assert codes[:20] == [400] * 20 and codes[20:] == [429, 429]


class TestPasswords:
    @pytest.mark.parametrize("password, why", [
        ("short-1", "too short"), ("password123", "common"), ("1234509876", "numeric"), ("harbourmaster1", "similar to the name"),
    ])
    def test_weak_passwords_are_refused(self, world, password, why):
        user = world.users["col_a"]
        user.first_name = "harbourmaster"
        with pytest.raises(ValidationError):
            validate_password(password, user)

    def test_a_good_password_passes(self, world):
        validate_password("Tea-kettle-Harbour-42", world.users["col_a"])


@pytest.mark.slow
def test_the_limit_holds_across_processes(tmp_path):
    """Three processes (three workers) on one database: 3 failures in the first and 2 in the second lock the
    account, and the right password in a third is refused."""
    import json
    import os
    import subprocess
    import sys

    from concord.conftest import TEST_AUDIT_KEY, TEST_PII_KEY

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'concord.sqlite3'}", "CONCORD_DEV_KEYS": "1",
           "CONCORD_DATA_DIR": str(tmp_path / "var"), "CONCORD_PII_KEY": TEST_PII_KEY,
           "CONCORD_AUDIT_KEY": TEST_AUDIT_KEY, "CONCORD_TWO_FACTOR": "off"}

    def run(*args):
        done = subprocess.run([sys.executable, "-m", "concord.staff.tests.login_attempts", *args], env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    first = run("--setup", "--attempts", "3")
    second = run("--attempts", "2")
    third = run("--password", "pw-col_a")
    assert len({first["pid"], second["pid"], third["pid"]}) == 3
    assert first["codes"] == [200, 200, 200] and second["codes"] == [200, 429] and third["codes"] == [429]
