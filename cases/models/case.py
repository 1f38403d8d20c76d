"""The case itself (DESIGN.md §4).

A case has a UUID primary key assigned in Python (so ciphertexts can be bound to the row before
it is inserted) and its own data key, stored only wrapped by a key-encryption key. Everything a
person wrote or said is an encrypted field; what the office counts and filters on (kind,
channel, categories, state, dates) is plain.

The workflow lives on ``Case`` as django-fsm-2 transitions whose conditions hold the office's
rules (see ``cases.workflow`` for the rules and the reasons shown when one does not hold). Only
the services in ``cases.services`` call transitions.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, Transition, transition

from cases import deadlines, workflow
from cases.choices import (
    ADVISOR_OUTCOMES,
    COMMITTEES_FOR_AFFILIATION,
    Affiliation,
    Behaviour,
    Channel,
    Committee,
    Kind,
    Outcome,
    Population,
    ReceivedVia,
    ReporterRole,
    State,
)
from cases.exceptions import InvalidTransitionInput
from cases.models.references import next_reference
from crypto import envelope
from crypto.blind_index import (
    BlindIndexField,
    blind_index,
    blind_index_matches,
)
from crypto.destroyed import DESTROYED, Destroyed
from crypto.exceptions import DecryptionError
from crypto.fields import EncryptedTextField
from crypto.keys import KEY_ID_MAX_LENGTH

if TYPE_CHECKING:
    from accounts.models import User
    from cases.models.parts import CaseAssignment

_DATA_KEY_CACHE = "_crypto_data_key"

# The columns that hold (or record the destruction of) a case's data key. An ordinary save of an
# existing case never writes them; only a save whose update_fields names them does (shredding,
# and rotation, which uses a conditional UPDATE of its own). See Case.save().
KEY_FIELDS = ("wrapped_key", "key_id", "key_destroyed_at")


def writes(*fields: str) -> dict[str, tuple[str, ...]]:
    """What a transition writes, declared once beside it: ``state`` and these columns. The
    services save exactly this list (``update_fields``) and name it in the audit event."""
    return {"writes": ("state", *fields)}


# django-fsm-2 types a condition as a callable of any model. Ours read a case's facts
# (workflow.CaseFacts), which is all they are given: django-fsm-2 calls the conditions of a
# transition with the instance whose method it is, and these are declared only on Case.
_REFERRAL_CONDITIONS = cast("list[Callable[[models.Model], bool]]", workflow.REFERRAL_RULES)


class CaseQuerySet(models.QuerySet["Case"]):
    def bulk_create(self, objs: Iterable[Case], *args: Any, **kwargs: Any) -> list[Case]:
        objs = list(objs)
        # The references are allocated under the counter's row lock, which must last until the
        # cases are stored (cases.models.references); outside a transaction, this opens one.
        with transaction.atomic(using=self.db, savepoint=False):
            for case in objs:
                # bulk_create skips save(); each case still needs what save() gives a new case.
                case.prepare_for_insert()
            return super().bulk_create(objs, *args, **kwargs)

    def with_reporter_email(self, email: str) -> CaseQuerySet:
        """Cases whose reporter e-mail equals this one (after normalisation), found through the
        blind index: nothing is decrypted."""
        return self.filter(blind_index_matches("reporter_email_index", email))


class Case(ConcurrentTransitionMixin, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # For staff: "2026-0042", numbered per year of receipt (see cases.models.references).
    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    received_via = models.CharField(_("received via"), max_length=16,
                                    choices=ReceivedVia.choices, default=ReceivedVia.WEB)
    reporter_role = models.CharField(_("reporter's role"), max_length=16,
                                     choices=ReporterRole.choices)
    reporter_population = models.CharField(_("reporter's population"), max_length=16,
                                           choices=Population.choices)
    # Behaviour category tokens (cases.choices.Behaviour): plain, because the office counts them
    # and they survive destruction in the statistical skeleton.
    behaviours = models.JSONField(_("behaviour"), default=list)
    accused_affiliation = models.CharField(_("affiliation of the person complained about"),
                                           max_length=16, choices=Affiliation.choices,
                                           default=Affiliation.UNKNOWN)

    # protected: the state changes only through the transitions below, called by services.
    state = FSMField(_("state"), default=State.RECEIVED, choices=State.choices, protected=True)
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices, blank=True)

    # Dates and deadlines (cases.deadlines). next_deadline_at is the earliest deadline still
    # open, kept by the services so dashboards filter on one indexed column.
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    acknowledgement_due_at = models.DateTimeField(_("acknowledgement due"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_late = models.BooleanField(_("acknowledged late"), default=False)
    feedback_due_at = models.DateTimeField(_("feedback due"))
    feedback_given_at = models.DateTimeField(_("feedback given"), null=True, blank=True)
    next_deadline_at = models.DateTimeField(_("next deadline"), null=True, blank=True)
    referred_at = models.DateTimeField(_("referred"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last change"), default=timezone.now)

    # Referral (DESIGN.md §3): in writing, with consent, to the committee that matches.
    statement_in_writing = models.BooleanField(_("written statement received"), default=False)
    referral_consent_at = models.DateTimeField(_("consent to refer recorded"), null=True,
                                               blank=True)
    committee = models.CharField(_("committee"), max_length=16, choices=Committee.choices,
                                 blank=True)

    # Kept by the assignment service, so "unassigned" is an index lookup, not an anti-join.
    is_assigned = models.BooleanField(_("assigned"), default=False)
    advisors: models.ManyToManyField[User, CaseAssignment] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="CaseAssignment", related_name="assigned_cases",
        blank=True)
    # An advisor the reporter asked not to handle their case (the intake form offers it): never
    # assigned to it. Plain, like the assignment itself; it says nothing about the content.
    unwanted_advisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                         null=True, blank=True, related_name="+",
                                         verbose_name=_("advisor the reporter does not want"))
    # SHA-256 of the one-time token in the web form that created the case: a second submission
    # of the same form (a double click, a resent request) finds this case instead of making
    # another. The token is random and single-use, so its hash says nothing about the reporter.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True,
                                      editable=False)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                      null=True, blank=True, related_name="+",
                                      verbose_name=_("registered by"))

    # The case's data key, wrapped by the key-encryption key named in key_id. Kept on the row,
    # so a page of cases needs no extra query for its keys. NULL once destroyed (crypto-shredded).
    wrapped_key = models.BinaryField(null=True, editable=False)
    key_id = models.CharField(max_length=KEY_ID_MAX_LENGTH, blank=True, editable=False,
                              db_index=True)
    key_destroyed_at = models.DateTimeField(null=True, blank=True, editable=False)

    reporter_email = EncryptedTextField(_("reporter's e-mail address"), null=True, blank=True)
    reporter_email_index = BlindIndexField()

    # What people wrote or said: encrypted with the case's data key.
    reporter_name = EncryptedTextField(_("reporter's name"), null=True, blank=True)
    reporter_phone = EncryptedTextField(_("reporter's phone number"), null=True, blank=True)
    narrative = EncryptedTextField(_("what happened"), null=True, blank=True)
    occurred = EncryptedTextField(_("when and where"), null=True, blank=True)
    desired_outcome = EncryptedTextField(_("what the reporter would like to happen"),
                                         null=True, blank=True)
    referral_reason = EncryptedTextField(_("reason for the choice of committee"), null=True,
                                         blank=True)
    return_reason = EncryptedTextField(_("why the committee returned the file"), null=True,
                                       blank=True)
    decision = EncryptedTextField(_("the committee's decision"), null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    if TYPE_CHECKING:
        # django-fsm-2 decorates ConcurrentTransitionMixin.__init__ with an ``override`` that
        # Python 3.11's typing lacks, so mypy sees that constructor, and with it the class
        # object ``Case`` (``Case.objects``, ``Case(...)``), as Any. Declared again here, the
        # class is checked like any other model. Nothing of this exists at run time.
        def __init__(self, *args: Any, **kwargs: Any) -> None: ...

        # Added to the class by FSMField.contribute_to_class at run time.
        def get_all_state_transitions(self) -> Iterator[Transition]: ...

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [
            # Granted per case (django-guardian), never globally; see cases.access.
            ("handle_case", "Handle the case as its advisor"),
            ("review_case", "Review the case as the committee it was referred to"),
        ]
        indexes = [
            # Keyset pagination of the case list, newest first, with and without a state.
            models.Index(fields=["-received_at", "-id"], name="case_received"),
            models.Index(fields=["state", "-received_at", "-id"], name="case_state_received"),
            models.Index(fields=["-received_at", "-id"], name="case_unassigned",
                         condition=models.Q(is_assigned=False)
                         & ~models.Q(state__in=["closed", "destroyed"])),
            # Due soon / overdue: the earliest open deadline.
            models.Index(fields=["next_deadline_at", "id"], name="case_next_deadline",
                         condition=models.Q(next_deadline_at__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(
                name="case_key_present_or_destroyed",
                condition=(
                    models.Q(wrapped_key__isnull=False, key_destroyed_at__isnull=True)
                    | models.Q(wrapped_key__isnull=True, key_destroyed_at__isnull=False)
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(self.pk)

    def __getstate__(self) -> dict[str, Any]:
        # Pickled cases (caches, task arguments) never carry the unwrapped key.
        state = super().__getstate__()
        state.pop(_DATA_KEY_CACHE, None)
        return state

    def save(
        self,
        *,
        force_insert: bool | tuple[Any, ...] = False,
        force_update: bool = False,
        using: str | None = None,
        update_fields: Iterable[str] | None = None,
    ) -> None:
        """Save the case; for a case that is already stored, never its key columns unless
        ``update_fields`` names them.

        A case instance loaded before its key was destroyed (or re-wrapped by ``rotate_keys``)
        still holds the old wrapped key. Written back by a plain ``save()``, it would undo the
        shredding — the content would decrypt again — or the rotation. So a plain save of a
        stored case is an ``update_fields`` save of every loaded column except ``KEY_FIELDS``;
        the services that change the key name those columns themselves. (A consequence: a
        plain save of a case whose row is gone raises instead of inserting it again.)
        """
        if self._state.adding:
            # The reference is allocated under the counter's row lock, which must last until
            # the case is stored (cases.models.references). A case saved outside a transaction (a
            # script, a transactional test) gets a transaction of its own for both steps.
            target = using or router.db_for_write(type(self), instance=self)
            # savepoint=False: inside a caller's transaction this adds no queries.
            with transaction.atomic(using=target, savepoint=False):
                self.prepare_for_insert()
                super().save(
                    force_insert=force_insert, force_update=force_update, using=using,
                    update_fields=update_fields,
                )
            return
        if update_fields is None and not force_insert:
            target = using or router.db_for_write(type(self), instance=self)
            if target == self._state.db:  # a copy into another database takes its key along
                update_fields = [
                    field.attname for field in self._meta.concrete_fields
                    if not field.primary_key and not field.generated
                    and field.name not in KEY_FIELDS and field.attname in self.__dict__
                ]
        super().save(
            force_insert=force_insert, force_update=force_update, using=using,
            update_fields=update_fields,
        )

    def prepare_for_insert(self) -> None:
        """What every new case has from its first insert on: its own data key, its deadlines
        and a reference (allocated here when the caller did not number it).

        For a loaded case saved under a new primary key the key step fails loudly: its
        wrapped key is bound to the old one.
        """
        self.crypto_data_key()
        if self.acknowledgement_due_at is None:
            self.start_clock()
        if not self.reference:
            self.reference = next_reference(timezone.localtime(self.received_at).year)

    @property
    def key_owner_label(self) -> str:
        """What the wrapped data key is bound to (part of its associated data)."""
        return f"cases.case:{self.pk}"

    @property
    def is_key_destroyed(self) -> bool:
        return self.key_destroyed_at is not None

    def crypto_data_key(self) -> envelope.DataKey | Destroyed:
        """This case's data key, unwrapped once per instance; DESTROYED once shredded.

        A new case gets a fresh random key here (or in ``save()``) before its first insert.
        """
        if self.key_destroyed_at is not None:
            return DESTROYED
        cached: envelope.DataKey | None = self.__dict__.get(_DATA_KEY_CACHE)
        if cached is not None:
            return cached
        if self.wrapped_key is None:
            if not self._state.adding:
                raise DecryptionError(f"cases.Case pk={self.pk} has no data key.")
            key, self.wrapped_key, self.key_id = envelope.new_data_key(owner=self.key_owner_label)
        else:
            key = envelope.open_data_key(
                self.wrapped_key, owner=self.key_owner_label, key_id=self.key_id
            )
        self.__dict__[_DATA_KEY_CACHE] = key
        return key

    def forget_data_key(self) -> None:
        """Crypto-shred: drop the wrapped key (and the cached one). The caller saves, naming
        ``KEY_FIELDS`` in ``update_fields`` (a plain ``save()`` leaves the key columns alone)."""
        self.wrapped_key = None
        self.key_id = ""
        self.key_destroyed_at = timezone.now()
        self.__dict__.pop(_DATA_KEY_CACHE, None)

    def set_reporter_email(self, email: str | None) -> None:
        """Set the reporter's e-mail and its blind index together, so they never disagree."""
        self.reporter_email = email
        self.reporter_email_index = blind_index(email)

    # --- deadlines -------------------------------------------------------------------------

    def start_clock(self) -> None:
        """Set the deadlines that follow from ``received_at`` (on a new case)."""
        self.acknowledgement_due_at = deadlines.acknowledgement_due(self.received_at)
        self.feedback_due_at = deadlines.feedback_due(received_at=self.received_at,
                                                      acknowledged_at=None)
        self.next_deadline_at = self.acknowledgement_due_at

    def _refresh_next_deadline(self) -> None:
        if self.state in (State.CLOSED, State.DESTROYED):
            self.next_deadline_at = None
        elif self.acknowledged_at is None:
            self.next_deadline_at = self.acknowledgement_due_at
        elif self.feedback_given_at is None:
            self.next_deadline_at = self.feedback_due_at
        else:
            self.next_deadline_at = None

    def record_feedback(self, moment: datetime) -> bool:
        """The reporter has heard back about their case; True if this is the first time."""
        if self.feedback_given_at is not None or self.acknowledged_at is None:
            return False
        self.feedback_given_at = moment
        self._refresh_next_deadline()
        return True

    @property
    def is_acknowledgement_overdue(self) -> bool:
        return self.acknowledged_at is None and self.acknowledgement_due_at < timezone.now()

    @property
    def is_overdue(self) -> bool:
        return self.next_deadline_at is not None and self.next_deadline_at < timezone.now()

    @property
    def behaviour_labels(self) -> list[str]:
        labels = dict(Behaviour.choices)
        return [str(labels.get(token, token)) for token in self.behaviours]

    @property
    def referral_committees(self) -> tuple[Committee, ...]:
        """The committees this case could go to, by the affiliation of the person complained
        about (DESIGN.md §3)."""
        return COMMITTEES_FOR_AFFILIATION.get(self.accused_affiliation, ())

    # --- the workflow (DESIGN.md §3); called only by cases.services -------------------------

    @transition(field=state, source=State.RECEIVED, target=State.ACKNOWLEDGED,
                custom=writes("acknowledged_at", "acknowledged_late", "feedback_due_at",
                              "next_deadline_at"))
    def acknowledge(self, *, moment: datetime) -> None:
        # Never refused for being late: a late acknowledgement is recorded as late.
        self.acknowledged_at = moment
        self.acknowledged_late = deadlines.is_late(done_at=moment,
                                                   due_at=self.acknowledgement_due_at)
        self.feedback_due_at = deadlines.feedback_due(received_at=self.received_at,
                                                      acknowledged_at=moment)
        self._refresh_next_deadline()

    @transition(field=state, source=State.ACKNOWLEDGED, target=State.IN_PROGRESS,
                custom=writes())
    def start(self) -> None:
        pass

    @transition(field=state, source=State.IN_PROGRESS, target=State.REFERRED,
                conditions=_REFERRAL_CONDITIONS,
                custom=writes("committee", "referral_reason", "return_reason", "referred_at",
                              "feedback_given_at", "next_deadline_at"))
    def refer(self, *, committee: str, reason: str, moment: datetime) -> None:
        if committee not in self.referral_committees:
            raise InvalidTransitionInput(
                _("This committee does not handle complaints about someone with this "
                  "affiliation.")
            )
        reason = reason.strip()
        if len(self.referral_committees) > 1 and not reason:
            raise InvalidTransitionInput(
                _("For someone with a dual appointment either committee may be chosen; record "
                  "why this one.")
            )
        self.committee = committee
        self.referral_reason = reason or None
        self.return_reason = None
        self.referred_at = moment
        # Referring is feedback too: the reporter learns where their complaint went.
        self.record_feedback(moment)

    @transition(field=state, source=State.REFERRED, target=State.IN_PROGRESS,
                custom=writes("committee", "return_reason", "referred_at"))
    def return_to_office(self, *, reason: str) -> None:
        """The committee declines jurisdiction and returns the file to the advisor."""
        reason = reason.strip()
        if not reason:
            raise InvalidTransitionInput(_("Say why the committee returns the file."))
        self.return_reason = reason
        self.committee = ""
        self.referred_at = None

    @transition(field=state, source=State.REFERRED, target=State.UNDER_REVIEW, custom=writes())
    def accept(self) -> None:
        pass

    @transition(field=state, source=State.UNDER_REVIEW, target=State.DECIDED,
                custom=writes("decision", "decided_at"))
    def decide(self, *, decision: str, moment: datetime) -> None:
        decision = decision.strip()
        if not decision:
            raise InvalidTransitionInput(_("Write down the committee's decision."))
        self.decision = decision
        self.decided_at = moment

    @transition(field=state, source=[State.IN_PROGRESS, State.DECIDED], target=State.CLOSED,
                custom=writes("outcome", "closed_at", "feedback_given_at", "next_deadline_at"))
    def close(self, *, outcome: str, moment: datetime) -> None:
        allowed = ((Outcome.DECIDED_BY_COMMITTEE,) if self.state == State.DECIDED
                   else ADVISOR_OUTCOMES)
        if outcome not in allowed:
            raise InvalidTransitionInput(_("Choose one of the outcomes offered."))
        self.outcome = outcome
        self.closed_at = moment
        self.record_feedback(moment)
        self.next_deadline_at = None

    @transition(field=state, source=[State.RECEIVED, State.ACKNOWLEDGED, State.IN_PROGRESS],
                target=State.CLOSED, custom=writes("outcome", "closed_at", "next_deadline_at"))
    def withdraw(self, *, moment: datetime) -> None:
        self.outcome = Outcome.WITHDRAWN
        self.closed_at = moment
        self.next_deadline_at = None

    @transition(field=state, source=State.CLOSED, target=State.DESTROYED, custom=writes())
    def destroy(self) -> None:
        """Content is crypto-shredded by the service in the same transaction."""
