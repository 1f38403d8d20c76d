"""The workflow as people meet it: one entry per transition, with who may perform it, what
the button says and what the confirmation asks for. The service that performs each step is in
``cases.services.STEP_SERVICES`` (the write side; this module is read by the selectors).

``available_actions`` lists, for one person and one case, the transitions the current state
offers them, each either available or disabled with the reasons from ``cases.workflow``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_fsm import Transition

from cases import access, workflow
from cases.models import Case


@dataclass(frozen=True)
class TransitionSpec:
    slug: str  # in URLs
    method: str  # the django-fsm-2 transition on Case
    codename: str | None  # the per-case permission it needs; None: coordinators (by role)
    label: str | Promise
    confirm: str | Promise  # what the confirmation page says will happen
    fields: tuple[str, ...]  # what the confirmation form asks for (see cases.forms)
    danger: bool = False


SPECS: dict[str, TransitionSpec] = {spec.slug: spec for spec in [
    TransitionSpec(
        "acknowledge", "acknowledge", access.HANDLE, _("Acknowledge receipt"),
        _("The reporter is told their case was received; the three-month feedback period "
          "starts now."), ()),
    TransitionSpec(
        "start", "start", access.HANDLE, _("Start working on the case"),
        _("The case moves to “In progress”."), ()),
    TransitionSpec(
        "refer", "refer", access.HANDLE, _("Refer to a committee"),
        _("The committee receives the file and can read it from now on."),
        ("committee", "reason")),
    TransitionSpec(
        "accept", "accept", access.REVIEW, _("Accept the referral"),
        _("The committee takes up the complaint for review."), ()),
    TransitionSpec(
        "return", "return_to_office", access.REVIEW, _("Return the file"),
        _("The committee declines jurisdiction. The file goes back to the advisor and the "
          "committee can no longer read it."), ("reason",)),
    TransitionSpec(
        "decide", "decide", access.REVIEW, _("Record the decision"),
        _("The committee's decision is recorded; the advisor then closes the case."),
        ("decision",)),
    TransitionSpec(
        "close", "close", access.HANDLE, _("Close the case"),
        _("The case is closed with the outcome you choose."), ("outcome",)),
    TransitionSpec(
        "withdraw", "withdraw", access.HANDLE, _("Close as withdrawn"),
        _("The reporter has withdrawn their case; it is closed with the outcome "
          "“Withdrawn”."), (), danger=True),
    TransitionSpec(
        "destroy", "destroy", None, _("Destroy the case"),
        _("Everything the case holds is destroyed for good: its content can never be read "
          "again. Only the statistics and the audit trail remain."), (), danger=True),
]}


@dataclass(frozen=True)
class Action:
    spec: TransitionSpec
    reasons: list[str | Promise]

    @property
    def available(self) -> bool:
        return not self.reasons


def may_perform(spec: TransitionSpec, *, permissions: frozenset[str],
                is_coordinator: bool) -> bool:
    if spec.codename is None:
        return is_coordinator
    return spec.codename in permissions


def available_actions(case: Case, *, permissions: frozenset[str],
                      is_coordinator: bool) -> list[Action]:
    """The transitions of the case's current state that this person may perform, in the
    order of ``SPECS``; each with the reasons it cannot be done now (empty: it can)."""
    by_method: dict[str, Transition] = {
        t.name: t for t in case.get_all_state_transitions() if t.source == case.state
    }
    actions = []
    for spec in SPECS.values():
        transition = by_method.get(spec.method)
        if transition is None or not may_perform(spec, permissions=permissions,
                                                 is_coordinator=is_coordinator):
            continue
        actions.append(Action(spec, workflow.explain(transition.conditions, case)))
    return actions
