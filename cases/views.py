"""The advisor's workspace under /staff/: thin views over cases.selectors and cases.services.

A case the person may not see is a 404, like one that does not exist; an action on a case
they see but may not take is a 403. Both are the services' own errors (``CaseNotFound``,
``NotPermitted``), turned into pages by ``config.errors`` and never caught here: every page
gives the answer the service would give. A transition a colleague made a moment earlier is
a message on the case page, never an error page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast
from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import StaffRequest, verified_staff_required
from accounts.roles import roles_of
from accounts.selectors import role_changes_recent
from cases import access, selectors, services, throttle
from cases.exceptions import (
    InvalidCaseInput,
    InvalidTransitionInput,
    TransitionUnavailable,
)
from cases.forms import (
    AssignForm,
    AttachmentForm,
    CaseFilterForm,
    ConsentForm,
    ConvertForm,
    MessageForm,
    NoteForm,
    RegisterCaseForm,
    TransitionForm,
)
from cases.transitions import SPECS


def _posted(request: HttpRequest) -> QueryDict | None:
    """Form data for a POST (even an empty one: a confirmation may have no fields), else None."""
    return request.POST if request.method == "POST" else None


def _moved_on(request: HttpRequest, case_id: UUID, reason: str) -> HttpResponse:
    """Back to the case page, which shows where the case stands now, with the reason."""
    messages.error(request, reason)
    return redirect("cases:detail", case_id=case_id)


@require_GET
@verified_staff_required
def dashboard(request: StaffRequest) -> HttpResponse:
    return render(request, "cases/dashboard.html", {
        "board": selectors.dashboard(actor=request.user),
        "roles": sorted(roles_of(request.user)),
        "may_register": access.may_register_cases(request.user),
        "role_changes": role_changes_recent(actor=request.user),
    })


@require_GET
@verified_staff_required
def case_list(request: StaffRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET)
    page = selectors.CaseListPage([], None)
    if form.is_valid():
        page = selectors.case_list(actor=request.user, filters=form.filters(),
                                   after=form.cleaned_data["after"])
    return render(request, "cases/list.html", {
        "form": form, "page": page, "is_coordinator": access.is_coordinator(request.user)})


@require_http_methods(["GET", "POST"])
@verified_staff_required
def case_register(request: StaffRequest) -> HttpResponse:
    if not access.may_register_cases(request.user):
        raise Http404
    form = RegisterCaseForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            registered = services.case_register(
                actor=request.user, data=form.case_input(),
                received_at=form.cleaned_data["received_at"])
        except InvalidCaseInput as invalid:
            form.add_error(None, str(invalid))
        else:
            # Rendered, not redirected: the code exists only in this one response.
            return render(request, "cases/registered.html", {
                "case": registered.case, "receipt_code": registered.receipt_code})
    return render(request, "cases/register.html", {"form": form})


@require_GET
@verified_staff_required
def case_detail(request: StaffRequest, *, case_id: UUID) -> HttpResponse:
    detail = selectors.case_detail(actor=request.user, case_id=case_id)
    services.case_viewed(case=detail.case, actor=request.user)
    return render(request, "cases/detail.html", {
        "detail": detail, "case": detail.case,
        "note_form": NoteForm(), "message_form": MessageForm(),
        "attachment_form": AttachmentForm(),
        "attachment_max_mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
    })


@require_http_methods(["GET", "POST"])
@verified_staff_required
def case_transition(request: StaffRequest, *, case_id: UUID, action: str) -> HttpResponse:
    spec = SPECS.get(action)
    if spec is None:
        raise Http404
    detail = selectors.case_overview_for_action(actor=request.user, case_id=case_id,
                                                codename=spec.codename)
    offered = {a.spec.slug: a for a in detail.actions}
    if action not in offered:
        # Their step, but not from the state the case is in (now).
        return _moved_on(request, case_id, _(
            "This step is not available for this case now: it is “%(state)s”.")
            % {"state": detail.case.get_state_display()})
    form = TransitionForm(_posted(request), case=detail.case, fields=spec.fields)
    if request.method == "POST" and form.is_valid():
        try:
            perform = services.STEP_SERVICES[spec.slug]
            perform(case_id=case_id, actor=request.user, **form.cleaned_data)
        except InvalidTransitionInput as invalid:
            form.add_error(None, str(invalid))
        except TransitionUnavailable as unavailable:  # a colleague was quicker
            return _moved_on(request, case_id, str(unavailable))
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": spec.label})
            return redirect("cases:detail", case_id=case_id)
    return render(request, "cases/transition.html", {
        "case": detail.case, "spec": spec, "action": offered[action], "form": form})


@require_http_methods(["GET", "POST"])
@verified_staff_required
def case_assign(request: StaffRequest, *, case_id: UUID) -> HttpResponse:
    detail = selectors.case_overview_for_action(actor=request.user, case_id=case_id,
                                                codename=None)
    # The advisor the reporter asked not to have is not even offered (the service refuses it).
    unwanted = detail.case.unwanted_advisor_id
    advisors = [a for a in selectors.assignable_advisors() if a.pk != unwanted]
    form = AssignForm(_posted(request), advisors=advisors,
                      initial={"advisors": [str(a.pk) for a in detail.advisors]})
    if request.method == "POST" and form.is_valid():
        try:
            services.case_assign(case_id=case_id, actor=request.user,
                                 advisor_ids=form.advisor_ids())
        except (InvalidCaseInput, TransitionUnavailable) as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("The advisors of this case have been updated."))
            return redirect("cases:detail", case_id=case_id)
    return render(request, "cases/assign.html", {"case": detail.case, "form": form,
                                                 "has_unwanted_advisor": unwanted is not None})


@require_http_methods(["GET", "POST"])
@verified_staff_required
def case_consent(request: StaffRequest, *, case_id: UUID) -> HttpResponse:
    detail = selectors.case_overview_for_action(actor=request.user, case_id=case_id,
                                                codename=access.HANDLE)
    form = ConsentForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.case_record_consent(
                case_id=case_id, actor=request.user,
                statement_in_writing=form.cleaned_data["statement_in_writing"])
        except (InvalidCaseInput, TransitionUnavailable) as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("The reporter's consent has been recorded."))
            return redirect("cases:detail", case_id=case_id)
    return render(request, "cases/consent.html", {"case": detail.case, "form": form})


@require_http_methods(["GET", "POST"])
@verified_staff_required
def case_convert(request: StaffRequest, *, case_id: UUID) -> HttpResponse:
    detail = selectors.case_overview_for_action(actor=request.user, case_id=case_id,
                                                codename=access.HANDLE)
    form = ConvertForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.case_convert_to_report(case_id=case_id, actor=request.user)
        except (InvalidCaseInput, TransitionUnavailable) as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("The consultation is now a report."))
            return redirect("cases:detail", case_id=case_id)
    return render(request, "cases/convert.html", {"case": detail.case, "form": form})


def _post_to_case(request: HttpRequest, case_id: UUID, form: forms.Form,
                  perform: Callable[[], object], done: str) -> HttpResponse:
    """Shared by the case page's small forms: on success a message, on a problem the reason;
    either way back to the case page (the form is short, so nothing long is lost)."""
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("cases:detail", case_id=case_id)
    try:
        perform()
    except (InvalidCaseInput, TransitionUnavailable) as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, done)
    return redirect("cases:detail", case_id=case_id)


@require_POST
@verified_staff_required
def note_add(request: StaffRequest, *, case_id: UUID) -> HttpResponse:
    selectors.case_for_action(actor=request.user, case_id=case_id, codename=access.HANDLE)
    form = NoteForm(request.POST)
    return _post_to_case(request, case_id, form, lambda: services.note_add(
        case_id=case_id, actor=request.user, body=form.cleaned_data["body"]),
        _("Your note has been added."))


@require_POST
@verified_staff_required
def message_send(request: StaffRequest, *, case_id: UUID) -> HttpResponse:
    selectors.case_for_action(actor=request.user, case_id=case_id, codename=access.HANDLE)
    form = MessageForm(request.POST)
    return _post_to_case(request, case_id, form, lambda: services.message_send(
        case_id=case_id, actor=request.user, body=form.cleaned_data["body"]),
        _("Your message has been sent to the reporter."))


@require_POST
@verified_staff_required
def attachment_upload(request: StaffRequest, *, case_id: UUID) -> HttpResponse:
    case = selectors.case_for_action(actor=request.user, case_id=case_id,
                                     codename=access.HANDLE)
    if throttle.staff_upload_over_limit(request.user):
        return render(request, "cases/slow_down.html", {"case": case}, status=429)
    form = AttachmentForm(request.POST, request.FILES)
    # config.uploads drops a file over the limit while reading it, and says so here.
    if getattr(request, "refused_uploads", None):
        messages.error(request, _("The file is too large: at most %(mb)s MB.") % {
            "mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)})
        return redirect("cases:detail", case_id=case_id)
    if not form.is_valid():
        return _post_to_case(request, case_id, form, lambda: None, "")
    try:
        services.attachment_add(case_id=case_id, actor=request.user,
                                filename=form.cleaned_data["file"].name,
                                content=form.cleaned_data["file"].read())
    except (InvalidCaseInput, TransitionUnavailable) as refused:
        # The reason may name the file (case content): it goes into this answer only, never
        # into a message stored in the session.
        return render(request, "cases/upload_refused.html",
                      {"case": case, "reason": str(refused)}, status=400)
    messages.success(request, _("The file has been added."))
    return redirect("cases:detail", case_id=case_id)


@require_GET
@verified_staff_required
def attachment_download(request: StaffRequest, *, case_id: UUID,
                        attachment_id: UUID) -> HttpResponse:
    attachment = selectors.attachment_for_download(actor=request.user, case_id=case_id,
                                                   attachment_id=attachment_id)
    # The working copy (identifying metadata removed) unless the original, kept as evidence,
    # is asked for; both downloads are recorded, with which copy it was.
    original = request.GET.get("copy") == "original" or not attachment.metadata_removed
    services.attachment_downloaded(attachment=attachment, actor=request.user,
                                   original=original)
    # Always a download, never rendered by the browser: whatever the file holds cannot run
    # in the workspace's origin.
    content = attachment.content if original else attachment.working_copy
    response = HttpResponse(content, content_type="application/octet-stream")
    # Django's header quotes or percent-encodes the name as RFC 6266 asks, so a name with
    # quotes, line breaks or non-ASCII letters can neither break nor inject a header.
    # None only for an inline response without a name; this one is always an attachment.
    response["Content-Disposition"] = cast(str, content_disposition_header(
        as_attachment=True, filename=attachment.filename[:150]))
    response["X-Content-Type-Options"] = "nosniff"
    return response
