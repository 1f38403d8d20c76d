"""The public forms: they parse and explain in plain words; the case services decide and store.

Every field has a limit, every choice is checked against the office's vocabulary, and what a
form hands on is a ``CaseInput`` or plain strings, never a model.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases import services
from cases.choices import (
    Affiliation,
    Behaviour,
    Channel,
    Kind,
    PartyRole,
    Population,
    ReporterRole,
)
from cases.services import (
    SHORT_TEXT_MAX,
    TEXT_MAX,
    CaseInput,
    FileInput,
    PartyInput,
    file_too_large,
    too_many_files,
)
from config.uploads import TOO_LARGE
from files.checking import ALLOWED_KINDS_TEXT

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

WITNESSES_MAX = 10

ROLE_CHOICES = [
    (ReporterRole.AFFECTED, _("It happened to me")),
    (ReporterRole.BYSTANDER, _("I saw it happen")),
    (ReporterRole.CONFIDANT, _("Someone told me about it in confidence")),
    (ReporterRole.ADDRESSED, _("I was spoken to about my own behaviour")),
    (ReporterRole.OTHER, pgettext_lazy("reporter role", "Something else")),
]
POPULATION_CHOICES = [
    (Population.STUDENT, _("I study here")),
    (Population.STAFF, _("I work here")),
    (Population.OTHER, _("Neither, or I would rather not say")),
]
# The categories with the examples from the office's own texts, so people recognise what
# happened to them rather than have to name it.
BEHAVIOUR_CHOICES = [
    (Behaviour.VERBAL, _("Verbal: a comment, gossip, ridicule, a nickname that makes you "
                         "uncomfortable, abusive language")),
    (Behaviour.NON_VERBAL, _("Through actions: staring, being ignored, intimidating "
                             "gestures")),
    (Behaviour.PHYSICAL, _("Physical: being touched inappropriately, an arm around your "
                           "shoulder against your will")),
    (Behaviour.ONLINE, _("Online or on social media: sexually explicit messages, someone "
                         "posting something nasty about you")),
    (Behaviour.SEXUAL_HARASSMENT, _("Sexual harassment")),
    (Behaviour.AGGRESSION, _("Aggression or violence")),
    (Behaviour.BULLYING, _("Bullying")),
    (Behaviour.DISCRIMINATION, _("Discrimination")),
    (Behaviour.EXCLUSION, _("Exclusion")),
    (Behaviour.INTIMIDATION, _("Intrusiveness, intimidation or threats")),
    (Behaviour.OTHER, pgettext_lazy("behaviour", "Something else")),
]
AFFILIATION_CHOICES = [
    (Affiliation.UMC_STAFF, _("Works at the UMC")),
    (Affiliation.UU_AFFILIATED, _("Works at or is affiliated with Utrecht University")),
    (Affiliation.STUDENT, _("A student")),
    (Affiliation.EXTERNAL, _("Someone from outside (a patient, visitor, supplier…)")),
    (Affiliation.UNKNOWN, _("I don't know")),
]
CHANNEL_CHOICES = [
    (Channel.NAMED, _("With my name: an advisor can contact me, and this can later become a "
                      "formal complaint if I want that")),
    (Channel.ANONYMOUS, _("Anonymously: nobody can contact me, and this cannot become a "
                          "formal complaint")),
]


def file_limits() -> dict[str, int | StrOrPromise]:
    """For the files field's help text."""
    return {"count": settings.ATTACHMENT_MAX_FILES,
            "mb": settings.ATTACHMENT_MAX_BYTES // 2**20, "kinds": ALLOWED_KINDS_TEXT}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each is checked by the case service, by content."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def _text(label: StrOrPromise, *, required: bool = False, limit: int = TEXT_MAX, rows: int = 6,
          help_text: StrOrPromise = "") -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=limit, strip=True,
                           help_text=help_text, widget=forms.Textarea(attrs={"rows": rows}))


def _line(label: StrOrPromise, *, help_text: StrOrPromise = "", **attrs: str
          ) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=SHORT_TEXT_MAX,
                           help_text=help_text, widget=forms.TextInput(attrs=attrs))


def new_submission_token(binding: str) -> str:
    """A one-time token for one form shown: random, and signed together with ``binding`` (the
    browser's CSRF cookie), so that only the browser the form was shown in can use it."""
    nonce = secrets.token_urlsafe(24)
    return f"{nonce}.{_token_mac(nonce, binding)}"


def _token_mac(nonce: str, binding: str) -> str:
    return salted_hmac("intake.form-token", f"{nonce}:{binding}").hexdigest()[:24]


def token_is_valid(token: str, binding: str) -> bool:
    nonce, _, mac = token.partition(".")
    return bool(nonce and binding) and hmac.compare_digest(mac, _token_mac(nonce, binding))


TOKEN_ERROR = _("it did not arrive complete. Nothing was stored: check your answers and send "
                "it again.")


def _token_field() -> forms.RegexField:
    return forms.RegexField(label=_("This form"), regex=r"^[A-Za-z0-9_-]{16,64}\.[0-9a-f]{24}$",
                            widget=forms.HiddenInput,
                            error_messages={"required": TOKEN_ERROR, "invalid": TOKEN_ERROR})


class _TokenForm(forms.Form):
    """A form with a one-time token bound to the browser that was shown it."""

    def __init__(self, *args: Any, binding: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.binding = binding

    def _checked_token(self, name: str) -> str:
        token = self.cleaned_data[name]
        if not token_is_valid(token, self.binding):
            raise forms.ValidationError(TOKEN_ERROR)
        return token


class _FilesForm(forms.Form):
    """A form with files. ``refused_uploads`` are the files config.uploads dropped while
    reading the request (too large, too many): the form names them."""

    # Form.files (the uploaded files) stays what it is: the form's metaclass moves declared
    # fields out of the class, into base_fields.
    files = MultipleFileField(label=_("Files"))  # type: ignore[assignment]

    def __init__(self, *args: Any, refused_uploads: list[tuple[str, str]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refused_uploads = refused_uploads or []
        self.file_limits = file_limits()

    def clean_files(self) -> list[FileInput]:
        for name, reason in self.refused_uploads:
            error = file_too_large(name or "") if reason == TOO_LARGE else too_many_files()
            raise forms.ValidationError(str(error))
        return [FileInput(name=f.name or "", content=f.read())
                for f in self.cleaned_data.get("files") or []]


class _PublicForm(_TokenForm, _FilesForm):
    """What both public forms share: the one-time token, files, and the advisor not wanted."""

    # One per form shown: the same form sent twice makes one case (cases.services.reporter).
    submission = _token_field()
    unwanted_advisor = forms.TypedChoiceField(
        label=_("Is there a confidential advisor you would rather not talk to?"),
        required=False, coerce=int, empty_value=None,
        help_text=_("We will not give your case to this person. You do not have to say why."))

    def __init__(self, *args: Any, advisors: Callable[[], list[tuple[int, str]]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A callable: the advisors are looked up only when the list is shown or a choice is
        # checked, not for every report sent without one.
        field = cast(forms.ChoiceField, self.fields["unwanted_advisor"])  # declared above
        field.choices = lambda: [("", _("No preference")), *advisors()]

    def clean_submission(self) -> str:
        return self._checked_token("submission")


class ReportForm(_PublicForm):
    """``/report/``: what happened, to whom, and how we may reach the reporter."""

    reporter_role = forms.ChoiceField(label=_("What is your part in this?"),
                                      choices=ROLE_CHOICES, widget=forms.RadioSelect)
    reporter_population = forms.ChoiceField(label=_("Do you study or work here?"),
                                            choices=POPULATION_CHOICES,
                                            widget=forms.RadioSelect)
    behaviours = forms.MultipleChoiceField(
        label=_("What happened? Choose everything that fits."), choices=BEHAVIOUR_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one, or “Something else”.")})
    narrative = _text(_("Tell us in your own words what happened"), required=True, rows=10,
                      help_text=_("As much or as little as you want to share."))
    occurred = _text(_("When and where did it happen?"), limit=SHORT_TEXT_MAX * 4, rows=3,
                     help_text=_("For example: last Tuesday, in the department's meeting "
                                 "room. Roughly is fine."))
    accused_name = _line(_("Who did it?"),
                         help_text=_("A name or a description. You may leave this empty."))
    accused_affiliation = forms.ChoiceField(
        label=_("Where does this person work or study?"), choices=AFFILIATION_CHOICES,
        widget=forms.RadioSelect, initial=Affiliation.UNKNOWN,
        help_text=_("This decides which complaints committee could handle a formal "
                    "complaint later."))
    witnesses = _text(_("Did anyone else see it?"), limit=SHORT_TEXT_MAX * 4, rows=3,
                      help_text=_("One name per line."))
    desired_outcome = _text(_("What would you like to happen?"), rows=4,
                            help_text=_("For example: that it stops, a conversation, advice, "
                                        "or just that we know."))
    channel = forms.ChoiceField(label=_("With your name, or anonymously?"),
                                choices=CHANNEL_CHOICES, widget=forms.RadioSelect)
    reporter_name = _line(_("Your name"), autocomplete="name")
    reporter_email = forms.EmailField(label=_("Your e-mail address"), required=False,
                                      max_length=SHORT_TEXT_MAX,
                                      widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    reporter_phone = _line(_("Your phone number"), autocomplete="tel", inputmode="tel")

    field_order = ["reporter_role", "reporter_population", "behaviours", "narrative",
                   "occurred", "accused_name", "accused_affiliation", "witnesses",
                   "desired_outcome", "channel", "reporter_name", "reporter_email",
                   "reporter_phone", "unwanted_advisor", "files", "submission"]

    def clean_witnesses(self) -> list[str]:
        names = [line.strip() for line in self.cleaned_data["witnesses"].splitlines()
                 if line.strip()]
        if len(names) > WITNESSES_MAX:
            raise forms.ValidationError(_("At most %(count)s names, one per line."),
                                        params={"count": WITNESSES_MAX})
        if any(len(name) > SHORT_TEXT_MAX for name in names):
            raise forms.ValidationError(_("A name can be at most %(count)s characters."),
                                        params={"count": SHORT_TEXT_MAX})
        return names

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        contact = [data.get(f) for f in ("reporter_name", "reporter_email", "reporter_phone")]
        if data.get("channel") == Channel.ANONYMOUS and any(contact):
            raise forms.ValidationError(_(
                "You chose to report anonymously, but filled in contact details. Empty those "
                "fields, or choose to report with your name."))
        if data.get("channel") == Channel.NAMED:
            if not data.get("reporter_name"):
                self.add_error("reporter_name", _("Fill in your name, or report anonymously."))
            if not (data.get("reporter_email") or data.get("reporter_phone")):
                self.add_error("reporter_email", _("Give an e-mail address or a phone number, "
                                                   "so that an advisor can reach you."))
        return data

    def case_input(self) -> CaseInput:
        data = self.cleaned_data
        parties = []
        if data["accused_name"]:
            parties.append(PartyInput(role=PartyRole.COMPLAINED_ABOUT,
                                      name=data["accused_name"],
                                      affiliation=data["accused_affiliation"]))
        parties += [PartyInput(role=PartyRole.WITNESS, name=name)
                    for name in data["witnesses"]]
        return CaseInput(
            kind=Kind.REPORT, channel=data["channel"], reporter_role=data["reporter_role"],
            reporter_population=data["reporter_population"], behaviours=data["behaviours"],
            accused_affiliation=data["accused_affiliation"], narrative=data["narrative"],
            occurred=data["occurred"], desired_outcome=data["desired_outcome"],
            reporter_name=data["reporter_name"], reporter_email=data["reporter_email"],
            reporter_phone=data["reporter_phone"], parties=tuple(parties))


class TalkForm(_PublicForm):
    """``/talk/``: a conversation with an advisor, asking for as little as possible."""

    reporter_name = _line(_("What may we call you?"), autocomplete="given-name",
                          help_text=_("A first name or a nickname is enough."))
    reporter_email = forms.EmailField(label=_("E-mail address"), required=False,
                                      max_length=SHORT_TEXT_MAX,
                                      widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    reporter_phone = _line(_("Phone number"), autocomplete="tel", inputmode="tel")
    preferences = _text(_("Anything we should know to arrange the conversation?"),
                        limit=SHORT_TEXT_MAX * 2, rows=3,
                        help_text=_("For example: when you can talk, or that you prefer to "
                                    "meet outside your department."))

    field_order = ["reporter_name", "reporter_email", "reporter_phone", "preferences",
                   "unwanted_advisor", "submission"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["files"]  # a conversation request carries no evidence

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("reporter_name") and not (data.get("reporter_email")
                                              or data.get("reporter_phone")):
            self.add_error("reporter_name", _(
                "Without an e-mail address or phone number we will answer on your status "
                "page, and do not need a name: leave it empty, or tell us how to reach you."))
        return data

    def case_input(self) -> CaseInput:
        data = self.cleaned_data
        named = bool(data["reporter_email"] or data["reporter_phone"])
        return CaseInput(
            kind=Kind.CONSULTATION, channel=Channel.NAMED if named else Channel.ANONYMOUS,
            reporter_role=ReporterRole.OTHER, reporter_population=Population.OTHER,
            desired_outcome=data["preferences"], reporter_name=data["reporter_name"],
            reporter_email=data["reporter_email"], reporter_phone=data["reporter_phone"])


class CodeForm(forms.Form):
    """``/status/``: the receipt code, typed or pasted in any form."""

    code = forms.CharField(label=_("Your receipt code"), max_length=120, strip=True,
                           widget=forms.TextInput(attrs={
                               "autocomplete": "off", "autocapitalize": "characters",
                               "spellcheck": "false"}),
                           help_text=_("32 characters, for example ABCD-EFGH-…. Dashes and "
                                       "spaces do not matter."))

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if services.receipt_code_normalise(code) is None:
            raise forms.ValidationError(_(
                "A receipt code has 32 letters and digits. Check that you typed all of it."))
        return code


class MessageForm(forms.Form):
    body = _text(_("Your message"), required=True, rows=5)


class InformationForm(_FilesForm):
    text = _text(_("What would you like to add?"), rows=5)


class NewCodeForm(_TokenForm):
    """Asks for a new receipt code; the token makes a double click harmless."""

    token = _token_field()

    def clean_token(self) -> str:
        return self._checked_token("token")


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("Yes, I want this"), required=True)


class SavedCodeForm(_TokenForm):
    """The receipt page's "I have saved my receipt code": it carries the token of the form
    that was sent, so that sending that form again no longer shows the code."""

    confirm = forms.BooleanField(required=True)
    submission = _token_field()

    def clean_submission(self) -> str:
        return self._checked_token("submission")
