"""Safe pickup (安全共管, seed 一.5 (6) 统一组织学生安全离校): the adults a
guardian allows to collect the child, and recording a whole class as
collected in one action."""

from __future__ import annotations

import datetime
import io

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from afterschool.models import MOBILE_VALIDATOR, PickupPerson, SchoolClass, Student, Term, User

PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}


def _check_photo(data: bytes) -> str:
    """The photo's content type; raises ``ValidationError`` unless it is a
    JPEG or PNG image of at most 2 MB."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > PHOTO_MAX_BYTES:
        raise ValidationError(_("照片不能超过 2 MB。"))
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError(_("请上传 JPG 或 PNG 格式的照片。")) from exc
    if fmt not in PHOTO_TYPES:
        raise ValidationError(_("请上传 JPG 或 PNG 格式的照片。"))
    return PHOTO_TYPES[fmt]


def pickup_person_add(
    *,
    student: Student,
    by: User,
    name: str,
    relation: str,
    mobile: str,
    photo: bytes | None = None,
) -> PickupPerson:
    """Register an adult who may collect ``student`` (name, relation, an
    11-digit mobile; an optional JPEG/PNG photo ≤ 2 MB kept in the database,
    shown only to the child's teachers). The same mobile twice for one child
    is refused (a double submit writes one row).

    Raises ``ValidationError`` (Chinese) for a missing name or relation, a
    bad mobile, a bad photo or a duplicate."""
    name, relation, mobile = name.strip(), relation.strip(), mobile.strip()
    if not name or not relation:
        raise ValidationError(_("请填写接送人姓名和与孩子的关系。"))
    MOBILE_VALIDATOR(mobile)
    photo_type = _check_photo(photo) if photo else ""
    try:
        with transaction.atomic():
            return PickupPerson.objects.create(
                student=student,
                name=name,
                relation=relation,
                mobile=mobile,
                photo=photo or None,
                photo_type=photo_type,
                added_by=by,
            )
    except IntegrityError:
        raise ValidationError(_("手机号 %(m)s 已登记为接送人。") % {"m": mobile}) from None


def pickup_person_remove(*, person: PickupPerson) -> None:
    """Remove a pickup person (and the photo with it)."""
    person.delete()


@transaction.atomic
def dismissal_all_collected(
    *, school_class: SchoolClass, term: Term, date: datetime.date, by: User, today: datetime.date
) -> int:
    """「全部已接走」: record every child still waiting on ``date``'s
    dismissal sheet of ``school_class`` as collected by the pickup person of
    their application (or gone home alone where the application allows it
    and names nobody). Children on leave or marked absent are left as they
    are. Returns how many were recorded; running it again records none.
    Raises ``ValidationError`` as ``dismissal_record``."""
    from scheduling.attendance.selectors import dismissal_sheet
    from scheduling.attendance.services import dismissal_record

    sheet = dismissal_sheet(school_class=school_class, term=term, date=date)
    n = 0
    for row in sheet.rows:
        if row.dismissal is not None or row.on_leave or row.absent:
            continue
        app = row.application
        alone = app.goes_home_alone and not app.pickup_name
        dismissal_record(
            student=row.student,
            term=term,
            date=date,
            by=by,
            alone=alone,
            collected_by=None,
            today=today,
        )
        n += 1
    return n
