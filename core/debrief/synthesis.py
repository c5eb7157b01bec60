"""What a customer-discovery conversation found, and the scores it suggests.

The interviewer's tagged notes are grouped the way a product team reads them: jobs by
jobs-to-be-done type, the top pains and desired outcomes, feature requests, objections, conflicts
between jobs (the template's tensions) and gaps (session facts not recorded, goals left open).

The session facts (decision-makers, budget, timeline, alternatives) come from the facts tab, the notes
and the transcript alike (core.live.session_facts), each with where it was stated. A note that only
states facts ("Decision-maker is VP Ops (Karen); budget approx 50k EUR/yr; wants pilot in Q1") is
filed as facts, whatever tag was active when it was typed, not as a pain or a desired outcome.

The suggested scores are deliberately simple, deterministic rules over the notes, the session facts
(decision-makers, budget, timeline, alternatives) and goal coverage. They are a starting point the
interviewer confirms or changes on the scorecard — never a verdict — so each one carries a one-line
rationale and the quotes it rests on, and every rule is written out below where a reader can check it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from core.content.templates import InterviewTemplate
from core.live.fact_reader import read_facts
from core.live.goal_coverage import GoalStatus, mentions
from core.live.session_facts import SessionFact, fact_quotes, fact_text, gather_facts
from core.models import LiveNote, TranscriptEntry

TOP_N = 5  # top pains and top outcomes shown; more is a list, not a summary
DEFAULT_IMPORTANCE = 3  # a note nobody rated counts as "real but tolerable"
FREQUENCY_RANK = {"daily": 5, "weekly": 4, "monthly": 3, "quarterly": 2, "rarely": 1}

# --- the little vocabulary the rules read (lower-case phrases, matched like goal signals) -------------

PRICE_PHRASES = ("price", "pricing", "expensive", "cost", "budget", "afford", "pricey", "too much", "per seat")
URGENT_PHRASES = (
    "deadline",
    "urgent",
    "asap",
    "right now",
    "this quarter",
    "next quarter",
    "renewal",
    "contract ends",
    "launch",
    "can't wait",
    "cannot wait",
)
# Timeline horizons, checked in this order: a vague answer first ("not this year" is not "this year").
VAGUE_TIME = (
    "next year",
    "some day",
    "someday",
    "eventually",
    "no rush",
    "not a priority",
    "when things calm down",
    "not this year",
    "no timeline",
    "no plans",
    "maybe later",
)
SOON_TIME = (
    "this quarter",
    "this month",
    "next month",
    "within weeks",
    "few weeks",
    "two weeks",
    "asap",
    "immediately",
    "right away",
    "right now",
    "end of the month",
)
MONTHS_TIME = (
    "next quarter",
    "two quarters",
    "six months",
    "q1",
    "q2",
    "q3",
    "q4",
    "h1",
    "h2",
    "renewal",
    "contract ends",
    "months",
)
NO_BUDGET = (
    "no budget",
    "not budgeted",
    "nothing budgeted",
    "no money",
    "can't afford",
    "cannot afford",
    "none",
    "zero",
    "frozen",
    "freeze",
)
ALLOCATED_BUDGET = ("allocated", "approved", "set aside", "earmarked", "budgeted", "line item")
_AMOUNT = re.compile(r"\d|[$€£]")
WEEKS_IN_QUARTER = 13
_WEEKS = re.compile(r"\b(\d+|a few|a couple of|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) weeks?\b")
NOTHING_WORKS = ("nothing works", "nothing has worked", "none of them work", "gave up", "tried everything")
NOT_SATISFIED = ("not happy", "unhappy", "not good enough", "isn't good enough", "doesn't work", "does not work")
SATISFIED = ("works well", "works fine", "happy with", "good enough", "solves it", "committed to", "just renewed")
SHORTFALL = (
    "tried",
    "doesn't work",
    "does not work",
    "didn't work",
    "did not work",
    "too slow",
    "too expensive",
    "falls short",
    "abandoned",
    "dropped",
    "stopped using",
    "not enough",
    "clunky",
    "manual",
    "spreadsheet",
    "by hand",
    "missing",
    "not happy",
    "unhappy",
)
_SEVERAL = re.compile(r"[,;/&+]| and ")  # "Maria (VP) and IT security" names more than one person

Horizon = Literal["none", "vague", "unclear", "months", "soon"]


@dataclass(frozen=True)
class Finding:
    """One note as the synthesis shows it: what was noted, how much it matters, in their words."""

    text: str
    tag: str | None
    jtbd_type: str | None
    importance: int | None
    frequency: str | None
    quotes: tuple[str, ...]
    workaround: str
    at_seconds: float
    stage: str
    note_id: int | None = None
    fact_keys: tuple[str, ...] = ()  # session facts the note also states (budget, timeline …)

    @property
    def evidence(self) -> str:
        """Their words when noted, else the note itself."""
        return self.quotes[0] if self.quotes else self.text


@dataclass(frozen=True)
class Conflict:
    """Two notes that pull against each other (a template tension), e.g. speed vs accuracy."""

    key: str
    label: str
    side_a: Finding
    side_b: Finding
    phrase_a: str  # the phrase that put each note on its side
    phrase_b: str


@dataclass(frozen=True)
class Gap:
    """Something the conversation did not establish: a session fact left empty or a goal left open."""

    kind: Literal["fact", "goal"]
    key: str
    label: str
    stage: str = ""


@dataclass(frozen=True)
class SuggestedScore:
    competency: str
    score: float  # 1 – 5 in steps of 0.5
    rationale: str  # one line: which rule gave this score
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class DiscoverySynthesis:
    jobs: dict[str, list[Finding]]  # jtbd type -> jobs, most important first (every template type, maybe empty)
    top_pains: list[Finding]
    top_outcomes: list[Finding]
    features: list[Finding]
    objections: list[Finding]
    conflicts: list[Conflict]
    gaps: list[Gap]
    suggestions: dict[str, SuggestedScore]  # competency key -> suggestion
    facts: dict[str, str] = field(default_factory=dict)  # session field -> the text the rules read
    found_facts: dict[str, list[SessionFact]] = field(default_factory=dict)  # field -> facts with their sources
    fact_notes: list[Finding] = field(default_factory=list)  # notes that only state facts, in time order

    @property
    def missing_facts(self) -> list[Gap]:
        return [g for g in self.gaps if g.kind == "fact"]

    @property
    def open_goals(self) -> list[Gap]:
        return [g for g in self.gaps if g.kind == "goal"]


def synthesize(
    template: InterviewTemplate,
    notes: Sequence[LiveNote],
    facts: Mapping[str, str],
    coverage: Mapping[str, GoalStatus],
    *,
    transcript: Sequence[TranscriptEntry] = (),
) -> DiscoverySynthesis:
    """Group the saved notes (drafts are ignored), gather the session facts from the facts tab, the notes
    and the transcript, and derive a suggested score per competency."""
    saved = [n for n in notes if not n.draft and n.text.strip()]
    found = gather_facts(template, facts, saved, transcript, other_side="customer")
    findings = [_finding(n) for n in saved]
    fact_notes = [f for f in findings if f.fact_keys and _only_facts(f)]
    ranked = sorted((f for f in findings if not any(f is n for n in fact_notes)), key=_rank)
    by_tag = {tag: [f for f in ranked if f.tag == tag] for tag in ("pain", "outcome", "feature", "objection")}
    clean_facts = {k: v.strip() for k, v in facts.items() if v and v.strip()}
    clean_facts |= {k: fact_text(k, said) for k, said in found.items() if said and k not in clean_facts}
    evidence = _Evidence(
        pains=by_tag["pain"],
        outcomes=by_tag["outcome"],
        features=by_tag["feature"],
        objections=by_tag["objection"],
        everything=ranked,
        facts=clean_facts,
        covered={key for key, status in coverage.items() if status.covered},
        quotes={k: fact_quotes(said) for k, said in found.items() if said},
    )
    return DiscoverySynthesis(
        jobs=_jobs(template, ranked),
        top_pains=by_tag["pain"][:TOP_N],
        top_outcomes=by_tag["outcome"][:TOP_N],
        features=by_tag["feature"],
        objections=by_tag["objection"],
        conflicts=_conflicts(template, ranked),
        gaps=_gaps(template, clean_facts, coverage),
        suggestions={key: rule(evidence) for key, rule in RULES.items()},
        facts=clean_facts,
        found_facts=found,
        fact_notes=sorted(fact_notes, key=lambda f: f.at_seconds),
    )


# --- grouping ----------------------------------------------------------------------------------------


def _finding(note: LiveNote) -> Finding:
    quote = note.fields.get("quote", "").strip()
    reading = read_facts(note.text)
    return Finding(
        text=note.text.strip(),
        tag=note.tag,
        jtbd_type=note.jtbd_type,
        importance=note.importance,
        frequency=note.fields.get("frequency") or None,
        quotes=(quote,) if quote else (),
        workaround=note.fields.get("current_workaround", "").strip(),
        at_seconds=note.at_seconds,
        stage=note.stage,
        note_id=note.id,
        fact_keys=tuple(dict.fromkeys(f.kind for f in reading.facts)),
    )


def _only_facts(finding: Finding) -> bool:
    """Every sentence of the note states a fact, and their words add no pain, outcome or request."""
    return read_facts(finding.text).only_facts and all(
        read_facts(q, speaker="other").only_facts for q in finding.quotes
    )


def _rank(finding: Finding) -> tuple[int, int, float]:
    """Importance first, then how often it happens (daily before rarely), then when it was noted."""
    return (-(finding.importance or 0), -FREQUENCY_RANK.get(finding.frequency or "", 0), finding.at_seconds)


def _jobs(template: InterviewTemplate, ranked: list[Finding]) -> dict[str, list[Finding]]:
    types = [t.key for t in template.notes.jtbd_types] if template.notes else []
    jobs: dict[str, list[Finding]] = {t: [] for t in types}
    for finding in ranked:
        if finding.jtbd_type:
            jobs.setdefault(finding.jtbd_type, []).append(finding)
    return jobs


def _conflicts(template: InterviewTemplate, ranked: list[Finding]) -> list[Conflict]:
    """Per tension, the most important pair of *different* notes on its two sides (one conflict each)."""
    found = []
    for tension in template.tensions:
        side_a = [(f, p) for f in ranked if (p := mentions(_said(f), tension.side_a))]
        side_b = [(f, p) for f in ranked if (p := mentions(_said(f), tension.side_b))]
        pair = next(((a, b) for a in side_a for b in side_b if a[0] is not b[0]), None)
        if pair is not None:
            (a, phrase_a), (b, phrase_b) = pair
            found.append(Conflict(tension.key, tension.label, a, b, phrase_a, phrase_b))
    return found


def _said(finding: Finding) -> str:
    return " ".join((finding.text, *finding.quotes))


def _gaps(template: InterviewTemplate, facts: Mapping[str, str], coverage: Mapping[str, GoalStatus]) -> list[Gap]:
    session_fields = [f for f in template.notes.fields if f.scope == "session"] if template.notes else []
    missing = [Gap("fact", f.key, f.label) for f in session_fields if f.key not in facts]
    open_goals = [Gap("goal", g.key, g.text, g.stage) for g in coverage.values() if not g.covered]
    return missing + open_goals


# --- suggested scores --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Evidence:
    pains: list[Finding]
    outcomes: list[Finding]
    features: list[Finding]
    objections: list[Finding]
    everything: list[Finding]
    facts: dict[str, str]
    covered: set[str]  # goal keys
    quotes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # session field -> the words it rests on

    def cite(self, key: str) -> list[str]:
        """The evidence for a session fact: the facts tab's text, else the words of the notes and transcript."""
        return list(self.quotes.get(key) or ((self.facts[key],) if self.facts.get(key) else ()))


def _suggest(key: str, score: float, rationale: str, evidence: Sequence[str] = ()) -> SuggestedScore:
    """Clamped to 1–5 and rounded to the scorecard's half steps."""
    return SuggestedScore(key, min(5.0, max(1.0, round(score * 2) / 2)), rationale, tuple(evidence)[:3])


def _weight(findings: Sequence[Finding]) -> int:
    return sum(f.importance or DEFAULT_IMPORTANCE for f in findings)


def _problem_solution_mapping(e: _Evidence) -> SuggestedScore:
    """The strongest pain's importance; −1 when no pain is in their words (no quote); +0.5 when they
    already work around an important pain; +0.5 for two or more important (≥4) pains."""
    key = "problem_solution_mapping"
    if not e.pains:
        return _suggest(key, 1, "No pain was noted, so nothing shows a problem we solve.")
    top = e.pains[0]
    score = float(top.importance or DEFAULT_IMPORTANCE)
    why = [f"{len(e.pains)} pain{'s' if len(e.pains) != 1 else ''}; the strongest rated {score:g}/5"]
    if not any(p.quotes for p in e.pains):
        score -= 1
        why.append("none quoted in their own words")
    important = [p for p in e.pains if (p.importance or 0) >= 4]
    if any(p.workaround for p in important):
        score += 0.5
        why.append("they already work around it")
    if len(important) >= 2:
        score += 0.5
        why.append(f"{len(important)} are important")
    return _suggest(key, score, "; ".join(why) + ".", [p.evidence for p in e.pains])


def _feature_alignment(e: _Evidence) -> SuggestedScore:
    """3 + 2 × (wanted − objected) / (wanted + objected), weights being importances; at most 4 with a
    single outcome or feature; 2 with none (1 if there were objections)."""
    key = "feature_alignment"
    wants = sorted(e.outcomes + e.features, key=_rank)
    if not wants:
        if e.objections:
            return _suggest(key, 1, "Only objections were noted; no outcome or feature they want.")
        return _suggest(key, 2, "No desired outcome or feature request was noted.")
    wanted, objected = _weight(wants), _weight(e.objections)
    score = 3 + 2 * (wanted - objected) / (wanted + objected)
    if len(wants) < 2:
        score = min(score, 4)
    why = f"{len(wants)} outcome/feature note(s) (weight {wanted}) against {len(e.objections)} objection(s) "
    why += f"(weight {objected})."
    return _suggest(key, score, why, [w.evidence for w in wants[:2]] + [o.evidence for o in e.objections[:1]])


def _price_fit(e: _Evidence) -> SuggestedScore:
    """From 2.5: +1 when the pain's cost was stated (pain_quantified), +1 when value and price were
    discussed (value_and_price), +0.5 when they pay for a workaround, −1.5 per price objection; at most 3
    when price never came up."""
    key = "price_fit"
    price_objections = [o for o in e.objections if mentions(_said(o), PRICE_PHRASES)]
    score, why = 2.5, []
    if "pain_quantified" in e.covered:
        score += 1
        why.append("the cost of the problem was stated")
    if "value_and_price" in e.covered:
        score += 1
        why.append("value and price were discussed")
    if any(p.workaround for p in e.pains):
        score += 0.5
        why.append("they already pay for a workaround")
    if price_objections:
        score -= 1.5 * len(price_objections)
        why.append(f"{len(price_objections)} price objection(s)")
    elif "value_and_price" not in e.covered:
        score = min(score, 3)
        why.append("price never came up")
    evidence = [o.evidence for o in price_objections] + [p.workaround for p in e.pains if p.workaround]
    return _suggest(key, score, _sentence(why, "Price was not discussed."), evidence)


def _timing_fit(e: _Evidence) -> SuggestedScore:
    """From the timeline fact: within the quarter 4, within months 3.5 (+1 / +0.5 with an agreed next
    step), a stated but undated timeline 3, a vague one 2. Without one: 3 when notes sound urgent
    (a deadline, a renewal, an importance-5 pain), else 2."""
    key = "timing_fit"
    timeline = e.facts.get("timeline", "")
    horizon = _horizon(timeline)
    next_step = "next_step_agreed" in e.covered
    urgent = [f for f in e.everything if mentions(_said(f), URGENT_PHRASES)] + [p for p in e.pains if p.importance == 5]
    if horizon == "soon":
        return _suggest(
            key, 4 + next_step, _with_step("A date within the quarter drives it", next_step), e.cite("timeline")
        )
    if horizon == "months":
        return _suggest(
            key, 3.5 + 0.5 * next_step, _with_step("A trigger within months", next_step), e.cite("timeline")
        )
    if horizon == "unclear":
        return _suggest(key, 3, "A timeline was given, without a date that forces the decision.", e.cite("timeline"))
    if horizon == "vague":
        return _suggest(key, 2, "Only a vague wish to change some day.", e.cite("timeline"))
    if urgent:
        return _suggest(key, 3, "No timeline recorded, but the notes sound urgent.", [u.evidence for u in urgent])
    return _suggest(key, 2, "No timeline recorded and nothing urgent was noted.")


def _decision_process(e: _Evidence) -> SuggestedScore:
    """With the decision-makers fact: 3, +0.5 when it names more than one person, +1 when the buying
    process was discussed (stakeholders_and_process), +0.5 for an agreed next step. Without it: 2 when
    the process was discussed, else 1."""
    key = "decision_process"
    who = e.facts.get("decision_makers", "")
    discussed = "stakeholders_and_process" in e.covered
    if not who:
        if discussed:
            return _suggest(key, 2, "The process was discussed but nobody was recorded as deciding.")
        return _suggest(key, 1, "Unknown who decides.")
    score, why = 3.0, ["the decision-maker is known"]
    if len(_SEVERAL.split(who)) > 1:
        score += 0.5
        why.append("so are other approvers")
    if discussed:
        score += 1
        why.append("the buying process was discussed")
    if "next_step_agreed" in e.covered:
        score += 0.5
        why.append("a next step was agreed")
    return _suggest(key, score, _sentence(why, ""), e.cite("decision_makers"))


def _budget(e: _Evidence) -> SuggestedScore:
    """From the budget fact: none or frozen 1, allocated or approved 5, an amount 4, an owner or source
    without an amount 3; not recorded 2."""
    key = "budget"
    budget = e.facts.get("budget", "")
    if not budget:
        return _suggest(key, 2, "No budget was recorded.")
    if mentions(budget, NO_BUDGET):
        return _suggest(key, 1, "They said there is no budget for this.", e.cite("budget"))
    if mentions(budget, ALLOCATED_BUDGET):
        return _suggest(key, 5, "A budget is allocated for this.", e.cite("budget"))
    if _AMOUNT.search(budget):
        return _suggest(key, 4, "Money is available and an amount was named.", e.cite("budget"))
    return _suggest(key, 3, "A budget source or owner is known, but no money is set aside.", e.cite("budget"))


def _timeline(e: _Evidence) -> SuggestedScore:
    """From the timeline fact: within the quarter 4.5 (5 with an agreed next step), within months 4, a
    rough timeline 3, a vague one 2, none 1."""
    key = "timeline"
    timeline = e.facts.get("timeline", "")
    horizon = _horizon(timeline)
    next_step = "next_step_agreed" in e.covered
    if horizon == "soon":
        return _suggest(key, 4.5 + 0.5 * next_step, _with_step("Use within the quarter", next_step), e.cite("timeline"))
    scores: dict[Horizon, tuple[float, str]] = {
        "months": (4, "A timeline within the next quarters."),
        "unclear": (3, "A rough timeline without dated steps."),
        "vague": (2, "Only “some day”: no real timeline."),
        "none": (1, "No timeline was recorded."),
    }
    score, why = scores[horizon]
    return _suggest(key, score, why, e.cite("timeline"))


def _competition(e: _Evidence) -> SuggestedScore:
    """From the alternatives fact: nothing they tried works 5; alternatives fall short 4; content with
    one 1.5; alternatives without a verdict 3; not recorded 2.5."""
    key = "competition"
    alternatives = e.facts.get("alternatives", "")
    if not alternatives:
        return _suggest(key, 2.5, "Their alternatives were not recorded.")
    if mentions(alternatives, NOTHING_WORKS):
        return _suggest(key, 5, "Nothing they have tried works.", e.cite("alternatives"))
    if not mentions(alternatives, NOT_SATISFIED) and mentions(alternatives, SATISFIED):
        return _suggest(key, 1.5, "An alternative already serves them well enough.", e.cite("alternatives"))
    if mentions(alternatives, SHORTFALL):
        return _suggest(key, 4, "Their alternatives fall short.", e.cite("alternatives"))
    return _suggest(key, 3, "They know alternatives; we have no clear edge yet.", e.cite("alternatives"))


RULES: dict[str, Callable[[_Evidence], SuggestedScore]] = {
    "problem_solution_mapping": _problem_solution_mapping,
    "feature_alignment": _feature_alignment,
    "price_fit": _price_fit,
    "timing_fit": _timing_fit,
    "decision_process": _decision_process,
    "budget": _budget,
    "timeline": _timeline,
    "competition": _competition,
}
"""One rule per competency of data/rubrics/customer_discovery.yaml."""


def _horizon(timeline: str) -> Horizon:
    """How soon a stated timeline lands: vague words first, then within the quarter, then within months."""
    if not timeline.strip():
        return "none"
    if mentions(timeline, VAGUE_TIME):
        return "vague"
    if mentions(timeline, SOON_TIME) or _weeks_away(timeline):
        return "soon"
    if mentions(timeline, MONTHS_TIME):
        return "months"
    return "unclear"


def _weeks_away(timeline: str) -> bool:
    """ "Within 6 weeks", "in three weeks": a date inside the quarter, said as a count of weeks."""
    found = _WEEKS.search(timeline.lower())
    if found is None:
        return False
    count = found.group(1)
    return int(count) <= WEEKS_IN_QUARTER if count.isdigit() else True


def _with_step(text: str, next_step: bool) -> str:
    return f"{text}{', and a next step was agreed' if next_step else ''}."


def _sentence(parts: list[str], empty: str) -> str:
    if not parts:
        return empty
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."
