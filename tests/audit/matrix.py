"""Permission-matrix rows for the audit app: only auditors see the trail."""

from __future__ import annotations

from tests.matrix import ADMIN_CATCH_ALL, PERSONAS, SIGNED_OUT, Row


def _auditor_only() -> dict[str, int]:
    # Anonymous visitors and reporters are sent to sign in; every other persona, the superuser
    # included, gets the same 404 as for a page that does not exist.
    return {p: 302 if p in SIGNED_OUT else 200 if p == "auditor" else 404 for p in PERSONAS}


MATRIX = [
    Row("audit:log", "/staff/audit/", _auditor_only()),
    Row("audit:log", "/staff/audit/?action=case.viewed&after=1-1", _auditor_only()),
]


def _not_in_the_admin() -> dict[str, int]:
    # The admin sends everyone but the system administrator to sign in; the system
    # administrator finds no audit pages there (they must not read the trail).
    return {p: 404 if p == "superuser" else 302 for p in PERSONAS}


MATRIX += [
    Row(ADMIN_CATCH_ALL, path, _not_in_the_admin(), method=method)
    for path in ("/admin/audit/", "/admin/audit/auditevent/", "/admin/audit/auditcheckpoint/",
                 "/admin/audit/auditcheckpointhead/")
    for method in ("get", "post")
]
