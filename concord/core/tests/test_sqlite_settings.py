"""A SQLite database file opens in WAL mode (readers do not wait for a writer) with a 64 MB page cache."""
from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseWrapper


def test_a_sqlite_file_opens_in_wal_mode_with_a_large_cache(tmp_path, django_db_blocker):
    path = tmp_path / "concord.sqlite3"
    wrapper = DatabaseWrapper({"ENGINE": "django.db.backends.sqlite3", "NAME": str(path),
                               "OPTIONS": dict(settings.SQLITE_OPTIONS), "TIME_ZONE": None, "CONN_MAX_AGE": 0,
                               "CONN_HEALTH_CHECKS": False, "AUTOCOMMIT": True, "ATOMIC_REQUESTS": False})
    with django_db_blocker.unblock():  # a connection of its own to a file, not the test database
        try:
            with wrapper.cursor() as cursor:
                assert cursor.execute("PRAGMA journal_mode").fetchone() == ("wal",)
                assert cursor.execute("PRAGMA cache_size").fetchone() == (-65536,)
                cursor.execute("CREATE TABLE t (x INTEGER)")
                cursor.execute("INSERT INTO t VALUES (1)")
        finally:
            wrapper.close()
