"""A member of staff may upload ``STAFF_UPLOADS_PER_USER_PER_HOUR`` files an hour; then a clear
429 page, and nothing stored. Counted per user in the cache with a TTL: on the suite's
local-memory cache, and (marked ``redis``) on Redis, the production cache."""

from __future__ import annotations

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from accounts.models import User
from cases.choices import State
from cases.models import Case
from tests.cases.factories_cases import make_case
from tests.conftest import Personas
from tests.factories import sign_in_verified

pytestmark = pytest.mark.django_db


def _upload(user: User, case: Case) -> int:
    client = Client()
    sign_in_verified(client, user)
    response = client.post(reverse("cases:attachment_upload", kwargs={"case_id": case.pk}),
                           {"file": SimpleUploadedFile("note.txt", b"what was said")})
    if response.status_code == 429:
        page = response.content.decode()
        assert "Many files were uploaded from your account in the last hour" in page
        assert f"Back to case {case.reference}" in page
    return response.status_code


def _paused_after_two(personas: Personas) -> Case:
    case = make_case(state=State.IN_PROGRESS, advisor=personas.advisor)
    assert [_upload(personas.advisor, case) for _ in range(3)] == [302, 302, 429]
    assert case.attachments.count() == 2
    return case


def test_an_advisor_is_paused_after_their_uploads_per_hour(personas: Personas,
                                                          settings: Settings) -> None:
    settings.STAFF_UPLOADS_PER_USER_PER_HOUR = 2
    _paused_after_two(personas)
    # Another case does not reset it; a colleague is not affected.
    other = make_case(state=State.IN_PROGRESS, advisor=personas.advisor)
    assert _upload(personas.advisor, other) == 429
    colleague_case = make_case(state=State.IN_PROGRESS, advisor=personas.other_advisor)
    assert _upload(personas.other_advisor, colleague_case) == 302


def test_a_case_the_user_may_not_handle_is_refused_before_anything_counts(
        personas: Personas, settings: Settings) -> None:
    settings.STAFF_UPLOADS_PER_USER_PER_HOUR = 1
    not_theirs = make_case(state=State.IN_PROGRESS, advisor=personas.other_advisor)
    assert _upload(personas.advisor, not_theirs) == 404
    own = make_case(state=State.IN_PROGRESS, advisor=personas.advisor)
    assert _upload(personas.advisor, own) == 302




@pytest.mark.redis
def test_on_redis_the_counter_has_a_ttl(redis_cache: redis.Redis, personas: Personas,
                                       settings: Settings) -> None:
    settings.STAFF_UPLOADS_PER_USER_PER_HOUR = 2
    _paused_after_two(personas)
    [key] = redis_cache.keys("throttle-test:*staff-upload*")
    assert 0 < redis_cache.ttl(key) <= 3600
