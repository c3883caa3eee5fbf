"""CPU seconds used so far, for the benchmarks' figures: this process or its waited-for children, the PostgreSQL
backend of Django's connection, and the whole local PostgreSQL server (read from ``/proc``)."""
from __future__ import annotations

import os
import resource
from pathlib import Path


def of(who: int = resource.RUSAGE_SELF) -> float:
    """User + system seconds of this process (all threads), or with ``RUSAGE_CHILDREN`` of the children (and
    their descendants) that have exited and been waited for."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _stat(pid) -> tuple[str, list[str]]:
    """A process's name and the fields of ``/proc/PID/stat`` after it (``fields[11:15]``: utime, stime, cutime,
    cstime in clock ticks)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    name, _, rest = text.partition(" (")[2].rpartition(") ")
    return name, rest.split()


def backend() -> float | None:
    """This Django connection's PostgreSQL backend process; None on another database or a remote server."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [(pid,)] = cursor.fetchall()
    try:
        fields = _stat(pid)[1]
    except OSError:  # a server on another machine
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_server() -> float:
    """Every ``postgres`` process of the local server, with the backends that have exited (counted in their
    parent's children time). Includes autovacuum and the checkpointer."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, fields = _stat(stat.parent.name)
        except OSError:
            continue
        if name == "postgres":
            total += sum(int(v) for v in fields[11:15])
    return total / os.sysconf("SC_CLK_TCK")
