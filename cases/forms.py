"""Forms of the staff workspace: they parse and explain; the services decide and store."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cases.choices import (
    ADVISOR_OUTCOMES,
    Affiliation,
    Behaviour,
    Channel,
    Kind,
    Outcome,
    Population,
    ReceivedVia,
    ReporterRole,
    State,
)
from cases.models import Case, CaseParty
from cases.selectors import CaseCursor, CaseFilters
from cases.services import SHORT_TEXT_MAX, TEXT_MAX, CaseInput, PartyInput

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ANY = _("Any")


def _blank(choices: Iterable[tuple[str, StrOrPromise]]) -> list[tuple[str, StrOrPromise]]:
    return [("", ANY), *choices]


def _textarea(label: StrOrPromise, *, required: bool = True, limit: int = TEXT_MAX,
              help_text: StrOrPromise = "") -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=limit,
                           help_text=help_text, widget=forms.Textarea(attrs={"rows": 5}))


class CaseFilterForm(forms.Form):
    """The case list's filters (GET). Unknown values are errors, shown next to the field."""

    state = forms.ChoiceField(label=_("State"), required=False, choices=_blank(State.choices))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_blank(Kind.choices))
    channel = forms.ChoiceField(label=_("Channel"), required=False,
                                choices=_blank(Channel.choices))
    deadline = forms.ChoiceField(label=_("Deadline"), required=False, choices=_blank([
        ("overdue", _("Overdue")), ("due_soon", _("Due within three days"))]))
    assignment = forms.ChoiceField(label=_("Assignment"), required=False, choices=_blank([
        ("mine", _("Assigned to me")), ("unassigned", _("Unassigned"))]))
    reference = forms.RegexField(
        label=_("Reference"), required=False, regex=r"^\s*\d{4}-\d{4,9}\s*$", max_length=20,
        help_text=_("For example 2026-0042."),
        error_messages={"invalid": _("A reference looks like 2026-0042.")})
    after = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_after(self) -> CaseCursor | None:
        return CaseCursor.parse(self.cleaned_data.get("after", ""))

    def filters(self) -> CaseFilters:
        data = self.cleaned_data
        return CaseFilters(state=data["state"], kind=data["kind"], channel=data["channel"],
                           deadline=data["deadline"], assignment=data["assignment"],
                           reference=(data["reference"] or "").strip())


class RegisterCaseForm(forms.Form):
    """A report or consultation received by phone or in person, entered by an advisor."""

    received_via = forms.ChoiceField(
        label=_("Received"), widget=forms.RadioSelect,
        choices=[(ReceivedVia.PHONE, ReceivedVia.PHONE.label),
                 (ReceivedVia.IN_PERSON, ReceivedVia.IN_PERSON.label)])
    received_at = forms.DateTimeField(
        label=_("When it was received"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Leave empty for now. The seven days for the acknowledgement run from "
                    "this moment."))
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, widget=forms.RadioSelect)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Channel.choices, widget=forms.RadioSelect,
        help_text=_("Anonymous: no name or contact details are stored, and the case cannot "
                    "become a formal complaint."))
    reporter_role = forms.ChoiceField(label=_("The reporter's role in this"),
                                      choices=ReporterRole.choices)
    reporter_population = forms.ChoiceField(label=_("The reporter is"),
                                            choices=Population.choices)
    behaviours = forms.MultipleChoiceField(
        label=_("What kind of behaviour"), required=False, choices=Behaviour.choices,
        widget=forms.CheckboxSelectMultiple)
    narrative = _textarea(_("What happened"), required=False)
    occurred = forms.CharField(label=_("When and where"), required=False,
                               max_length=SHORT_TEXT_MAX * 4)
    complained_about = forms.CharField(
        label=_("Name of the person complained about"), required=False,
        max_length=SHORT_TEXT_MAX)
    accused_affiliation = forms.ChoiceField(
        label=_("Affiliation of the person complained about"), choices=Affiliation.choices,
        initial=Affiliation.UNKNOWN)
    desired_outcome = _textarea(_("What the reporter would like to happen"), required=False)
    reporter_name = forms.CharField(label=_("Reporter's name"), required=False,
                                    max_length=SHORT_TEXT_MAX)
    reporter_email = forms.EmailField(label=_("Reporter's e-mail address"), required=False,
                                      max_length=254)
    reporter_phone = forms.CharField(label=_("Reporter's phone number"), required=False,
                                     max_length=40)
    statement_in_writing = forms.BooleanField(
        label=_("The reporter's written statement has been received"), required=False)

    def clean_received_at(self) -> datetime | None:
        moment = self.cleaned_data.get("received_at")
        if moment is not None and moment > timezone.now():
            raise forms.ValidationError(_("The time of receipt cannot be in the future."))
        return moment

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        contact = [data.get(name) for name in ("reporter_name", "reporter_email",
                                               "reporter_phone")]
        if data.get("channel") == Channel.ANONYMOUS and any(contact):
            raise forms.ValidationError(
                _("An anonymous case holds no name or contact details: clear them, or choose "
                  "“Named”."))
        if (data.get("channel") == Channel.NAMED and data.get("kind") == Kind.REPORT
                and not any(contact)):
            self.add_error("reporter_name", _("A named report needs the reporter's name or "
                                              "contact details."))
        if data.get("kind") == Kind.REPORT and not (data.get("narrative") or "").strip():
            self.add_error("narrative", _("Describe what happened."))
        return data

    def case_input(self) -> CaseInput:
        data = self.cleaned_data
        parties = []
        if data["complained_about"].strip():
            parties.append(PartyInput(role=CaseParty.PartyRole.COMPLAINED_ABOUT,
                                      name=data["complained_about"],
                                      affiliation=data["accused_affiliation"]))
        return CaseInput(
            kind=data["kind"], channel=data["channel"], received_via=data["received_via"],
            reporter_role=data["reporter_role"],
            reporter_population=data["reporter_population"], behaviours=data["behaviours"],
            accused_affiliation=data["accused_affiliation"], narrative=data["narrative"],
            occurred=data["occurred"], desired_outcome=data["desired_outcome"],
            reporter_name=data["reporter_name"], reporter_email=data["reporter_email"],
            reporter_phone=data["reporter_phone"],
            statement_in_writing=data["statement_in_writing"], parties=parties)


class TransitionForm(forms.Form):
    """The confirmation of one transition, with the fields that transition needs."""

    def __init__(self, *args: Any, case: Case, fields: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "committee" in fields:
            committees = case.referral_committees
            self.fields["committee"] = forms.ChoiceField(
                label=_("Committee"), widget=forms.RadioSelect,
                choices=[(c.value, c.label) for c in committees],
                initial=committees[0].value if len(committees) == 1 else None)
        if "reason" in fields:
            dual = len(case.referral_committees) > 1
            returning = "committee" not in fields
            self.fields["reason"] = _textarea(
                _("Why the committee returns the file") if returning
                else _("Why this committee"),
                required=returning or dual, limit=SHORT_TEXT_MAX * 4,
                help_text="" if returning else _(
                    "Needed for a dual appointment, where either committee may be chosen."))
        if "decision" in fields:
            self.fields["decision"] = _textarea(_("The committee's decision"))
        if "outcome" in fields:
            outcomes = ((Outcome.DECIDED_BY_COMMITTEE,) if case.state == State.DECIDED
                        else ADVISOR_OUTCOMES)
            self.fields["outcome"] = forms.ChoiceField(
                label=_("Outcome"), widget=forms.RadioSelect,
                choices=[(o.value, o.label) for o in outcomes],
                initial=outcomes[0].value if len(outcomes) == 1 else None)


class NoteForm(forms.Form):
    body = _textarea(_("New note"),
                     help_text=_("Private to the case's advisors; never shown to the reporter "
                                 "or to a committee."))


class MessageForm(forms.Form):
    body = _textarea(_("Message to the reporter"),
                     help_text=_("The reporter reads it on their status page with their "
                                 "receipt code."))


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Add a file"))


class ConsentForm(forms.Form):
    consent = forms.BooleanField(
        label=_("The reporter consents to referring their complaint to a committee"),
        error_messages={"required": _("Tick this only when the reporter has consented.")})
    statement_in_writing = forms.BooleanField(
        label=_("The reporter's written statement has been received"), required=False)


class ConvertForm(forms.Form):
    consent = forms.BooleanField(
        label=_("The reporter consents to turning this consultation into a report"),
        error_messages={"required": _("Tick this only when the reporter has consented.")})


class AssignForm(forms.Form):
    advisors = forms.MultipleChoiceField(
        label=_("Advisors"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Assigned advisors can read and handle the case; advisors you remove "
                    "lose access at once."))

    def __init__(self, *args: Any, advisors: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.MultipleChoiceField, self.fields["advisors"])  # declared above
        field.choices = [(str(a.pk), a.get_full_name() or a.get_username()) for a in advisors]

    def advisor_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data["advisors"]]

