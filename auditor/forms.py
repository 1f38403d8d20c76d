"""The auditor page's filter form (GET)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import actions
from audit.actors import ActorKind
from audit.selectors import AuditFilters, Cursor
from audit.validation import MAX_TOKEN, TOKEN


class AuditFilterForm(forms.Form):
    stream = forms.CharField(
        label=_("Case id"), required=False, max_length=MAX_TOKEN,
        help_text=_("A case's id, or “system” for events outside any case."),
    )
    actor_kind = forms.ChoiceField(
        label=_("Actor"), required=False,
        choices=[("", _("Anyone")), (ActorKind.USER, _("Staff member")),
                 (ActorKind.REPORTER, _("Reporter")), (ActorKind.SYSTEM, _("System"))],
    )
    username = forms.CharField(label=_("Staff username"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"), required=False,
        choices=[("", _("Any action"))] + [(a, a) for a in sorted(actions.REGISTERED)],
    )
    date_from = forms.DateField(
        label=_("From (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until (date, inclusive)"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    after = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_stream(self) -> str:
        stream: str = self.cleaned_data["stream"].strip()
        if not TOKEN.fullmatch(stream):
            raise forms.ValidationError(_("Enter a case id."))
        return stream

    def clean_after(self) -> Cursor | None:
        return Cursor.parse(self.cleaned_data["after"])

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        data["actor_id"] = ""
        username = (data.get("username") or "").strip()
        if username:
            user_model = get_user_model()
            pk = (
                user_model.objects.filter(**{user_model.USERNAME_FIELD: username})
                .values_list("pk", flat=True).first()
            )
            if pk is None:
                self.add_error("username", _("There is no staff member with this username."))
            else:
                data["actor_kind"], data["actor_id"] = ActorKind.USER, str(pk)
        date_from, date_to = data.get("date_from"), data.get("date_to")
        # The trail starts with the product; far-off dates are typing slips, and the last days
        # of the calendar would overflow when turned into the moment after them.
        for name, day in (("date_from", date_from), ("date_to", date_to)):
            if isinstance(day, date) and not EARLIEST <= day <= LATEST:
                # add_error also takes the date out of cleaned_data: no filter is built on it.
                self.add_error(name, _("Choose a date between %(first)s and %(last)s.") % {
                    "first": EARLIEST.isoformat(), "last": LATEST.isoformat()})
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> AuditFilters:
        """The filters to apply (call after is_valid())."""
        data = self.cleaned_data
        date_from, date_to = data.get("date_from"), data.get("date_to")
        return AuditFilters(
            stream=data.get("stream", ""),
            actor_kind=data.get("actor_kind", ""),
            actor_id=data.get("actor_id", ""),
            action=data.get("action", ""),
            # Dates are the office's local days.
            since=_start_of(date_from) if date_from else None,
            until=_start_of(date_to + timedelta(days=1)) if date_to else None,
        )


EARLIEST = date(2000, 1, 1)
LATEST = date(2999, 12, 31)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
