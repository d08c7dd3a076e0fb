"""Writing a checked roster, all or nothing, and the admin page's uploads
kept between preview and confirm.

``roster_import(*, roster, start_year, school=None, school_name="",
dry_run=False)`` writes a parsed roster in one transaction with a constant
number of queries (bulk create/update), updating students in place by 学籍号
and matching guardians by mobile within the school. ``dry_run`` runs the
very same code and rolls back, so the preview's counts are exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from afterschool.models import (
    ClassMembership,
    Guardian,
    Guardianship,
    Role,
    RosterUpload,
    School,
    SchoolClass,
    SchoolYear,
    Student,
    User,
)
from afterschool.notices.services import notices_claim
from afterschool.roster.parse import (
    ALLOWED_EXTENSIONS,
    STUDENT_FIELDS,
    ParsedRoster,
    Problem,
    RosterFileError,
    RosterRow,
    roster_parse,
)


class RosterInvalid(ValidationError):
    """The roster has problems; nothing was written. ``problems`` lists them."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__([str(p) for p in self.problems])


@dataclass
class ImportSummary:
    """Counts of what an import created or changed (or would, on a dry run)."""

    school: str = ""
    start_year: int = 0
    dry_run: bool = False
    schools_created: int = 0
    school_years_created: int = 0
    classes_created: int = 0
    students_created: int = 0
    students_updated: int = 0
    students_moved: int = 0
    students_joined: int = 0
    students_unchanged: int = 0
    guardians_created: int = 0
    guardians_updated: int = 0
    users_created: int = 0
    guardianships_created: int = 0
    guardianships_updated: int = 0
    class_ids: list[int] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return any(
            getattr(self, name)
            for name in (
                "schools_created",
                "school_years_created",
                "classes_created",
                "students_created",
                "students_updated",
                "guardians_created",
                "guardians_updated",
                "users_created",
                "guardianships_created",
                "guardianships_updated",
            )
        )

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def lines(self) -> list[str]:
        """The summary in Chinese, one line per kind."""
        verb = "将" if self.dry_run else ""
        return [
            f"学校：{self.school}（{self.start_year}—{self.start_year + 1}学年）"
            + ("，新建学校" if self.schools_created else "")
            + ("，新建学年" if self.school_years_created else ""),
            f"班级：{verb}新建 {self.classes_created} 个",
            f"学生：{verb}新建 {self.students_created} 名，{verb}更新 {self.students_updated} 名"
            f"（其中调班 {self.students_moved} 名），未变 {self.students_unchanged} 名；"
            f"本学年{verb}编入班级 {self.students_joined} 名",
            f"家长：{verb}新建 {self.guardians_created} 名，{verb}更新 {self.guardians_updated} 名",
            f"家长登录账号：{verb}新建 {self.users_created} 个（待激活）",
            f"监护关系：{verb}新建 {self.guardianships_created} 条，"
            f"{verb}更新 {self.guardianships_updated} 条",
        ]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportSummary:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


class _DryRunRollback(Exception):
    pass


def roster_import(
    *,
    roster: ParsedRoster,
    start_year: int,
    school: School | None = None,
    school_name: str = "",
    dry_run: bool = False,
) -> ImportSummary:
    """Write a checked roster, all or nothing, in one transaction.

    ``school`` or ``school_name`` (created if missing); ``start_year`` is the
    September the school year starts (2024 = 2024—2025学年, created if
    missing). Classes are created as needed; students are created or updated
    in place by 学籍号 (a changed class moves them); guardians are matched by
    mobile within the school, so siblings share one Guardian and one login
    User (username = mobile, role guardian, unusable password until the
    activation code is used). Existing guardian links are kept; the file adds
    or updates them. Students of the school missing from the file are left
    alone (a file may hold one grade only).

    ``dry_run`` runs the same writes and rolls them back, returning the
    counts an import would produce. Raises ``RosterInvalid`` (nothing
    written) if ``roster`` has problems or a mobile belongs to a staff login.
    Queries are constant in the number of rows (about 20).
    """
    if roster.problems:
        raise RosterInvalid(roster.problems)
    summary = ImportSummary(start_year=start_year, dry_run=dry_run)
    try:
        with transaction.atomic():
            _import(
                roster=roster,
                start_year=start_year,
                school=school,
                name=school_name,
                summary=summary,
            )
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    return summary


def _import(
    *,
    roster: ParsedRoster,
    start_year: int,
    school: School | None,
    name: str,
    summary: ImportSummary,
) -> None:
    """The writes of ``roster_import``, step by step; each step reads what
    exists with one query and bulk-writes the rest."""
    if school is None:
        school, created = School.objects.get_or_create(name=name.strip())
        summary.schools_created = int(created)
    summary.school = school.name
    year, created = SchoolYear.objects.get_or_create(school=school, start_year=start_year)
    summary.school_years_created = int(created)

    classes = _import_classes(roster=roster, school=school, year=year, summary=summary)
    first_row_of_mobile: dict[str, RosterRow] = {}
    for row in roster.rows:
        first_row_of_mobile.setdefault(row.mobile, row)
    users = _import_guardian_logins(first_row_of_mobile=first_row_of_mobile, summary=summary)
    guardians = _import_guardians(
        school=school, first_row_of_mobile=first_row_of_mobile, users=users, summary=summary
    )
    students = _import_students(
        roster=roster, school=school, year=year, classes=classes, summary=summary
    )
    _import_guardianships(
        roster=roster, school=school, students=students, guardians=guardians, summary=summary
    )


def _import_classes(
    *, roster: ParsedRoster, school: School, year: SchoolYear, summary: ImportSummary
) -> dict[tuple[int, int], SchoolClass]:
    """Classes: one query to read, one bulk insert for the new ones.
    Returns (grade, number) -> class."""
    classes = {(c.grade, c.number): c for c in SchoolClass.objects.filter(school_year=year)}
    wanted = {(r.grade, r.class_number) for r in roster.rows}
    new_classes = [
        SchoolClass(school=school, school_year=year, grade=g, number=n)
        for (g, n) in sorted(wanted - classes.keys())
    ]
    if new_classes:
        SchoolClass.objects.bulk_create(new_classes)
        classes = {(c.grade, c.number): c for c in SchoolClass.objects.filter(school_year=year)}
    summary.classes_created = len(new_classes)
    summary.class_ids = sorted(classes[key].pk for key in wanted)
    return classes


def _import_guardian_logins(
    *, first_row_of_mobile: dict[str, RosterRow], summary: ImportSummary
) -> dict[str, User]:
    """Guardian logins: username = mobile. A staff login with that username
    cannot double as a guardian's (``RosterInvalid``). Returns mobile -> user."""
    users = {u.username: u for u in User.objects.filter(username__in=first_row_of_mobile)}
    clashes = [
        Problem(row.row, "联系电话", "该手机号已是教职工的登录账号，不能作为家长手机号")
        for mobile, row in first_row_of_mobile.items()
        if mobile in users and users[mobile].role != Role.GUARDIAN
    ]
    if clashes:
        raise RosterInvalid(sorted(clashes, key=lambda p: p.row))
    new_users = [
        User(
            username=mobile,
            mobile=mobile,
            name=row.guardian_display_name,
            role=Role.GUARDIAN,
            password=make_password(None),
        )
        for mobile, row in first_row_of_mobile.items()
        if mobile not in users
    ]
    if new_users:
        User.objects.bulk_create(new_users)
        users = {u.username: u for u in User.objects.filter(username__in=first_row_of_mobile)}
        group, _created = Group.objects.get_or_create(name=str(Role.GUARDIAN.label))
        through = User.groups.through
        through.objects.bulk_create(
            [through(user_id=users[u.username].pk, group_id=group.pk) for u in new_users],
            ignore_conflicts=True,
        )
    summary.users_created = len(new_users)
    # Keep the login's display name in step with the guardian's name.
    renamed_users = []
    for mobile, row in first_row_of_mobile.items():
        user = users[mobile]
        guardian_name = row.guardian_display_name
        if user.name != guardian_name:
            user.name = guardian_name
            renamed_users.append(user)
    if renamed_users:
        User.objects.bulk_update(renamed_users, ["name"])
    return users


def _import_guardians(
    *,
    school: School,
    first_row_of_mobile: dict[str, RosterRow],
    users: dict[str, User],
    summary: ImportSummary,
) -> dict[str, Guardian]:
    """Guardians of this school, matched by mobile. Returns mobile -> guardian."""
    guardians = {
        g.mobile: g for g in Guardian.objects.filter(school=school, mobile__in=first_row_of_mobile)
    }
    new_guardians = []
    changed_guardians = []
    gained_login = []
    for mobile, row in first_row_of_mobile.items():
        guardian_name = row.guardian_display_name
        guardian = guardians.get(mobile)
        if guardian is None:
            new_guardians.append(
                Guardian(school=school, name=guardian_name, mobile=mobile, user=users[mobile])
            )
        elif guardian.name != guardian_name or guardian.user_id is None:
            if guardian.user_id is None:
                gained_login.append(users[mobile])
            guardian.name = guardian_name
            guardian.user = guardian.user or users[mobile]
            changed_guardians.append(guardian)
    if new_guardians:
        Guardian.objects.bulk_create(new_guardians)
    if changed_guardians:
        Guardian.objects.bulk_update(changed_guardians, ["name", "user"])
    # Notices sent to a guardian before the record had a login (by SMS or
    # WeCom only) go to the login's inbox now.
    for user in gained_login:
        notices_claim(user=user)
    if new_guardians:
        guardians = {
            g.mobile: g
            for g in Guardian.objects.filter(school=school, mobile__in=first_row_of_mobile)
        }
    summary.guardians_created = len(new_guardians)
    summary.guardians_updated = len(changed_guardians)
    return guardians


def _import_students(
    *,
    roster: ParsedRoster,
    school: School,
    year: SchoolYear,
    classes: dict[tuple[int, int], SchoolClass],
    summary: ImportSummary,
) -> dict[str, Student]:
    """Students, updated in place by 学籍号, and their membership of the
    file's school year: a student with no class in ``year`` joins the row's
    class; one in another class of ``year`` moves (the membership is
    corrected in place: the file is the year's register). Memberships of
    other years are never touched, so importing next year's roster leaves
    last year's classes as they were. ``Student.school_class`` (the latest
    class) follows the file unless the student already has a class of a
    later year. Returns 学籍号 -> student."""
    numbers = [r.student_number for r in roster.rows]
    students = {
        s.student_number: s
        for s in Student.objects.filter(school=school, student_number__in=numbers).select_related(
            "school_class__school_year"
        )
    }
    memberships = {
        m.student_id: m
        for m in ClassMembership.objects.filter(
            school_class__school_year=year,
            student__school=school,
            student__student_number__in=numbers,
        )
    }
    new_students = []
    changed_students = []
    moved_memberships = []
    joining: list[tuple[str, SchoolClass]] = []
    for row in roster.rows:
        school_class = classes[(row.grade, row.class_number)]
        values = {field_name: getattr(row, field_name) for field_name in STUDENT_FIELDS}
        if row.seat is not None:
            # A file without 班内学号 keeps the numbers the school has.
            values["class_number"] = row.seat
        student = students.get(row.student_number)
        if student is None:
            new_students.append(
                Student(
                    school=school,
                    student_number=row.student_number,
                    school_class=school_class,
                    **values,
                )
            )
            joining.append((row.student_number, school_class))
            continue
        changed = [k for k, v in values.items() if getattr(student, k) != v]
        membership = memberships.get(student.pk)
        if membership is None:
            joining.append((row.student_number, school_class))
            summary.students_joined += 1
        elif membership.school_class_id != school_class.pk:
            membership.school_class = school_class
            moved_memberships.append(membership)
            summary.students_moved += 1
        points_later = student.school_class.school_year.start_year > year.start_year
        if student.school_class_id != school_class.pk and not points_later:
            student.school_class = school_class
            changed.append("school_class")
        if changed:
            for key in changed:
                if key != "school_class":
                    setattr(student, key, values[key])
            changed_students.append(student)
    if new_students:
        Student.objects.bulk_create(new_students)
    if changed_students:
        Student.objects.bulk_update(
            changed_students, ["school_class", "class_number", *STUDENT_FIELDS]
        )
    if moved_memberships:
        ClassMembership.objects.bulk_update(moved_memberships, ["school_class"])
    summary.students_created = len(new_students)
    summary.students_updated = len(changed_students)
    summary.students_unchanged = len(roster.rows) - len(new_students) - len(changed_students)
    if new_students:
        students = {
            s.student_number: s
            for s in Student.objects.filter(school=school, student_number__in=numbers)
        }
    if joining:
        ClassMembership.objects.bulk_create(
            [ClassMembership(student=students[n], school_class=c) for n, c in joining]
        )
    return students


def _import_guardianships(
    *,
    roster: ParsedRoster,
    school: School,
    students: dict[str, Student],
    guardians: dict[str, Guardian],
    summary: ImportSummary,
) -> None:
    """Guardianships: (student, guardian) with the relation."""
    numbers = [r.student_number for r in roster.rows]
    links = {
        (g.student_id, g.guardian_id): g
        for g in Guardianship.objects.filter(
            student__school=school, student__student_number__in=numbers
        )
    }
    new_links = []
    changed_links = []
    seen: set[tuple[int, int]] = set()
    for row in roster.rows:
        key = (students[row.student_number].pk, guardians[row.mobile].pk)
        if key in seen:
            continue
        seen.add(key)
        link = links.get(key)
        if link is None:
            new_links.append(
                Guardianship(student_id=key[0], guardian_id=key[1], relation=row.relation)
            )
        elif row.relation and link.relation != row.relation:
            link.relation = row.relation
            changed_links.append(link)
    if new_links:
        Guardianship.objects.bulk_create(new_links)
    if changed_links:
        Guardianship.objects.bulk_update(changed_links, ["relation"])
    summary.guardianships_created = len(new_links)
    summary.guardianships_updated = len(changed_links)


# ---------------------------------------------------------------------------
# Uploads kept between preview and confirm (admin page)
# ---------------------------------------------------------------------------


def roster_upload_create(
    *, school: School, by: User, filename: str, content: bytes, start_year: int
) -> RosterUpload:
    """Keep an uploaded file for preview; checks the extension, the size
    limit ``settings.ROSTER_UPLOAD_MAX_BYTES`` and that the content can be
    read as such a file (raises ValidationError with the reason; nothing is
    written then)."""
    if PurePath(filename).suffix.lower() not in ALLOWED_EXTENSIONS:
        raise ValidationError("只能上传 .xlsx 或 .csv 文件", code="extension")
    limit = settings.ROSTER_UPLOAD_MAX_BYTES
    if len(content) > limit:
        size_mb, limit_mb = len(content) / 1024 / 1024, limit / 1024 / 1024
        raise ValidationError(
            f"文件过大（{size_mb:.1f} MB），不能超过 {limit_mb:.0f} MB",
            code="size",
        )
    try:
        # A file renamed from .exe or .txt, a damaged one, or one without the
        # roster's header row is refused here with the reason, instead of
        # being kept for a preview that cannot work. Faults in rows are for
        # the preview to show.
        roster_parse(filename=filename, content=content)
    except RosterFileError as exc:
        raise ValidationError(str(exc), code="unreadable") from None
    return RosterUpload.objects.create(
        school=school,
        uploaded_by=by,
        filename=PurePath(filename).name[:200],
        content=content,
        start_year=start_year,
    )


def roster_upload_confirm(*, upload: RosterUpload) -> tuple[ImportSummary, bool]:
    """Import a previewed upload into its school. Returns (summary, imported):
    ``imported`` is False when the upload had already been confirmed (a
    double submit), in which case nothing is written and the first import's
    summary is returned. Raises RosterInvalid / RosterFileError as the parse
    and import do; then nothing is written and the upload stays unconfirmed.
    """
    with transaction.atomic():
        # The first confirm wins: the conditional update locks the row, so a
        # second request waits and then finds confirmed_at set.
        claimed = RosterUpload.objects.filter(pk=upload.pk, confirmed_at__isnull=True).update(
            confirmed_at=timezone.now()
        )
        if not claimed:
            upload.refresh_from_db()
            return ImportSummary.from_dict(upload.summary or {}), False
        roster = roster_parse(filename=upload.filename, content=bytes(upload.content))
        summary = roster_import(roster=roster, start_year=upload.start_year, school=upload.school)
        upload.summary = summary.as_dict()
        upload.save(update_fields=["summary"])
        upload.refresh_from_db(fields=["confirmed_at"])
    return summary, True
