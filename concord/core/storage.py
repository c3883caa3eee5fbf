"""Uploaded files kept on disk under ``settings.DATA_DIR/<folder>/<owner>/``: checked, named by a random token
(never by the uploader's file name), hashed, sealed under the PII key (``core.sealed``) with mode 0600. Used by
field-visit reports and legal documents; read them back with ``sealed.file_response`` / ``sealed.read_plain``.

The database keeps the relative path, the original name, the size and the SHA-256; :func:`resolve` turns a stored
path back into a file inside its folder (a path that escapes the folder is refused).
"""
from __future__ import annotations

import hashlib
import mimetypes
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import sealed

MAX_BYTES = 20 * 1024 * 1024
EXTENSIONS = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".pdf", ".doc", ".docx", ".xls", ".xlsx",
              ".txt", ".ofd"}


@dataclass(frozen=True)
class StoredFile:
    path: str           # relative to DATA_DIR, with forward slashes
    name: str           # the uploader's file name (for display and download)
    size: int
    sha256: str
    content_type: str


def _root() -> Path:
    return Path(settings.DATA_DIR).resolve()


def check_upload(upload, field: str = "files") -> None:
    """ValidationError on ``field`` when the file is empty, too large or of a type not accepted."""
    name = os.path.basename(getattr(upload, "name", "") or "")
    ext = os.path.splitext(name)[1].lower()
    if not name:
        raise ValidationError({field: [_("文件缺少名称")]})
    if ext not in EXTENSIONS:
        raise ValidationError({field: [_("文件“%(n)s”的类型不允许（允许：%(e)s）")
                                       % {"n": name, "e": " ".join(sorted(EXTENSIONS))}]})
    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise ValidationError({field: [_("文件“%(n)s”为空") % {"n": name}]})
    if size > MAX_BYTES:
        raise ValidationError({field: [_("文件“%(n)s”超过 %(m)d MB") % {"n": name, "m": MAX_BYTES // (1024 * 1024)}]})


def store(folder: str, owner_id, upload) -> StoredFile:
    """Write ``upload`` (a Django UploadedFile or any object with ``name``, ``size`` and ``chunks()``/``read()``)
    under ``DATA_DIR/folder/owner_id/``. The caller deletes it with :func:`remove` if its transaction fails."""
    check_upload(upload)
    name = os.path.basename(upload.name)[:200]
    ext = os.path.splitext(name)[1].lower()
    rel = f"{folder}/{int(owner_id)}/{uuid.uuid4().hex}{ext}"
    target = _root() / rel
    sealed.private_dir(target.parent)
    digest, size = hashlib.sha256(), 0  # of the file as uploaded
    chunks = upload.chunks() if hasattr(upload, "chunks") else [upload.read()]
    with sealed.SealedWriter(target) as out:
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return StoredFile(rel, name, size, digest.hexdigest(), content_type)


def resolve(folder: str, rel: str) -> Path:
    """The absolute path of a stored file, refused when it lies outside ``DATA_DIR/folder``."""
    base = (_root() / folder).resolve()
    path = (_root() / rel).resolve()
    if base not in path.parents:
        raise ValidationError({"file": [_("文件路径无效")]})
    return path


def remove(stored: list[StoredFile]) -> None:
    for f in stored:
        try:
            (_root() / f.path).unlink()
        except OSError:
            pass
