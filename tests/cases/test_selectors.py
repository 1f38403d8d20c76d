"""Reads for the staff workspace: only permitted cases, keyset pages, and a number of queries
that does not grow with the data (STYLE.md: "a page's query count does not grow")."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from accounts.models import User
from cases import selectors, services
from cases.choices import Channel, Committee, Kind, Outcome, State
from cases.exceptions import CaseNotFound
from cases.models import Case, CaseParty
from cases.selectors import CaseCursor, CaseFilters, case_list, dashboard
from tests.cases.factories_cases import case_input, make_case
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def fresh_user(user: User) -> User:
    """The user as a new request loads it: no roles cached on the instance yet."""
    return User.objects.get(pk=user.pk)


def ids(cases: list[Case]) -> set[uuid.UUID]:
    return {case.pk for case in cases}


# --- who sees what -----------------------------------------------------------------------------


@pytest.fixture
def office(personas: Personas) -> dict[str, Case]:
    """A small office: cases of two advisors, an unassigned one, one per committee, a closed
    one."""
    return {
        "mine": make_case(state=State.IN_PROGRESS, advisor=personas.advisor),
        "mine_new": make_case(advisor=personas.advisor),
        "mine_closed": make_case(state=State.CLOSED, advisor=personas.advisor),
        "theirs": make_case(state=State.ACKNOWLEDGED, advisor=personas.other_advisor),
        "unassigned": make_case(advisor=None, coordinator=personas.coordinator),
        "to_misconduct": make_case(state=State.UNDER_REVIEW, advisor=personas.other_advisor,
                                   committee_actor=personas.misconduct_committee),
        "to_uu": make_case(state=State.REFERRED, advisor=personas.advisor,
                           affiliation="uu_affiliated"),
    }


def test_an_advisor_sees_their_own_cases(personas: Personas, office: dict[str, Case]) -> None:
    board = dashboard(actor=personas.advisor)
    assert ids(board.my_cases) == ids([office["mine"], office["mine_new"], office["to_uu"]])
    assert board.committee_cases == board.unassigned == []
    assert not board.is_coordinator
    listed = case_list(actor=personas.advisor, filters=CaseFilters()).cases
    assert ids(listed) == ids([office["mine"], office["mine_new"], office["mine_closed"],
                               office["to_uu"]])


def test_the_other_advisor_sees_only_theirs(personas: Personas,
                                            office: dict[str, Case]) -> None:
    listed = case_list(actor=personas.other_advisor, filters=CaseFilters()).cases
    assert ids(listed) == ids([office["theirs"], office["to_misconduct"]])
    board = dashboard(actor=personas.other_advisor)
    assert ids(board.my_cases) == ids([office["theirs"], office["to_misconduct"]])


def test_a_coordinator_lists_every_case_and_the_unassigned_queue(
        personas: Personas, office: dict[str, Case]) -> None:
    listed = case_list(actor=personas.coordinator, filters=CaseFilters()).cases
    assert ids(listed) == ids(list(office.values()))
    board = dashboard(actor=personas.coordinator)
    assert board.is_coordinator
    assert ids(board.unassigned) == {office["unassigned"].pk}
    assert board.my_cases == board.committee_cases == []
    # Every open deadline of the office, due within three days from a week on.
    soon = dashboard(actor=personas.coordinator, now=timezone.now() + timedelta(days=5))
    assert ids(soon.due_soon) == ids([office["mine_new"], office["unassigned"]])
    late = dashboard(actor=personas.coordinator, now=timezone.now() + timedelta(days=8))
    assert ids(late.overdue) == ids([office["mine_new"], office["unassigned"]])


@pytest.mark.parametrize(("member", "case"), [("misconduct_committee", "to_misconduct"),
                                              ("uu_committee", "to_uu")])
def test_a_committee_sees_the_files_referred_to_it(member: str, case: str, personas: Personas,
                                                   office: dict[str, Case]) -> None:
    person = getattr(personas, member)
    board = dashboard(actor=person)
    assert ids(board.committee_cases) == {office[case].pk}
    assert board.my_cases == board.overdue == board.due_soon == []
    assert ids(case_list(actor=person, filters=CaseFilters()).cases) == {office[case].pk}


@pytest.mark.parametrize("persona", ["auditor", "no_role", "superuser"])
def test_everyone_else_sees_nothing(persona: str, personas: Personas,
                                    office: dict[str, Case]) -> None:
    person = getattr(personas, persona)
    board = dashboard(actor=person, now=timezone.now() + timedelta(days=30))
    assert board.my_cases == board.committee_cases == board.unassigned == []
    assert board.overdue == board.due_soon == []
    assert case_list(actor=person, filters=CaseFilters()).cases == []
    for case in office.values():
        with pytest.raises(CaseNotFound):
            selectors.case_detail(actor=person, case_id=case.pk)


def test_a_coordinator_sees_metadata_but_no_content(personas: Personas,
                                                    office: dict[str, Case]) -> None:
    detail = selectors.case_detail(actor=personas.coordinator, case_id=office["mine"].pk)
    assert not detail.can_read and detail.is_coordinator
    assert [a.pk for a in detail.advisors] == [personas.advisor.pk]
    assert detail.timeline  # the history, from the audit trail
    assert detail.parties == detail.notes == detail.messages == detail.attachments == []
    assert detail.receipt_code is None


def test_list_rows_load_no_ciphertext(personas: Personas, office: dict[str, Case]) -> None:
    rows = case_list(actor=personas.coordinator, filters=CaseFilters()).cases
    encrypted = {"narrative", "reporter_name", "reporter_email", "decision", "wrapped_key"}
    for row in rows:
        assert encrypted <= row.get_deferred_fields()


# --- filters -----------------------------------------------------------------------------------


def test_filters(personas: Personas, office: dict[str, Case]) -> None:
    coordinator = personas.coordinator

    def listed(now: datetime | None = None, **filters: str) -> set[uuid.UUID]:
        return ids(case_list(actor=coordinator, filters=CaseFilters(**filters), now=now).cases)

    assert listed(state=State.CLOSED) == {office["mine_closed"].pk}
    assert listed(state=State.REFERRED) == {office["to_uu"].pk}
    assert listed(assignment="unassigned") == {office["unassigned"].pk}
    assert listed(assignment="mine") == set()  # a coordinator handles no case
    assert listed(reference=f" {office['theirs'].reference} ") == {office["theirs"].pk}
    assert listed(reference="1999-0001") == set()
    assert listed(kind=Kind.CONSULTATION) == set()
    assert listed(channel=Channel.NAMED) == ids(list(office.values()))
    week = timezone.now() + timedelta(days=8)
    assert listed(deadline="overdue", now=week) == ids([office["mine_new"],
                                                        office["unassigned"]])
    assert listed(deadline="overdue") == set()
    assert listed(deadline="due_soon", now=timezone.now() + timedelta(days=5)) == ids(
        [office["mine_new"], office["unassigned"]])
    assert listed(state=State.RECEIVED, assignment="unassigned") == {office["unassigned"].pk}
    advisor = ids(case_list(actor=personas.advisor,
                            filters=CaseFilters(assignment="mine", state=State.CLOSED)).cases)
    assert advisor == {office["mine_closed"].pk}


def test_consultations_and_anonymous_reports_filter(personas: Personas) -> None:
    talk = make_case(advisor=personas.advisor, kind=Kind.CONSULTATION)
    anonymous = make_case(advisor=personas.advisor, channel=Channel.ANONYMOUS)
    named = make_case(advisor=personas.advisor)

    def listed(**filters: str) -> set[uuid.UUID]:
        return ids(case_list(actor=personas.advisor, filters=CaseFilters(**filters)).cases)

    assert listed(kind=Kind.CONSULTATION) == {talk.pk}
    assert listed(kind=Kind.REPORT) == {anonymous.pk, named.pk}
    assert listed(channel=Channel.ANONYMOUS) == {anonymous.pk}


# --- keyset pagination -------------------------------------------------------------------------


def walk(actor: User, size: int, filters: CaseFilters | None = None) -> list[Case]:
    """Every page, following the cursor as a browser would (through its text form)."""
    seen: list[Case] = []
    after = None
    for _ in range(100):
        page = case_list(actor=actor, filters=filters or CaseFilters(), after=after, size=size)
        assert len(page.cases) <= size
        seen.extend(page.cases)
        if page.next_cursor is None:
            return seen
        assert len(page.cases) == size
        after = CaseCursor.parse(str(page.next_cursor))
        assert after == page.next_cursor
    raise AssertionError("the pages never ended")


@pytest.mark.parametrize("size", [1, 4, 5, 7, 50])
def test_pages_walk_every_case_once_in_order_with_equal_times(personas: Personas,
                                                              size: int) -> None:
    cases = [make_case(advisor=personas.advisor) for _ in range(17)]
    # Cases received at the same moment (a bulk import, a coarse clock): groups of 1 to 5.
    moment = timezone.now().replace(microsecond=0)
    start = 0
    for group, length in enumerate([3, 5, 1, 4, 2, 2]):
        Case.objects.filter(pk__in=[c.pk for c in cases[start:start + length]]).update(
            received_at=moment - timedelta(minutes=group))
        start += length

    seen = walk(personas.advisor, size)

    assert len(seen) == len({c.pk for c in seen}) == 17
    assert {c.pk for c in seen} == {c.pk for c in cases}
    keys = [(c.received_at, c.pk) for c in seen]
    assert keys == sorted(keys, reverse=True)


def test_pages_respect_filters_and_permissions(personas: Personas) -> None:
    mine = [make_case(advisor=personas.advisor) for _ in range(6)]
    for _ in range(3):
        make_case(advisor=personas.other_advisor)
    for case in mine[:2]:
        services.case_withdraw(case_id=case.pk, actor=personas.advisor)
    seen = walk(personas.advisor, 2, CaseFilters(state=State.RECEIVED))
    assert [c.pk for c in seen] == [c.pk for c in sorted(
        mine[2:], key=lambda c: (c.received_at, c.pk), reverse=True)]


def test_the_last_full_page_has_no_next_cursor(personas: Personas) -> None:
    for _ in range(4):
        make_case(advisor=personas.advisor)
    page = case_list(actor=personas.advisor, filters=CaseFilters(), size=4)
    assert len(page.cases) == 4 and page.next_cursor is None


@pytest.mark.parametrize("text", ["", "abc", "1.2", "123.zz" + "0" * 30, "-5." + "0" * 32,
                                  "9" * 19 + "." + "0" * 32, "1." + "0" * 33, None])
def test_a_broken_cursor_is_ignored(text: str | None) -> None:
    # None too, though parse() is declared for text: a form may hand it no value at all.
    assert CaseCursor.parse(text) is None  # type: ignore[arg-type]


def test_a_cursor_survives_its_text_form() -> None:
    cursor = CaseCursor(timezone.now(), uuid.uuid4())
    assert CaseCursor.parse(str(cursor)) == cursor


# --- queries do not grow with the data ---------------------------------------------------------


def _grow(personas: Personas, total: int, cases: list[Case]) -> None:
    """Add cases until there are ``total``: two of three with the advisor, the rest waiting
    unassigned; one in six closed."""
    while len(cases) < total:
        n = len(cases)
        if n % 3 == 2:
            cases.append(make_case(advisor=None, coordinator=personas.coordinator))
        elif n % 6 == 0:
            cases.append(make_case(state=State.CLOSED, advisor=personas.advisor))
        else:
            cases.append(make_case(advisor=personas.advisor))


def _queries(call: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def _touch_rows(rows: list[Case]) -> None:
    """What a list template reads of each row: plain columns and the advisors' names."""
    for case in rows:
        _ = (case.reference, case.state, case.next_deadline_at, case.is_assigned)
        _ = [(a.advisor.get_full_name(), a.advisor.get_username()) for a in
             case.assignments.all()]


def _dashboards(actor: User) -> Callable[[], None]:
    def call() -> None:
        user = fresh_user(actor)
        # Five days on, every open acknowledgement is due soon; eight days on, overdue.
        for days in (5, 8):
            board = dashboard(actor=user, now=timezone.now() + timedelta(days=days))
            assert board.due_soon or board.overdue
            for rows in (board.my_cases, board.committee_cases, board.unassigned,
                         board.overdue, board.due_soon):
                _touch_rows(rows)
    return call


def _case_list(actor: User) -> Callable[[], None]:
    def call() -> None:
        user = fresh_user(actor)
        page = case_list(actor=user, filters=CaseFilters(), size=10)
        _touch_rows(page.cases)
        _touch_rows(case_list(actor=user, filters=CaseFilters(), size=10,
                              after=page.next_cursor).cases)
    return call


@pytest.mark.parametrize("persona", ["advisor", "coordinator"])
@pytest.mark.parametrize("page", ["dashboard", "case_list"])
def test_list_queries_do_not_grow_with_the_cases(
        persona: str, page: str, personas: Personas,
        django_assert_num_queries: DjangoAssertNumQueries) -> None:
    actor = getattr(personas, persona)
    call = _dashboards(actor) if page == "dashboard" else _case_list(actor)
    cases: list[Case] = []
    _grow(personas, 3, cases)
    call()  # warm what is loaded once per process
    small = _queries(call)
    _grow(personas, 30, cases)
    with django_assert_num_queries(small):
        call()


def _fill(case: Case, advisor: User, count: int) -> None:
    for i in range(count):
        services.note_add(case_id=case.pk, actor=advisor, body=f"note {i}")
        services.message_send(case_id=case.pk, actor=advisor, body=f"message {i}")
        services.attachment_add(case_id=case.pk, actor=advisor, filename=f"f{i}.txt",
                                content=b"file %d" % i)


def _show_detail(actor: User, case_id: uuid.UUID) -> Callable[[], None]:
    def call() -> None:
        detail = selectors.case_detail(actor=fresh_user(actor), case_id=case_id)
        case = detail.case
        _ = (case.narrative, case.reporter_name, case.registered_by)
        _ = [(a.get_full_name(), a.get_username()) for a in detail.advisors]
        _ = [(p.name, p.description, p.role) for p in detail.parties]
        _ = [(n.body, n.author.get_username(), n.created_at) for n in detail.notes]
        _ = [(m.body, m.direction, m.author and m.author.get_username())
             for m in detail.messages]
        _ = [(a.filename, a.size, a.content_type, a.added_by and a.added_by.get_username())
             for a in detail.attachments]
        _ = [(e.actor_label, e.event.action) for e in detail.timeline]
        _ = [(a.spec.slug, a.available) for a in detail.actions]
        _ = detail.receipt_code and detail.receipt_code.must_replace
    return call


def _case_with_parts(personas: Personas, count: int, *, referred: bool) -> Case:
    parties = [services.PartyInput(role=CaseParty.PartyRole.WITNESS, name=f"Witness {i}")
               for i in range(count)]
    case = make_case(state=State.IN_PROGRESS, advisor=personas.advisor,
                     data=case_input(parties=parties))
    _fill(case, personas.advisor, count)
    if referred:
        services.case_refer(case_id=case.pk, actor=personas.advisor,
                            committee=Committee.MISCONDUCT)
    return case


@pytest.mark.parametrize("persona", ["advisor", "misconduct_committee", "coordinator"])
def test_case_detail_queries_do_not_grow_with_its_parts(
        persona: str, personas: Personas,
        django_assert_num_queries: DjangoAssertNumQueries) -> None:
    actor = getattr(personas, persona)
    one = _case_with_parts(personas, 1, referred=True)
    ten = _case_with_parts(personas, 10, referred=True)
    _show_detail(actor, one.pk)()  # warm what is loaded once per process
    small = _queries(_show_detail(actor, one.pk))
    with django_assert_num_queries(small):
        _show_detail(actor, ten.pk)()


def test_case_detail_of_a_destroyed_case_loads_no_parts(
        personas: Personas, django_assert_max_num_queries: DjangoAssertNumQueries) -> None:
    case = _case_with_parts(personas, 3, referred=False)
    services.case_close(case_id=case.pk, actor=personas.advisor, outcome=Outcome.ADVICE_GIVEN)
    services.case_destroy(case_id=case.pk, actor=personas.coordinator)
    detail = selectors.case_detail(actor=personas.advisor, case_id=case.pk)
    assert detail.notes == detail.messages == detail.attachments == detail.parties == []
    assert detail.receipt_code is None


def test_my_cases_put_the_nearest_deadline_first_and_cases_without_one_last(
        personas: Personas) -> None:
    answered = [make_case(state=State.ACKNOWLEDGED, advisor=personas.advisor) for _ in range(3)]
    for case in answered:  # feedback given: no deadline left while the case is open
        services.message_send(case_id=case.pk, actor=personas.advisor, body="Update.")
    waiting = make_case(advisor=personas.advisor)
    board = dashboard(actor=personas.advisor, size=2)
    assert board.my_cases[0].pk == waiting.pk
    full = dashboard(actor=personas.advisor)
    assert [c.pk for c in full.my_cases][1:] == [c.pk for c in sorted(
        answered, key=lambda c: (c.received_at, c.pk), reverse=True)]


def test_a_visitor_who_is_not_signed_in_sees_nothing(office: dict[str, Case]) -> None:
    visitor = AnonymousUser()
    # The selectors take a staff User; a visitor is passed anyway, to show nothing leaks.
    board = dashboard(actor=visitor, now=timezone.now() + timedelta(days=30))  # type: ignore[arg-type]
    assert board.my_cases == board.unassigned == board.overdue == board.due_soon == []
    assert case_list(actor=visitor, filters=CaseFilters()).cases == []  # type: ignore[arg-type]
    with pytest.raises(CaseNotFound):
        selectors.case_detail(actor=visitor, case_id=office["mine"].pk)  # type: ignore[arg-type]


def test_files_of_a_destroyed_case_cannot_be_downloaded(personas: Personas) -> None:
    case = make_case(state=State.IN_PROGRESS, advisor=personas.advisor)
    attachment = services.attachment_add(case_id=case.pk, actor=personas.advisor,
                                         filename="evidence.txt", content=b"evidence")
    assert selectors.attachment_for_download(
        actor=personas.advisor, case_id=case.pk, attachment_id=attachment.pk
    ).content == b"evidence"
    services.case_close(case_id=case.pk, actor=personas.advisor, outcome=Outcome.SIGNPOSTED)
    services.case_destroy(case_id=case.pk, actor=personas.coordinator)
    with pytest.raises(CaseNotFound):
        selectors.attachment_for_download(actor=personas.advisor, case_id=case.pk,
                                          attachment_id=attachment.pk)
