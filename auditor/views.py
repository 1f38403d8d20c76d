"""The auditor page: the audit trail, filtered and paginated, metadata only."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.decorators import StaffRequest, verified_staff_required
from accounts.roles import Role, has_role
from audit import actions
from audit.actors import Actor
from audit.models import SYSTEM_STREAM
from audit.selectors import AuditFilters, AuditPage, audit_event_page
from audit.services import record_read
from auditor.forms import AuditFilterForm


@require_GET
@verified_staff_required
def audit_log(request: StaffRequest) -> HttpResponse:
    if not has_role(request.user, Role.AUDITOR):
        raise Http404  # like a page that does not exist, for everyone but auditors
    form = AuditFilterForm(request.GET)
    page = AuditPage([], None)
    if form.is_valid():
        filters, after = form.filters(), form.cleaned_data["after"]
        # Logged before anything is shown: a read of the trail that cannot be logged fails.
        record_read(
            stream=SYSTEM_STREAM, action=actions.AUDIT_VIEWED, actor=Actor.user(request.user),
            target_type="audit_log", target_id="", detail=_detail(form, filters),
        )
        page = audit_event_page(filters=filters, after=after)
    return render(request, "audit/log.html", {"form": form, "page": page})


def _detail(form: AuditFilterForm, filters: AuditFilters) -> dict[str, str | bool | None]:
    """Which part of the trail was looked at (every value is a validated token)."""
    date_from, date_to = form.cleaned_data.get("date_from"), form.cleaned_data.get("date_to")
    return {
        "stream": filters.stream or None,
        "actor_kind": filters.actor_kind or None,
        "actor_id": filters.actor_id or None,
        "filter_action": filters.action or None,
        "date_from": date_from.isoformat() if date_from else None,
        "date_to": date_to.isoformat() if date_to else None,
        "paged": form.cleaned_data.get("after") is not None,
    }
