"""Resume uploads: check an uploaded PDF or text file and return its text.

Offline and deterministic. Size, type *by content*, encryption and damage are checked;
anything unusable is refused with a `ResumeError` whose message is a complete sentence fit to
show the person who uploaded the file, while the technical reason is logged.

The work is bounded by the output: text is cleaned a window at a time and only until
MAX_TEXT_CHARS are there, so a file whose characters expand under normalisation costs no more
than a normal one. What this module cannot bound by itself (one hostile PDF page can keep pypdf
busy for a minute) is bounded by resume_process, which runs `read_resume` in a child process
with hard time and memory limits; uploads go through that.
"""

from __future__ import annotations

import io
import logging
import re
import time
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import filetype

from core.errors import ResumeError

if TYPE_CHECKING:
    from pypdf import PdfReader

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------------
# Limits
# --------------------------------------------------------------------------------------------

MAX_RESUME_BYTES = 5 * 1024 * 1024
MAX_PDF_PAGES = 20  # a resume is a few pages; more is read no further
MAX_TEXT_CHARS = 100_000  # far beyond any real resume; bounds the work a hostile file can cause
# Stop reading further pages once this much time has gone, keeping the text read so far. One
# page can take longer than this on its own: resume_process's hard limit stops that.
PDF_TIME_BUDGET_SECONDS = 3.0
MIN_PDF_LETTERS = 20  # fewer letters than this in a PDF means there is no real text layer

ContentType = Literal["application/pdf", "text/plain"]
PDF: ContentType = "application/pdf"
TEXT: ContentType = "text/plain"

# pypdf logs a warning for every robustness fix it applies to a malformed file ("EOF marker
# not found", "incorrect startxref"...). Those are about the upload, not about us: we report
# the outcome ourselves, so keep pypdf's own loggers (pypdf, pypdf._reader, ...) quiet.
_PYPDF_LOGGER = logging.getLogger("pypdf")


def _silence_pypdf() -> None:
    _PYPDF_LOGGER.setLevel(logging.CRITICAL)


_silence_pypdf()


@dataclass(frozen=True)
class ResumeText:
    """The text of an accepted upload."""

    text: str
    content_type: ContentType
    pages: int | None = None  # pages in the PDF (None for text files)
    truncated: bool = False  # True when a page or length cap stopped reading early


# --------------------------------------------------------------------------------------------
# Reading uploads
# --------------------------------------------------------------------------------------------

# Friendly descriptions for the formats people most often upload by mistake. Anything else
# filetype recognises is described from its MIME type ("an MP3 audio file", "a ZIP file").
_KNOWN_FORMATS: dict[str, str] = {
    "png": "a PNG image",
    "jpg": "a JPEG image",
    "gif": "a GIF image",
    "webp": "a WebP image",
    "heic": "a HEIC photo",
    "tif": "a TIFF image",
    "bmp": "a BMP image",
    "docx": "a Word document (DOCX)",
    "doc": "a Word document (DOC)",
    "odt": "an OpenDocument text file (ODT)",
    "rtf": "an RTF document",
    "xlsx": "an Excel spreadsheet",
    "xls": "an Excel spreadsheet",
    "pptx": "a PowerPoint presentation",
    "ppt": "a PowerPoint presentation",
    "epub": "an EPUB e-book",
    "ps": "a PostScript file",
    "zip": "a ZIP archive",
    "gz": "a gzip archive",
    "rar": "a RAR archive",
    "7z": "a 7-Zip archive",
    "tar": "a TAR archive",
    "exe": "a Windows program (EXE)",
    "elf": "a Linux program (ELF)",
    "sqlite": "an SQLite database",
}

# Formats that are made of text but are not plain text: refused even though they decode.
_MARKUP_FORMATS = frozenset({"rtf", "ps"})

_UTF_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)

# Unicode's control characters (category Cc, fixed since Unicode 1.1: U+0000-001F and
# U+007F-009F) except tab, line feed, vertical tab, form feed and carriage return.
_DISALLOWED_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def read_resume(
    filename: str,
    data: bytes,
    *,
    max_bytes: int = MAX_RESUME_BYTES,
    max_pages: int = MAX_PDF_PAGES,
    max_chars: int = MAX_TEXT_CHARS,
) -> ResumeText:
    """Return the text of an uploaded resume, or raise `ResumeError` saying why it can't be used.

    The type is decided by content, never by the file name: a PDF by its signature, otherwise
    UTF-8 text (a UTF-8, UTF-16 or UTF-32 byte-order mark is honoured).
    """
    if max_bytes <= 0 or max_pages <= 0 or max_chars <= 0:
        raise ValueError("max_bytes, max_pages and max_chars must be positive")
    check_size(filename, len(data), max_bytes)
    name = display_name(filename)

    data = bytes(data)  # accept bytearray / memoryview from upload widgets
    kind = filetype.guess(data)
    if (kind is not None and kind.extension == "pdf") or looks_like_pdf(data):
        return _read_pdf(name, data, max_pages=max_pages, max_chars=max_chars)

    text = _decode_text(data)
    if kind is not None and (text is None or kind.extension in _MARKUP_FORMATS):
        # A recognised non-PDF format. (Plain text that merely starts like one, e.g. "BM..."
        # which filetype takes for a BMP image, decodes cleanly and is accepted below.)
        raise _refuse(
            name,
            "wrong-type",
            f"detected {kind.mime}",
            f"{name} looks like {_describe(kind.extension, kind.mime)}, not a PDF or text file. "
            "Upload your resume as a PDF or plain text.",
        )
    if text is None:
        raise _refuse(
            name,
            "not-text",
            "not a PDF and not decodable as clean UTF-8/UTF-16 text",
            f"{name} is not a PDF and could not be read as text. Upload your resume as a PDF, "
            "or save it as plain text (UTF-8) and upload that.",
        )

    text, truncated = clean_text_bounded(text, max_chars)
    if not any(ch.isalpha() for ch in text):
        raise _refuse(
            name,
            "no-text",
            "text file without letters",
            f"{name} contains no readable text. Upload the file that holds your resume.",
        )
    return ResumeText(text=text, content_type=TEXT, pages=None, truncated=truncated)


def check_size(filename: str, size: int, max_bytes: int) -> None:
    """Refuse an upload that is too large or empty (the checks that need only its size)."""
    name = display_name(filename)
    if size > max_bytes:
        size_text, limit_text = _size_texts(size, max_bytes)
        raise _refuse(
            name,
            "too-large",
            f"{size} bytes > {max_bytes}",
            f"{name} is {size_text}, which is over the {limit_text} limit for resumes. "
            "Upload a smaller file, for example a PDF without embedded images.",
        )
    if size == 0:
        raise _refuse(
            name,
            "empty",
            "0 bytes",
            f"{name} is empty. Choose your resume file (PDF or plain text) and upload it again.",
        )


def looks_like_pdf(data: bytes) -> bool:
    """A PDF signature near the start (where readers look for it), whatever the file is called."""
    return b"%PDF-" in data[:1024]


def _read_pdf(name: str, data: bytes, *, max_pages: int, max_chars: int) -> ResumeText:
    # Imported here: a text upload never needs pypdf (it is most of this module's import time).
    from pypdf import PdfReader

    _silence_pypdf()  # again, in case logging was reconfigured since import
    damaged = (
        f"{name} could not be read: the file seems damaged. "
        "Export the PDF again from your editor and upload the new copy."
    )
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            _unlock(name, reader)
        page_count = len(reader.pages)
    except (ResumeError, MemoryError):
        raise
    except Exception as exc:  # pypdf raises many types for malformed input
        raise _refuse(name, "damaged", _exc_summary(exc), damaged) from None
    if page_count == 0:
        raise _refuse(name, "damaged", "PDF has no pages", damaged)

    deadline = time.monotonic() + PDF_TIME_BUDGET_SECONDS
    parts: list[str] = []
    chars = 0
    failures: list[str] = []
    truncated = page_count > max_pages
    for index in range(min(page_count, max_pages)):
        try:
            page_text = reader.pages[index].extract_text() or ""
        except MemoryError:
            raise  # not a damaged page: the caller's memory limit was reached
        except Exception as exc:
            failures.append(f"page {index + 1}: {_exc_summary(exc)}")
            continue
        parts.append(page_text)
        chars += len(page_text)
        if chars >= max_chars or time.monotonic() > deadline:
            truncated = truncated or index + 1 < page_count or chars > max_chars
            break

    text, cut = clean_text_bounded("\n\n".join(parts), max_chars)
    truncated = truncated or cut
    if sum(ch.isalpha() for ch in text) < MIN_PDF_LETTERS:
        if failures:
            raise _refuse(name, "damaged", "; ".join(failures[:3]), damaged)
        raise _refuse(
            name,
            "no-text-layer",
            f"{len(text)} characters extracted from {page_count} page(s)",
            f"{name} has no text layer (it looks like a scanned image), so there is nothing to "
            "read. Upload a PDF exported from a word processor, or a text version of your resume.",
        )
    if failures:
        logger.info("Resume: skipped unreadable pages: %s", "; ".join(failures[:3]))  # file names often hold a name
    return ResumeText(text=text, content_type=PDF, pages=page_count, truncated=truncated)


def _unlock(name: str, reader: PdfReader) -> None:
    """Open an encrypted PDF that has an empty user password; refuse any other."""
    from pypdf import PasswordType
    from pypdf.errors import DependencyError

    message = (
        f"{name} is password-protected, so its text cannot be read. Save or print a copy without "
        "a password and upload that."
    )
    try:
        result = reader.decrypt("")
    except DependencyError:
        # AES encryption needs the optional `cryptography` package, which we don't ship.
        raise _refuse(name, "encrypted", "AES-encrypted PDF, no crypto provider", message) from None
    if result == PasswordType.NOT_DECRYPTED:
        raise _refuse(name, "encrypted", "user password required", message)


def _decode_text(data: bytes) -> str | None:
    """Decode clean text (honouring a BOM, else strict UTF-8); None for anything binary."""
    encoding = next((enc for bom, enc in _UTF_BOMS if data.startswith(bom)), "utf-8")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    controls = len(_DISALLOWED_CONTROLS.findall(text))
    if controls > max(2, len(text) // 200):  # a stray control character is tolerated, many aren't
        return None
    return text


_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co"})


def clean_text(text: str) -> str:
    """NFKC-normalise (ligatures, odd spaces), drop control/format characters, tidy whitespace.

    The work grows with the text *after* normalisation, which can be 18 times longer (one
    character such as U+FDFA becomes 18): for text of unknown length use `clean_text_bounded`.
    """
    return _tidy(_clean_lines(text.replace("\r\n", "\n").replace("\r", "\n")))


# Raw characters cleaned at a time by clean_text_bounded. Small enough that one window's worst
# case is cheap: 18x expansion, or a run of combining marks, whose reordering under NFKC takes
# time quadratic in the run's length; large enough that a normal resume needs few windows.
_CLEAN_WINDOW = 4096


def clean_text_bounded(text: str, max_chars: int) -> tuple[str, bool]:
    """`clean_text(text)[:max_chars]` and whether anything was cut, doing only the work needed.

    The text is cleaned a window at a time (each ending at a line break where there is one), and
    no more windows are read once the cleaned text is longer than `max_chars`. So a 5 MB upload
    whose characters each normalise to 18 costs one window, not 90 million characters.
    """
    if max_chars <= 0:
        raise ValueError("max_chars must be positive")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts: list[str] = []
    size = 0
    pos = 0
    cleaned = ""
    while pos < len(text):
        end = _window_end(text, pos)
        piece = _clean_lines(text[pos:end])
        parts.append(piece)
        size += len(piece)
        pos = end
        if size > max_chars:
            cleaned = _tidy("".join(parts))
            if len(cleaned) > max_chars:
                break
    else:
        cleaned = _tidy("".join(parts))
    return cleaned[:max_chars], len(cleaned) > max_chars


def _window_end(text: str, start: int) -> int:
    """Where the window from `start` ends: after a line break in its second half if there is one,
    else after a space or tab, else anywhere (only where there is no white space for thousands of
    characters; normalising is then split inside a word, which a combining mark could notice)."""
    end = start + _CLEAN_WINDOW
    if end >= len(text):
        return len(text)
    middle = start + _CLEAN_WINDOW // 2
    cut = text.rfind("\n", middle, end)
    if cut == -1:
        cut = max(text.rfind(" ", middle, end), text.rfind("\t", middle, end))
    return cut + 1 if cut != -1 else end


def _clean_lines(text: str) -> str:
    """NFKC, control/format characters dropped, spaces and blank lines tidied: one window's part.

    Line endings must already be "\n". The window's first line keeps its start and its last line
    its end (they may continue in the next or previous window), so cleaned windows can be joined
    and `_tidy` of the whole gives what cleaning the whole text at once would.
    """
    if text.isascii():  # NFKC leaves ASCII alone, and its only control/format characters are Cc
        text = _ASCII_CONTROLS.sub("", text)
    else:
        text = unicodedata.normalize("NFKC", text)
        text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in _CONTROL_CATEGORIES)
    return _tidy_lines(text, keep_ends=True)


def _tidy(text: str) -> str:
    """The finish of `_clean_lines`'s joined parts: spaces and blank lines tidied, every line stripped."""
    return _tidy_lines(text, keep_ends=False).strip()


def _tidy_lines(text: str, *, keep_ends: bool) -> str:
    """Runs of spaces and tabs as one space, lines stripped, blank lines at most one in a row.

    keep_ends: leave the start of the first line and the end of the last one as they are.
    """
    text = _BLANK_LINES.sub("\n\n", _SPACES.sub(" ", text))  # first, so a flood of blank lines splits into few
    lines = text.split("\n")
    if keep_ends and len(lines) == 1:
        return text
    first, last = lines[0], lines[-1]
    lines = [line.strip() for line in lines]
    if keep_ends:
        lines[0], lines[-1] = first.rstrip(), last.lstrip()
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines))


_ASCII_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")  # all of ASCII's Cc except tab and line feed
_SPACES = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n){2,}")
_BLANK_RUNS = re.compile(r"\n{3,}")


def display_name(filename: str) -> str:
    """The upload's base name as it may appear in a message: no folders, no control characters."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch) not in _CONTROL_CATEGORIES)
    base = " ".join(base.split())
    if len(base) > 80:
        base = base[:77] + "..."
    return base or "The file"


def _describe(extension: str, mime: str) -> str:
    if extension in _KNOWN_FORMATS:
        return _KNOWN_FORMATS[extension]
    label = extension.upper()
    noun = {"image": "image", "audio": "audio file", "video": "video"}.get(mime.split("/")[0], "file")
    return f"{_article(label)} {label} {noun}"


def _article(acronym: str) -> str:
    # Acronyms are read letter by letter: "an MP3", "an EXE", "a GIF".
    return "an" if acronym[:1].upper() in set("AEFHILMNORSX") else "a"


def _size_texts(size: int, limit: int) -> tuple[str, str]:
    size_text, limit_text = _format_size(size), _format_size(limit)
    if size_text == limit_text:  # just over the limit: show the exact numbers
        return f"{size:,} bytes", f"{limit_text} ({limit:,} bytes)"
    return size_text, limit_text


def _format_size(n: int) -> str:
    for unit, label in ((1024 * 1024, "MB"), (1024, "KB")):
        if n >= unit:
            value = f"{n / unit:.1f}".removesuffix(".0")
            return f"{value} {label}"
    return f"{n:,} bytes"


def _exc_summary(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def _refuse(name: str, reason: str, detail: str, message: str) -> ResumeError:
    logger.info("Resume refused (%s): %s", reason, detail)  # not its file name: it often holds the person's name
    return ResumeError(message)
