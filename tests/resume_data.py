"""Resume uploads for tests and bench/resume_parsing.py: a normal resume and the hostile ones of issue 15.

Everything is generated, so the files are small in the repository and the same on every run.
"""

from __future__ import annotations

import zlib

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FIVE_MB = 5 * 1024 * 1024

NORMAL_RESUME_LINES = [
    "Priya Raman",
    "Senior Software Engineer | priya.raman@example.com | San Francisco, CA",
    "",
    "SUMMARY",
    "Backend engineer with 8+ years of experience building payment systems: card processing,",
    "billing and ledgers, on Kafka and PostgreSQL.",
    "",
    "EXPERIENCE",
    "Senior Software Engineer, Payments Platform - Stripe        Mar 2020 - Present",
    "- Designed the idempotent payments API (Go, gRPC) handling 5k payments per second",
    "- Built reconciliation and settlement jobs for the ledger",
    "Software Engineer - Square        Jun 2016 - Feb 2020",
    "- Billing and invoicing services in Java and Python on AWS with PostgreSQL and Redis",
    "",
    "EDUCATION",
    "B.S. Computer Science, UC Berkeley        2012 - 2016",
    "",
    "SKILLS",
    "Go, Java, Python, Kafka, PostgreSQL, Redis, gRPC, AWS, Kubernetes, Terraform",
]


def normal_resume_text() -> bytes:
    return "\n".join(NORMAL_RESUME_LINES).encode()


def normal_resume_pdf(pages: int = 2) -> bytes:
    """The normal resume as a real PDF with a text layer, repeated over `pages` pages."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    for _ in range(pages):
        pdf.add_page()
        for line in NORMAL_RESUME_LINES:
            pdf.multi_cell(0, 5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def wide_character_text(size: int = FIVE_MB) -> bytes:
    """`size` bytes of one character repeated: U+FDFA, 3 bytes in UTF-8, which NFKC turns into 18.

    Normalising all of it before cutting to 100k characters took 16 s of CPU and 2.5 GB.
    """
    return ("\ufdfa" * (size // 3)).encode()


def heavy_pdf_page(operators: int = 200_000) -> bytes:
    """A valid one-page PDF whose compressed content stream repeats a text-show operator.

    200,000 operators make a 9 KB file on which pypdf's extract_text works ~9 s (and more than
    linearly longer for more: 600,000 took over a minute); no page budget helps, it is one page.
    """
    content = b"BT /F1 12 Tf 72 700 Td " + b"(Hello world) Tj " * operators + b"ET"
    return pdf_with_content(content)


def pdf_with_content(content: bytes) -> bytes:
    """A minimal PDF (catalog, one page, Helvetica) with `content` as its Flate-compressed page stream."""
    stream = zlib.compress(content, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
