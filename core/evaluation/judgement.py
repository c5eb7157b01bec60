"""How the correctness reader's findings change the evaluator's scores: right before fluent.

Topic credit says what the candidate talked about; this says whether it was right and about this
problem. A wrong estimate costs estimation (and the design decisions it drove), a misconception
costs its own competency, a slip put right after a challenge costs little, an answer to another
problem, a refusal or a pasted repeat earns nothing.
"""

from __future__ import annotations

import re
from dataclasses import replace

from core.correctness.findings import Finding, FindingKind
from core.correctness.reader import TranscriptReading
from core.evaluation.substance import Substance
from core.models import CompetencyScore

MISTAKE_COST = {FindingKind.ARITHMETIC: 0.5, FindingKind.FIGURE: 0.5, FindingKind.MISCONCEPTION: 0.75}
"""Points off the mistake's competency for each uncorrected mistake."""
MAX_MISTAKE_COST = 2.5
ORDER_OF_MAGNITUDE, ORDER_OF_MAGNITUDE_FACTOR = 10.0, 2.0
TENFOLD_CEILING = 3.0
"""Estimation with a sum of the candidate's own left ten times off: the rubric's level 4 asks for clear arithmetic and
level 5 for correct estimates, so however many other figures are right, it is level 3 at best. A figure that only
disagrees with the problem's facts does not cap it: comparing by kind is less certain than redoing a sum."""
CORRECTED_COST = 0.1
"""A slip the candidate put right shows they check their work: it costs almost nothing."""
KNOCK_ON = {
    "scalability": 0.25,
    "tradeoffs": 0.2,
    "data_model": 0.125,
    "high_level_design": 0.125,
    "reliability": 0.125,
}
"""When an estimate is wrong the sizes that drove the design were wrong too: this much per wrong estimate (one ten times
off counting as two), up to MAX_KNOCK. Graders mark a candidate with one wrong figure down across the design, not in
estimation alone."""
MAX_KNOCK = 6
UNCHECKED_COST = 0.25
"""Communication, per pair of uncorrected mistakes: results stated confidently and never sanity-checked."""
MAX_UNCHECKED_COST = 1.0
WRONG_BASIS = dict.fromkeys(("high_level_design", "data_model", "scalability", "reliability", "tradeoffs"), 0.35)
"""Per uncorrected misconception (up to MAX_WRONG_BASIS), on every part of the design: a decision resting on a wrong
claim is not a weighed one, and a design that relies on one does not work as drawn wherever the claim is used."""
MAX_WRONG_BASIS = 1.05
UNANSWERED_COST = 0.5
"""Communication, per request for a figure answered with something else: fluent, but not what was asked."""
MAX_UNANSWERED_COST = 1.5
REFUSAL_COST = 0.3
MAX_REFUSAL_COST = 1.5
OFF_TOPIC_CEILING = 1.5
"""An interview spent on another problem shows nothing about this one."""
EMPTY_ALLOWANCE = 0.03
"""A few sentences of pure quality claims are style; beyond this share they replace substance."""
EMPTY_WEIGHT = 3.0
MAX_EMPTY_DISCOUNT = 0.65
MAX_CONFIDENCE = 0.9
"""A rule-based reader is never certain."""
_ESTIMATION_REFUSAL = re.compile(r"\b(?:estimat\w*|numbers?|math|maths|calculat\w*|figures?|scale)\b", re.IGNORECASE)


def _cost(mistake: Finding) -> float:
    """The candidate's own sum off by an order of magnitude or more costs twice a sum merely off: what is sized from
    it is wrong by as much."""
    cost = MISTAKE_COST.get(mistake.kind, 0.5)
    return cost * ORDER_OF_MAGNITUDE_FACTOR if (mistake.off_by or 0) >= ORDER_OF_MAGNITUDE else cost


def _off_tenfold(mistake: Finding) -> bool:
    """A figure off by ten times or more; a fact's figure is compared by kind, with no measure kept: at least 8x."""
    return mistake.off_by is None or mistake.off_by >= ORDER_OF_MAGNITUDE


def judge(
    scores: list[CompetencyScore], reading: TranscriptReading, said: Substance | None = None
) -> list[CompetencyScore]:
    """The scores after correctness, relevance, substance and participation are weighed in."""
    discount = 0.0
    if said is not None:
        discount = min(MAX_EMPTY_DISCOUNT, EMPTY_WEIGHT * max(0.0, said.uncommitted_share - EMPTY_ALLOWANCE))
    estimation_errors = len(reading.mistakes("estimation")) + len(  # wrong sizes set as requirements drive it too
        [f for f in reading.mistakes("requirements") if f.kind is FindingKind.FIGURE]
    )
    # one off by an order of magnitude counts twice: what was sized from it is as far off
    knock = estimation_errors + sum(1 for f in reading.mistakes("estimation") if _off_tenfold(f))
    misconceptions = len([f for f in reading.mistakes() if f.kind is FindingKind.MISCONCEPTION])
    refusals = reading.of_kind(FindingKind.REFUSAL)
    out = []
    for s in scores:
        if s.score is None:
            out.append(s)
            continue
        score, reasons = s.score, []
        own = [f for f in reading.mistakes(include_corrected=True) if f.competency == s.key]
        wrong = [f for f in own if not f.corrected]
        if wrong:
            cost = min(MAX_MISTAKE_COST, sum(_cost(f) for f in wrong))
            score -= cost
            reasons.append(f"{len(wrong)} mistake(s) not put right: {_mistake_list(wrong)}.")
        if s.key == "estimation" and any(f.kind is FindingKind.ARITHMETIC and _off_tenfold(f) for f in wrong):
            score = min(score, TENFOLD_CEILING)  # what was sized from it is as far off: not "clear arithmetic"
        if fixed := [f for f in own if f.corrected]:
            score -= CORRECTED_COST * len(fixed)
            reasons.append(f"{len(fixed)} slip(s) corrected during the interview.")
        unchecked = len(reading.mistakes())
        if s.key == "communication" and unchecked >= 2:
            score -= min(MAX_UNCHECKED_COST, UNCHECKED_COST * (unchecked // 2))
            reasons.append(f"{unchecked} mistakes were stated without a sanity check.")
        if s.key == "communication" and (dodged := reading.of_kind(FindingKind.UNANSWERED)):
            score -= min(MAX_UNANSWERED_COST, UNANSWERED_COST * len(dodged))
            quote = dodged[0].quote[:60]
            reasons.append(f"{len(dodged)} request(s) for a figure answered with something else (“{quote}”).")
        if misconceptions and s.key in WRONG_BASIS:
            score -= min(MAX_WRONG_BASIS, WRONG_BASIS[s.key] * misconceptions)
            reasons.append("Choices rest on claims that are not right.")
        if knock and s.key in KNOCK_ON:
            score -= KNOCK_ON[s.key] * min(MAX_KNOCK, knock)
            reasons.append("Decisions rest on estimates that were off.")
        if refusals:
            cost = min(MAX_REFUSAL_COST, REFUSAL_COST * len(refusals))
            if s.key == "estimation" and any(_ESTIMATION_REFUSAL.search(f.quote) for f in refusals):
                cost = max(cost, score - 1.5)
            score -= cost
            reasons.append(f"Declined to answer {len(refusals)} time(s) (“{refusals[0].quote[:60]}”).")
        if discount > 0.05 and said is not None:
            score = 1 + (score - 1) * (1 - discount)
            reasons.append(
                f"{said.empty + said.hedged:d} of {said.sentences} sentences commit to nothing: qualities claimed "
                "without saying how, hard problems waved away, or hedged guesses."
            )
        if reading.repeated_share >= 0.3:
            score = 1 + (score - 1) * (1 - reading.repeated_share)
            reasons.append(f"{reading.repeated_share:.0%} of the answers repeat earlier text word for word.")
        if reading.off_topic:
            other = reading.relevance.closer_problem_id or "another problem"
            score = min(score, OFF_TOPIC_CEILING)
            reasons.append(f"The answers are about {other.replace('_', ' ')}, not the problem asked.")
        elif reading.off_topic_share >= 0.2:
            score = 1 + (score - 1) * (1 - reading.off_topic_share)
            reasons.append(f"{reading.off_topic_share:.0%} of the answers are about another problem.")
        score = round(min(5.0, max(1.0, score)), 1)
        rationale = " ".join([*reasons, s.rationale]) if reasons else s.rationale
        out.append(replace(s, score=score, rationale=rationale, confidence=min(MAX_CONFIDENCE, s.confidence)))
    return out


def mistake_feedback(reading: TranscriptReading) -> list[str]:
    """One line per uncorrected mistake, with the right figure or the right idea."""
    lines = []
    for f in reading.mistakes()[:5]:
        if f.kind is FindingKind.MISCONCEPTION and f.right:
            lines.append(f"“{_short(f.quote)}” is not right: {f.explanation}")
        elif f.kind is FindingKind.MISCONCEPTION:  # a problem's own: its challenge question
            lines.append(f"“{_short(f.quote)}” does not hold up — {f.explanation}")
        else:
            step = "say each step of the arithmetic out loud" if f.kind is FindingKind.ARITHMETIC else "check it"
            lines.append(f"“{f.said}” is off: {f.explanation} Next time, {step}.")
    if reading.off_topic:
        other = (reading.relevance.closer_problem_id or "another problem").replace("_", " ")
        lines.insert(0, f"Your answers were about {other}, not the problem you were asked — listen to the question.")
    if reading.repeated_share >= 0.3:
        lines.append("Much of what you wrote repeats earlier answers word for word — answer each question itself.")
    if dodged := reading.of_kind(FindingKind.UNANSWERED):
        lines.append(
            f"Asked for a figure {len(dodged)} time(s), you answered something else (“{_short(dodged[0].quote)}”) — "
            "give the number, even a rough one, or say how you would find it."
        )
    if refusals := reading.of_kind(FindingKind.REFUSAL):
        lines.append(
            f"You declined to answer {len(refusals)} time(s) (“{_short(refusals[0].quote)}”) — an interviewer "
            "needs your reasoning, even a rough estimate."
        )
    return lines


def mistaken_competencies(reading: TranscriptReading) -> set[str]:
    """Competencies with a mistake left standing: their topics are not praised."""
    return {f.competency for f in reading.mistakes() if f.competency}


def mistaken_sentences(reading: TranscriptReading) -> list[str]:
    """Quotes of uncorrected mistakes: never praised, never credited as reasoning."""
    return [f.quote for f in reading.mistakes()]


def wrong_figures(reading: TranscriptReading) -> list[re.Pattern[str]]:
    """The wrong figures left standing, as patterns: a sentence that builds on one ("with 400 requests a
    second, one database is enough") rests on the mistake too."""
    patterns = []
    for f in reading.mistakes():
        if f.kind is FindingKind.MISCONCEPTION or not f.said:
            continue
        m = re.search(r"\d[\d,.]*(?:\s?(?:k|m|b|thousand|million|billion|trillion)\b)?", f.said, re.IGNORECASE)
        if m:
            patterns.append(re.compile(rf"(?<![\d.,]){re.escape(m.group(0))}(?![\d,]|\.\d)", re.IGNORECASE))
    return patterns


def _mistake_list(findings: list[Finding]) -> str:
    def one(f: Finding) -> str:
        why = f"right: {_short(f.right, 60)}" if f.right else _short(f.explanation, 80)
        return f"“{_short(f.said or f.quote, 50)}” ({why})"

    return "; ".join(one(f) for f in findings[:3])


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
