"""Checkpoint keys are validated at start-up and never echoed in errors."""

from __future__ import annotations

import base64

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from audit import signing

SEED = base64.b64encode(bytes(range(32))).decode()
OTHER = base64.b64encode(bytes(range(1, 33))).decode()
# A key pasted where its id belongs: hex is a well-formed key id, and must never be echoed.
HEX_KEY = bytes(range(32)).hex()


@pytest.mark.parametrize(
    ("signing_keys", "verify_keys", "message"),
    [
        ("", "", "AUDIT_SIGNING_KEYS is required"),
        (SEED, "", "AUDIT_SIGNING_KEYS: entry 1 is malformed"),
        (f"bad id:{SEED}", "", "AUDIT_SIGNING_KEYS: entry 1 is malformed"),
        (f"k1:{SEED},k2:{SEED[:-4]}", "", "AUDIT_SIGNING_KEYS: the key of entry 2 is not"),
        (f"k1:{SEED},k1:{OTHER}", "", "AUDIT_SIGNING_KEYS: entries 1 and 2 have the same key id"),
        (f"k1:{SEED}", "k0:not-base64!", "AUDIT_VERIFY_KEYS: the key of entry 1 is not"),
        (f"k1:{SEED}", f"k1:{OTHER}",
         "AUDIT_VERIFY_KEYS: the key id of entry 1 is also a signing key's id"),
        (f"{HEX_KEY}:{SEED[:-4]}", "", "AUDIT_SIGNING_KEYS: the key of entry 1 is not"),
        (f"{HEX_KEY}:{SEED},{HEX_KEY}:{OTHER}", "",
         "AUDIT_SIGNING_KEYS: entries 1 and 2 have the same key id"),
        (f"{HEX_KEY}:{SEED}", f"{HEX_KEY}:{OTHER}",
         "AUDIT_VERIFY_KEYS: the key id of entry 1 is also a signing key's id"),
        (f"k1:{SEED}", f"{HEX_KEY}{HEX_KEY}:{OTHER}", "AUDIT_VERIFY_KEYS: entry 1 is malformed"),
    ],
)
def test_malformed_keys_stop_start_up_naming_the_variable(
    signing_keys: str, verify_keys: str, message: str
) -> None:
    with (
        override_settings(AUDIT_SIGNING_KEYS=signing_keys, AUDIT_VERIFY_KEYS=verify_keys),
        pytest.raises(ImproperlyConfigured) as caught,
    ):
        apps.get_app_config("audit").ready()
    assert message in str(caught.value)
    assert SEED not in str(caught.value) and OTHER not in str(caught.value)
    assert SEED[:20] not in str(caught.value)
    # Nothing of an entry is echoed, not even its id (which may be a pasted key).
    assert "k0" not in str(caught.value) and "k1" not in str(caught.value)
    assert HEX_KEY[:8] not in str(caught.value)


def test_newest_key_signs_and_every_key_verifies() -> None:
    with override_settings(AUDIT_SIGNING_KEYS=f"new:{OTHER},old:{SEED}", AUDIT_VERIFY_KEYS=""):
        keyring = signing.keyring()
        key_id, signature = keyring.sign(b"message")
        assert key_id == "new"
        assert keyring.verify("new", b"message", signature)
        assert not keyring.verify("old", b"message", signature)
        assert not keyring.verify("new", b"other message", signature)
        assert not keyring.verify("new", b"message", "not base64!")
        assert not keyring.verify("missing", b"message", signature)
        assert set(keyring.public_keys) == {"new", "old"}


def test_public_key_command_prints_a_verify_keys_entry() -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    with override_settings(AUDIT_SIGNING_KEYS=f"k1:{SEED}", AUDIT_VERIFY_KEYS=""):
        call_command("audit_public_key", stdout=out)
        line = out.getvalue().strip()
    with override_settings(AUDIT_SIGNING_KEYS=f"k2:{OTHER}", AUDIT_VERIFY_KEYS=line):
        assert "k1" in signing.keyring().public_keys
    assert SEED not in line
