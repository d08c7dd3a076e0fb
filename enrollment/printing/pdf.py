"""Printed enrollment documents (WeasyPrint through ``afterschool.pdf``; A4,
Noto CJK fonts embedded, text selectable):

- one 《课后服务协议书》: a signed (or paper-received) agreement prints its
  frozen ``Agreement.text`` and the signature record; an approved application
  not yet signed prints the school's current template with blank signature
  lines, for signing on paper;
- all agreements of a class or a grade as one PDF, rendered in parts of
  ``AGREEMENTS_PER_PART`` and joined with pypdf, so a part's memory does not
  grow with the batch;
- the blank 课后服务申请书 and 放弃申请 forms for families who apply on paper.

Only reads here; the print jobs that store a batch are in ``printing.tasks``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from django import forms
from django.utils import timezone

from afterschool.models import School, Term
from afterschool.pdf import join_pdfs, render_pdf
from afterschool.selectors import (
    class_name_of,
    school_fee_cap,
    term_times_text,
    year_class_label,
)
from enrollment.agreements.texts import agreement_context, agreement_render
from enrollment.applications.forms import ApplicationForm
from enrollment.models import Agreement, AgreementTemplate, Application
from enrollment.optouts.texts import opt_out_statement

# How many agreements go into one WeasyPrint document before the parts are
# joined with pypdf. Every WeasyPrint document embeds its own subset of the
# CJK fonts (about 0.3 MB even for one page) and pays for subsetting them,
# and pypdf keeps every part's objects until the file is written; so one
# document per agreement is the slowest and largest way (200 agreements:
# 16× the time and 2.6× the memory of one document, a 73 MB file), while
# parts of 100 print 1,000 agreements in the time of one WeasyPrint
# document with under half its memory (BENCHMARKS.md, "1,000 agreements as
# one PDF"). Memory per part is bounded by this number, not by the batch.
AGREEMENTS_PER_PART = 100

_HEADING_RE = re.compile(r"^[一二三四五六七八九十]+、")


@dataclass(frozen=True)
class AgreementPage:
    """What the PDF template needs for one agreement: the text split into
    title, headings and paragraphs, and how it was signed."""

    title: str
    blocks: list[tuple[str, str]]  # ("h2" | "p", text)
    student_name: str
    class_name: str
    version: int
    agreement: Agreement | None


def _blocks(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Split an agreement's plain text into its title (first line) and
    blocks: numbered section lines (一、…) become headings, the rest
    paragraphs; blank lines only separate."""
    lines = [line.strip() for line in text.strip().splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return "", []
    title, rest = lines[0], lines[1:]
    return title, [("h2" if _HEADING_RE.match(line) else "p", line) for line in rest]


def _first_guardian_name(application: Application) -> str:
    """The first guardian on record (乙方 of a paper agreement); uses the
    prefetched ``student.guardians`` when the caller prefetched them."""
    guardians = sorted(application.student.guardians.all(), key=lambda g: g.pk)
    return guardians[0].name if guardians else "________"


def agreement_page(application: Application, *, template: AgreementTemplate) -> AgreementPage:
    """The printable agreement of ``application``: the frozen text when an
    agreement exists (later template edits never change it), otherwise
    ``template`` rendered with the application's data and blank signature
    and date lines. Expects ``student__school``, ``student__school_class``
    (or the year's class annotated by ``pdf_applications``),
    ``term``, ``waiver`` and ``agreement`` joined (``pdf_applications``)."""
    agreement = getattr(application, "agreement", None)
    if agreement is not None:
        text, version = agreement.text, agreement.template_version
    else:
        context = agreement_context(
            application=application, guardian_name=_first_guardian_name(application)
        )
        text, version = agreement_render(body=template.body, context=context), template.version
    title, blocks = _blocks(text)
    student = application.student
    return AgreementPage(
        title=title,
        blocks=blocks,
        student_name=student.name,
        class_name=class_name_of(*year_class_label(application, student)),
        version=version,
        agreement=agreement,
    )


def _render_agreements(pages: Sequence[AgreementPage], *, school: School) -> bytes:
    return render_pdf(
        "enrollment/pdf/agreements.html",
        {"pages": pages, "school": school, "printed_at": timezone.localtime()},
    )


def agreement_pdf(application: Application, *, template: AgreementTemplate) -> bytes:
    """One agreement as PDF bytes (see ``agreement_page``)."""
    page = agreement_page(application, template=template)
    return _render_agreements([page], school=application.student.school)


def agreements_pdf(
    applications: Iterable[Application],
    *,
    template: AgreementTemplate,
    school: School,
    per_part: int = AGREEMENTS_PER_PART,
    on_progress: Callable[[int], None] | None = None,
) -> bytes:
    """All ``applications``' agreements as one PDF, in the given order, each
    starting on a new page.

    Rendered ``per_part`` at a time into separate WeasyPrint documents and
    joined with pypdf, so what WeasyPrint holds does not grow with the batch
    (only the joined file does).
    ``on_progress(n)`` is called after each part with the number done so far.
    Raises ``ValueError`` when there is nothing to print.
    """

    done = 0

    def parts() -> Iterator[bytes]:
        nonlocal done
        for chunk in itertools.batched(applications, per_part):
            pages = [agreement_page(app, template=template) for app in chunk]
            data = _render_agreements(pages, school=school)
            done += len(chunk)
            if on_progress is not None:
                on_progress(done)
            yield data

    result = join_pdfs(parts())
    if done == 0:
        raise ValueError("no agreements to print")
    return result


# ------------------------------------------------------------ blank forms


@dataclass(frozen=True)
class FormRow:
    """One field of the paper form: a tick box, a line, or a box."""

    name: str
    label: str
    kind: str  # "check" | "line" | "box"
    help_text: str = ""


def application_form_rows() -> list[FormRow]:
    """The fields of ``applications.forms.ApplicationForm`` in order, as the
    paper form prints them: tick boxes for yes/no, writing boxes for long
    answers (the reason box stays empty: families write it themselves),
    lines for the rest."""
    rows = []
    for name, field in ApplicationForm().fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            kind = "check"
        elif isinstance(widget, forms.Textarea):
            kind = "box"
        else:
            kind = "line"
        rows.append(
            FormRow(name=name, label=str(field.label), kind=kind, help_text=str(field.help_text))
        )
    return rows


def application_form_pdf(*, term: Term) -> bytes:
    """The blank 课后服务申请书 of ``term``'s school: class and name lines,
    the form's fields in order, the participants' times from the term (13:00
    and 18:10 by default), an empty reason box, signature and date lines."""
    school = term.school
    return render_pdf(
        "enrollment/pdf/application_form.html",
        {
            "school": school,
            "term": term,
            "times": term_times_text(term),
            "rows": application_form_rows(),
            "fee_cap": school_fee_cap(school),
        },
    )


def opt_out_form_pdf(*, term: Term) -> bytes:
    """The blank 放弃申请 of ``term``: the written declaration
    (``optouts.texts.opt_out_statement`` with blank class and name lines) and
    signature and date lines."""
    return render_pdf(
        "enrollment/pdf/opt_out_form.html",
        {"school": term.school, "term": term, "statement": opt_out_statement(term=term)},
    )


def pdf_filename(*parts: str) -> str:
    """``课后服务协议书-三年级（2）班.pdf`` style names (slashes removed)."""
    name = "-".join(p.replace("/", "_") for p in parts if p)
    return f"{name}.pdf"
