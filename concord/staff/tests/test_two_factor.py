"""Two-factor sign-in: required for admin, manager, compliance and creditor users (enrolment on first sign-in, with a
QR code drawn locally and recovery codes), optional for the others, asked on the web, the admin and the API."""
import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from concord.core.models import AuditEvent
from concord.staff import roles, twofactor
from concord.staff.roles import Capability, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def required(settings):
    settings.CONCORD_TWO_FACTOR = "required"


def _code(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _unthrottle(device):
    """django-otp waits 2^n seconds after n wrong codes, and takes each code once: a test that does not wait."""
    from django_otp.plugins.otp_static.models import StaticDevice

    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None,
                                                   last_t=-1)
    StaticDevice.objects.filter(user=device.user).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    device.refresh_from_db()


def _enrol(client, user):
    """Sign in with the password, enrol through the pages; returns the confirmed device and the recovery codes."""
    client.post("/login/", {"username": user.username, "password": f"pw-{user.username}"})
    r = client.get(reverse("two-factor-setup"))
    assert r.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    r = client.post(reverse("two-factor-setup"), {"device": device.pk, "code": _code(device)})
    assert r.status_code == 200, r.content.decode()[:500]
    device.refresh_from_db()
    assert device.confirmed
    return device, r.context["codes"]


def test_the_roles_that_must_use_two_factor():
    assert roles.roles_with(Capability.REQUIRE_TWO_FACTOR) == {Role.ADMIN, Role.MANAGER, Role.COMPLIANCE,
                                                               Role.CREDITOR_VIEWER}


def test_a_manager_is_sent_to_enrolment_and_cannot_reach_a_page_before(client, world, required):
    r = client.post("/login/", {"username": "manager", "password": "pw-manager"})
    assert r.status_code == 302
    r = client.get(reverse("case-list"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("two-factor-setup"))
    assert client.get("/admin/").status_code == 302
    assert client.get("/api/cases/").status_code == 403  # a session that has not given a code


def test_enrolment_shows_a_local_svg_qr_and_gives_recovery_codes(client, world, required):
    user = world.users["manager"]
    client.post("/login/", {"username": "manager", "password": "pw-manager"})
    page = client.get(reverse("two-factor-setup")).content.decode()
    assert '<svg' in page and 'class="segno"' in page and "http" not in page.split('id="totp-qr"')[1][:200]
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.post(reverse("two-factor-setup"), {"device": device.pk, "code": "000000"}).status_code == 200
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    _unthrottle(device)
    r = client.post(reverse("two-factor-setup"), {"device": device.pk, "code": _code(device)})
    codes = r.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get(reverse("case-list")).status_code == 200  # verified in this session
    actions = list(AuditEvent.objects.filter(action__startswith="auth.2fa").values_list("action", flat=True))
    assert actions == ["auth.2fa.enrol.start", "auth.2fa.enrol.failed", "auth.2fa.enrol"]
    assert not any(c in str(AuditEvent.objects.values_list("changes", flat=True)) for c in codes)


def test_the_next_sign_in_asks_for_the_code_and_a_recovery_code_works_once(client, world, required):
    user = world.users["compliance"]
    device, codes = _enrol(client, user)
    client.post(reverse("logout"))
    client.post("/login/", {"username": "compliance", "password": "pw-compliance"})
    r = client.get(reverse("case-list"))
    assert r["Location"].startswith(reverse("two-factor-verify"))
    r = client.post(reverse("two-factor-verify"), {"code": "123456", "next": "/cases/"})
    assert r.status_code == 200 and "验证码错误" in r.content.decode()
    _unthrottle(device)
    r = client.post(reverse("two-factor-verify"), {"code": codes[0], "next": "/cases/"})
    assert r.status_code == 302 and r["Location"] == "/cases/"
    assert not StaticToken.objects.filter(token=codes[0]).exists()  # used up
    client.post(reverse("logout"))
    client.post("/login/", {"username": "compliance", "password": "pw-compliance"})
    assert client.post(reverse("two-factor-verify"), {"code": codes[0]}).status_code == 200  # not twice
    assert AuditEvent.objects.filter(action="auth.2fa.verify", changes__method="recovery_code").count() == 1


def test_a_collector_is_not_asked_until_they_enrol(client, world, required):
    user = world.users["col_a"]
    client.post("/login/", {"username": "col_a", "password": "pw-col_a"})
    assert client.get(reverse("my-work")).status_code == 200
    assert "未绑定" in client.get(reverse("account-security")).content.decode()
    client.post(reverse("logout"))
    _enrol(client, user)
    client.post(reverse("logout"))
    client.post("/login/", {"username": "col_a", "password": "pw-col_a"})
    assert client.get(reverse("my-work"))["Location"].startswith(reverse("two-factor-verify"))


def test_the_api_token_needs_the_code_for_those_who_must(client, world, required):
    api = APIClient()
    body = {"username": "manager", "password": "pw-manager"}
    r = api.post("/api/auth/token/", body, format="json")
    assert r.status_code == 400 and "otp" in r.json()  # not enrolled: enrol on the web first
    device, _codes = _enrol(client, world.users["manager"])
    assert api.post("/api/auth/token/", {**body, "otp": "000000"}, format="json").status_code == 400
    _unthrottle(device)
    r = api.post("/api/auth/token/", {**body, "otp": _code(device)}, format="json")
    assert r.status_code == 200 and r.json()["token"]
    assert APIClient().post("/api/auth/token/", {"username": "col_a", "password": "pw-col_a"},
                            format="json").status_code == 200  # optional for a collector who has not enrolled


def test_regenerating_recovery_codes_and_an_admin_reset(client, world, required):
    user = world.users["viewer"]
    _device, codes = _enrol(client, user)
    r = client.post(reverse("account-security"), {"action": "recovery_codes"})
    fresh = r.context["codes"]
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    twofactor.reset(world.users["admin"], user)
    assert not twofactor.enrolled(user)
    assert AuditEvent.objects.filter(action="auth.2fa.reset", actor=world.users["admin"]).exists()


def test_off_asks_nobody(client, world, settings):
    settings.CONCORD_TWO_FACTOR = "off"
    client.post("/login/", {"username": "manager", "password": "pw-manager"})
    assert client.get(reverse("case-list")).status_code == 200
