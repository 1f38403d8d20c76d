"""How many files a member of staff may upload per hour (``STAFF_UPLOADS_PER_USER_PER_HOUR``).

Every upload is read into memory and checked by content, which can cost a worker most of a
second; an account used to send upload after upload is paused instead. Counted per user in the
cache only, with a TTL, on the same counters as the public side's limits
(``accounts.ratelimit``).
"""

from __future__ import annotations

from django.conf import settings

from accounts.models import User
from accounts.ratelimit import Limit, hit


def staff_upload_over_limit(user: User) -> bool:
    """Count one upload and say whether it goes over."""
    limit = Limit("staff-upload", settings.STAFF_UPLOADS_PER_USER_PER_HOUR, 3600)
    return hit(limit, str(user.pk))
