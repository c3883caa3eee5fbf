"""PII at rest: AES-GCM ciphertext in the database, keyed blind indexes for exact search."""
import base64
import hashlib
import hmac
import stat

import pytest
from hypothesis import given
from hypothesis import strategies as st
from cryptography.exceptions import InvalidTag
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from concord.conftest import TEST_PII_KEY, resident_id
from concord.core import pii
from concord.core.models import AuditEvent
from concord.debtors import services
from concord.debtors.models import ContactPoint, Debtor, RelatedParty
from concord.debtors.selectors import debtor_ids_with_contact, find_debtor

ID_NUMBER = resident_id("110105", "19900101", 123)   # 110105199001011232
PHONE = "13812348000"
OTHER_KEY = base64.urlsafe_b64encode(b"k" * 32).decode()


def _use_key(settings, key):
    settings.CONCORD_PII_KEY = key
    pii.reset_keys()


class TestCrypto:
    def test_roundtrip_including_cjk(self):
        for text in ["110105199001011232", "+8613812348000", "北京市朝阳区建国路88号", "", "x" * 5000]:
            assert pii.decrypt(pii.encrypt(text)) == text

    def test_ciphertext_differs_each_time_and_hides_the_plaintext(self):
        a, b = pii.encrypt(ID_NUMBER), pii.encrypt(ID_NUMBER)
        assert a != b
        assert a.startswith(pii.PREFIX)
        assert ID_NUMBER not in a and ID_NUMBER[-4:] not in a

    def test_tampered_ciphertext_is_refused(self):
        token = pii.encrypt(ID_NUMBER)
        raw = bytearray(base64.urlsafe_b64decode(token[len(pii.PREFIX):]))
        raw[-1] ^= 1
        with pytest.raises(InvalidTag):
            pii.decrypt(pii.PREFIX + base64.urlsafe_b64encode(bytes(raw)).decode())

    def test_not_a_ciphertext(self):
        with pytest.raises(ValueError):
            pii.decrypt(ID_NUMBER)

    def test_another_key_cannot_decrypt(self, settings):
        token = pii.encrypt(ID_NUMBER)
        _use_key(settings, OTHER_KEY)
        with pytest.raises(InvalidTag):
            pii.decrypt(token)

    def test_blind_index_is_deterministic_and_separates_kinds(self):
        assert pii.blind_index("id_number", ID_NUMBER) == pii.blind_index("id_number", ID_NUMBER)
        assert pii.blind_index("id_number", ID_NUMBER) != pii.blind_index("contact", ID_NUMBER)
        assert ID_NUMBER not in pii.blind_index("id_number", ID_NUMBER)

    def test_blind_index_is_the_keyed_hmac_in_base32_as_stored(self):
        """The index is HMAC-SHA256 of ``kind:value``, its first 20 bytes in lower-case base32: indexes already in
        a database keep matching."""
        _, key = pii._keys()
        digest = hmac.new(key, b"contact:+8613812348000", hashlib.sha256).digest()[:20]
        assert pii.blind_index("contact", "+8613812348000") == base64.b32encode(digest).decode().lower()

    @given(st.binary(min_size=20, max_size=20))
    def test_the_fast_base32_is_the_library_base32(self, data):
        assert pii._base32(data) == base64.b32encode(data).decode().rstrip("=").lower()

    def test_a_different_key_gives_different_indexes(self, settings):
        first = pii.blind_index("contact", "+8613812348000")
        _use_key(settings, OTHER_KEY)
        assert pii.blind_index("contact", "+8613812348000") != first
        _use_key(settings, TEST_PII_KEY)
        assert pii.blind_index("contact", "+8613812348000") == first

    @pytest.mark.parametrize("key", ["not base64 at all!!", base64.urlsafe_b64encode(b"short").decode()])
    def test_bad_key_is_a_configuration_error(self, settings, key):
        _use_key(settings, key)
        with pytest.raises(ImproperlyConfigured):
            pii.encrypt("x")

    def test_without_a_key_a_private_key_file_is_created_and_reused(self, settings, tmp_path):
        settings.CONCORD_PII_KEY_FILE = tmp_path / "sub" / "pii.key"
        _use_key(settings, "")
        token = pii.encrypt("secret")
        key_file = tmp_path / "sub" / "pii.key"
        assert key_file.exists()
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert len(base64.urlsafe_b64decode(key_file.read_text())) == 32
        pii.reset_keys()
        assert pii.decrypt(token) == "secret"

    def test_generate_key_and_genkey_command(self, capsys):
        assert pii.generate_key() != pii.generate_key()
        call_command("pii", "genkey")
        key = capsys.readouterr().out.strip()
        assert len(base64.urlsafe_b64decode(key)) == 32


@pytest.fixture
def debtor(db):
    d = services.register_debtor(None, full_name="张三", id_number=ID_NUMBER)
    services.add_contact_point(None, d, kind="mobile", value=PHONE, is_primary=True)
    services.add_contact_point(None, d, kind="email", value="ZhangSan@Example.com")
    services.add_related_party(None, d, role="spouse", full_name="李梅", phone="13900001111")
    return d


def _raw_rows(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        return ["" if v is None else str(v) for row in cursor.fetchall() for v in row]


@pytest.mark.django_db
class TestAtRest:
    def test_plaintext_id_and_phone_are_nowhere_in_the_database_rows(self, debtor):
        secrets = [ID_NUMBER, "199001011232", PHONE, "+8613812348000", "zhangsan@example.com", "13900001111"]
        tables = [Debtor._meta.db_table, ContactPoint._meta.db_table, RelatedParty._meta.db_table,
                  AuditEvent._meta.db_table]
        for table in tables:
            cells = _raw_rows(table)
            assert cells, table
            for secret in secrets:
                assert not any(secret in cell for cell in cells), f"{secret} found in {table}"

    def test_python_sees_plaintext(self, debtor):
        fresh = Debtor.objects.get(pk=debtor.pk)
        assert fresh.id_number == ID_NUMBER
        assert fresh.id_last4 == "1232"
        assert sorted(fresh.contact_points.values_list("value", flat=True)) == ["+8613812348000",
                                                                               "zhangsan@example.com"]

    def test_raw_column_is_ciphertext_that_decrypts(self, debtor):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id_number, id_number_index FROM {Debtor._meta.db_table} WHERE id = %s",
                           [debtor.pk])
            stored, index = cursor.fetchone()
        assert stored.startswith(pii.PREFIX) and pii.decrypt(stored) == ID_NUMBER
        assert index == pii.blind_index("id_number", ID_NUMBER)

    def test_find_debtor_by_blind_index(self, debtor):
        assert find_debtor("cn_ric", ID_NUMBER) == debtor
        assert find_debtor("cn_ric", ID_NUMBER.lower() + " ") == debtor
        assert find_debtor("passport", ID_NUMBER) is None
        assert find_debtor("cn_ric", resident_id(seq=124)) is None

    @pytest.mark.parametrize("value", ["13812348000", "138-1234-8000", "+86 138 1234 8000", "+8613812348000",
                                       "0086-138-1234-8000"])
    def test_contact_lookup_accepts_any_phone_format(self, debtor, value):
        assert debtor_ids_with_contact(value) == [debtor.pk]

    def test_contact_lookup_by_email_and_misses(self, debtor):
        assert debtor_ids_with_contact("zhangsan@example.com") == [debtor.pk]
        assert debtor_ids_with_contact("ZHANGSAN@example.com ") == [debtor.pk]
        assert debtor_ids_with_contact("13812348001") == []

    def test_a_different_key_finds_nothing(self, debtor, settings):
        _use_key(settings, OTHER_KEY)
        assert find_debtor("cn_ric", ID_NUMBER) is None
        assert debtor_ids_with_contact(PHONE) == []
