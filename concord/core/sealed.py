"""Files kept encrypted at rest under the PII key (``core.pii``): uploads, their error files and issue lists.

A sealed file is ``MAGIC`` followed by records, each ``length (4 bytes) · nonce (12) · AES-GCM ciphertext`` of at
most :data:`CHUNK` plaintext bytes. Each record's associated data is its index and whether it is the last one, so
records cannot be reordered, dropped or the file cut short without :func:`iter_plain` noticing. The key is derived
from the PII master key with its own HKDF label (never the field-encryption key itself).

Every file is created with mode 0600 (and its folders 0700): readable by the service's user only. A file written
before sealing existed (no ``MAGIC``) is read as it is, so older batches stay readable until retention removes them.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import struct
import tempfile
from pathlib import Path
from typing import Iterator

from cryptography.exceptions import InvalidTag

from . import pii

MAGIC = b"CONCORD-SEALED-1\n"
CHUNK = 1 << 20
_LEN = struct.Struct(">I")


class SealedFileError(ValueError):
    """The file was changed, cut short, or sealed under another key."""


def _aad(index: int, last: bool) -> bytes:
    return struct.pack(">QB", index, 1 if last else 0)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and its parents) with mode 0700 for the folders it creates."""
    path = Path(path)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def open_private(path: Path, mode: str = "wb"):
    """Open a new file for writing with mode 0600 (an existing one is truncated and set to 0600)."""
    path = Path(path)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"}))


class SealedWriter:
    """Write a sealed file as a stream: ``write`` bytes or text, then ``close``."""

    def __init__(self, path: Path):
        self._out = open_private(path, "wb")
        self._out.write(MAGIC)
        self._buffer = bytearray()
        self._index = 0
        self._aead = pii.file_cipher()
        self.closed = False

    def write(self, data: bytes | str) -> None:
        self._buffer += data.encode("utf-8") if isinstance(data, str) else data
        while len(self._buffer) > CHUNK:
            self._record(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]

    def _record(self, chunk: bytes, *, last: bool) -> None:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, chunk, _aad(self._index, last))
        self._out.write(_LEN.pack(len(sealed)) + nonce + sealed)
        self._index += 1

    def close(self) -> None:
        if self.closed:
            return
        self._record(bytes(self._buffer), last=True)
        self._buffer.clear()
        self._out.close()
        self.closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def seal_file(source: Path, target: Path) -> None:
    """Write ``source`` to ``target`` sealed."""
    with Path(source).open("rb") as src, SealedWriter(target) as out:
        while chunk := src.read(CHUNK):
            out.write(chunk)


def copy_private(source: Path, target: Path) -> None:
    """Copy a file (sealed or not, as it is) to a new file of mode 0600."""
    with Path(source).open("rb") as src, open_private(target, "wb") as out:
        shutil.copyfileobj(src, out, CHUNK)


def is_sealed(path: Path) -> bool:
    with Path(path).open("rb") as fh:
        return fh.read(len(MAGIC)) == MAGIC


def iter_plain(path: Path) -> Iterator[bytes]:
    """The plaintext of a sealed file in chunks (a file that is not sealed, as it is)."""
    with Path(path).open("rb") as fh:
        head = fh.read(len(MAGIC))
        if head != MAGIC:  # written before files were sealed
            if head:
                yield head
            while chunk := fh.read(CHUNK):
                yield chunk
            return
        aead, index, last = pii.file_cipher(), 0, False
        while not last:
            size = fh.read(_LEN.size)
            if len(size) < _LEN.size:
                raise SealedFileError(f"{Path(path).name}: cut short")
            record = fh.read(12 + _LEN.unpack(size)[0])
            nonce, body = record[:12], record[12:]
            for final in (False, True):
                try:
                    chunk = aead.decrypt(nonce, body, _aad(index, final))
                except InvalidTag:
                    continue
                last = final
                break
            else:
                raise SealedFileError(f"{Path(path).name}: record {index} does not open (changed, or another key)")
            index += 1
            yield chunk
        if fh.read(1):
            raise SealedFileError(f"{Path(path).name}: data after the last record")


def read_plain(path: Path) -> bytes:
    return b"".join(iter_plain(path))


def iter_lines(path: Path) -> Iterator[str]:
    """The text lines of a sealed UTF-8 file (without their line ends)."""
    rest = b""
    for chunk in iter_plain(path):
        rest += chunk
        *lines, rest = rest.split(b"\n")
        for line in lines:
            yield line.decode("utf-8")
    if rest:
        yield rest.decode("utf-8")


@contextlib.contextmanager
def plain_copy(path: Path, suffix: str = "") -> Iterator[Path]:
    """A plaintext copy of a sealed file in a private temporary folder (0700, the file 0600) for code that needs
    a path (spreadsheet readers, a parsing process); removed when the block ends."""
    folder = Path(tempfile.mkdtemp(prefix="concord-"))
    try:
        target = folder / f"plain{suffix or Path(path).suffix}"
        with open_private(target, "wb") as out:
            for chunk in iter_plain(path):
                out.write(chunk)
        yield target
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def file_response(path: Path, *, filename: str = "", content_type: str = "application/octet-stream",
                  attachment: bool = True):
    """A download of a sealed file, decrypted as it streams out."""
    from django.http import StreamingHttpResponse
    from django.utils.http import content_disposition_header

    response = StreamingHttpResponse(iter_plain(path), content_type=content_type or "application/octet-stream")
    if filename or attachment:
        response["Content-Disposition"] = content_disposition_header(attachment, filename or Path(path).name)
    return response
