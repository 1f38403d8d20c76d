"""Encryption at rest: the field layer against the raw AES-GCM primitive, and a page of cases.

Throughput per value size (200 B, 4 KB, 1 MB) for encryption (``pre_save``, what ``Model.save()``
runs) and decryption (reading the attribute of a loaded row, which holds the sealed value
``from_db_value`` made: the data key found through the model's declared path, the binding, the
checks, the decryption, the codec), each against ``AESGCM.encrypt``/``decrypt`` (fresh random
nonce) on the same bytes in the same run. The size series uses a bytes field on a case-owned
model (attachments are the large values); the text field of ``Case`` is measured at 4 KB too,
its UTF-8 codec included.

The page figure is what reading one encrypted field adds to a freshly loaded page of 50 cases
(50 data keys unwrapped, 50 values decrypted), next to the page query itself.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from bench.common import Result, bench_database, median, percentile, timed

if TYPE_CHECKING:  # imported where used, once Django is set up
    from django.db.models import Model

    from cases.models import Case
    from crypto.fields import Ciphertext

SIZES = ((200, "200 B"), (4 * 1024, "4 KB"), (1024 * 1024, "1 MB"))
TARGET_SIZE = 4 * 1024
PAGE_SIZE = 50
PAGE_REPEAT = 200


@functools.cache
def _attachment_model() -> type[Model]:
    """A case-owned model with a bytes field, like the attachments to come. Never migrated:
    only its field layer runs here, no table is needed."""
    from django.db import models

    from cases.models import Case
    from crypto.fields import EncryptedBytesField

    class BenchAttachment(models.Model):
        id = models.UUIDField(primary_key=True, default=uuid.uuid4)
        case = models.ForeignKey(Case, on_delete=models.DO_NOTHING, related_name="+")
        content = EncryptedBytesField(null=True)

        encryption_key_path = "case"

        class Meta:
            app_label = "bench_crypto"
            managed = False

        def __str__(self) -> str:
            return str(self.pk)

    return BenchAttachment


def _per_op(fn: Callable[[], object], *, ops: int, rounds: int = 15) -> float:
    """Seconds per call: the median over rounds of a batch, so timer overhead stays out."""

    def batch() -> None:
        for _ in range(ops):
            fn()

    batch()  # warm-up
    return median(timed(batch, repeat=rounds)) / ops


def _compare(
    measure: str, size: int, ours: Callable[[], object], theirs: Callable[[], object]
) -> Result:
    ops = max(5, min(2000, 8_000_000 // size))
    ours_s, theirs_s = _per_op(ours, ops=ops), _per_op(theirs, ops=ops)
    value, base = size / ours_s / 1e6, size / theirs_s / 1e6
    judged = size == TARGET_SIZE
    return Result(
        benchmark="crypto", measure=measure, value=value, unit="MB/s", baseline="raw AESGCM",
        baseline_value=base, target=">= 0.5x primitive" if judged else "",
        met=(value >= 0.5 * base) if judged else None,
    )


def _encrypt_decrypt(
    instance: Model, field_name: str, value: object, data: bytes, label: str
) -> list[Result]:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from crypto.fields import EncryptedField, Sealed

    field = type(instance)._meta.get_field(field_name)
    assert isinstance(field, EncryptedField)
    binding = field.binding(instance)
    primitive = AESGCM(os.urandom(32))
    size = len(data)

    def field_encrypt() -> Ciphertext:
        setattr(instance, field_name, value)
        return field.pre_save(instance, add=False)

    blob = bytes(field_encrypt().data)

    # The row as loaded: from_db_value wraps the stored bytes once per load, and that cost is
    # in the page query (below), not in reading. Reading never changes the wrapper, so the same
    # one is put back before every read, like a fresh load would leave it.
    loaded = Sealed(blob)

    def field_decrypt() -> object:
        instance.__dict__[field.attname] = loaded
        return getattr(instance, field_name)

    nonce = os.urandom(12)
    sealed = primitive.encrypt(nonce, data, binding)
    return [
        _compare(f"{label} encrypt", size, field_encrypt,
                 lambda: primitive.encrypt(os.urandom(12), data, binding)),
        _compare(f"{label} decrypt", size, field_decrypt,
                 lambda: primitive.decrypt(nonce, sealed, binding)),
    ]


def _throughput() -> list[Result]:
    from cases.models import Case

    case = Case.objects.create()
    attachment = _attachment_model()(case=case)
    results = []
    for size, label in SIZES:
        data = os.urandom(size)
        results += _encrypt_decrypt(attachment, "content", data, data, f"bytes field {label}")
    text = "x" * TARGET_SIZE
    results += _encrypt_decrypt(case, "reporter_email", text, text.encode(), "text field 4 KB")
    return results


def _read_emails(page: list[Case]) -> list[object]:
    return [case.reporter_email for case in page]


def _page() -> list[Result]:
    from cases.models import Case

    for number in range(PAGE_SIZE):
        case = Case()
        case.set_reporter_email(f"reporter{number}@example.org".ljust(200, "."))
        case.save()

    def load_page() -> list[Case]:
        return list(Case.objects.order_by("pk")[:PAGE_SIZE])

    query_times, decrypt_times = [], []
    for _ in range(PAGE_REPEAT):
        query_times.extend(timed(load_page, repeat=1))
        page = load_page()  # fresh instances: nothing unwrapped or decrypted yet
        decrypt_times.extend(timed(functools.partial(_read_emails, page), repeat=1))
    extra_ms = median(decrypt_times) * 1000
    return [
        Result(
            benchmark="crypto", measure=f"decryption added to a page of {PAGE_SIZE} (median)",
            value=extra_ms, unit="ms", baseline="page query, no decryption",
            baseline_value=median(query_times) * 1000, target="< 2 ms", met=extra_ms < 2,
        ),
        Result(
            benchmark="crypto", measure=f"decryption added to a page of {PAGE_SIZE} (p95)",
            value=percentile(decrypt_times, 95) * 1000, unit="ms",
            baseline="page query, no decryption",
            baseline_value=percentile(query_times, 95) * 1000,
        ),
    ]


def run() -> list[Result]:
    with bench_database():
        return _throughput() + _page()
