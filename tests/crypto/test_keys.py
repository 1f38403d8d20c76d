"""Key configuration: what start-up accepts and how it refuses, without echoing key material."""

from __future__ import annotations

import base64

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from pytest_django import Settings

from crypto.keys import (
    blind_index_keyring,
    encryption_keyring,
    parse_keyring,
    validate_configured_keys,
)
from tests.crypto.helpers import key_b64, key_line


def test_a_valid_setting_parses_newest_first() -> None:
    ring = parse_keyring("ENCRYPTION_KEYS", f"{key_line('k2', 2)}, {key_line('k1', 1)}")
    assert ring.ids == ("k2", "k1")
    assert ring.newest_id == "k2"
    assert ring.material("k1") == b"\x01" * 32
    assert "k2" in ring and "k3" not in ring
    assert key_b64(2) not in repr(ring)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        (f"{key_line('k1', 1)},", "entry 2 is empty"),
        (key_b64(1), "entry 1 is not of the form"),
        (f"bad id:{key_b64(1)}", "invalid key id"),
        (f":{key_b64(1)}", "invalid key id"),
        (f"{'k' * 33}:{key_b64(1)}", "invalid key id"),
        ("k1:not*base64!", "not valid base64"),
        (f"k1:{base64.b64encode(b'x' * 16).decode()}", "decodes to 16 bytes"),
        (f"k1:{base64.b64encode(b'x' * 48).decode()}", "decodes to 48 bytes"),
        (f"{key_line('k1', 1)},{key_line('k1', 2)}", "appears more than once"),
    ],
)
def test_malformed_settings_are_refused_naming_the_variable(raw: str, fragment: str) -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        parse_keyring("ENCRYPTION_KEYS", raw)
    message = str(refused.value)
    assert message.startswith("ENCRYPTION_KEYS")
    assert fragment in message
    for fill in (1, 2):
        assert key_b64(fill) not in message
    assert base64.b64encode(b"x" * 16).decode() not in message


def test_a_key_pasted_without_an_id_is_not_echoed() -> None:
    # The part before the first ":" of "<base64>:<base64>" looks like an id but is key material.
    with pytest.raises(ImproperlyConfigured) as refused:
        parse_keyring("BLIND_INDEX_KEYS", f"{key_b64(9)}:{key_b64(8)}")
    assert key_b64(9) not in str(refused.value)
    assert key_b64(8) not in str(refused.value)


def test_the_key_rings_follow_the_settings(settings: Settings) -> None:
    settings.ENCRYPTION_KEYS = f"{key_line('new', 7)},{key_line('old', 6)}"
    assert encryption_keyring().ids == ("new", "old")
    settings.ENCRYPTION_KEYS = key_line("new", 7)
    assert encryption_keyring().ids == ("new",)


def test_start_up_refuses_a_bad_key(settings: Settings) -> None:
    config = apps.get_app_config("crypto")
    config.ready()  # the configured test keys are fine
    settings.ENCRYPTION_KEYS = "k1:c2hvcnQ="
    with pytest.raises(ImproperlyConfigured, match="ENCRYPTION_KEYS: the key 'k1' decodes to 5"):
        config.ready()
    settings.ENCRYPTION_KEYS = key_line("k1", 1)
    settings.BLIND_INDEX_KEYS = "bik-1"
    with pytest.raises(ImproperlyConfigured, match=r"^BLIND_INDEX_KEYS"):
        config.ready()


def test_the_same_key_for_both_purposes_is_refused(settings: Settings) -> None:
    settings.ENCRYPTION_KEYS = key_line("kek-1", 4)
    settings.BLIND_INDEX_KEYS = key_line("bik-1", 4)
    with pytest.raises(ImproperlyConfigured, match="each purpose needs its own key") as refused:
        validate_configured_keys()
    assert key_b64(4) not in str(refused.value)
    settings.BLIND_INDEX_KEYS = key_line("bik-1", 5)
    validate_configured_keys()
    assert blind_index_keyring().newest_id == "bik-1"


def test_the_receipt_code_pepper_must_differ_from_the_other_keys(settings: Settings) -> None:
    settings.RECEIPT_CODE_KEYS = key_line("rck-1", 3)  # the test blind-index key
    with pytest.raises(ImproperlyConfigured, match=r"RECEIPT_CODE_KEYS.*each purpose"):
        validate_configured_keys()
    settings.RECEIPT_CODE_KEYS = key_line("rck-1", 9)
    validate_configured_keys()


def test_keys_are_not_derived_from_the_secret_key(settings: Settings) -> None:
    before = encryption_keyring().material(encryption_keyring().newest_id)
    settings.SECRET_KEY = "another-secret-key-that-is-long-enough-for-django"
    assert encryption_keyring().material(encryption_keyring().newest_id) == before
