"""Who may do what with one case: django-guardian's per-object permissions, with direct
foreign keys to the case (no generic relation, so lookups join on an index)."""

from __future__ import annotations

from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cases.models.case import Case


class CaseUserObjectPermission(UserObjectPermissionBase):
    """Per-case permissions of one user (django-guardian, direct foreign key)."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    """Per-case permissions of a group (a committee, once the case is referred to it)."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)
