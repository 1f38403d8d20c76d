"""Receipt-code attempts are limited per code and per client, in the cache only, with a TTL
(DESIGN.md §4). These run against real Redis, the production cache."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import redis
from django.test import Client
from pytest_django import Settings

from cases.receipt_codes import ALPHABET
from tests.intake.helpers import reported

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = [pytest.mark.django_db, pytest.mark.redis]
CLIENT_ADDRESS = "198.51.100.23"




def _wrong(code: str) -> str:
    compact = code.replace("-", "")
    return compact[:-1] + ("2" if compact[-1] != "2" else "3")


def _try(code: str, address: str = CLIENT_ADDRESS) -> TestResponse:
    return Client(REMOTE_ADDR=address).post("/status/", {"code": code})


def test_a_code_is_locked_after_repeated_failures_even_from_many_addresses(
        redis_cache: redis.Redis, settings: Settings) -> None:
    settings.RECEIPT_CODE_FAILURES_PER_CODE = 3
    code = reported(Client())
    for index in range(3):
        assert _try(_wrong(code), f"203.0.113.{index}").status_code == 400
    # Now even the right code waits: the lockout is per code, whoever tries.
    locked = _try(code, "203.0.113.99")
    assert locked.status_code == 429
    assert "try again in 15 minutes" in locked.content.decode()


def _unknown(code: str, index: int) -> str:
    """A code with a selector nobody has: another code each time."""
    return ALPHABET[index % 30] + ALPHABET[index // 30 % 30] + "222222" + code.replace("-", "")[8:]


def test_one_client_trying_many_codes_is_slowed_down(redis_cache: redis.Redis,
                                                     settings: Settings) -> None:
    settings.RECEIPT_CODE_FAILURES_PER_CLIENT = 4
    code = reported(Client())
    for index in range(4):
        assert _try(_unknown(code, index)).status_code == 400
    # Past its limit the client is told nothing more about a wrong or unknown code...
    assert _try(_unknown(code, 4)).status_code == 429
    assert _try(_wrong(code)).status_code == 429
    # ...and a code that failed once is not checked for it again, even when right.
    assert _try(code).status_code == 429
    assert _try(code, "198.51.100.200").status_code == 302  # another client is not affected


def test_a_correct_code_after_19_failures_from_the_same_address_is_accepted(
        redis_cache: redis.Redis) -> None:
    code = reported(Client())
    for index in range(19):
        assert _try(_unknown(code, index)).status_code == 400
    assert _try(code).status_code == 302


def test_behind_a_shared_address_the_owner_of_a_clean_code_still_gets_in(
        redis_cache: redis.Redis) -> None:
    """A campus NAT: someone there used up the client's limit with codes that do not work."""
    code = reported(Client())
    for index in range(25):
        assert _try(_unknown(code, index)).status_code == (400 if index < 20 else 429)
    assert _try(code).status_code == 302
    assert _try(code).status_code == 302  # and again: a success leaves the code clean


def test_successful_sign_ins_do_not_count_as_failures(redis_cache: redis.Redis,
                                                      settings: Settings) -> None:
    settings.RECEIPT_CODE_FAILURES_PER_CLIENT = 4
    settings.RECEIPT_CODE_FAILURES_PER_CODE = 3
    code = reported(Client())
    for _ in range(6):
        assert _try(code).status_code == 302
    for index in range(4):
        assert _try(_unknown(code, index)).status_code == 400  # still "wrong", not locked
    assert _try(_unknown(code, 4)).status_code == 429


def test_past_the_client_limit_a_code_with_failures_stays_protected_by_its_own_limit(
        redis_cache: redis.Redis, settings: Settings) -> None:
    settings.RECEIPT_CODE_FAILURES_PER_CLIENT = 2
    code = reported(Client())
    assert _try(_wrong(code), "203.0.113.7").status_code == 400  # one failure on this code
    for index in range(3):
        _try(_unknown(code, index))
    assert _try(code).status_code == 429
    # Elsewhere, the code's own limit (5) still lets the owner in.
    assert _try(code, "203.0.113.8").status_code == 302


def test_a_locked_code_is_not_checked_and_the_lock_does_not_grow(
        redis_cache: redis.Redis, settings: Settings) -> None:
    settings.RECEIPT_CODE_FAILURES_PER_CODE = 2
    code = reported(Client())
    for index in range(2):
        assert _try(_wrong(code), f"203.0.113.{index}").status_code == 400
    for _ in range(3):
        assert _try(code, "203.0.113.50").status_code == 429
    # The attempts refused unchecked cost the client nothing.
    assert _try(_unknown(code, 0), "203.0.113.50").status_code == 400
    selector_keys = redis_cache.keys("throttle-test:*code-selector:" + code[:4] + "*")
    assert len(selector_keys) == 1 and int(redis_cache.get(selector_keys[0]) or 0) == 2


def test_counters_live_only_in_the_cache_with_a_ttl_and_without_the_address(
        redis_cache: redis.Redis) -> None:
    code = reported(Client())
    _try(_wrong(code))
    keys = redis_cache.keys("throttle-test:*code-*")
    assert len(keys) == 2  # one per code, one per client
    for key in keys:
        assert 0 < redis_cache.ttl(key) <= 15 * 60
        assert CLIENT_ADDRESS.encode() not in key
        assert CLIENT_ADDRESS.encode() not in (redis_cache.get(key) or b"")
    assert not any(code.replace("-", "")[8:].encode() in key for key in keys)
