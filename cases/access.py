"""Who may see and do what with a case: the one door to django-guardian.

Per-case permissions live in guardian's direct foreign-key tables (``CaseUserObjectPermission``
for advisors, ``CaseGroupObjectPermission`` for the committee a case is referred to). Nothing
else in the project imports guardian or calls ``user.has_perm`` for cases: both answer True for
every superuser, and the system administrator must see no case (DESIGN.md §2). So every
question below is asked with the superuser and global-permission shortcuts switched off.

The coordinator's view of all cases is a role, not an object permission: coordinators see the
metadata and deadlines of every case and the content of none they are not assigned to.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeGuard

from django.contrib.auth.models import AnonymousUser, Group
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from accounts.models import User
from accounts.roles import Role, has_role
from cases.choices import Committee
from cases.exceptions import CaseNotFound, NotPermitted
from cases.models import Case, CaseGroupObjectPermission, CaseUserObjectPermission

VIEW = "view_case"  # read the case's content
HANDLE = "handle_case"  # act on it as its advisor: notes, messages, the advisor's transitions
REVIEW = "review_case"  # act on it as the committee it was referred to

ADVISOR_PERMISSIONS = (VIEW, HANDLE)
COMMITTEE_PERMISSIONS = (VIEW, REVIEW)

COMMITTEE_ROLE = {
    Committee.MISCONDUCT: Role.MISCONDUCT_COMMITTEE,
    Committee.UU_INTEGRITY: Role.UU_COMMITTEE,
}


def _is_staff_member(user: User | AnonymousUser) -> TypeGuard[User]:
    """A signed-in, active account (which is a ``User``: an anonymous visitor is neither) that
    is not the system administrator's: a superuser holds no grant, even through a group."""
    return bool(user.is_authenticated and user.is_active and not user.is_superuser)


def is_coordinator(user: User | AnonymousUser) -> bool:
    return has_role(user, Role.COORDINATOR)


def may_register_cases(user: User | AnonymousUser) -> bool:
    return has_role(user, Role.ADVISOR, Role.COORDINATOR)


def may_be_assigned(user: User) -> bool:
    return has_role(user, Role.ADVISOR)


# --- reads ---------------------------------------------------------------------------------


def cases_with_permission(user: User | AnonymousUser, codename: str,
                          queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """Cases on which ``user`` holds ``codename`` through a per-case grant (their own, or one of
    their groups'), as a queryset that stays lazy and is cheap at any number of cases.

    guardian's ``get_objects_for_user`` expresses this as ``pk IN (user grants) OR pk IN
    (group grants)``; PostgreSQL cannot drive a join from that OR, so a list ordered by date
    would walk the whole case index to find an advisor's 200 cases among a million. One
    ``pk IN (user grants UNION group grants)`` lets it start from the grants instead.

    Only committee groups ever hold grants (``grant_committee``), so for someone in no
    committee the group part is left out: PostgreSQL cannot tell that their groups hold
    nothing and would read every committee grant to find out (bench_workspace: ~50-100 ms
    per query at 1M cases).
    """
    queryset = Case.objects.all() if queryset is None else queryset
    if not _is_staff_member(user):
        return queryset.none()
    grants = CaseUserObjectPermission.objects.filter(
        user=user, permission__codename=codename, permission__content_type__app_label="cases",
    ).values("content_object_id")
    if has_role(user, *COMMITTEE_ROLE.values()):
        grants = grants.union(CaseGroupObjectPermission.objects.filter(
            group__user=user, permission__codename=codename,
            permission__content_type__app_label="cases",
        ).values("content_object_id"))
    return queryset.filter(pk__in=grants)


def cases_visible_to(user: User | AnonymousUser,
                     queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """Cases whose content ``user`` may read."""
    return cases_with_permission(user, VIEW, queryset)


def cases_listable_by(user: User | AnonymousUser,
                      queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """Cases ``user`` may find in lists: every case for a coordinator (metadata only), the
    cases they may read for everyone else."""
    queryset = Case.objects.all() if queryset is None else queryset
    if is_coordinator(user):
        return queryset
    return cases_visible_to(user, queryset)


def has_case_permission(user: User | AnonymousUser, codename: str, case: Case) -> bool:
    """One case, one permission; superuser and global permissions never count."""
    if not _is_staff_member(user):
        return False
    return get_objects_for_user(
        user, f"cases.{codename}", Case.objects.filter(pk=case.pk),
        with_superuser=False, accept_global_perms=False,
    ).exists()


def case_permissions(user: User | AnonymousUser, case: Case) -> frozenset[str]:
    """Every per-case permission ``user`` holds on ``case`` (own and through groups), in one
    query; what the case page uses to decide which parts and buttons to show."""
    if not _is_staff_member(user):
        return frozenset()
    user_grants = CaseUserObjectPermission.objects.filter(
        user=user, content_object_id=case.pk).values("permission__codename")
    group_grants = CaseGroupObjectPermission.objects.filter(
        group__user=user, content_object_id=case.pk).values("permission__codename")
    return frozenset(row["permission__codename"] for row in user_grants.union(group_grants))


def require(user: User | AnonymousUser, codename: str | None, case: Case) -> frozenset[str]:
    """Refuse unless ``user`` may act on ``case`` with ``codename`` (``None``: a coordinator's
    action, decided by role); return the per-case permissions they hold.

    A case they may not read is ``CaseNotFound`` (404), exactly like one that does not exist;
    one they may see but not act on this way is ``NotPermitted`` (403). A coordinator's
    action is ``CaseNotFound`` for everyone else, even for someone who reads the case: it is
    refused by role, like a page that does not exist for them. Services ask this under
    their row lock, views before they read a form, so both give the same answer.
    """
    if codename is None:
        if not is_coordinator(user):
            raise CaseNotFound
        return frozenset()
    granted = case_permissions(user, case)
    if VIEW not in granted:
        if is_coordinator(user):
            raise NotPermitted(_("Coordinators see this case's metadata only; its advisor "
                                 "handles it."))
        raise CaseNotFound
    if codename not in granted:
        raise NotPermitted(_("You cannot do this in your role on this case."))
    return granted


# --- writes (called by cases.services only, inside their transaction) ------------------------


def grant_advisor(case: Case, advisor: User) -> None:
    for codename in ADVISOR_PERMISSIONS:
        assign_perm(f"cases.{codename}", advisor, case)


def revoke_advisor(case: Case, advisor: User) -> None:
    for codename in ADVISOR_PERMISSIONS:
        remove_perm(f"cases.{codename}", advisor, case)


def committee_group(committee: str) -> Group:
    return Group.objects.get_or_create(name=COMMITTEE_ROLE[Committee(committee)].value)[0]


def grant_committee(case: Case, committee: str) -> None:
    group = committee_group(committee)
    for codename in COMMITTEE_PERMISSIONS:
        assign_perm(f"cases.{codename}", group, case)


def revoke_committee(case: Case, committee: str) -> None:
    group = committee_group(committee)
    for codename in COMMITTEE_PERMISSIONS:
        remove_perm(f"cases.{codename}", group, case)


def advisors_with_access(case: Case) -> Iterable[int]:
    """User ids holding the advisor's permission on ``case`` (for tests and checks)."""
    return CaseUserObjectPermission.objects.filter(
        content_object=case, permission__codename=HANDLE).values_list("user_id", flat=True)
