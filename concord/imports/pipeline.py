"""Reading a large file in a second process while this one writes: parsing and validation (about a third of an
import's time) run on another core instead of between the chunks.

:func:`open_rows` returns what the kind's ``parse_file`` returns — an object with the file's facts (``format``,
``sheet``, ``header_row``, ``headers``, ``encoding``, ``delimiter``, ``mapping``, ``unknown_columns``,
``skipped_sheets``) that iterates :class:`~concord.imports.rows.RowResult` — either the parsed file itself (small
files, where starting a process costs more than it saves) or a :class:`ParsingProcess` that runs that same
``parse_file`` in a child process and hands the rows over in batches. The rows, their order and their problems are
the same either way: the child runs the same code. The child only reads the file; it never touches the database.

The queue between the two is bounded (``QUEUE_BATCHES`` batches of ``BATCH_ROWS`` rows), so memory stays bounded
whatever the file's size; a file the child cannot read raises the same :class:`FileRejected` here, at the same
point (at once, or when the iteration reaches a truncated part).
"""
from __future__ import annotations

import dataclasses
import functools
import io
import multiprocessing
import os
import pickle
import queue as queue_module
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.functional import Promise, lazy

BATCH_ROWS = 500
QUEUE_BATCHES = 8
_FACTS = ("format", "sheet", "header_row", "headers", "encoding", "delimiter", "mapping", "unknown_columns",
          "skipped_sheets")
_WAIT_SECONDS = 5  # how often the reader checks that the child is still alive while waiting for rows


def open_rows(kind: str, path: Path, *, today, encoding: str | None, profile) -> Any:
    """The parsed rows of ``path`` for the import kind ``kind`` (a key of ``concord.imports.kinds.KINDS``), read
    in a child process when the file is at least ``CONCORD_IMPORTS_PARSER_PROCESS_BYTES`` long (0: never)."""
    from .kinds import KINDS

    threshold = settings.CONCORD_IMPORTS_PARSER_PROCESS_BYTES
    if threshold <= 0 or Path(path).stat().st_size < threshold:
        return KINDS[kind].parse_file(path, today=today, encoding=encoding, profile=profile)
    return ParsingProcess(kind, path, today=today, encoding=encoding, profile=profile)


class ParsingProcess:
    """The kind's ``parse_file`` running in a child process; iterate it like the parsed file. Call :meth:`close`
    (or use it as a context manager) to stop the child if the rows are not read to the end."""

    def __init__(self, kind: str, path: Path, *, today, encoding: str | None, profile):
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: no inherited threads or connections
        self._queue = context.Queue(maxsize=QUEUE_BATCHES)
        job = pickle.dumps((kind, str(path), today, encoding, profile))
        settings_module = os.environ.get("DJANGO_SETTINGS_MODULE", "concord.settings")
        self._process = context.Process(target=_parse_in_child, args=(settings_module, job, self._queue),
                                        name=f"concord-parse-{kind}", daemon=True)
        self._process.start()
        self._batch: list = []
        self._done = False
        try:
            facts = self._receive()
        except BaseException:
            self.close()
            raise
        for name in _FACTS:
            setattr(self, name, facts.get(name))

    def __iter__(self) -> "ParsingProcess":
        return self

    def __next__(self):
        while not self._batch:
            if self._done:
                raise StopIteration
            rows = self._receive()
            if rows is None:
                self._done = True
                self._process.join()
                raise StopIteration
            self._batch = rows[::-1]  # pop() from the end keeps file order
        return self._batch.pop()

    def _receive(self):
        while True:
            try:
                tag, payload = self._queue.get(timeout=_WAIT_SECONDS)
            except queue_module.Empty:
                if not self._process.is_alive():
                    self._done = True
                    raise RuntimeError(f"the file reader process ended unexpectedly "
                                       f"(exit code {self._process.exitcode})") from None
                continue
            if tag == "error":
                self._done = True
                self._process.join()
                raise pickle.loads(payload)
            return pickle.loads(payload)

    def close(self) -> None:
        self._done, self._batch = True, []
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._queue.close()

    def __enter__(self) -> "ParsingProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _RowPickler(pickle.Pickler):
    """Pickles rows for the reading process's queue faster to load than the default: translatable text (Django's
    lazy strings) without building a new lazy class for every message (``django.utils.functional.lazy`` does, at
    about a millisecond each), and dataclass records as their values in field order."""

    def reducer_override(self, obj):
        if isinstance(obj, Promise):
            _rebuild, (func, args, kwargs, *resultclasses) = obj.__reduce__()
            return _lazy_text, (func, tuple(resultclasses), args, kwargs)
        names = _init_fields(type(obj)) if dataclasses.is_dataclass(obj) and not isinstance(obj, type) else None
        if names is not None:  # a row's record: its values in field order, rebuilt by calling the class
            return type(obj), tuple(getattr(obj, name) for name in names)
        return NotImplemented


@functools.lru_cache(maxsize=None)
def _init_fields(cls) -> tuple[str, ...] | None:
    """The fields of a dataclass in ``__init__`` order, or None when some field is not set by ``__init__``."""
    fields = dataclasses.fields(cls)
    return tuple(f.name for f in fields) if all(f.init for f in fields) else None


@functools.lru_cache(maxsize=None)
def _lazy_of(func, resultclasses: tuple):
    return lazy(func, *resultclasses)


def _lazy_text(func, resultclasses: tuple, args, kwargs):
    return _lazy_of(func, resultclasses)(*args, **kwargs)


def _dumps(obj) -> bytes:
    buffer = io.BytesIO()
    _RowPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buffer.getvalue()


def _parse_in_child(settings_module: str, job: bytes, queue) -> None:
    """The child: set up Django (no database use), parse, send the facts, then the rows in batches, then None."""
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    from .kinds import KINDS

    kind, path, today, encoding, profile = pickle.loads(job)
    try:
        parsed = KINDS[kind].parse_file(path, today=today, encoding=encoding, profile=profile)
        queue.put(("facts", _dumps({name: getattr(parsed, name, None) for name in _FACTS})))
        batch = []
        for row in parsed:
            batch.append(row)
            if len(batch) >= BATCH_ROWS:
                queue.put(("rows", _dumps(batch)))
                batch = []
        if batch:
            queue.put(("rows", _dumps(batch)))
        queue.put(("rows", _dumps(None)))
    except Exception as exc:  # the parent raises it where it reads the rows
        try:
            payload = _dumps(exc)
        except Exception:
            payload = _dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))
        queue.put(("error", payload))
    queue.close()
    queue.join_thread()
