"""The office's rules for moving a case on (DESIGN.md §3), as transition conditions.

Each rule is a named predicate with the sentence a person reads when it does not hold, so the
same object decides (as a django-fsm-2 condition on ``Case``) and explains (on the case page,
next to the button it disables). Views never re-implement a rule; they ask ``explain``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.choices import COMMITTEES_FOR_AFFILIATION, Channel, Kind


class CaseFacts(Protocol):
    """What the rules read of a case. The rules know these facts, not the model, so
    ``cases.models`` depends on this module and never the other way round."""

    @property
    def kind(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def statement_in_writing(self) -> bool: ...
    @property
    def referral_consent_at(self) -> datetime | None: ...
    @property
    def accused_affiliation(self) -> str: ...


@dataclass(frozen=True)
class Rule:
    name: str
    check: Callable[[CaseFacts], bool]
    reason: str | Promise  # why the transition is not available when the rule does not hold

    def __call__(self, case: CaseFacts) -> bool:
        return self.check(case)


IS_REPORT = Rule(
    "is_report", lambda case: case.kind == Kind.REPORT,
    _("A consultation cannot be referred. With the reporter's consent it can first become a "
      "report."),
)
IS_NAMED = Rule(
    "is_named", lambda case: case.channel == Channel.NAMED,
    _("An anonymous report cannot become a formal complaint: a complaint is never anonymous. "
      "Signpost the reporter instead."),
)
HAS_WRITTEN_STATEMENT = Rule(
    "has_written_statement", lambda case: case.statement_in_writing,
    _("A complaint is always in writing: record that the reporter's written statement has "
      "been received."),
)
HAS_REFERRAL_CONSENT = Rule(
    "has_referral_consent", lambda case: case.referral_consent_at is not None,
    _("The reporter's consent to refer has not been recorded."),
)
AFFILIATION_HAS_COMMITTEE = Rule(
    "affiliation_has_committee",
    lambda case: bool(COMMITTEES_FOR_AFFILIATION.get(case.accused_affiliation)),
    _("No committee handles complaints about someone who is external or whose affiliation is "
      "unknown."),
)

REFERRAL_RULES = [IS_REPORT, IS_NAMED, HAS_WRITTEN_STATEMENT, HAS_REFERRAL_CONSENT,
                  AFFILIATION_HAS_COMMITTEE]


def explain(conditions: Iterable[Callable[..., bool]], case: CaseFacts
            ) -> list[str | Promise]:
    """The reasons, in order, of the rules among ``conditions`` that ``case`` does not meet
    (a transition's conditions as django-fsm-2 holds them; any that is not a ``Rule`` has no
    reason to give)."""
    return [rule.reason for rule in conditions if isinstance(rule, Rule) and not rule(case)]
