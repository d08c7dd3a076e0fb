"""Rules about the school's people that cross models (STYLE.md §1)."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from afterschool.models import Role, User

# Which model permissions each role's group carries. Row scoping is done by
# the access helpers in afterschool/access.py; these say what a role may do
# at all, and show up in the Django admin for back-office fixes.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.ADMIN: [
        "afterschool.view_school",
        "afterschool.view_schoolclass",
        "afterschool.change_schoolclass",
        "afterschool.add_schoolclass",
        "afterschool.view_student",
        "afterschool.change_student",
        "afterschool.add_student",
        "afterschool.view_guardian",
        "afterschool.change_guardian",
        "afterschool.view_room",
        "afterschool.add_room",
        "afterschool.change_room",
        "afterschool.view_term",
        "afterschool.add_term",
        "afterschool.change_term",
        "afterschool.import_roster",
        "afterschool.view_id_number",
    ],
    Role.HOMEROOM: [
        "afterschool.view_schoolclass",
        "afterschool.view_student",
        "afterschool.view_guardian",
        "afterschool.view_room",
    ],
    Role.TEACHER: ["afterschool.view_room"],
    Role.VOLUNTEER: ["afterschool.view_room"],
    Role.GUARDIAN: [],
    # Read-only figures through the overview pages; no model permission.
    Role.SUPERVISOR: [],
}


def role_groups_ensure() -> dict[str, Group]:
    """Create (or refresh) one Django group per role, named by its Chinese
    label, with the permissions in ``ROLE_PERMISSIONS``. Idempotent.

    Returns ``{role value: Group}``.
    """
    groups = {}
    for role in Role:
        group, _ = Group.objects.get_or_create(name=str(role.label))
        wanted = []
        for perm in ROLE_PERMISSIONS[role]:
            app_label, codename = perm.split(".")
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)
        groups[role.value] = group
    return groups


@transaction.atomic
def user_set_role(*, user: User, role: Role | str) -> User:
    """Give ``user`` exactly one role: sets ``User.role`` and the matching
    group membership (removing the other role groups)."""
    role = Role(role)
    group, _ = Group.objects.get_or_create(name=str(role.label))
    user.role = role
    user.save(update_fields=["role"])
    other_labels = [str(r.label) for r in Role if r != role]
    user.groups.remove(*Group.objects.filter(name__in=other_labels))
    user.groups.add(group)
    return user
