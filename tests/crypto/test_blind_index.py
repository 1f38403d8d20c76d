"""Blind index: normalisation, key separation, lookups across index-key rotation."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytest_django import Settings

from cases.models import Case
from crypto.blind_index import (
    INDEX_MAX_LENGTH,
    blind_index,
    blind_index_candidates,
    normalise,
)
from tests.crypto.helpers import key_line


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Jan de Vries", "  jan   DE\tvries\n"),
        ("STRASSE", "straße"),  # case folding, not just lower()
        ("\uff2a\uff41\uff4e", "jan"),  # full-width forms (NFKC)
        ("ﬁnn", "finn"),  # ligature (NFKC)
        ("Zoë", "Zoe\u0308"),  # composed and decomposed diaeresis
        ("a\u00a0b", "a b"),  # no-break space
    ],
)
def test_equivalent_spellings_share_one_index(left: str, right: str) -> None:
    assert normalise(left) == normalise(right)
    assert blind_index(left) == blind_index(right)


def test_different_values_have_different_indexes() -> None:
    assert blind_index("jan de vries") != blind_index("jan de vries2")
    assert blind_index("Zoë") != blind_index("Zoe")


@given(st.text())
def test_normalising_is_idempotent(value: str) -> None:
    assert normalise(normalise(value)) == normalise(value)


def test_the_index_is_an_hmac_under_the_index_key_with_its_key_id() -> None:
    value = blind_index("Reporter@Example.org")
    key_id, _, digest = value.partition(":")
    assert key_id == "test-bik-1"
    expected = hmac.new(b"\x03" * 32, b"reporter@example.org", hashlib.sha256).hexdigest()
    assert digest == expected
    assert len(value) <= INDEX_MAX_LENGTH
    assert "example" not in value


def test_no_value_has_no_index() -> None:
    assert blind_index("") == blind_index("   ") == blind_index(None) == ""
    assert blind_index_candidates(" ") == []


@pytest.mark.django_db
def test_lookup_by_reporter_email(case: Case) -> None:
    case.set_reporter_email("Reporter@Example.org")
    case.save()
    other = Case.objects.create()
    other.set_reporter_email("someone.else@example.org")
    other.save(update_fields=["reporter_email", "reporter_email_index"])
    Case.objects.create()  # no e-mail: never matches an empty lookup
    assert list(Case.objects.with_reporter_email(" reporter@EXAMPLE.org ")) == [case]
    assert not Case.objects.with_reporter_email("").exists()
    assert not Case.objects.with_reporter_email("nobody@example.org").exists()


@pytest.mark.django_db
def test_lookups_still_match_after_a_new_index_key_is_put_first(
    case: Case, settings: Settings
) -> None:
    case.set_reporter_email("reporter@example.org")
    case.save()
    settings.BLIND_INDEX_KEYS = f"{key_line('bik-2', 0x62)},{settings.BLIND_INDEX_KEYS}"
    newer = Case.objects.create()
    newer.set_reporter_email("REPORTER@example.org")
    newer.save()
    assert newer.reporter_email_index.startswith("bik-2:")
    assert case.reporter_email_index.startswith("test-bik-1:")
    assert set(Case.objects.with_reporter_email("reporter@example.org")) == {case, newer}
    assert len(blind_index_candidates("x")) == 2


def test_the_index_key_is_independent_of_the_encryption_keys(settings: Settings) -> None:
    before = blind_index("jan")
    settings.ENCRYPTION_KEYS = key_line("other-kek", 0x71)
    assert blind_index("jan") == before
    settings.BLIND_INDEX_KEYS = key_line("test-bik-1", 0x72)
    assert blind_index("jan") != before
