"""Re-wrapping data keys under the newest KEK (crypto.rotation): resumable, and yielding to
changes made while it runs. The command around it: tests/cases/test_rotate_keys.py."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from pytest_django import Settings

from cases.models import Case
from crypto import envelope, rotation
from crypto.canary import verify_canary
from crypto.keys import KeyRing
from crypto.models import KeyCanary
from crypto.rotation import keys_to_rewrap, rewrap_data_keys
from tests.crypto.helpers import fresh, raw_column
from tests.crypto.probe import NEW, OLD, start_under_old_key


@pytest.mark.django_db
def test_removing_the_old_key_before_rotating_stops_start_up(settings: Settings) -> None:
    start_under_old_key(settings, 1)
    settings.ENCRYPTION_KEYS = NEW
    with pytest.raises(ImproperlyConfigured, match="does not contain the key 'k-old'"):
        verify_canary()


@pytest.mark.django_db
def test_an_interrupted_rotation_resumes_with_the_rest(settings: Settings) -> None:
    start_under_old_key(settings, 5)
    settings.ENCRYPTION_KEYS = f"{NEW},{OLD}"

    def stop_after_first_batch(done: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rewrap_data_keys(batch_size=2, progress=stop_after_first_batch)
    assert keys_to_rewrap() == 3
    assert KeyCanary.objects.get().key_id == "k-old"  # moves only once all cases have
    result = rewrap_data_keys(batch_size=2)
    assert (result.rewrapped, result.skipped_busy, result.canary_rewrapped) == (3, 0, True)


@pytest.mark.django_db
def test_a_key_changed_between_read_and_rewrap_is_not_overwritten(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a concurrent shredding (or a second rotation run) does between the batch's read and
    its write wins: the re-wrap is a conditional UPDATE on the key it read."""
    shredded, raced, calm = sorted(start_under_old_key(settings, 3), key=lambda c: c.pk)
    emails = {c.pk: fresh(c).reporter_email for c in (raced, calm)}
    settings.ENCRYPTION_KEYS = f"{NEW},{OLD}"
    real_rewrap = envelope.rewrap  # what crypto.rotation calls, until patched below
    other_run: dict[str, bytes] = {}

    def rewrap_while_others_write(
        wrapped: bytes | memoryview, *, owner: str, key_id: str, keyring: KeyRing | None = None
    ) -> tuple[bytes, str]:
        if owner == shredded.key_owner_label:
            Case.objects.filter(pk=shredded.pk).update(
                wrapped_key=None, key_id="", key_destroyed_at=timezone.now(),
                reporter_email_index="",
            )
        elif owner == raced.key_owner_label:
            other_run["wrapped"], _ = real_rewrap(
                wrapped, owner=owner, key_id=key_id, keyring=keyring
            )
            Case.objects.filter(pk=raced.pk).update(
                wrapped_key=other_run["wrapped"], key_id="k-new"
            )
        return real_rewrap(wrapped, owner=owner, key_id=key_id, keyring=keyring)

    monkeypatch.setattr(rotation, "rewrap", rewrap_while_others_write)
    result = rewrap_data_keys()
    assert (result.rewrapped, result.skipped_busy, result.canary_rewrapped) == (1, 0, True)
    assert raw_column(Case, shredded.pk, "wrapped_key") is None
    assert fresh(shredded).key_destroyed_at is not None
    assert raw_column(Case, raced.pk, "wrapped_key") == other_run["wrapped"]
    settings.ENCRYPTION_KEYS = NEW
    assert {c.pk: fresh(c).reporter_email for c in (raced, calm)} == emails
