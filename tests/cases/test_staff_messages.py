"""What the workspace tells staff after a POST waits in the server-side session, never in a
cookie, and never repeats what someone was working on (a file's name is case content)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cases.choices import State
from tests.cases.factories_cases import make_case
from tests.conftest import Personas
from tests.factories import sign_in_verified

pytestmark = pytest.mark.django_db

NAME = "Complaint-about-Jan-Jansen.svg"


def test_a_refused_upload_leaves_no_message_cookie(client: Client, personas: Personas) -> None:
    case = make_case(state=State.IN_PROGRESS, advisor=personas.advisor)
    sign_in_verified(client, personas.advisor)
    response = client.post(reverse("cases:attachment_upload", kwargs={"case_id": case.pk}),
                           {"file": SimpleUploadedFile(NAME, b"plain words, not an image")})
    # The reason, which names the file, is said in this answer only...
    assert response.status_code == 400
    assert "Jan-Jansen" in response.content.decode()
    assert "The file was not added" in response.content.decode()
    # ...never in a cookie, and never in a message waiting in the session for the next page.
    assert "messages" not in response.cookies
    assert all("Jan-Jansen" not in morsel.value for morsel in response.cookies.values())
    assert "Jan-Jansen" not in str(dict(client.session))
    case_page = client.get(reverse("cases:detail", kwargs={"case_id": case.pk}))
    assert "Jan-Jansen" not in case_page.content.decode()
