"""The login throttle counts in the shared cache: with Redis, as in production."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axes.handlers.proxy import AxesProxyHandler
from django.core.cache import caches
from django.test import Client, override_settings

from tests.accounts.test_login import current_code, login, wrong_code
from tests.conftest import REDIS_URL
from tests.factories import TEST_PASSWORD, StaffUserFactory

REDIS_CACHE = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                           "LOCATION": REDIS_URL, "KEY_PREFIX": "test-throttle"}}


@pytest.fixture
def redis_throttle() -> Iterator[None]:
    # axes binds its cache when its handler is first built; rebuild it under the override.
    with override_settings(CACHES=REDIS_CACHE, AXES_FAILURE_LIMIT=2):
        caches["default"].clear()
        AxesProxyHandler.get_implementation(force=True)
        yield
        caches["default"].clear()
    AxesProxyHandler.get_implementation(force=True)


@pytest.mark.redis
@pytest.mark.django_db
@pytest.mark.usefixtures("redis_throttle")
def test_lockout_is_shared_through_redis() -> None:
    user = StaffUserFactory.create()
    first, second = Client(), Client()  # two browsers, same client address
    assert login(first, user.username, TEST_PASSWORD, wrong_code(user)).status_code == 200
    assert login(second, user.username, TEST_PASSWORD, wrong_code(user)).status_code == 429
    # The lockout lives in Redis, with a time to live, and not in the database.
    # RedisCache's client is private; the stubs do not declare it.
    redis = caches["default"]._cache.get_client()  # type: ignore[attr-defined]
    keys = redis.keys("test-throttle:*")
    assert keys
    assert all(redis.ttl(k) > 0 for k in keys)
    assert login(Client(), user.username, TEST_PASSWORD, current_code(user)).status_code == 429
