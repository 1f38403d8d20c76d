"""A request with a forged Host header leaves no trace of the header anywhere.

Run in a fresh interpreter with the project's own logging configuration (pytest replaces the
root handlers in-process), so what reaches stdout and stderr is what a server would print.
"""

from __future__ import annotations

from tests.processes import run_python

FORGED = "evil.example<script>alert(1)</script>"

REQUEST = (
    "import django; django.setup()\n"
    "from django.test import Client\n"
    f"response = Client().get('/', HTTP_HOST={FORGED!r})\n"
    "print('status', response.status_code)\n"
)


def test_a_forged_host_header_is_refused_and_printed_nowhere() -> None:
    result = run_python(REQUEST)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "status 400" in result.stdout
    for stream in (result.stdout, result.stderr):
        assert "evil.example" not in stream and "<script>" not in stream
        assert "Traceback" not in stream
