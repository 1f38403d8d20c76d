"""Checking uploads: ten zip bombs in one request against ten honest documents of the same size.

The security review sent ten ``.docx`` files of about 200 kB, each unpacking to 199 MB of
zeros, in one request; checking them took seconds per file and hundreds of MB. Here the same
ten files go through ``files.checking.check_file`` with one request budget (as the services
pass it), against ten honest ``.docx`` files of about the same compressed size (random words,
which barely compress) in the same run. The target: refusing the bombs costs no more than
accepting honest documents, and peak memory stays a small fraction of what the bombs hold.
"""

from __future__ import annotations

import io
import random
import tracemalloc
import zipfile
from collections.abc import Callable
from typing import IO

from bench.common import Result, median, timed

FILES = 10
BOMB_MB = 199
_MB = 1024 * 1024
REPEAT = 5


def _docx(part_name: str, write_part: Callable[[IO[bytes]], None]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>Statement</w:document>")
        with archive.open(part_name, "w") as member:
            write_part(member)
    return out.getvalue()


def _bomb() -> bytes:
    zeros = bytes(_MB)

    def write(member: IO[bytes]) -> None:
        for _ in range(BOMB_MB):
            member.write(zeros)

    return _docx("word/media/image1.png", write)


def _honest(size: int) -> bytes:
    words = random.Random(7)

    def write(member: IO[bytes]) -> None:
        member.write(bytes(words.getrandbits(8) for _ in range(size)))

    return _docx("word/media/image1.bin", write)


def _check_all(documents: list[bytes]) -> int:
    """Check the files of one request; how many were refused."""
    from django.conf import settings

    from files.checking import UnpackBudget, check_file
    from files.exceptions import FileRefused

    budget = UnpackBudget(per_file=settings.ATTACHMENT_MAX_UNPACKED_BYTES,
                          per_request=settings.ATTACHMENT_MAX_UNPACKED_BYTES_PER_REQUEST)
    refused = 0
    for index, content in enumerate(documents):
        try:
            check_file(filename=f"statement-{index}.docx", content=content, budget=budget)
        except FileRefused:
            refused += 1
    return refused


def _peak_mb(documents: list[bytes]) -> float:
    tracemalloc.start()
    _check_all(documents)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / _MB


def run() -> list[Result]:
    bombs = [_bomb()] * FILES
    honest = [_honest(len(bombs[0]))] * FILES
    assert _check_all(bombs) == FILES, "every bomb must be refused"
    assert _check_all(honest) == 0, "honest documents must be accepted"
    bomb_s = median(timed(lambda: _check_all(bombs), repeat=REPEAT))
    honest_s = median(timed(lambda: _check_all(honest), repeat=REPEAT))
    bomb_mb = _peak_mb(bombs)
    size_kb = len(bombs[0]) / 1024
    return [
        Result("uploads", f"refuse {FILES} zip bombs ({size_kb:.0f} kB -> {BOMB_MB} MB each), "
               "one request", bomb_s * 1000, "ms",
               f"accept {FILES} honest .docx of the same size", honest_s * 1000,
               "<= 1x baseline", bomb_s <= honest_s),
        Result("uploads", "peak memory refusing the bombs", bomb_mb, "MB",
               "what the bombs unpack to", float(FILES * BOMB_MB), "< 0.01x",
               bomb_mb < 0.01 * FILES * BOMB_MB),
    ]
