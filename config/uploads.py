"""Uploads held in memory only, bounded per file and per request.

A reporter's evidence must never sit unencrypted in a temporary file, so every file stays in
memory until the service encrypts it. Memory is bounded instead: a file over
``ATTACHMENT_MAX_BYTES``, or beyond the ``ATTACHMENT_MAX_FILES``-th, is read and dropped rather
than kept, and named in ``request.refused_uploads``. The form can then say which file was
refused while everything else the person typed survives.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers
from django.http import HttpRequest

TOO_LARGE = "too_large"
TOO_MANY = "too_many"


class BoundedMemoryUploadHandler(FileUploadHandler):
    # ``refused_uploads`` is this handler's own addition to the request, so HttpRequest does
    # not declare it: the two ignores below are for that attribute.
    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.files_seen = 0
        self.buffer: BytesIO | None = None
        self.refusal = ""
        if request is not None and not hasattr(request, "refused_uploads"):
            request.refused_uploads = []  # type: ignore[attr-defined]

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.files_seen += 1
        self.refusal = TOO_MANY if self.files_seen > settings.ATTACHMENT_MAX_FILES else ""
        self.buffer = None if self.refusal else BytesIO()
        raise StopFutureHandlers

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self.buffer is None:
            return None
        if start + len(raw_data) > settings.ATTACHMENT_MAX_BYTES:
            self.refusal, self.buffer = TOO_LARGE, None
            return None
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile | None:
        if self.buffer is None:
            if self.request is not None:
                self.request.refused_uploads.append(  # type: ignore[attr-defined]
                    (self.file_name, self.refusal))
            return None
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer, field_name=self.field_name, name=self.file_name,
            content_type=self.content_type, size=file_size, charset=self.charset,
            content_type_extra=self.content_type_extra)
