"""The reporter's services (cases.services.reporter): the web form, the receipt code, and what
the code opens. Every refusal leaves nothing stored; every change is audited as "reporter"."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from pytest_django import Settings

from audit import actions
from audit.actors import ActorKind
from audit.models import AuditEvent
from cases import receipt_codes, services
from cases.choices import Channel, Kind, MessageDirection, Outcome, ReceivedVia, State
from cases.exceptions import (
    AlreadySubmitted,
    InvalidCaseInput,
    MustReplaceCode,
    ReceiptCodeRefused,
    ReporterSessionEnded,
    TransitionUnavailable,
)
from cases.models import Case, CaseAttachment, CaseMessage, CaseParty, ReceiptCode
from cases.reporter_selectors import reporter_status
from cases.services import FileInput, PartyInput, ReporterAccess
from tests.cases.factories_cases import case_input, make_case
from tests.conftest import Personas
from tests.queries import queries_of

MARKER = "Zebra-Marker-7731"
TEXT_FILE = FileInput(name="notes.txt", content=f"what he wrote: {MARKER}".encode())


def web_input(**overrides: Any) -> services.CaseInput:
    data = case_input(received_via=ReceivedVia.WEB, statement_in_writing=False,
                      narrative=f"He shouted. {MARKER}")
    return replace(data, **overrides)


FORM_TOKEN = "form-0123456789abcdef"


def submit(token: str = FORM_TOKEN, **kwargs: Any) -> services.RegisteredCase:
    kwargs.setdefault("data", web_input())
    return services.case_submit(submission_token=token, **kwargs)


def sign_in(code: str) -> ReporterAccess:
    return services.receipt_code_sign_in(code=code)


def nothing_stored() -> bool:
    return not (Case.objects.exists() or CaseAttachment.objects.exists()
                or AuditEvent.objects.exists())


# --- the web form ---------------------------------------------------------------------------


def test_a_web_report_is_stored_encrypted_with_its_people_files_and_a_fresh_code(
        db: None) -> None:
    registered = submit(files=[TEXT_FILE], data=web_input(parties=(
        PartyInput(role=CaseParty.PartyRole.COMPLAINED_ABOUT, name="Dr. Example"),)))
    case = Case.objects.get()
    assert (case.kind, case.channel, case.received_via) == (Kind.REPORT, Channel.NAMED,
                                                            ReceivedVia.WEB)
    assert case.registered_by is None and not case.is_assigned
    assert case.narrative == f"He shouted. {MARKER}"
    assert case.parties.count() == 1 and case.attachments.count() == 1
    code = ReceiptCode.objects.get(case=case)
    assert not code.must_replace and code.first_used_at is None
    assert registered.receipt_code not in repr(registered)
    trail = AuditEvent.objects.filter(stream=str(case.pk)).order_by("seq")
    assert [e.action for e in trail] == [actions.CASE_CREATED, actions.ATTACHMENT_ADDED,
                                        actions.RECEIPT_CODE_ISSUED]
    assert {(e.actor_kind, e.actor_id) for e in trail} == {(ActorKind.REPORTER, "")}
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cases_case")
        raw = str(cursor.fetchall())
    assert MARKER not in raw and "Dr. Example" not in raw
    assert not AuditEvent.objects.filter(detail__icontains=MARKER).exists()


def test_only_the_web_channel_comes_through_the_form(db: None) -> None:
    with pytest.raises(InvalidCaseInput):
        submit(data=web_input(received_via=ReceivedVia.PHONE))
    assert nothing_stored()


def test_the_same_form_sent_twice_makes_one_case_with_one_code_shown_both_times(
        db: None) -> None:
    first = submit()
    second = submit()
    assert Case.objects.count() == 1 and first.case.pk == second.case.pk
    # Whichever answer the browser keeps, its code works: both carry the same one.
    assert first.receipt_code == second.receipt_code
    assert sign_in(second.receipt_code).case_id == second.case.pk
    assert not AuditEvent.objects.filter(action=actions.RECEIPT_CODE_REPLACED).exists()


def test_codes_from_form_tokens_differ_per_token_and_are_not_the_token(db: None) -> None:
    codes = {submit(token=f"distinct-token-{index:04d}-abcdef").receipt_code
             for index in range(20)}
    assert len(codes) == 20
    assert all(receipt_codes.normalise(code) for code in codes)


def test_a_form_sent_again_after_its_code_was_used_or_much_later_is_refused(
        db: None) -> None:
    sign_in(submit().receipt_code)
    with pytest.raises(AlreadySubmitted):
        submit()
    later = submit(token="another-token-0123456789")
    Case.objects.filter(pk=later.case.pk).update(
        received_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(AlreadySubmitted):
        submit(token="another-token-0123456789")
    assert Case.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sendings_at_the_same_moment_make_one_case() -> None:
    barrier = threading.Barrier(2)
    codes: list[str] = []
    errors: list[BaseException] = []

    def send() -> None:
        try:
            barrier.wait()
            codes.append(submit(token="same-moment-token-0123").receipt_code)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and Case.objects.count() == 1 and len(codes) == 2
    assert codes[0] == codes[1] and _opens(codes[0])


def _opens(code: str) -> bool:
    try:
        sign_in(code)
    except ReceiptCodeRefused:
        return False
    return True


@pytest.mark.parametrize("files", [
    [FileInput(name="evil.pdf", content=b"MZ\x90\x00 not a pdf")],
    [FileInput(name="empty.txt", content=b"")],
    [TEXT_FILE] * 11,
])
def test_a_bad_file_refuses_the_whole_submission(files: list[FileInput], db: None) -> None:
    with pytest.raises(InvalidCaseInput):
        submit(files=files)
    assert nothing_stored()


def test_a_file_over_the_size_limit_is_refused(db: None, settings: Settings) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(InvalidCaseInput, match="too large"):
        submit(files=[FileInput(name="big.txt", content=b"x" * 1025)])
    assert nothing_stored()


def test_the_advisor_not_wanted_is_never_assigned(personas: Personas) -> None:
    case = submit(unwanted_advisor_id=personas.advisor.pk).case
    assert case.unwanted_advisor == personas.advisor
    with pytest.raises(InvalidCaseInput, match="asked"):
        services.case_assign(case_id=case.pk, actor=personas.coordinator,
                             advisor_ids=[personas.advisor.pk])
    services.case_assign(case_id=case.pk, actor=personas.coordinator,
                         advisor_ids=[personas.other_advisor.pk])
    assert list(Case.objects.get(pk=case.pk).advisors.all()) == [personas.other_advisor]


def test_only_an_advisor_can_be_named_as_not_wanted(personas: Personas) -> None:
    with pytest.raises(InvalidCaseInput):
        submit(unwanted_advisor_id=personas.coordinator.pk)
    assert not Case.objects.exists()


# --- signing in -----------------------------------------------------------------------------


def test_the_code_opens_its_case_written_any_way(db: None) -> None:
    registered = submit()
    compact = registered.receipt_code.replace("-", "")
    for typed in (registered.receipt_code, compact.lower(), " ".join(compact)):
        assert sign_in(typed) == ReporterAccess(case_id=registered.case.pk,
                                                selector=compact[:8])
    assert ReceiptCode.objects.get().first_used_at is not None


def test_wrong_unknown_malformed_and_destroyed_codes_get_the_same_refusal(
        personas: Personas) -> None:
    registered = submit()
    compact = registered.receipt_code.replace("-", "")
    wrong_verifier = compact[:8] + ("2" if compact[8] != "2" else "3") + compact[9:]
    unknown_selector = ("2" if compact[0] != "2" else "3") + compact[1:]
    destroyed = make_case(state=State.DESTROYED, advisor=personas.advisor)
    assert destroyed.state == State.DESTROYED
    for code in (wrong_verifier, unknown_selector, "not a code", ""):
        with pytest.raises(ReceiptCodeRefused) as refused:
            sign_in(code)
        assert str(refused.value) == ""


NEW_CODE_TOKEN = "new-code-form-0123456789"


def test_a_code_handed_over_by_an_advisor_opens_only_its_replacement(personas: Personas) -> None:
    registered = services.case_register(actor=personas.advisor, data=case_input())
    access = sign_in(registered.receipt_code)
    assert access.must_replace
    first_use = AuditEvent.objects.get(action=actions.RECEIPT_CODE_USED)
    assert first_use.actor_kind == ActorKind.REPORTER
    for attempt in (lambda: services.reporter_message_send(reporter=access, body="hi"),
                    lambda: services.reporter_withdraw(reporter=access),
                    lambda: services.reporter_information_add(reporter=access, text="x",
                                                              files=[])):
        with pytest.raises(MustReplaceCode):
            attempt()
    assert Case.objects.get().state == State.RECEIVED and not CaseMessage.objects.exists()
    replaced = services.receipt_code_replace(reporter=access, form_token=NEW_CODE_TOKEN)
    assert services.reporter_message_send(reporter=replaced.access, body="hi")
    sign_in(replaced.receipt_code)
    assert AuditEvent.objects.filter(action=actions.RECEIPT_CODE_USED).count() == 1


def test_a_replacement_sent_twice_shows_the_same_new_code(
        reporter: tuple[ReporterAccess, str]) -> None:
    access, _code = reporter
    first = services.receipt_code_replace(reporter=access, form_token=NEW_CODE_TOKEN)
    # The second sending still carries the old code's session.
    second = services.receipt_code_replace(reporter=access, form_token=NEW_CODE_TOKEN)
    assert first.receipt_code == second.receipt_code and first.access == second.access
    assert AuditEvent.objects.filter(action=actions.RECEIPT_CODE_REPLACED).count() == 1
    with pytest.raises(ReporterSessionEnded):  # another form (token) from the old session
        services.receipt_code_replace(reporter=access, form_token="other-form-0123456789")


# --- what the code opens --------------------------------------------------------------------


@pytest.fixture
def reporter(db: None) -> tuple[ReporterAccess, str]:
    registered = submit()
    return sign_in(registered.receipt_code), registered.receipt_code


def test_the_reporter_writes_to_the_advisor(reporter: tuple[ReporterAccess, str]) -> None:
    access, _code = reporter
    message = services.reporter_message_send(reporter=access, body=f"  More: {MARKER} ")
    assert message.direction == MessageDirection.FROM_REPORTER and message.author is None
    assert CaseMessage.objects.get().body == f"More: {MARKER}"
    sent = AuditEvent.objects.get(action=actions.MESSAGE_SENT)
    assert sent.actor_kind == ActorKind.REPORTER
    assert sent.detail_items == {"direction": "from_reporter"}


# Cyrillic capitals that look like Latin ones, a zero-width joiner between the characters.
CYRILLIC = str.maketrans("ABCEHKMPTX",
                         "\u0410\u0412\u0421\u0415\u041d\u041a\u041c\u0420\u0422\u0425")


@pytest.mark.parametrize("shape", [str, str.lower, lambda c: c.replace("-", " "),
                                   lambda c: c.replace("-", ""),
                                   lambda c: "\u200d".join(c.translate(CYRILLIC)).lower()])
def test_a_message_holding_the_reporters_own_code_is_refused(
        shape: Any, reporter: tuple[ReporterAccess, str]) -> None:
    access, code = reporter
    with pytest.raises(InvalidCaseInput, match="receipt code"):
        services.reporter_message_send(reporter=access, body=f"my code is {shape(code)} ok")
    with pytest.raises(InvalidCaseInput, match="receipt code"):
        services.reporter_information_add(reporter=access, text=shape(code), files=[])
    assert not CaseMessage.objects.exists() and not CaseAttachment.objects.exists()


def test_information_and_files_are_added_together_or_not_at_all(
        reporter: tuple[ReporterAccess, str]) -> None:
    access, _code = reporter
    with pytest.raises(InvalidCaseInput):
        services.reporter_information_add(reporter=access, text="  ", files=[])
    with pytest.raises(InvalidCaseInput):
        services.reporter_information_add(
            reporter=access, text="see file",
            files=[TEXT_FILE, FileInput(name="x.pdf", content=b"not a pdf")])
    assert not CaseMessage.objects.exists() and not CaseAttachment.objects.exists()
    assert services.reporter_information_add(reporter=access, text="see file",
                                             files=[TEXT_FILE]) == 1
    attachment = CaseAttachment.objects.get()
    assert attachment.added_by is None
    assert attachment.content == TEXT_FILE.content


def test_the_reporter_withdraws_while_the_advisor_still_handles_it(
        reporter: tuple[ReporterAccess, str]) -> None:
    access, _code = reporter
    case = services.reporter_withdraw(reporter=access)
    assert (case.state, case.outcome) == (State.CLOSED, Outcome.WITHDRAWN)
    withdrawn = AuditEvent.objects.get(action=actions.CASE_WITHDRAWN)
    assert withdrawn.detail_items == {"by": "reporter"}
    with pytest.raises(TransitionUnavailable):
        services.reporter_withdraw(reporter=access)
    with pytest.raises(TransitionUnavailable, match="closed"):
        services.reporter_message_send(reporter=access, body="hello?")


def test_a_referred_case_cannot_be_withdrawn_on_the_status_page(personas: Personas) -> None:
    access = sign_in(submit().receipt_code)
    case = make_case(state=State.REFERRED, advisor=personas.advisor)
    code = ReceiptCode.objects.get(case=case)
    ReceiptCode.objects.filter(case=case).update(must_replace=False)  # as if replaced
    with pytest.raises(TransitionUnavailable, match="no longer be withdrawn"):
        services.reporter_withdraw(reporter=ReporterAccess(case_id=case.pk,
                                                           selector=code.selector))
    assert services.reporter_withdraw(reporter=access).state == State.CLOSED


def test_replacing_the_code_ends_every_session_of_the_old_one(
        reporter: tuple[ReporterAccess, str]) -> None:
    access, old_code = reporter
    other_browser = sign_in(old_code)
    replaced = services.receipt_code_replace(reporter=access, form_token=NEW_CODE_TOKEN)
    assert replaced.receipt_code != old_code and replaced.receipt_code not in repr(replaced)
    with pytest.raises(ReceiptCodeRefused):
        sign_in(old_code)
    for stale in (access, other_browser):
        with pytest.raises(ReporterSessionEnded):
            services.reporter_message_send(reporter=stale, body="hello")
        with pytest.raises(ReporterSessionEnded):
            reporter_status(reporter=stale)
    assert sign_in(replaced.receipt_code) == replaced.access
    assert services.reporter_message_send(reporter=replaced.access, body="hello")
    event = AuditEvent.objects.filter(action=actions.RECEIPT_CODE_REPLACED).get()
    assert event.actor_kind == ActorKind.REPORTER and old_code not in str(event.detail)


# --- the status page's data -----------------------------------------------------------------


def test_the_status_page_shows_messages_files_and_accesses_by_day_and_role(
        personas: Personas) -> None:
    registered = submit()
    case = registered.case
    access = sign_in(registered.receipt_code)
    services.case_assign(case_id=case.pk, actor=personas.coordinator,
                         advisor_ids=[personas.advisor.pk])
    services.message_send(case_id=case.pk, actor=personas.advisor, body="Can we talk?")
    services.note_add(case_id=case.pk, actor=personas.advisor, body="private note")
    services.reporter_information_add(reporter=access, text="", files=[TEXT_FILE])
    for _ in range(3):
        services.case_viewed(case=case, actor=personas.advisor)
    services.case_viewed(case=case, actor=personas.coordinator)
    status = reporter_status(reporter=access)
    assert [m.body for m in status.messages] == ["Can we talk?"]
    assert [f.filename for f in status.files] == ["notes.txt"]
    today = timezone.localdate()
    assert [(a.day, a.role) for a in status.accesses] == [
        (today, "the office's coordinator"), (today, "your confidential advisor")]
    assert status.next_date == ("answer", case.acknowledgement_due_at)


def test_the_status_page_costs_the_same_queries_for_a_long_case(
        reporter: tuple[ReporterAccess, str]) -> None:
    access, _code = reporter
    services.reporter_message_send(reporter=access, body="message 0")
    short = queries_of(lambda: reporter_status(reporter=access))
    for index in range(1, 30):
        services.reporter_message_send(reporter=access, body=f"message {index}")
    assert queries_of(lambda: reporter_status(reporter=access)) == short
    status = reporter_status(reporter=access)
    assert len(status.messages) == 30 and status.messages[0].body == "message 0"


def test_a_code_for_another_case_opens_nothing_else(db: None) -> None:
    first = sign_in(submit(token="first-token-0123456789").receipt_code)
    second = submit(token="second-token-0123456789").case
    with pytest.raises(ReporterSessionEnded):
        reporter_status(reporter=ReporterAccess(case_id=second.pk, selector=first.selector))
    with pytest.raises(ReporterSessionEnded):
        services.reporter_message_send(
            reporter=ReporterAccess(case_id=second.pk, selector=first.selector), body="x")


def test_receipt_codes_in_the_form_meet_the_design(db: None) -> None:
    code = submit().receipt_code
    compact = receipt_codes.normalise(code)
    assert compact is not None and len(compact) == 32 and code.count("-") == 7
