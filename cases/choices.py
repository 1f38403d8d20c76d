"""The office's vocabulary for a case, as choices (DESIGN.md §3 and §4).

Stored values are short, stable tokens: they appear in the database, in filters and in audit
details, so they are never renamed; the labels are what people read.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    REPORT = "report", _("Report")


class Channel(models.TextChoices):
    NAMED = "named", _("Named")
    ANONYMOUS = "anonymous", _("Anonymous")


class ReceivedVia(models.TextChoices):
    WEB = "web", _("Web form")
    PHONE = "phone", _("Phone")
    IN_PERSON = "in_person", _("In person")


class ReporterRole(models.TextChoices):
    AFFECTED = "affected", _("Affected by the behaviour")
    BYSTANDER = "bystander", _("Bystander")
    CONFIDANT = "confidant", _("Confidant of someone affected")
    ADDRESSED = "addressed", _("Addressed about their own behaviour")
    OTHER = "other", pgettext_lazy("reporter role", "Other")


class Population(models.TextChoices):
    STUDENT = "student", _("Student")
    STAFF = "staff", pgettext_lazy("population", "Staff")
    OTHER = "other", pgettext_lazy("population", "Other")


class Behaviour(models.TextChoices):
    VERBAL = "verbal", _("Verbal")
    NON_VERBAL = "non_verbal", _("Non-verbal or actions")
    PHYSICAL = "physical", _("Physical")
    ONLINE = "online", _("Online or on social media")
    SEXUAL_HARASSMENT = "sexual_harassment", _("Sexual harassment")
    AGGRESSION = "aggression", _("Aggression or violence")
    BULLYING = "bullying", _("Bullying")
    DISCRIMINATION = "discrimination", _("Discrimination")
    EXCLUSION = "exclusion", _("Exclusion")
    INTIMIDATION = "intimidation", _("Intimidation or threat")
    OTHER = "other", pgettext_lazy("behaviour", "Other")


class Affiliation(models.TextChoices):
    """Who employs or enrols the person complained about: decides where a complaint can go."""

    UMC_STAFF = "umc_staff", _("UMC staff")
    UU_AFFILIATED = "uu_affiliated", _("Affiliated with Utrecht University")
    DUAL = "dual", _("Dual appointment (UMC and UU)")
    # Students here are enrolled at Utrecht University (the Faculty of Medicine is the UU's),
    # so a complaint about a student goes to the UU's committee.
    STUDENT = "student", _("Student")
    EXTERNAL = "external", _("External")
    UNKNOWN = "unknown", _("Unknown")


class Committee(models.TextChoices):
    MISCONDUCT = "misconduct", _("Misconduct Complaints Committee")
    UU_INTEGRITY = "uu_integrity", _("UU Committee on Interpersonal Integrity")


# The committees a complaint may go to, by the affiliation of the person complained about.
COMMITTEES_FOR_AFFILIATION: dict[str, tuple[Committee, ...]] = {
    Affiliation.UMC_STAFF: (Committee.MISCONDUCT,),
    Affiliation.UU_AFFILIATED: (Committee.UU_INTEGRITY,),
    Affiliation.DUAL: (Committee.MISCONDUCT, Committee.UU_INTEGRITY),
    Affiliation.STUDENT: (Committee.UU_INTEGRITY,),
    Affiliation.EXTERNAL: (),
    Affiliation.UNKNOWN: (),
}


class State(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    REFERRED = "referred", _("Referred to a committee")
    UNDER_REVIEW = "under_review", _("Under review by the committee")
    DECIDED = "decided", _("Decided by the committee")
    CLOSED = "closed", _("Closed")
    DESTROYED = "destroyed", _("Destroyed")


OPEN_STATES = (State.RECEIVED, State.ACKNOWLEDGED, State.IN_PROGRESS, State.REFERRED,
               State.UNDER_REVIEW, State.DECIDED)


class Outcome(models.TextChoices):
    ADVICE_GIVEN = "advice_given", _("Advice given")
    MEDIATION = "mediation", _("Mediation")
    SIGNPOSTED = "signposted", _("Signposted elsewhere")
    DECIDED_BY_COMMITTEE = "decided_by_committee", _("Decided by the committee")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    NO_RESPONSE = "no_response", _("No response from the reporter")


# The outcomes an advisor chooses when closing a case they handled themselves; the other two
# are set by the workflow (a committee's decision, a withdrawal).
ADVISOR_OUTCOMES = (Outcome.ADVICE_GIVEN, Outcome.MEDIATION, Outcome.SIGNPOSTED,
                    Outcome.NO_RESPONSE)


class MessageDirection(models.TextChoices):
    TO_REPORTER = "to_reporter", _("To the reporter")
    FROM_REPORTER = "from_reporter", _("From the reporter")


class PartyRole(models.TextChoices):
    """How a person involved in a case is involved."""

    COMPLAINED_ABOUT = "complained_about", _("Person complained about")
    WITNESS = "witness", _("Witness")
    OTHER = "other", pgettext_lazy("party role", "Other")
