"""Enrollment: survey, application or opt-out, review, approval, agreement.

The seed's 服务流程 (一.5): (1) 调查摸底 is ``Survey``/``SurveyResponse``; (2) 家长申请
is ``Application``; (3) 班主任审核 and 以班为单位上报 are the homeroom statuses and
``ClassSubmission``; (4) 学校审核 is the school's decision on a submission; the
《课后服务协议书》 is ``AgreementTemplate``/``Agreement``; (6) 放弃申请 is ``OptOut``.

Every row belongs to a school: ``Survey`` and ``AgreementTemplate`` carry it, the
others reach it through their term, student or class; the access helpers in
``enrollment/access.py`` scope by it. Status changes go through
``enrollment.applications.services.application_transition`` only.

Audit trail (DESIGN.md): applications, agreements, waiver requests, agreement
templates, opt-outs and class submissions keep every version of their row
with who changed it and when (django-simple-history, ``<row>.history``). The
user is the request's (HistoryRequestMiddleware) or, in the services, the
``by`` of the call (``afterschool.audit.audited``).

The classes live in one module per sub-domain; this package imports them
all so Django (and every caller) finds them as ``enrollment.models.<Name>``.
"""

from enrollment.models.agreements import Agreement, AgreementTemplate
from enrollment.models.applications import (
    Application,
    ApplicationEvent,
    ClassSubmission,
    EnrollmentSettings,
    OptOut,
    Status,
    WaiverRequest,
    WaiverStatus,
)
from enrollment.models.printing import PrintJob, PrintJobStatus
from enrollment.models.surveys import PartsMixin, Survey, SurveyAnswer, SurveyResponse

__all__ = [
    "Agreement",
    "AgreementTemplate",
    "Application",
    "ApplicationEvent",
    "ClassSubmission",
    "EnrollmentSettings",
    "OptOut",
    "PartsMixin",
    "PrintJob",
    "PrintJobStatus",
    "Status",
    "Survey",
    "SurveyAnswer",
    "SurveyResponse",
    "WaiverRequest",
    "WaiverStatus",
]
