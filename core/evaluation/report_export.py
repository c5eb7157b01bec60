"""The evaluation report as files: Markdown to paste anywhere, PDF to hand to someone.

Both are drawn from one list of blocks (headings, paragraphs, bullets, quotes, tables), so the
two files always say the same thing. The PDF uses fpdf2's built-in Helvetica: no font files to
ship, at the price of Latin-1 text, so typographic characters are mapped to plain ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from core.evaluation.report import EvaluationReport, clock, communication_rows, score_text


@dataclass(frozen=True)
class Block:
    kind: str  # "h1", "h2", "h3", "p", "bullet", "quote", "table"
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()  # for "table": the first row is the header


def report_blocks(report: EvaluationReport) -> list[Block]:
    """The report's content, in reading order."""
    ev, scores = report.evaluation, report.scores
    ended = report.session.ended_at
    blocks = [
        Block("h1", f"Evaluation — {report.problem.title}"),
        Block(
            "p",
            f"Candidate: {report.candidate_name} · level {report.session.level.value} · "
            f"{ended:%Y-%m-%d %H:%M} UTC"
            * (ended is not None)
            + f" · evaluator {ev.engine}{f' ({ev.model})' if ev.model else ''} · rubric {ev.rubric_id} "
            f"v{ev.rubric_version}",
        ),
    ]
    if report.release is not None:
        blocks.append(Block("p", f"Released to the candidate on {report.release.approved_at:%Y-%m-%d} by a reviewer."))
    elif not report.released:
        blocks.append(Block("p", "Not yet released to the candidate: it waits for a reviewer's approval."))
    if not report.scored:
        blocks.append(Block("quote", "Not enough to judge. " + (ev.notes[0] if ev.notes else "")))
    overall = f"Overall score: {score_text(scores.overall)}" + (" / 5" if scores.overall is not None else "")
    if scores.overridden:
        overall += f" (evaluator's original: {score_text(scores.original_overall)}; adjusted by a reviewer)"
    blocks.append(Block("p", overall))
    blocks += [Block("p", note) for note in ev.notes if report.scored or note != ev.notes[0]]

    header = ("Competency", "Score", "Evaluator's score", "Confidence")
    table = [
        (c.name, score_text(c.score), score_text(c.original), f"{original.confidence:.0%}")
        for c, original in zip(scores.competencies, ev.competencies, strict=True)
    ]
    blocks += [Block("h2", "Competencies"), Block("table", rows=(header, *table))]
    for c, original in zip(scores.competencies, ev.competencies, strict=True):
        blocks.append(Block("h3", f"{c.name}: {score_text(c.score)}"))
        if original.rationale:
            blocks.append(Block("p", original.rationale))
        for evidence in original.evidence:
            if evidence.source == "whiteboard":
                blocks.append(Block("bullet", evidence.quote))
            else:
                blocks.append(Block("quote", f"[{clock(evidence.at_seconds)}] {evidence.quote}"))
        for label in report.whiteboard_evidence.get(c.key, []):
            blocks.append(Block("bullet", f"Whiteboard: {label}"))
        for o in c.history:
            when = f"{o.created_at:%Y-%m-%d %H:%M}" if o.created_at else ""
            blocks.append(
                Block(
                    "bullet",
                    f"Override by {o.reviewer} {when}: {score_text(o.original_score)} -> {o.new_score:.1f}. "
                    f"Justification: {o.justification}",
                )
            )

    for title, items in (
        ("Went well", ev.went_well),
        ("Went okay", ev.went_okay),
        ("Needs improvement", ev.needs_improvement),
    ):
        blocks.append(Block("h2", title))
        blocks += [Block("bullet", item) for item in items or ["—"]]

    blocks.append(Block("h2", "Improvement plan"))
    for number, step in enumerate(ev.improvement_plan, start=1):
        blocks.append(Block("p", f"{number}. {step.title} — {step.detail}"))
        blocks += [Block("bullet", resource) for resource in step.resources]

    blocks += [
        Block("h2", "Communication"),
        Block("table", rows=(("Measure", "Value"), *communication_rows(report))),
    ]
    reading = report.whiteboard_reading
    if report.whiteboard_summary or reading:
        blocks.append(Block("h2", "Whiteboard"))
    if report.whiteboard_summary:
        blocks.append(Block("p", "Read from the drawing's shapes and labels:"))
        blocks += [Block("bullet", line) for line in report.whiteboard_summary]
    if reading:
        blocks.append(Block("p", f"The model's reading of the picture ({reading.model}):"))
        blocks += [Block("bullet", line) for line in reading.lines()]
    return blocks


def report_markdown(report: EvaluationReport) -> str:
    out: list[str] = []
    for block in report_blocks(report):
        if block.kind in ("h1", "h2", "h3"):
            out.append(f"{'#' * int(block.kind[1])} {block.text}\n")
        elif block.kind == "bullet":
            out.append(f"- {block.text}")
        elif block.kind == "quote":
            out.append(f"> {block.text}\n")
        elif block.kind == "table":
            header, *rows = block.rows
            out.append("| " + " | ".join(_cell(h) for h in header) + " |")
            out.append("|" + "---|" * len(header))
            out += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
            out.append("")
        else:
            out.append(f"{block.text}\n")
    text = "\n".join(out)
    return text.rstrip() + "\n"


def report_pdf(report: EvaluationReport) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(f"Evaluation - {report.problem.title}"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.epw
    for block in report_blocks(report):
        text = _latin1(block.text)
        if block.kind in ("h1", "h2", "h3"):
            size = {"h1": 16, "h2": 13, "h3": 11}[block.kind]
            pdf.ln(2)
            pdf.set_font("Helvetica", "B", size)
            pdf.multi_cell(width, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        elif block.kind == "table":
            pdf.set_font("Helvetica", "", 9)
            with pdf.table(width=width, text_align="LEFT") as table:
                for row in block.rows:
                    cells = table.row()
                    for value in row:
                        cells.cell(_latin1(value))
        else:
            pdf.set_font("Helvetica", "I" if block.kind == "quote" else "", 10)
            prefix = "- " if block.kind == "bullet" else "    " if block.kind == "quote" else ""
            pdf.multi_cell(width, 5, prefix + text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)
    return bytes(pdf.output())


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


_PLAIN = str.maketrans(
    {
        "—": "-",
        "–": "-",
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "…": "...",
        "→": "->",
        "≈": "~",
        "·": "-",
        "×": "x",
        "≤": "<=",
        "≥": ">=",
        "•": "-",
    }
)


def _latin1(text: str) -> str:
    """Helvetica covers Latin-1 only: map typographic characters, replace anything else."""
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")
