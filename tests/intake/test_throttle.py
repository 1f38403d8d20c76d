"""Receipt-code attempts are limited per code and per client, in the cache only, with a TTL
(DESIGN.md §4). These run against real Redis, the production cache."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
import redis
from django.core.cache import caches
from django.test import Client
from pytest_django import Settings

from tests.conftest import REDIS_URL
from tests.intake.helpers import reported

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = [pytest.mark.django_db, pytest.mark.redis]
CLIENT_ADDRESS = "198.51.100.23"


@pytest.fixture
def redis_cache(settings: Settings) -> Iterator[redis.Redis]:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": REDIS_URL, "KEY_PREFIX": "throttle-test"}}
    caches["default"].clear()
    yield redis.Redis.from_url(REDIS_URL)
    caches["default"].clear()


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


def test_one_client_trying_many_codes_is_slowed_down(redis_cache: redis.Redis,
                                                     settings: Settings) -> None:
    settings.RECEIPT_CODE_FAILURES_PER_CLIENT = 4
    code = reported(Client())
    for index in range(4):
        other_selector = f"{index + 2}" * 8 + code.replace("-", "")[8:]
        assert _try(other_selector).status_code == 400
    assert _try(code).status_code == 429
    assert _try(code, "198.51.100.200").status_code == 302  # another client is not affected


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
