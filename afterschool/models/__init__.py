"""The school and its people: School, SchoolYear, Term, SchoolClass, Student,
Guardian, Room and the User with its roles; notices; account bookkeeping.

Every row belongs to one School (``school`` foreign key), so one installation can
serve all the schools of a county while nobody of school A sees a row of school B.
Models keep single-row derived values and invariants only; rules that cross
models live in ``afterschool/services.py``. One module per part (``school``,
``people``, ``accounts``, ``notices``); import from ``afterschool.models``.
"""

from afterschool.models.accounts import (
    ActivationCode,
    ActivationThrottle,
    RosterUpload,
)
from afterschool.models.notices import (
    Announcement,
    AnnouncementAudience,
    Delivery,
    DeliveryStatus,
    Notice,
    NoticeChannel,
    NoticeKind,
    NoticePreference,
)
from afterschool.models.people import (
    ClassMembership,
    Gender,
    Guardian,
    Guardianship,
    LeaveReason,
    PickupPerson,
    Role,
    Student,
    User,
)
from afterschool.models.school import (
    CLASS_SIZE_MAX,
    DEFAULT_TERM_TIMES,
    FEE_CAP_PER_PERIOD,
    FEE_CAP_PERIODS_PER_DAY,
    GRADE_NAMES,
    MOBILE_VALIDATOR,
    WECOM_PARENT_USERID_VALIDATOR,
    County,
    Room,
    RoomKind,
    School,
    SchoolClass,
    SchoolYear,
    StudentOrder,
    Term,
)

__all__ = [
    "ActivationCode",
    "ActivationThrottle",
    "Announcement",
    "AnnouncementAudience",
    "CLASS_SIZE_MAX",
    "ClassMembership",
    "County",
    "DEFAULT_TERM_TIMES",
    "Delivery",
    "DeliveryStatus",
    "FEE_CAP_PERIODS_PER_DAY",
    "FEE_CAP_PER_PERIOD",
    "GRADE_NAMES",
    "Gender",
    "Guardian",
    "Guardianship",
    "LeaveReason",
    "MOBILE_VALIDATOR",
    "Notice",
    "NoticeChannel",
    "NoticeKind",
    "NoticePreference",
    "PickupPerson",
    "Role",
    "Room",
    "RoomKind",
    "RosterUpload",
    "School",
    "SchoolClass",
    "SchoolYear",
    "Student",
    "StudentOrder",
    "Term",
    "User",
    "WECOM_PARENT_USERID_VALIDATOR",
]
