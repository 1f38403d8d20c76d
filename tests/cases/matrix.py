"""Permission-matrix rows for the staff workspace (DESIGN.md §2).

Each object row builds its case through the services, as the office would: a report handled
by the ``advisor`` persona, or one referred to the Misconduct Complaints Committee. Everyone
who may not see a case gets the same 404 as for a case that does not exist; a coordinator sees
metadata (200) but is refused content actions (403); anonymous visitors and reporters, the
reporter of the case included, are sent to sign in.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services
from cases.choices import Affiliation, Channel, Committee, Kind, Population, ReceivedVia
from cases.choices import ReporterRole as Role
from cases.models import Case
from tests.matrix import ADMIN_CATCH_ALL, PERSONAS, SIGNED_OUT, Row, remember

STAFF = [p for p in PERSONAS if p not in SIGNED_OUT]


def _expect(default: int, **by_persona: int) -> dict[str, int]:
    """``default`` for every member of staff unless named; anonymous visitors and reporters
    (even the reporter of the very case) are sent to sign in."""
    expected = {p: default for p in STAFF}
    expected.update({p: 302 for p in SIGNED_OUT})
    expected.update(by_persona)
    return expected


def report(personas: Any, *, kind: str = Kind.REPORT) -> Case:
    """A named report registered (and so handled) by the advisor persona."""
    data = services.CaseInput(
        kind=kind, channel=Channel.NAMED, received_via=ReceivedVia.PHONE,
        reporter_role=Role.AFFECTED, reporter_population=Population.STAFF,
        accused_affiliation=Affiliation.UMC_STAFF, narrative="Matrix narrative",
        reporter_name="Matrix Reporter", statement_in_writing=True)
    return remember(personas, services.case_register(actor=personas.advisor, data=data))


def referred(personas: Any) -> Case:
    case = report(personas)
    advisor = personas.advisor
    services.case_acknowledge(case_id=case.pk, actor=advisor)
    services.case_start(case_id=case.pk, actor=advisor)
    services.case_record_consent(case_id=case.pk, actor=advisor, statement_in_writing=True)
    return services.case_refer(case_id=case.pk, actor=advisor, committee=Committee.MISCONDUCT)


def _with_file(personas: Any) -> str:
    case = report(personas)
    attachment = services.attachment_add(case_id=case.pk, actor=personas.advisor,
                                         filename="statement.txt", content=b"matrix file")
    return f"/staff/cases/{case.pk}/files/{attachment.pk}/"


def _case_path(suffix: str = "", *, build: Any = report) -> Any:
    return lambda personas: f"/staff/cases/{build(personas).pk}/{suffix}"


def _consultation(personas: Any) -> Case:
    return report(personas, kind=Kind.CONSULTATION)


# POST rows send what a person allowed to act would send, so that an allowed persona reaches
# the service (and its own permission check under the row lock), and a refused persona is
# refused for who they are, never for an incomplete form.
REGISTRATION = {
    "received_via": "phone", "received_at": "", "kind": "report", "channel": "named",
    "reporter_role": "affected", "reporter_population": "staff", "behaviours": ["verbal"],
    "narrative": "Matrix narrative", "occurred": "", "complained_about": "",
    "accused_affiliation": "umc_staff", "desired_outcome": "", "reporter_name": "Matrix Reporter",
    "reporter_email": "", "reporter_phone": "",
}


def _assignment(personas: Any) -> dict[str, Any]:
    return {"advisors": [str(personas.advisor.pk), str(personas.other_advisor.pk)]}


def _upload(personas: Any) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("statement.txt", b"matrix file", "text/plain")}


# Pages every member of staff may open (their content depends on the role).
MATRIX = [
    Row("cases:dashboard", "/staff/", _expect(200)),
    Row("cases:list", "/staff/cases/", _expect(200)),
    Row("cases:list", "/staff/cases/?state=received&deadline=overdue&after=1.%s" % ("0" * 32),
        _expect(200)),
    Row("cases:register", "/staff/cases/new/",
        _expect(404, advisor=200, other_advisor=200, coordinator=200)),
    # Registered: the receipt code is shown in this response (200), never after a redirect.
    Row("cases:register", "/staff/cases/new/",
        _expect(404, advisor=200, other_advisor=200, coordinator=200), method="post",
        data=REGISTRATION),
]

# One case, handled by the advisor: the advisor reads it, the coordinator sees its metadata.
# Every action on it gives the answer its service gives (access.require): 404 for whoever may
# not see the case, 403 for whoever sees it but may not take this action (the coordinator
# for the advisor's work, the advisor for the committee's), 404 for a coordinator's action
# (assignment) to everyone else.
MATRIX += [
    Row("cases:detail", _case_path(), _expect(404, advisor=200, coordinator=200)),
    Row("cases:detail", _case_path(build=referred),
        _expect(404, advisor=200, coordinator=200, misconduct_committee=200)),
    Row("cases:transition", _case_path("do/acknowledge/"),
        _expect(404, advisor=200, coordinator=403)),
    Row("cases:transition", _case_path("do/acknowledge/"),
        _expect(404, advisor=302, coordinator=403), method="post"),
    Row("cases:transition", _case_path("do/accept/", build=referred),
        _expect(404, advisor=403, coordinator=403, misconduct_committee=200)),
    Row("cases:transition", _case_path("do/accept/", build=referred),
        _expect(404, advisor=403, coordinator=403, misconduct_committee=302), method="post"),
    # The advisor's own step, but not from this state: back to the case page, which says so.
    Row("cases:transition", _case_path("do/close/"), _expect(404, advisor=302, coordinator=403)),
    Row("cases:transition", _case_path("do/no-such-step/"), _expect(404)),
    Row("cases:transition", _case_path("do/no-such-step/"), _expect(404), method="post"),
    Row("cases:assign", _case_path("advisors/"), _expect(404, coordinator=200)),
    Row("cases:assign", _case_path("advisors/"), _expect(404, coordinator=302),
        method="post", data=_assignment),
    Row("cases:consent", _case_path("consent/"), _expect(404, advisor=200, coordinator=403)),
    Row("cases:consent", _case_path("consent/"), _expect(404, advisor=302, coordinator=403),
        method="post", data={"consent": "on", "statement_in_writing": "on"}),
    Row("cases:consent", _case_path("consent/", build=referred),
        _expect(404, advisor=200, coordinator=403, misconduct_committee=403)),
    Row("cases:convert", _case_path("convert/", build=_consultation),
        _expect(404, advisor=200, coordinator=403)),
    Row("cases:convert", _case_path("convert/", build=_consultation),
        _expect(404, advisor=302, coordinator=403), method="post", data={"consent": "on"}),
    Row("cases:note_add", _case_path("notes/"), _expect(404, advisor=302, coordinator=403),
        method="post", data={"body": "Matrix note"}),
    Row("cases:note_add", _case_path("notes/", build=referred),
        _expect(404, advisor=302, coordinator=403, misconduct_committee=403), method="post",
        data={"body": "Matrix note"}),
    Row("cases:message_send", _case_path("messages/"),
        _expect(404, advisor=302, coordinator=403), method="post",
        data={"body": "Matrix message"}),
    Row("cases:attachment_upload", _case_path("files/"),
        _expect(404, advisor=302, coordinator=403), method="post", data=_upload),
    Row("cases:attachment_download", _with_file, _expect(404, advisor=200, coordinator=403)),
]

# The admin holds nothing of the cases app: not even the system administrator finds it there.
MATRIX += [
    Row(ADMIN_CATCH_ALL, "/admin/cases/", {p: 404 if p == "superuser" else 302 for p in PERSONAS},
        method=method) for method in ("get", "post")
]
