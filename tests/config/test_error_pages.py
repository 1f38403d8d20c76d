"""Domain errors become error pages in one place (config.errors), by their status alone."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from audit.exceptions import AuditError
from cases import exceptions as cases_exceptions
from core.exceptions import ApplicationError
from crypto.exceptions import CryptoError
from files.exceptions import FileRefused
from tests.config.error_urls import SECRET

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.config.error_urls")]


@pytest.mark.parametrize(("status", "english", "dutch"), [
    (400, "Something in the request was not right", "Er klopte iets niet aan het verzoek"),
    (403, "Not allowed", "Geen toegang"),
    (404, "Page not found", "Pagina niet gevonden"),
    (409, "This has changed in the meantime", "Dit is intussen veranderd"),
    (418, "Something in the request was not right", "Er klopte iets niet aan het verzoek"),
])
def test_a_domain_error_is_its_status_page_in_both_languages(
        client: Client, status: int, english: str, dutch: str) -> None:
    for language, title in (("en", english), ("nl", dutch)):
        response = client.get(f"/raise/{status}/", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == status
        page = response.content.decode()
        assert f"<h1>{title}</h1>" in page
        # Never the error's message: it may name a case, a person or a receipt code.
        assert "2026-0042" not in page and "Dr Example" not in page and "2345" not in page
        assert "no-store" in response["Cache-Control"]


def test_a_fault_on_our_side_is_left_to_django(client: Client) -> None:
    # Logged with its traceback and answered by the 500 handler; the test client re-raises.
    with pytest.raises(ApplicationError, match="2026-0042"):
        client.get("/raise/500/")
    quiet = Client(raise_request_exception=False)
    response = quiet.get("/raise/500/")
    assert response.status_code == 500 and SECRET not in response.content.decode()


QUICK_EXIT = 'data-testid="quick-exit"'


@pytest.mark.parametrize(("language", "title"), [
    ("en", "Something went wrong on our side"), ("nl", "Er ging bij ons iets mis")])
def test_the_500_page_has_the_quick_exit_and_the_visitors_language(
        language: str, title: str, settings: Any) -> None:
    quiet = Client(raise_request_exception=False)
    page = quiet.get("/raise/500/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f"<h1>{title}</h1>" in page and QUICK_EXIT in page
    assert settings.QUICK_EXIT_URL in page and f'lang="{language}"' in page
    assert SECRET not in page


def test_the_500_page_keeps_both_when_the_full_page_cannot_be_made(settings: Any) -> None:
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "OPTIONS": {
        **settings.TEMPLATES[0]["OPTIONS"],
        "context_processors": [*settings.TEMPLATES[0]["OPTIONS"]["context_processors"],
                               "tests.config.error_urls.broken_context"]}}]
    quiet = Client(raise_request_exception=False)
    page = quiet.get("/raise/500/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "<h1>Er ging bij ons iets mis</h1>" in page and QUICK_EXIT in page
    assert 'lang="nl"' in page and SECRET not in page


@pytest.mark.parametrize("status", [400, 403, 404, 409])
def test_every_error_page_has_the_quick_exit_in_the_visitors_language(
        client: Client, status: int) -> None:
    page = client.get(f"/raise/{status}/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert QUICK_EXIT in page and 'lang="nl"' in page


def test_the_slow_down_page_has_the_quick_exit_in_the_visitors_language(
        client: Client, settings: Any) -> None:
    settings.RECEIPT_CODE_FAILURES_PER_CODE = 1
    code = "2345-6789-ABCD-EFGH-JKMN-PQRS-TVWX-YZ23"
    for _ in range(3):
        response = client.post("/status/", {"code": code}, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 429
    page = response.content.decode()
    assert QUICK_EXIT in page and 'lang="nl"' in page


def test_every_domain_error_has_one_base_and_a_status() -> None:
    exceptions = [cls for cls in vars(cases_exceptions).values()
                  if isinstance(cls, type) and issubclass(cls, Exception)]
    errors = [cls for cls in exceptions if issubclass(cls, ApplicationError)]
    assert errors == exceptions
    assert issubclass(AuditError, ApplicationError) and AuditError.status_code == 500
    # The domain-free apps' errors share the base: a refused file is the sender's to fix, a
    # crypto failure is ours.
    assert issubclass(FileRefused, ApplicationError) and FileRefused.status_code == 400
    assert issubclass(CryptoError, ApplicationError) and CryptoError.status_code == 500
    assert {cls.__name__: cls.status_code for cls in errors} == {
        "ApplicationError": 500, "CaseNotFound": 404, "CaseKeyAlreadyDestroyedError": 409,
        "InvalidTransitionInput": 400, "TransitionUnavailable": 409, "NotPermitted": 403,
        "InvalidCaseInput": 400, "ReceiptCodeRefused": 400, "ReporterSessionEnded": 403,
        "AlreadySubmitted": 409, "MustReplaceCode": 403,
    }
