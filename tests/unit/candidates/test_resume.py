"""Resume intake: reading uploads safely and extracting a profile without any LLM."""

from __future__ import annotations

import io
import logging
import random
import struct
import zipfile
import zlib
from datetime import datetime

import pytest
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from pypdf import PdfReader, PdfWriter

from core.candidates.resume_file import MAX_RESUME_BYTES, ResumeText, read_resume
from core.candidates.resume_profile import DOMAINS, extract_profile, level_for_years, years_from_date_ranges
from core.errors import ResumeError
from core.models import Level

# --------------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------------


def make_pdf(*pages: list[str]) -> bytes:
    """A real PDF with a text layer, one list of lines per page (core fonts: Latin-1 only)."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.multi_cell(0, 5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def scanned_pdf() -> bytes:
    """What a scanner produces, as far as text goes: a page with graphics and no text."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_fill_color(200, 200, 200)
    pdf.rect(20, 20, 170, 250, style="F")
    pdf.line(20, 40, 190, 40)
    return bytes(pdf.output())


def encrypt(data: bytes, user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes() -> bytes:
    """A valid 1x1 PNG."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def docx_bytes() -> bytes:
    """The shape of a Word file: a ZIP whose first entries are [Content_Types].xml and word/."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("_rels/.rels", "<Relationships/>")
        zf.writestr("word/document.xml", "<w:document>Jane Doe</w:document>")
    return out.getvalue()


SENIOR_PAYMENTS = [
    "Priya Raman",
    "Senior Software Engineer | priya.raman@example.com | +1 (415) 555-0199 | San Francisco, CA",
    "",
    "SUMMARY",
    "Backend engineer with 8+ years of experience building payment systems: card processing,",
    "billing and ledgers. Led the migration of the payments ledger to an event-sourced design",
    "on Kafka and PostgreSQL.",
    "",
    "EXPERIENCE",
    "Senior Software Engineer, Payments Platform - Stripe        Mar 2020 - Present",
    "- Designed the idempotent payments API (Go, gRPC) handling 5k payments per second",
    "- Built reconciliation and settlement jobs for the ledger; mentored two interns",
    "- Worked with the principal engineer of the billing org on multi-currency payouts",
    "Software Engineer - Square        Jun 2016 - Feb 2020",
    "- Billing and invoicing services in Java and Python on AWS with PostgreSQL and Redis",
    "- Fraud rules engine for card payments; PCI compliance",
    "",
    "EDUCATION",
    "B.S. Computer Science, UC Berkeley        2012 - 2016",
    "",
    "SKILLS",
    "Go, Java, Python, Kafka, PostgreSQL, Redis, gRPC, AWS, Kubernetes, Terraform",
]


def junior_web_resume(now: datetime) -> str:
    """A junior web developer whose dates move with the clock, so the test never ages."""
    return "\n".join(
        [
            "Sam Lee",
            "sam.lee@example.org | github.com/samlee",
            "",
            "Experience",
            f"Junior Web Developer, Corner Shop Online      Jan {now.year - 1} – Present",
            "• Built the checkout and cart pages in React and TypeScript",
            "• Small Django REST endpoints for the product catalog; HTML and CSS",
            f"Web Development Intern, Webly      Jun {now.year - 2} – Aug {now.year - 2}",
            "• Landing pages with JavaScript",
            "",
            "Education",
            f"BSc Computer Science      {now.year - 5} – {now.year - 2}",
        ]
    )


STAFF_ML = """\
CURRICULUM VITAE

Name: Dr. Ana de la Cruz
ana.delacruz@ml.example.com

Staff Machine Learning Engineer, Pinterest
7 years of experience in machine learning: recommendation systems, ranking models,
a feature store and model training pipelines with PyTorch and TensorFlow on Kubernetes.
Before that: ML Engineer working on search ranking with Elasticsearch.
"""


# --------------------------------------------------------------------------------------------
# read_resume: accepted uploads
# --------------------------------------------------------------------------------------------


def test_reads_a_pdf_and_extracts_a_senior_payments_profile():
    result = read_resume("priya.pdf", make_pdf(SENIOR_PAYMENTS))

    assert isinstance(result, ResumeText)
    assert result.content_type == "application/pdf"
    assert result.pages == 1
    assert not result.truncated
    assert "idempotent payments API" in result.text

    profile = extract_profile(result.text)
    assert profile.name == "Priya Raman"
    assert profile.email == "priya.raman@example.com"
    assert profile.years_experience == 8.0  # the explicit statement beats the date ranges
    assert profile.level is Level.SENIOR  # not staff: the principal engineer is a colleague
    assert profile.domains[0] == "payments"
    assert {"Kafka", "PostgreSQL", "Go", "Java", "Python", "Redis", "gRPC", "AWS"} <= set(profile.skills)
    assert profile.skills.index("Kafka") < profile.skills.index("PostgreSQL")  # order of appearance
    assert len(profile.skills) == len(set(profile.skills))


def test_the_file_name_does_not_decide_the_type():
    pdf = make_pdf(SENIOR_PAYMENTS)
    assert read_resume("resume.txt", pdf).content_type == "application/pdf"
    assert read_resume("resume.pdf", b"Jane Doe\nPython developer\n").content_type == "text/plain"


def test_reads_a_multi_page_pdf():
    result = read_resume("cv.pdf", make_pdf(SENIOR_PAYMENTS[:10], SENIOR_PAYMENTS[10:]))
    assert result.pages == 2
    assert "Priya Raman" in result.text and "Terraform" in result.text


def test_page_cap_stops_reading_a_long_pdf():
    pages = [[f"Page {i} text: building payment systems in Python, section {i}."] for i in range(1, 8)]
    result = read_resume("long.pdf", make_pdf(*pages), max_pages=3)
    assert result.pages == 7
    assert result.truncated
    assert "section 3" in result.text
    assert "section 4" not in result.text


def test_text_length_is_capped():
    text = ("Jane Doe builds distributed systems in Go. " * 200).encode()
    result = read_resume("long.txt", text, max_chars=500)
    assert len(result.text) == 500
    assert result.truncated


def test_pdf_encrypted_with_an_empty_user_password_still_reads():
    result = read_resume("owner-locked.pdf", encrypt(make_pdf(SENIOR_PAYMENTS), user_password=""))
    assert result.content_type == "application/pdf"
    assert "Priya Raman" in result.text


def test_utf16_text_with_bom_reads():
    text = "Zoë Müller\nzoe@example.de\nBackend-Entwicklerin: Kotlin, Kafka, PostgreSQL\n"
    result = read_resume("cv.txt", text.encode("utf-16"))  # Python writes the BOM
    assert result.content_type == "text/plain"
    assert result.pages is None
    assert result.text.startswith("Zoë Müller")
    assert extract_profile(result.text).skills == ["Kotlin", "Kafka", "PostgreSQL"]


def test_utf8_text_with_bom_reads_without_the_bom():
    result = read_resume("cv.txt", "\ufeffJane Doe\nPython".encode())
    assert result.text == "Jane Doe\nPython"


def test_text_that_merely_starts_like_a_binary_signature_is_still_text():
    # filetype takes anything starting with "BM" for a BMP image.
    result = read_resume("cv.txt", b"BMW Group - Jane Doe, data engineer (Spark, Airflow)\n")
    assert result.text.startswith("BMW Group")


def test_windows_line_endings_and_control_characters_are_cleaned():
    result = read_resume("cv.txt", b"Jane Doe\r\n\r\n\r\n\r\nPython\x0b developer\x07\r\n")
    assert result.text == "Jane Doe\n\nPython developer"


# --------------------------------------------------------------------------------------------
# read_resume: refused uploads
# --------------------------------------------------------------------------------------------


def assert_user_facing(exc: pytest.ExceptionInfo[ResumeError]) -> str:
    message = str(exc.value)
    assert message.endswith("."), message
    assert "Traceback" not in message and "Error" not in message, message
    return message


def test_password_protected_pdf_is_refused():
    with pytest.raises(ResumeError) as exc:
        read_resume("locked.pdf", encrypt(make_pdf(SENIOR_PAYMENTS), user_password="hunter2"))
    message = assert_user_facing(exc)
    assert "locked.pdf" in message
    assert "password" in message


@pytest.mark.parametrize(
    "corrupt",
    [
        pytest.param(lambda pdf: pdf[: len(pdf) // 2], id="truncated"),
        pytest.param(lambda pdf: b"%PDF-1.7\n" + bytes(range(256)) * 16, id="garbage-after-header"),
        pytest.param(lambda pdf: pdf.replace(b"xref", b"xxxx").replace(b"startxref", b"start"), id="no-xref"),
        pytest.param(lambda pdf: b"%PDF-", id="header-only"),
    ],
)
def test_damaged_pdf_is_refused_quietly(corrupt, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ResumeError) as exc:
        read_resume("broken.pdf", corrupt(make_pdf(SENIOR_PAYMENTS)))

    message = assert_user_facing(exc)
    assert message.startswith("broken.pdf could not be read: the file seems damaged")
    for leaked in ("startxref", "Stream has ended", "EOF marker", "PdfReadError", "pypdf"):
        assert leaked not in message
    # pypdf's own warnings about the malformed file are silenced ...
    assert [r for r in caplog.records if r.name.startswith("pypdf")] == []
    assert capsys.readouterr().err == ""
    # ... while our own log still says why the upload was refused.
    ours = [r for r in caplog.records if r.name == "core.candidates.resume_file"]
    assert any("damaged" in r.getMessage() for r in ours)


def test_scanned_pdf_without_text_layer_is_refused():
    with pytest.raises(ResumeError) as exc:
        read_resume("scan.pdf", scanned_pdf())
    message = assert_user_facing(exc)
    assert "no text layer" in message
    assert "text version" in message


def test_oversized_file_is_refused_before_anything_else(caplog):
    caplog.set_level(logging.INFO, logger="core.candidates.resume_file")
    limit = 1024 * 1024
    data = b"%PDF-1.7\n" + b"\x00" * (limit + 512 * 1024 - 9)  # 1.5 MB, not even a valid PDF
    with pytest.raises(ResumeError) as exc:
        read_resume("big.pdf", data, max_bytes=limit)
    message = assert_user_facing(exc)
    assert "big.pdf is 1.5 MB" in message
    assert "1 MB limit" in message
    assert any("too-large" in r.getMessage() for r in caplog.records)


def test_one_byte_over_the_limit_is_refused_with_exact_sizes():
    with pytest.raises(ResumeError) as exc:
        read_resume("cv.txt", b"a" * 1025, max_bytes=1024)
    message = assert_user_facing(exc)
    assert "1,025 bytes" in message
    assert "1 KB" in message


def test_exactly_at_the_limit_is_accepted():
    assert read_resume("cv.txt", b"Jane Doe " * 10, max_bytes=90).text == ("Jane Doe " * 10).strip()


def test_default_limit_is_five_megabytes():
    assert MAX_RESUME_BYTES == 5 * 1024 * 1024


@pytest.mark.parametrize(
    ("filename", "data", "looks_like"),
    [
        ("resume.pdf", png_bytes(), "a PNG image"),
        ("resume.pdf", docx_bytes(), "a Word document"),
        (
            "resume.txt",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(64),
            "a Windows program",
        ),
        ("resume.txt", rb"{\rtf1\ansi\deff0 {\fonttbl {\f0 Times;}} Jane Doe}", "an RTF document"),
    ],
    ids=["png", "docx", "exe", "rtf"],
)
def test_other_formats_are_refused_naming_what_they_look_like(filename, data, looks_like):
    with pytest.raises(ResumeError) as exc:
        read_resume(filename, data)
    message = assert_user_facing(exc)
    assert message.startswith(f"{filename} looks like {looks_like}")
    assert "not a PDF or text file" in message


def test_binary_garbage_is_refused():
    garbage = random.Random(1234).randbytes(4096)
    assert not garbage.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf"))
    with pytest.raises(ResumeError) as exc:
        read_resume("resume.txt", garbage)
    assert "could not be read as text" in assert_user_facing(exc)


def test_utf16_without_bom_and_latin1_text_are_refused():
    for data in ("Jane Doe".encode("utf-16-le"), "José Núñez".encode("latin-1")):
        with pytest.raises(ResumeError, match="could not be read as text"):
            read_resume("cv.txt", data)


def test_empty_file_is_refused():
    with pytest.raises(ResumeError) as exc:
        read_resume("cv.pdf", b"")
    assert "cv.pdf is empty" in assert_user_facing(exc)


def test_whitespace_only_text_is_refused():
    with pytest.raises(ResumeError, match="no readable text"):
        read_resume("cv.txt", b" \n\t\n ")


def test_refusal_names_only_the_base_name_of_the_upload():
    with pytest.raises(ResumeError) as exc:
        read_resume("C:\\Users\\jane\\Desktop\\cv\x07.pdf", b"")
    assert str(exc.value).startswith("cv.pdf is empty")
    with pytest.raises(ResumeError) as exc:
        read_resume("", b"")
    assert str(exc.value).startswith("The file is empty")


# --------------------------------------------------------------------------------------------
# extract_profile
# --------------------------------------------------------------------------------------------


def test_junior_web_developer_from_text():
    now = datetime.now()
    profile = extract_profile(read_resume("sam.txt", junior_web_resume(now).encode()).text)

    assert profile.name == "Sam Lee"
    assert profile.email == "sam.lee@example.org"
    # Jan last year to this month, plus a three-month internship; the degree is not counted.
    expected_months = 12 + now.month + 3
    assert profile.years_experience == pytest.approx(expected_months / 12, abs=0.06)
    assert profile.level is Level.JUNIOR
    assert profile.domains[0] == "web"
    assert "ecommerce" in profile.domains
    assert profile.skills == ["React", "TypeScript", "Django", "REST", "HTML", "CSS", "JavaScript"]


def test_staff_ml_engineer_by_title():
    profile = extract_profile(STAFF_ML)
    assert profile.name == "Ana de la Cruz"  # from "Name:", honorific dropped, heading skipped
    assert profile.email == "ana.delacruz@ml.example.com"
    assert profile.years_experience == 7.0  # would be senior by years alone
    assert profile.level is Level.STAFF
    assert profile.domains[0] == "ml"
    assert "search" in profile.domains
    assert profile.skills[:3] == ["PyTorch", "TensorFlow", "Kubernetes"]


def test_years_from_overlapping_date_ranges():
    now = datetime(2026, 11, 22)
    text = "\n".join(
        [
            "Acme Payments — Senior Engineer     Jan 2015 – Dec 2017",  # 36 months
            "Globex — Engineer (part-time)      Jun 2017 - Jun 2020",  # overlaps: +30 months
            "Initech                            03/2021 to Present",  # Mar 2021 – Nov 2026: 69 months
            "Hooli                              2022 - 2023",  # inside the previous one
        ]
    )
    assert years_from_date_ranges(text, now=now) == round((36 + 30 + 69) / 12, 1)


def test_years_from_date_ranges_ignore_education_and_follow_the_clock():
    now = datetime.now()
    text = "\n".join(
        [
            "Jordan Smith",
            "jordan@example.com",
            "",
            "Work Experience:",
            "Backend Engineer, Initech        Jan 2016 - Mar 2019",  # 39 months
            "Backend Engineer, Globex         Feb 2019 - present",  # overlaps by 2 months
            "",
            "Education:",
            "MSc Computer Science             Sep 2012 - Jun 2015",
        ]
    )
    profile = extract_profile(text)
    months = (now.year * 12 + now.month) - (2016 * 12 + 1) + 1  # Jan 2016 through this month
    assert profile.years_experience == round(months / 12, 1)
    assert profile.level is level_for_years(months / 12)


def test_explicit_years_win_over_dates_and_take_the_largest_statement():
    text = "Over 12 years' professional experience, including 5 years of experience with Kafka.\n2020 - 2021"
    assert extract_profile(text).years_experience == 12.0


@pytest.mark.parametrize(
    ("years", "level"),
    [
        (0, Level.JUNIOR),
        (2.9, Level.JUNIOR),
        (3, Level.MID),
        (5.9, Level.MID),
        (6, Level.SENIOR),
        (9.9, Level.SENIOR),
        (10, Level.STAFF),
    ],
)
def test_level_thresholds(years, level):
    assert level_for_years(years) is level


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Senior Backend Engineer. 2 years of experience.", Level.SENIOR),  # title raises
        ("Sr. Software Engineer. 12 years of experience.", Level.STAFF),  # title never lowers
        ("Tech lead for the checkout team.", Level.SENIOR),
        ("Principal Engineer. 4 years of experience.", Level.STAFF),
        ("Junior developer. 3.5 years of experience.", Level.JUNIOR),  # junior title, years agree-ish
        ("Software engineering intern last summer.", Level.JUNIOR),
        ("New grad, class of 2025.", Level.JUNIOR),
        ("Started as an intern; 7 years of experience since.", Level.SENIOR),  # years say otherwise
        ("Backend engineer. Mentored an intern and hired a senior engineer.", Level.MID),  # not own titles
        ("Backend engineer who writes Python.", Level.MID),  # nothing known: the default
    ],
)
def test_titles_adjust_the_level(text, level):
    assert extract_profile(text).level is level


def test_name_heuristics():
    assert extract_profile("RESUME\nJANE O'NEIL-SMITH\njane@x.io").name == "Jane O'Neil-Smith"
    assert extract_profile("Senior Software Engineer\nJane Doe, PhD | jane@x.io").name == "Jane Doe"
    assert extract_profile("Curriculum Vitae – Ludwig van Beethoven").name == "Ludwig van Beethoven"
    assert extract_profile("jane@x.io\nWork Experience\nPython").name is None
    assert extract_profile("Full name: Li Wei\nExperience").name == "Li Wei"


def test_email_is_found_anywhere():
    assert extract_profile("Jane Doe\nContact: mailto:jane.doe+jobs@mail.example.co.uk.").email == (
        "jane.doe+jobs@mail.example.co.uk"
    )
    assert extract_profile("Jane Doe, no email here @ all").email is None


def test_domains_use_the_canonical_vocabulary_ordered_by_evidence():
    text = (
        "Search ranking and indexing on Elasticsearch; search relevance. "
        "Video streaming and transcoding. Chat and push notifications. Spark ETL jobs. "
        "Kubernetes on AWS. Geospatial maps for ride-hailing. Payments with Stripe."
    )
    domains = extract_profile(text).domains
    assert set(domains) <= set(DOMAINS)
    assert len(domains) == 4
    assert domains[0] == "search"


def test_domain_keywords_in_unrelated_phrases_are_not_evidence():
    text = "Built continuous delivery on Amazon Web Services; event streaming with Kafka; social media ads."
    domains = extract_profile(text).domains
    assert "geo" not in domains
    assert "web" not in domains
    assert "media" not in domains
    assert {"infrastructure", "data", "social"} <= set(domains)


def test_skills_use_canonical_spelling_without_false_friends():
    text = (
        "postgres, golang, K8S, node.js, sklearn, Amazon Web Services, C++ and C#.\n"
        "Spring 2019 semester. We go to market fast; I react quickly. Kafka-based pipelines."
    )
    assert extract_profile(text).skills == [
        "PostgreSQL",
        "Go",
        "Kubernetes",
        "Node.js",
        "scikit-learn",
        "AWS",
        "C++",
        "C#",
        "Kafka",
    ]


def test_empty_text_gives_an_empty_profile():
    profile = extract_profile("")
    assert profile.name is None and profile.email is None and profile.years_experience is None
    assert profile.level is Level.MID
    assert profile.domains == [] and profile.skills == []
