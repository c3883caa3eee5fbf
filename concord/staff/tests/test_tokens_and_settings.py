"""API tokens are kept hashed, expire, and are revoked on a password change or deactivation; Concord refuses to start
without its keys when DEBUG is off; the production settings pass ``check --deploy``; pages carry a
Content-Security-Policy that no template needs to loosen; an idle session ends."""
import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from concord.conftest import SUITE_NOW
from concord.core.models import AuditEvent
from concord.staff import tokens
from concord.staff.models import ApiToken

ROOT = Path(__file__).resolve().parents[2]


def _get_cases(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/cases/")


@pytest.mark.django_db
class TestTokens:
    def test_a_token_is_kept_only_as_its_digest(self, world):
        token, row = tokens.issue(world.users["manager"])
        assert row.digest == tokens.digest(token) and row.digest != token
        stored = [str(v) for v in ApiToken.objects.values_list(*[f.attname for f in ApiToken._meta.fields]).get()]
        assert not any(token in v for v in stored)
        assert _get_cases(token).status_code == 200

    def test_a_token_expires_after_thirty_days(self, world):
        token, row = tokens.issue(world.users["manager"])
        assert row.expires_at - row.created_at == dt.timedelta(days=30)
        with time_machine.travel(SUITE_NOW + dt.timedelta(days=29, hours=23), tick=False):
            assert _get_cases(token).status_code == 200
        with time_machine.travel(SUITE_NOW + dt.timedelta(days=30, minutes=1), tick=False):
            r = _get_cases(token)
            assert r.status_code == 401 and "过期" in r.json()["detail"]

    def test_a_password_change_revokes_the_users_tokens(self, world):
        user = world.users["manager"]
        token, _row = tokens.issue(user)
        other, _row = tokens.issue(world.users["compliance"])
        user.set_password("A-new-long-password-7")
        user.save()
        assert _get_cases(token).status_code == 401 and _get_cases(other).status_code == 200
        event = AuditEvent.objects.get(action="auth.token.revoke")
        assert event.changes["reason"] == "password" and event.changes["tokens"] == [token[:8]]

    def test_deactivation_revokes_the_users_tokens(self, world):
        user = world.users["compliance"]
        token, row = tokens.issue(user)
        user.is_active = False
        user.save()
        row.refresh_from_db()
        assert row.revoked_reason == "deactivated" and row.revoked_at is not None
        user.is_active = True
        user.save()
        assert _get_cases(token).status_code == 401  # stays revoked

    def test_the_upgrade_hashes_the_plain_tokens_it_finds(self, world):
        import importlib

        from django.apps import apps
        from rest_framework.authtoken.models import Token

        plain = Token.objects.create(user=world.users["manager"])
        importlib.import_module("concord.staff.migrations.0002_api_tokens").hash_plain_tokens(apps, None)
        assert not Token.objects.exists()
        assert _get_cases(plain.key).status_code == 200


def _env(**changes):
    env = {k: v for k, v in os.environ.items()
           if k not in ("CONCORD_DEV_KEYS", "SECRET_KEY", "CONCORD_PII_KEY", "CONCORD_AUDIT_KEY", "CONCORD_DEBUG",
                        "CONCORD_TWO_FACTOR", "DJANGO_SETTINGS_MODULE", "ALLOWED_HOSTS",
                        "DJANGO_ALLOW_ASYNC_UNSAFE")}  # set by the browser tests when they share this worker
    env.update(changes)
    return env


KEYS = {"SECRET_KEY": "k7#Qm2!xV9pL4rT8wZ1nB6cY3hJ0dF5sG-aE_uI.oP*yR@tW^eQ&vN+mC=bX~zL%",
        "CONCORD_PII_KEY": "q2VhZ5a9oQm1n8kYtqWv0x3Zr7cLb4Gd6Hf2Je9KsPU=",
        "CONCORD_AUDIT_KEY": "audit-key-for-the-settings-test-0123456789abcdef"}


def _django(args, env, tmp_path):
    return subprocess.run([sys.executable, "-m", "django", *args], env={**env, "CONCORD_DATA_DIR": str(tmp_path)},
                          capture_output=True, text=True, timeout=120, cwd=ROOT.parent)


class TestStartup:
    def test_debug_off_without_the_keys_refuses_to_start(self, tmp_path):
        for missing in KEYS:
            env = _env(DJANGO_SETTINGS_MODULE="concord.settings", **{k: v for k, v in KEYS.items() if k != missing})
            run = _django(["check"], env, tmp_path)
            assert run.returncode != 0 and "refuses to start" in run.stderr and missing in run.stderr
        run = _django(["check"], _env(DJANGO_SETTINGS_MODULE="concord.settings", **KEYS), tmp_path)
        assert run.returncode == 0, run.stderr[-2000:]

    def test_development_keys_must_be_asked_for(self, tmp_path):
        run = _django(["check"], _env(DJANGO_SETTINGS_MODULE="concord.settings", CONCORD_DEV_KEYS="1"), tmp_path)
        assert run.returncode == 0, run.stderr[-2000:]
        run = _django(["check"], _env(DJANGO_SETTINGS_MODULE="concord.settings_production", CONCORD_DEV_KEYS="1",
                                      ALLOWED_HOSTS="concord.example.cn"), tmp_path)
        assert run.returncode != 0 and "refuses to start" in run.stderr

    def test_check_deploy_is_clean_with_the_production_settings(self, tmp_path):
        env = _env(DJANGO_SETTINGS_MODULE="concord.settings_production", ALLOWED_HOSTS="concord.example.cn", **KEYS)
        run = _django(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
        assert run.returncode == 0, run.stdout + run.stderr[-3000:]
        assert "System check identified no issues" in run.stdout
        run = _django(["check"], {**env, "CONCORD_TWO_FACTOR": "off"}, tmp_path)
        assert run.returncode != 0 and "two-factor" in run.stderr

    def test_the_production_settings_values(self, tmp_path):
        env = _env(DJANGO_SETTINGS_MODULE="concord.settings_production", ALLOWED_HOSTS="concord.example.cn", **KEYS)
        code = ("from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
                "s.CSRF_COOKIE_SECURE, s.CACHES['default']['BACKEND'], s.AXES_HANDLER, s.CONCORD_SESSION_IDLE_MINUTES)")
        run = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code],
                             env={**env, "CONCORD_DATA_DIR": str(tmp_path)}, capture_output=True, text=True, timeout=120)
        assert run.stdout.split() == ["31536000", "True", "True", "django.core.cache.backends.redis.RedisCache",
                                      "axes.handlers.cache.AxesCacheHandler", "30"], run.stderr[-2000:]


TEMPLATE_DIRS = [p for p in ROOT.rglob("templates") if p.is_dir()]
INLINE = [(re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline script"),
          (re.compile(r"\son[a-z]+\s*=", re.I), "an inline event handler"),
          (re.compile(r"\sstyle\s*=", re.I), "an inline style"),
          (re.compile(r"<style\b", re.I), "a style block"),
          (re.compile(r"javascript:", re.I), "a javascript: URL")]


def test_no_template_needs_inline_scripts_or_styles():
    found = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            found += [f"{path.relative_to(ROOT)}: {what}" for pattern, what in INLINE if pattern.search(text)]
    assert TEMPLATE_DIRS and not found, found


@pytest.mark.django_db
def test_pages_carry_the_content_security_policy(client, world):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    for part in ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
                 "object-src 'none'"]:
        assert part in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.django_db
def test_an_idle_session_ends_after_thirty_minutes(client, world):
    client.force_login(world.users["col_a"])
    assert client.get(reverse("my-work")).status_code == 200
    with time_machine.travel(SUITE_NOW + dt.timedelta(minutes=29), tick=False):
        assert client.get(reverse("my-work")).status_code == 200  # activity: the clock starts again
    with time_machine.travel(SUITE_NOW + dt.timedelta(minutes=58), tick=False):
        assert client.get(reverse("my-work")).status_code == 200
    with time_machine.travel(SUITE_NOW + dt.timedelta(minutes=89), tick=False):
        r = client.get(reverse("my-work"))
        assert r.status_code == 302 and r["Location"].startswith(reverse("login"))
    assert AuditEvent.objects.filter(action="auth.logout", changes__reason="idle").count() == 1
    assert client.get(reverse("my-work")).status_code == 302  # logged out
