"""Signing in with two factors in a real browser, under the Content-Security-Policy: a manager enrols an
authenticator (QR code, secret, first code), keeps the recovery codes and reaches the dashboard; no page the walk
passes through breaks the policy (the browser reports every violation on the console)."""
import base64

import pytest
from django.urls import reverse

from tests.browser.test_ui_browser import browser, page, transactional_world  # noqa: F401  (shared fixtures)

pytestmark = pytest.mark.browser


def _code(secret: str) -> str:
    from django_otp.oath import totp

    return f"{totp(base64.b32decode(secret + '=' * (-len(secret) % 8))):06d}"


def test_a_manager_enrols_and_signs_in_with_two_factors(page, live_server, transactional_world, settings):  # noqa: F811
    settings.CONCORD_TWO_FACTOR = "required"
    violations = []
    page.on("console", lambda msg: violations.append(f"{page.url}: {msg.text[:160]}")
            if "Content Security Policy" in msg.text else None)
    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", "manager")
    page.fill("input[name=password]", "pw-manager")
    page.click("button[type=submit]")
    page.wait_for_url(f"**{reverse('two-factor-setup')}**")
    assert page.locator("#totp-qr svg").count() == 1
    secret = page.inner_text("#totp-secret").strip()
    page.fill("#two-factor-setup input[name=code]", _code(secret))
    page.click("#two-factor-setup button[type=submit]")
    codes = page.locator("#recovery-codes li")
    codes.first.wait_for()
    assert codes.count() == 10
    page.click("text=我已保存，继续")
    page.wait_for_url(f"**{reverse('dashboard')}")
    assert page.locator("svg.chart").count() == 2
    page.click("text=案件")
    page.locator("#case-table tbody tr a").first.click()
    page.locator("#profile button", has_text="查看").first.click()  # htmx under the policy
    page.wait_for_selector("#profile .revealed")
    assert violations == []
