"""Permission-matrix rows for the staff workspace (DESIGN.md §2).

Each object row builds its case through the services, as the office would: a report handled
by the ``advisor`` persona, or one referred to the Misconduct Complaints Committee. Everyone
who may not see a case gets the same 404 as for a case that does not exist; a coordinator sees
metadata (200) but is refused content actions (403); anonymous visitors are sent to sign in.
"""

from __future__ import annotations

from typing import Any

from cases import services
from cases.choices import Affiliation, Channel, Committee, Kind, Population, ReceivedVia
from cases.choices import ReporterRole as Role
from cases.models import Case
from tests.matrix import ADMIN_CATCH_ALL, ANON, PERSONAS, Row

STAFF = [p for p in PERSONAS if p != ANON]


def _expect(default: int, **by_persona: int) -> dict[str, int]:
    expected = {p: default for p in STAFF}
    expected[ANON] = 302
    expected.update(by_persona)
    return expected


def _report(personas: Any, *, kind: str = Kind.REPORT) -> Case:
    """A named report registered (and so handled) by the advisor persona."""
    data = services.CaseInput(
        kind=kind, channel=Channel.NAMED, received_via=ReceivedVia.PHONE,
        reporter_role=Role.AFFECTED, reporter_population=Population.STAFF,
        accused_affiliation=Affiliation.UMC_STAFF, narrative="Matrix narrative",
        reporter_name="Matrix Reporter", statement_in_writing=True)
    return services.case_register(actor=personas.advisor, data=data).case


def _referred(personas: Any) -> Case:
    case = _report(personas)
    advisor = personas.advisor
    services.case_acknowledge(case_id=case.pk, actor=advisor)
    services.case_start(case_id=case.pk, actor=advisor)
    services.case_record_consent(case_id=case.pk, actor=advisor, statement_in_writing=True)
    return services.case_refer(case_id=case.pk, actor=advisor, committee=Committee.MISCONDUCT)


def _with_file(personas: Any) -> str:
    case = _report(personas)
    attachment = services.attachment_add(case_id=case.pk, actor=personas.advisor,
                                         filename="statement.txt", content=b"matrix file")
    return f"/staff/cases/{case.pk}/files/{attachment.pk}/"


def _case_path(suffix: str = "", *, build: Any = _report) -> Any:
    return lambda personas: f"/staff/cases/{build(personas).pk}/{suffix}"


# Pages every member of staff may open (their content depends on the role).
MATRIX = [
    Row("cases:dashboard", "/staff/", _expect(200)),
    Row("cases:list", "/staff/cases/", _expect(200)),
    Row("cases:list", "/staff/cases/?state=received&deadline=overdue&after=1.%s" % ("0" * 32),
        _expect(200)),
    Row("cases:register", "/staff/cases/new/",
        _expect(404, advisor=200, other_advisor=200, coordinator=200)),
]

# One case, handled by the advisor: the advisor reads it, the coordinator sees its metadata.
MATRIX += [
    Row("cases:detail", _case_path(), _expect(404, advisor=200, coordinator=200)),
    Row("cases:detail", _case_path(build=_referred),
        _expect(404, advisor=200, coordinator=200, misconduct_committee=200)),
    Row("cases:transition", _case_path("do/acknowledge/"),
        # The coordinator is not offered the advisor's steps: back to the case page.
        _expect(404, advisor=200, coordinator=302)),
    Row("cases:transition", _case_path("do/accept/", build=_referred),
        _expect(404, advisor=302, coordinator=302, misconduct_committee=200)),
    Row("cases:transition", _case_path("do/no-such-step/"), _expect(404)),
    Row("cases:assign", _case_path("advisors/"), _expect(404, coordinator=200)),
    Row("cases:consent", _case_path("consent/"), _expect(404, advisor=200)),
    Row("cases:convert", _case_path("convert/", build=lambda p: _report(
        p, kind=Kind.CONSULTATION)), _expect(404, advisor=200)),
    Row("cases:note_add", _case_path("notes/"), _expect(404, advisor=302, coordinator=403),
        method="post"),
    Row("cases:message_send", _case_path("messages/"),
        _expect(404, advisor=302, coordinator=403), method="post"),
    Row("cases:attachment_upload", _case_path("files/"),
        _expect(404, advisor=302, coordinator=403), method="post"),
    Row("cases:attachment_download", _with_file, _expect(404, advisor=200)),
]

# The admin holds nothing of the cases app: not even the system administrator finds it there.
MATRIX += [
    Row(ADMIN_CATCH_ALL, "/admin/cases/", {p: 404 if p == "superuser" else 302 for p in PERSONAS}),
]
