"""How many files a member of staff may upload per hour (``STAFF_UPLOADS_PER_USER_PER_HOUR``).

Every upload is read into memory and checked by content, which can cost a worker most of a
second; an account used to send upload after upload is paused instead. Counted per user in the
cache only, with a TTL, like the public side's limits (``intake.throttle``, which this app
cannot import).
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from accounts.models import User

WINDOW_SECONDS = 3600


def staff_upload_over_limit(user: User) -> bool:
    """Count one upload and say whether it goes over. Counting comes first (one atomic
    increment), so parallel requests cannot all slip under the limit."""
    key = f"throttle:staff-upload:{user.pk}"
    if cache.add(key, 1, timeout=WINDOW_SECONDS):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=WINDOW_SECONDS)
            count = 1
    return count > settings.STAFF_UPLOADS_PER_USER_PER_HOUR
