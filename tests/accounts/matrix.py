"""Permission-matrix rows for the coordinators' roles page (DESIGN.md §2).

Only coordinators see it; every other member of staff gets the 404 of a page that does not
exist for them, the system administrator included; anonymous visitors and reporters are sent
to sign in. A change is made only by a confirmation POST, and only to an active member of
staff who is not a superuser.
"""

from __future__ import annotations

from typing import Any

from tests.matrix import PERSONAS, SIGNED_OUT, Row

STAFF = [p for p in PERSONAS if p not in SIGNED_OUT]


def _coordinators(status: int) -> dict[str, int]:
    expected = {p: 404 for p in STAFF}
    expected.update({p: 302 for p in SIGNED_OUT})
    expected["coordinator"] = status
    return expected


def _change(change: str, role: str, target: str = "no_role") -> Any:
    return lambda personas: (
        f"/staff/roles/{getattr(personas, target).pk}/{change}/{role}/")


MATRIX = [
    Row("accounts:roles", "/staff/roles/", _coordinators(200)),
    Row("accounts:role_change", _change("grant", "advisor"), _coordinators(200)),
    Row("accounts:role_change", _change("revoke", "advisor", "advisor"), _coordinators(200)),
    # Done, and back to the roles page.
    Row("accounts:role_change", _change("grant", "advisor"), _coordinators(302), method="post"),
    Row("accounts:role_change", _change("revoke", "advisor", "advisor"), _coordinators(302),
        method="post"),
    # Not a change, not a role, not someone whose roles a coordinator changes: no such page.
    Row("accounts:role_change", _change("promote", "advisor"), _coordinators(404)),
    Row("accounts:role_change", _change("grant", "superuser"), _coordinators(404)),
    Row("accounts:role_change", _change("grant", "advisor", "superuser"), _coordinators(404)),
    Row("accounts:role_change", _change("grant", "advisor", "superuser"), _coordinators(404),
        method="post"),
    # Refused by the service (one's own coordinator role): explained on the page.
    Row("accounts:role_change", _change("revoke", "coordinator", "coordinator"),
        _coordinators(200), method="post"),
]
