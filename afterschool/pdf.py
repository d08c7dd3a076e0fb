"""PDF rendering with WeasyPrint: one place for every printed document.

Documents are Django templates extending ``pdf/base.html`` (A4, Noto CJK
fonts embedded, text selectable). Large batches render each document on its
own and join the results with pypdf, so memory stays flat whatever the batch
size (one WeasyPrint document of 200 agreements takes ~1.2 GiB).
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.conf import settings
from django.template.loader import render_to_string
from pypdf import PdfReader, PdfWriter


def render_pdf(template_name: str, context: dict, *, landscape: bool = False) -> bytes:
    """Render ``template_name`` with ``context`` to PDF bytes.

    ``landscape`` switches the page to A4 landscape (fee sheets). Static files
    are resolved against the project's ``static/`` folder.
    """
    from weasyprint import HTML  # imported late: loading Pango costs ~0.3 s

    html = render_to_string(template_name, {**context, "landscape": landscape})
    base_url = str(settings.BASE_DIR / "static")
    return HTML(string=html, base_url=base_url).write_pdf()


def join_pdfs(parts: Iterable[bytes]) -> bytes:
    """Concatenate PDF documents (bytes) into one, in order."""
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
