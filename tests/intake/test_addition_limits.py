"""Additions on the status page are limited per case and per client, like the forms: each may
carry ten files to read and check. In the cache only, with a TTL, without address or case id;
on the local-memory cache of the suite and (marked ``redis``) on Redis, the production cache."""

from __future__ import annotations

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import Settings

from cases.models import Case, CaseAttachment
from tests.files.zipbombs import zip_bomb
from tests.intake.helpers import reported, signed_in

pytestmark = pytest.mark.django_db
ADDRESS = "198.51.100.23"
PAUSED = "A lot was added to your case, or from this connection, in a short time."


def _reporter(address: str = ADDRESS) -> Client:
    client = Client(REMOTE_ADDR=address)
    signed_in(client, reported(client))
    return client


def _add(client: Client, text: str = "One more thing") -> int:
    response = client.post("/status/case/add/", {
        "text": text, "files": [SimpleUploadedFile("more.txt", b"details")]})
    if response.status_code == 429:
        assert PAUSED in response.content.decode()
    return response.status_code


def test_one_case_is_paused_after_its_additions_per_hour(settings: Settings) -> None:
    settings.STATUS_ADDITIONS_PER_CASE_PER_HOUR = 2
    client = _reporter()
    assert [_add(client), _add(client), _add(client)] == [302, 302, 429]
    assert CaseAttachment.objects.count() == 2  # the paused one stored nothing
    # The same case from another address is still paused; another case is not.
    other_address = Client(REMOTE_ADDR="203.0.113.7")
    other_address.cookies = client.cookies
    assert _add(other_address) == 429
    assert _add(_reporter("203.0.113.8")) == 302


def test_one_client_is_paused_after_its_additions_per_hour(settings: Settings) -> None:
    settings.STATUS_ADDITIONS_PER_CLIENT_PER_HOUR = 3
    first, second = _reporter(), _reporter()
    assert [_add(first), _add(second), _add(first), _add(second)] == [302, 302, 302, 429]
    assert _add(_reporter("203.0.113.8")) == 302


def test_refused_zip_bombs_count_too(settings: Settings) -> None:
    settings.STATUS_ADDITIONS_PER_CASE_PER_HOUR = 2
    client = _reporter()
    statuses = [client.post("/status/case/add/", {
        "text": "", "files": [SimpleUploadedFile("a.docx", zip_bomb("docx"))]}).status_code
        for _ in range(3)]
    assert statuses == [400, 400, 429]
    assert not CaseAttachment.objects.exists()




@pytest.mark.redis
def test_on_redis_the_counters_have_a_ttl_and_hold_no_address_or_case(
        redis_cache: redis.Redis, settings: Settings) -> None:
    settings.STATUS_ADDITIONS_PER_CASE_PER_HOUR = 1
    client = _reporter()
    assert [_add(client), _add(client)] == [302, 429]
    keys = redis_cache.keys("throttle-test:*add-*")
    assert len(keys) == 2  # one per case, one per client
    case_id = str(Case.objects.get().pk).encode()
    for key in keys:
        assert 0 < redis_cache.ttl(key) <= 3600
        assert ADDRESS.encode() not in key and case_id not in key
        assert case_id.replace(b"-", b"") not in key
