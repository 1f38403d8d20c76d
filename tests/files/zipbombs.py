"""Zip bombs as the security review built them: an office document whose one large part is
nothing but zeros, ~200 MB that compress to ~200 kB. Built once per test run, in memory, with
zipfile's own streaming writer; and a way to count what the check really unpacks."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import pytest

import files.checking

ZEROS_MB = 200
_MB = 1024 * 1024


@cache
def zip_bomb(kind: str = "docx", zeros_mb: int = ZEROS_MB) -> bytes:
    """A .docx (or .odt) whose picture, or content, unpacks to ``zeros_mb`` MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        if kind == "odt":
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.text",
                             compress_type=zipfile.ZIP_STORED)
            archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
            large = "content.xml"
        else:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<w:document>Statement</w:document>")
            large = "word/media/image1.png"
        with archive.open(large, "w") as member:
            zeros = bytes(_MB)
            for _ in range(zeros_mb):
                member.write(zeros)
    return out.getvalue()


@dataclass
class Unpacked:
    """Bytes the check unpacked, counted as they came out of zlib (or a stored member)."""

    total: int = 0


def count_unpacked(monkeypatch: pytest.MonkeyPatch) -> Unpacked:
    """Count every byte ``files.checking`` unpacks from here on."""
    counter = Unpacked()
    inflate = files.checking._inflate

    def counting(raw: memoryview, method: int) -> Iterator[bytes]:
        for chunk in inflate(raw, method):
            counter.total += len(chunk)
            yield chunk

    monkeypatch.setattr(files.checking, "_inflate", counting)
    return counter
