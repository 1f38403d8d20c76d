from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import timezone

from accounts.models import User
from audit import actions
from audit.models import AuditEvent
from audit.verification import verify
from cases import access, services
from cases.choices import (
    Affiliation,
    Channel,
    Committee,
    Kind,
    Population,
    ReceivedVia,
    ReporterRole,
    State,
)
from cases.exceptions import InvalidCaseInput
from cases.models import Case, CaseAttachment, CaseMessage, CaseNote
from demo.sample_cases import DEMO_CASES
from deploy.totp_code import totp
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

ROLES = {"advisor", "coordinator", "committee-misconduct", "committee-uu", "auditor", "sysadmin"}


def _seed() -> dict[str, Any]:
    out = StringIO()
    call_command("seed_demo", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_seed_demo_creates_a_login_for_every_role() -> None:
    logins = _seed()["logins"]
    assert {entry["role"] for entry in logins} == ROLES
    for entry in logins:
        assert set(entry) == {"username", "password", "role", "totp_secret"}


def test_seed_demo_is_idempotent() -> None:
    first = _seed()
    users = User.objects.count()
    assert _seed() == first
    assert User.objects.count() == users


def test_printed_logins_work_with_the_printed_totp_secret(client: Client) -> None:
    advisor = next(e for e in _seed()["logins"] if e["username"] == "advisor")
    response = client.post("/staff/login/", {
        "username": advisor["username"], "password": advisor["password"],
        "otp_token": totp(advisor["totp_secret"]),
    })
    assert response.status_code == 302
    assert "Confidential advisor" in client.get("/staff/").content.decode()


def test_the_sysadmin_is_a_superuser_without_a_role() -> None:
    _seed()
    sysadmin = User.objects.get(username="sysadmin")
    assert sysadmin.is_superuser and not sysadmin.groups.exists()


def test_plain_output_lists_the_logins() -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "advisor" in out.getvalue() and "TOTP" in out.getvalue()


@override_settings(IS_PRODUCTION=True)
def test_seed_demo_refuses_production_settings() -> None:
    with pytest.raises(CommandError, match="refuses to run with production settings"):
        call_command("seed_demo")
    assert not User.objects.exists()


# --- sample cases ----------------------------------------------------------------------------


@dataclass
class Seeded:
    output: str  # everything the command printed, on stdout and stderr
    receipt_codes: list[str]


def _seed_plain(monkeypatch: pytest.MonkeyPatch) -> Seeded:
    """Run seed_demo without --json, keeping the receipt codes the services hand out."""
    codes: list[str] = []
    register = services.case_register

    def register_and_keep_code(**kwargs: Any) -> services.RegisteredCase:
        registered = register(**kwargs)
        codes.append(registered.receipt_code)
        return registered

    monkeypatch.setattr(services, "case_register", register_and_keep_code)
    out, err = StringIO(), StringIO()
    call_command("seed_demo", stdout=out, stderr=err)
    return Seeded(output=out.getvalue() + err.getvalue(), receipt_codes=codes)


@pytest.fixture
def seeded(monkeypatch: pytest.MonkeyPatch) -> Seeded:
    return _seed_plain(monkeypatch)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def test_sample_cases_cover_every_state(seeded: Seeded) -> None:
    states = Counter(Case.objects.values_list("state", flat=True))
    assert set(states) == set(State.values)
    assert Case.objects.count() == len(DEMO_CASES)
    for state in State.values:
        assert f"{state} {states[state]}" in seeded.output


def test_sample_cases_are_varied() -> None:
    _seed()
    cases = list(Case.objects.all())
    assert {c.kind for c in cases} == set(Kind.values)
    assert {c.channel for c in cases} == set(Channel.values)
    assert {c.accused_affiliation for c in cases} >= {
        Affiliation.UMC_STAFF, Affiliation.UU_AFFILIATED, Affiliation.DUAL, Affiliation.EXTERNAL}
    assert len({b for c in cases for b in c.behaviours}) >= 6
    assert {c.reporter_role for c in cases} == set(ReporterRole.values)
    # A dual appointment referred with the reason for the committee chosen.
    dual = Case.objects.get(accused_affiliation=Affiliation.DUAL, state=State.REFERRED)
    assert dual.referral_reason
    # A file returned by a committee is back with the advisor, with the committee's reason.
    returned = Case.objects.get(state=State.IN_PROGRESS, committee="",
                                accused_affiliation=Affiliation.DUAL)
    assert returned.return_reason and returned.referred_at is None


def test_some_sample_cases_are_overdue() -> None:
    _seed()
    now = timezone.now()
    overdue = [c for c in Case.objects.filter(state=State.RECEIVED) if c.is_overdue]
    assert len(overdue) >= 2
    assert all(c.acknowledgement_due_at < now for c in overdue)
    assert any(not c.is_assigned for c in overdue)  # one waits for the coordinator
    assert Case.objects.filter(acknowledged_late=True).exists()
    # Cases in later states were acknowledged within the week.
    assert Case.objects.filter(state=State.DECIDED, acknowledged_late=False).exists()


def test_sample_cases_are_shared_among_advisors() -> None:
    _seed()
    advisor = access.cases_visible_to(_user("advisor")).count()
    advisor2 = access.cases_visible_to(_user("advisor2")).count()
    unassigned = Case.objects.filter(is_assigned=False).exclude(
        state__in=[State.CLOSED, State.DESTROYED])
    assert advisor > advisor2 > 0
    assert unassigned.count() >= 2
    coordinator = _user("coordinator")
    assert access.cases_listable_by(coordinator).count() == Case.objects.count()
    assert not access.cases_visible_to(coordinator).exists()
    assert not access.cases_visible_to(_user("sysadmin")).exists()


def test_sample_cases_have_notes_messages_and_files() -> None:
    _seed()
    assert CaseNote.objects.count() >= 3
    assert CaseMessage.objects.count() >= 3
    attachment = CaseAttachment.objects.exclude(case__state=State.DESTROYED).first()
    assert attachment is not None and attachment.content_type.startswith("text/plain")
    assert attachment.content.decode().strip()


def test_referred_cases_are_visible_to_the_matching_committee_only() -> None:
    _seed()
    members = {Committee.MISCONDUCT: _user("committee-mcc"),
               Committee.UU_INTEGRITY: _user("committee-uu")}
    with_committee = Case.objects.filter(
        state__in=[State.REFERRED, State.UNDER_REVIEW, State.DECIDED])
    assert {c.committee for c in with_committee} == set(Committee.values)
    for case in with_committee:
        for committee, member in members.items():
            visible = access.cases_visible_to(member).filter(pk=case.pk).exists()
            assert visible == (case.committee == committee), (case.reference, committee)
            review = access.has_case_permission(member, access.REVIEW, case)
            assert review == (case.committee == committee)
    # Content is encrypted, so the returned file is found in Python, not by a query.
    returned = [c for c in Case.objects.filter(state=State.IN_PROGRESS) if c.return_reason]
    assert returned
    for case in returned:
        assert not any(access.cases_visible_to(m).filter(pk=case.pk).exists()
                       for m in members.values())


def test_destroyed_sample_cases_are_shredded() -> None:
    _seed()
    destroyed = Case.objects.filter(state=State.DESTROYED)
    assert destroyed.exists()
    assert all(c.is_key_destroyed and c.wrapped_key is None for c in destroyed)


def test_sample_cases_leave_a_valid_audit_trail() -> None:
    _seed()
    report = verify()
    assert report.ok, report.problems
    for case in Case.objects.all():
        first = AuditEvent.objects.filter(stream=str(case.pk)).order_by("seq").first()
        assert first is not None and first.action == actions.CASE_CREATED
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert out.getvalue().startswith("OK:")


def test_a_second_run_adds_no_cases(monkeypatch: pytest.MonkeyPatch, seeded: Seeded) -> None:
    counts = (Case.objects.count(), CaseNote.objects.count(), AuditEvent.objects.count())
    again = _seed_plain(monkeypatch)
    assert (Case.objects.count(), CaseNote.objects.count(),
            AuditEvent.objects.count()) == counts
    assert again.receipt_codes == []
    assert f"none added; the database already holds {counts[0]}" in again.output
    assert _seed()["cases"] == counts[0]


def test_nothing_printed_holds_case_content_or_receipt_codes(
        monkeypatch: pytest.MonkeyPatch, seeded: Seeded) -> None:
    printed = seeded.output + json.dumps(_seed())
    texts = [demo.data.narrative for demo in DEMO_CASES]
    texts += [demo.data.reporter_name for demo in DEMO_CASES if demo.data.reporter_name]
    texts += [demo.data.reporter_email for demo in DEMO_CASES if demo.data.reporter_email]
    texts += [party.name for demo in DEMO_CASES for party in demo.data.parties]
    texts += [step.text for demo in DEMO_CASES for step in demo.steps if step.text]
    assert len(seeded.receipt_codes) == len(DEMO_CASES)
    for text in texts:
        # A distinctive marker of each text: its first few words.
        assert text[:24] not in printed
    for code in seeded.receipt_codes:
        assert code not in printed
        assert code.replace("-", "") not in printed
        assert code.replace("-", "")[:8] not in printed  # the selector alone


def test_a_sample_case_is_only_added_to_an_empty_database(personas: Personas) -> None:
    services.case_register(actor=personas.advisor, data=DEMO_CASES[0].data)
    assert _seed()["cases"] == 1


# --- registering a case received earlier (the service option the samples rely on) ----------


def _phone_report() -> services.CaseInput:
    return services.CaseInput(
        kind=Kind.REPORT, channel=Channel.ANONYMOUS, received_via=ReceivedVia.PHONE,
        reporter_role=ReporterRole.BYSTANDER, reporter_population=Population.STAFF,
        narrative="A call on Friday, registered on Monday.")


def test_a_case_received_earlier_keeps_its_receipt_time(personas: Personas) -> None:
    friday = timezone.now() - timedelta(days=3)
    case = services.case_register(actor=personas.advisor, data=_phone_report(),
                                  received_at=friday).case
    case.refresh_from_db()
    assert case.received_at == friday
    assert case.acknowledgement_due_at == timezone.localtime(friday) + timedelta(days=7)
    created = AuditEvent.objects.get(stream=str(case.pk), action=actions.CASE_CREATED)
    assert "received_at" in created.changed_field_names


def test_a_case_received_long_ago_is_overdue_at_once(personas: Personas) -> None:
    case = services.case_register(actor=personas.advisor, data=_phone_report(),
                                  received_at=timezone.now() - timedelta(days=8)).case
    assert case.is_acknowledgement_overdue
    acknowledged = services.case_acknowledge(case_id=case.pk, actor=personas.advisor)
    assert acknowledged.acknowledged_late


def test_a_receipt_time_in_the_future_is_refused(personas: Personas) -> None:
    with pytest.raises(InvalidCaseInput, match="future"):
        services.case_register(actor=personas.advisor, data=_phone_report(),
                               received_at=timezone.now() + timedelta(minutes=5))
    assert not Case.objects.exists()


def test_without_a_receipt_time_a_case_is_received_now(personas: Personas) -> None:
    before = timezone.now()
    case = services.case_register(actor=personas.advisor, data=_phone_report()).case
    assert before <= case.received_at <= timezone.now()
    created = AuditEvent.objects.get(stream=str(case.pk), action=actions.CASE_CREATED)
    assert "received_at" not in created.changed_field_names
