"""The public side: the landing page, the report and conversation forms, and /status/.

Thin views over ``cases.services`` and ``cases.selectors``: they parse a form, call one
service, render. Nothing here writes a model, stores a client address or logs what was typed.
A receipt code appears in exactly one response, the one that issued it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import selectors, services
from cases.exceptions import (
    AlreadySubmitted,
    InvalidCaseInput,
    MustReplaceCode,
    ReceiptCodeRefused,
    ReporterSessionEnded,
    TransitionUnavailable,
)
from intake import reporter_session, throttle
from intake.forms import (
    CodeForm,
    ConfirmForm,
    InformationForm,
    MessageForm,
    NewCodeForm,
    ReportForm,
    SavedCodeForm,
    TalkForm,
    new_submission_token,
)

View = Callable[..., HttpResponse]


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/landing.html")


# --- the forms ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
def report(request: HttpRequest) -> HttpResponse:
    return _intake_form(request, ReportForm, "intake/report.html")


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
def talk(request: HttpRequest) -> HttpResponse:
    return _intake_form(request, TalkForm, "intake/talk.html")


def _advisors() -> list[tuple[int, str]]:
    # Names only: the same list the office publishes on its web pages.
    return [(advisor.pk, advisor.get_full_name()) for advisor in selectors.assignable_advisors()
            if advisor.get_full_name()]


def _binding(request: HttpRequest) -> str:
    """What a form's one-time token is bound to: this browser's CSRF cookie."""
    get_token(request)
    return str(request.META.get("CSRF_COOKIE", ""))


def _intake_form(request: HttpRequest, form_class: type[ReportForm] | type[TalkForm],
                 template: str) -> HttpResponse:
    binding = _binding(request)
    if request.method == "GET":
        form = form_class(advisors=_advisors, binding=binding,
                          initial={"submission": new_submission_token(binding)})
        return render(request, template, {"form": form})
    form = form_class(request.POST, request.FILES, advisors=_advisors, binding=binding,
                      refused_uploads=getattr(request, "refused_uploads", []))
    if form.is_valid():
        # Counted before the case is stored (a burst cannot slip under the limit), and given
        # back when nothing new was stored: a form sent again, or refused, costs the address
        # nothing, so the people sharing it (a campus NAT) keep their share.
        limit, client = throttle.submission_limit(), throttle.client_key(request)
        if throttle.hit(limit, client):
            throttle.release(limit, client)
            return render(request, "intake/slow_down.html", {"what": "submissions"},
                          status=429)
        try:
            registered = services.case_submit(
                data=form.case_input(), files=form.cleaned_data.get("files") or [],
                submission_token=form.cleaned_data["submission"],
                unwanted_advisor_id=form.cleaned_data["unwanted_advisor"])
        except AlreadySubmitted as error:
            throttle.release(limit, client)
            # Its own page, not the generic one: it tells a reporter what to do next.
            return render(request, "intake/already_sent.html", {"message": str(error)},
                          status=error.status_code)
        except InvalidCaseInput as error:
            throttle.release(limit, client)
            form.add_error(None, str(error))
        else:
            if registered.repeated:
                throttle.release(limit, client)
            return render(request, "intake/received.html", {
                "case": registered.case, "receipt_code": registered.receipt_code,
                "submission": form.cleaned_data["submission"]})
    if form.has_error("submission"):
        # An expired or missing token: a fresh one, so that the next sending can succeed.
        data = request.POST.copy()  # what the form was given: mutable, unlike request.POST
        data["submission"] = new_submission_token(binding)
        form.data = data
    files_chosen = bool(request.FILES) or bool(getattr(request, "refused_uploads", []))
    return render(request, template, {"form": form, "files_chosen": files_chosen}, status=400)


@require_POST
def received_confirm(request: HttpRequest) -> HttpResponse:
    """The reporter says they saved their code; the code itself is not shown again, not even
    to the same form sent again."""
    form = SavedCodeForm(request.POST, binding=_binding(request))
    if form.is_valid():
        services.receipt_code_saved(submission_token=form.cleaned_data["submission"])
    return render(request, "intake/done.html",
                  {"confirmed": bool(form.cleaned_data.get("confirm"))})


# --- /status/ -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
def status_sign_in(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        if reporter_session.current(request) is not None:
            return redirect("intake:status_case")
        if getattr(request, "reporter_timed_out", False):
            messages.info(request, _("You were signed out after a while without activity. "
                                     "Enter your code to continue."))
        return render(request, "intake/status_sign_in.html", {"form": CodeForm()})
    form = CodeForm(request.POST)
    if not form.is_valid():
        return render(request, "intake/status_sign_in.html", {"form": form}, status=400)
    # Reserved per code and per client before the code is checked; only failures keep counting.
    attempt = throttle.code_attempt(
        selector=services.receipt_code_selector(form.cleaned_data["code"]),
        client=throttle.client_key(request))
    if attempt is None:
        return _locked(request)
    try:
        reporter = services.receipt_code_sign_in(code=form.cleaned_data["code"])
    except ReceiptCodeRefused:
        if attempt.past_client_limit:
            return _locked(request)
        form.add_error("code", _("This code does not open a case. Check it and try again: "
                                 "the letters and digits must all be right."))
        return render(request, "intake/status_sign_in.html", {"form": form}, status=400)
    attempt.succeeded()
    reporter_session.sign_in(request, reporter)
    return redirect("intake:status_case")


def _locked(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/slow_down.html", {
        "what": "codes", "lockout_minutes": settings.RECEIPT_CODE_LOCKOUT_MINUTES}, status=429)


def reporter_required(view: View) -> View:
    """Only with a current reporter session; otherwise back to the code form. A session whose
    code was replaced elsewhere ends here too, and a code an advisor handed over leads only to
    its replacement."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        reporter = reporter_session.current(request)
        if reporter is None:
            if getattr(request, "reporter_timed_out", False):
                messages.info(request, _("You were signed out after a while without "
                                         "activity. Enter your code to continue."))
            return redirect("intake:status")
        if reporter.must_replace and not getattr(view, "opens_with_unreplaced_code", False):
            return redirect("intake:status_new_code")
        try:
            return view(request, reporter, *args, **kwargs)
        except MustReplaceCode:
            return redirect("intake:status_new_code")
        except ReporterSessionEnded:
            reporter_session.end(request)
            messages.info(request, _("This code no longer works: it was replaced. Enter your "
                                     "new code."))
            return redirect("intake:status")

    return wrapper


def _status_page(request: HttpRequest, reporter: services.ReporterAccess, *,
                 message_form: MessageForm | None = None,
                 information_form: InformationForm | None = None,
                 status: int = 200) -> HttpResponse:
    page = selectors.reporter_status(reporter=reporter)
    return render(request, "intake/status.html", {
        "status": page, "case": page.case,
        "message_form": message_form or MessageForm(),
        "information_form": information_form or InformationForm()}, status=status)


@require_GET
@reporter_required
def status_case(request: HttpRequest, reporter: services.ReporterAccess) -> HttpResponse:
    response = _status_page(request, reporter)
    services.status_viewed(reporter=reporter)
    return response


@require_POST
@sensitive_post_parameters()
@reporter_required
def status_message(request: HttpRequest, reporter: services.ReporterAccess) -> HttpResponse:
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.reporter_message_send(reporter=reporter, body=form.cleaned_data["body"])
        except (InvalidCaseInput, TransitionUnavailable) as error:
            form.add_error("body", str(error))
        else:
            messages.success(request, _("Your message has been sent to your advisor."))
            return redirect("intake:status_case")
    return _status_page(request, reporter, message_form=form, status=400)


@require_POST
@sensitive_post_parameters()
@reporter_required
def status_add(request: HttpRequest, reporter: services.ReporterAccess) -> HttpResponse:
    form = InformationForm(request.POST, request.FILES,
                           refused_uploads=getattr(request, "refused_uploads", []))
    if form.is_valid():
        if throttle.addition_over_limit(request, reporter.case_id):
            return render(request, "intake/slow_down.html", {"what": "additions"}, status=429)
        try:
            services.reporter_information_add(reporter=reporter,
                                              text=form.cleaned_data["text"],
                                              files=form.cleaned_data["files"])
        except (InvalidCaseInput, TransitionUnavailable) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Thank you. What you added is now part of your case."))
            return redirect("intake:status_case")
    return _status_page(request, reporter, information_form=form, status=400)


@require_http_methods(["GET", "POST"])
@reporter_required
def status_withdraw(request: HttpRequest, reporter: services.ReporterAccess) -> HttpResponse:
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reporter_withdraw(reporter=reporter)
        except TransitionUnavailable as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your case has been withdrawn and is now closed."))
            return redirect("intake:status_case")
    status = 400 if request.method == "POST" else 200
    return render(request, "intake/status_withdraw.html",
                  {"form": form}, status=status)


def _opens_with_unreplaced_code(view: View) -> View:
    """Marks the one page a handed-over code may open before it is replaced."""
    view.opens_with_unreplaced_code = True  # type: ignore[attr-defined]
    return view


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
@reporter_required
@_opens_with_unreplaced_code
def status_new_code(request: HttpRequest, reporter: services.ReporterAccess) -> HttpResponse:
    binding = _binding(request)
    form = NewCodeForm(request.POST or None, binding=binding,
                       initial={"token": new_submission_token(binding)})
    if request.method == "POST" and form.is_valid():
        replaced = services.receipt_code_replace(reporter=reporter,
                                                 form_token=form.cleaned_data["token"])
        reporter_session.replace(request, replaced.access)
        return render(request, "intake/status_new_code_done.html",
                      {"receipt_code": replaced.receipt_code})
    if request.method == "POST":  # an expired form: a fresh token, and the page again
        form = NewCodeForm(binding=binding, initial={"token": new_submission_token(binding)})
    return render(request, "intake/status_new_code.html",
                  {"must_replace": reporter.must_replace, "form": form},
                  status=400 if request.method == "POST" else 200)


@require_POST
def status_leave(request: HttpRequest) -> HttpResponse:
    """Leave: the session ends and the browser is told to forget this site's data."""
    request.session.flush()
    response = render(request, "intake/left.html")
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response
