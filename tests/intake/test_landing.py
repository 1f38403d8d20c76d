from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from django.test import Client

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


@pytest.fixture
def landing(client: Client) -> TestResponse:
    return client.get("/")


def test_landing_offers_the_three_choices_and_a_quick_exit(landing: TestResponse) -> None:
    html = landing.content.decode()
    assert landing.status_code == 200
    for href in ('href="/talk/"', 'href="/report/"', 'href="/status/"'):
        assert href in html
    assert 'data-testid="quick-exit"' in html
    assert "What is undesirable behaviour?" in html
    assert "We answer within one week, always." in html


def test_landing_is_accessible_by_structure(landing: TestResponse) -> None:
    html = landing.content.decode()
    assert '<html lang="en">' in html
    assert '<main id="main"' in html and 'href="#main"' in html  # landmark and skip link
    assert html.count("<h1>") == 1
    assert "<header" in html and "<footer" in html


def test_landing_loads_nothing_from_other_origins(landing: TestResponse) -> None:
    html = landing.content.decode()
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    # The only outside address is the neutral page the quick exit leads to.
    assert external == ["https://www.weeronline.nl/"]


def test_strict_security_headers(landing: TestResponse) -> None:
    csp = landing["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert landing["Referrer-Policy"] == "same-origin"
    assert landing["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in landing["Cache-Control"]


def test_accept_language_dutch_turns_the_page_dutch(client: Client) -> None:
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert '<html lang="nl">' in html
    assert "Wat is ongewenst gedrag?" in html
    assert "We antwoorden binnen een week, altijd." in html


def test_language_switch_sets_a_session_only_cookie(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "nl", "next": "/"})
    assert response.status_code == 302
    cookie = response.cookies["django_language"]
    assert cookie.value == "nl"
    # No expiry: the choice dies with the browser session and leaves no trace on the device.
    assert not cookie["max-age"] and not cookie["expires"]
    assert "Wat is ongewenst gedrag?" in client.get("/").content.decode()


@pytest.mark.parametrize("language", ["xx", "fr", "", "nl-evil<script>"])
def test_unknown_language_falls_back_to_english(client: Client, language: str) -> None:
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    html = client.get("/", HTTP_ACCEPT_LANGUAGE=language or "xx").content.decode()
    assert '<html lang="en">' in html
    assert "What is undesirable behaviour?" in html


def test_unknown_page_is_a_humane_404_that_echoes_nothing(client: Client) -> None:
    response = client.get("/no-such-page-<b>marker</b>/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "marker" not in html
