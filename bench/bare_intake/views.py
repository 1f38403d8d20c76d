"""``/bare/``: parse the report form's fields, INSERT one plain row, answer with a fake code.

What the real ``/report/`` does besides is exactly what the benchmark prices: the data key and
the encryption of every text field, the blind index, the reference counter, the parties, the
receipt code and its HMAC, the audit events, and the full templates.
"""

from __future__ import annotations

import hashlib
import json
import secrets

from django import forms
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.views.decorators.http import require_http_methods

TABLE = "bench_bare_report"
TEXT_MAX = 20_000
SHORT_TEXT_MAX = 500
FAKE_CODE = "BARE-BARE-BARE-BARE-BARE-BARE-BARE-BARE"

_FORM = engines["django"].from_string(
    '<form method="post" action="/bare/">{% csrf_token %}<button>Send</button></form>'
)
_RECEIPT = engines["django"].from_string(
    '<p data-testid="receipt-code">{{ code }}</p>'
)


def _text(limit: int = TEXT_MAX, *, required: bool = False) -> forms.CharField:
    return forms.CharField(required=required, max_length=limit, strip=True)


class BareReportForm(forms.Form):
    """The report form's fields, types and limits; choices as plain values."""

    submission = forms.RegexField(regex=r"^[A-Za-z0-9_-]{16,64}$")
    reporter_role = forms.ChoiceField(choices=[(v, v) for v in (
        "affected", "bystander", "confidant", "addressed", "other")])
    reporter_population = forms.ChoiceField(choices=[(v, v) for v in (
        "student", "staff", "other")])
    behaviours = forms.MultipleChoiceField(choices=[(v, v) for v in (
        "verbal", "non_verbal", "physical", "online", "sexual_harassment", "aggression",
        "bullying", "discrimination", "exclusion", "intimidation", "other")])
    narrative = _text(required=True)
    occurred = _text(SHORT_TEXT_MAX * 4)
    accused_name = _text(SHORT_TEXT_MAX)
    accused_affiliation = forms.ChoiceField(choices=[(v, v) for v in (
        "umc_staff", "uu_affiliated", "student", "external", "unknown")])
    witnesses = _text(SHORT_TEXT_MAX * 4)
    desired_outcome = _text()
    channel = forms.ChoiceField(choices=[("named", "named"), ("anonymous", "anonymous")])
    reporter_name = _text(SHORT_TEXT_MAX)
    reporter_email = forms.EmailField(required=False, max_length=SHORT_TEXT_MAX)
    reporter_phone = _text(SHORT_TEXT_MAX)
    unwanted_advisor = forms.TypedChoiceField(required=False, coerce=int, empty_value=None,
                                              choices=[("", "")])


_INSERT = f"""
INSERT INTO {TABLE} (
    id, reference, kind, channel, received_via, reporter_role, reporter_population, behaviours,
    accused_affiliation, state, outcome, received_at, acknowledgement_due_at, acknowledged_late,
    feedback_due_at, next_deadline_at, updated_at, statement_in_writing, committee, is_assigned,
    key_id, reporter_email_index, submission_key, narrative, occurred, desired_outcome,
    reporter_name, reporter_email, reporter_phone)
VALUES (
    gen_random_uuid(), %s, 'report', %s, 'web', %s, %s, %s::jsonb, %s, 'received', '', now(),
    now() + interval '7 days', false, now() + interval '7 days' + interval '3 months',
    now() + interval '7 days', now(), false, '', false, '', '', %s, %s, %s, %s, %s, %s, %s)
"""  # noqa: S608 - the table name is a constant


@require_http_methods(["GET", "POST"])
def bare_report(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return HttpResponse(_FORM.render({}, request))
    form = BareReportForm(request.POST)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
    data = form.cleaned_data
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, [
            f"B-{secrets.token_hex(7)}", data["channel"], data["reporter_role"],
            data["reporter_population"], json.dumps(sorted(set(data["behaviours"]))),
            data["accused_affiliation"],
            hashlib.sha256(data["submission"].encode()).hexdigest(),
            data["narrative"] or None, data["occurred"] or None,
            data["desired_outcome"] or None, data["reporter_name"] or None,
            data["reporter_email"] or None, data["reporter_phone"] or None,
        ])
    return HttpResponse(_RECEIPT.render({"code": FAKE_CODE}, request))
