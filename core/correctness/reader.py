"""The correctness reader: one pass over what the candidate said, for the interviewer and the evaluator.

`check_statement` reads one answer as it is said (the interviewer challenges what it finds);
`read_transcript` reads a whole interview: every finding, whether the candidate later put it
right, how much is off-topic, repeated or junk, and the candidate's words cleaned of junk and
repeats — the only text the evaluator scores and quotes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from core.content.misconceptions import Misconception
from core.content.problems import Problem, ProblemBank
from core.content.rubrics import Rubric
from core.content.text_signals import (
    PERIOD_SECONDS,
    NumericClaim,
    figure_claim,
    normalize,
    numeric_claims,
    sentences,
    word_count,
)
from core.correctness.answers import unanswered_figure_questions
from core.correctness.arithmetic import arithmetic_slips, results_worked_out
from core.correctness.conversation import clean, is_repeat, junk_in, refusals_in, repeat_key
from core.correctness.figures import NOT_COUNTED, facts_of, figure_slips
from core.correctness.findings import Finding, FindingKind
from core.correctness.quantities import quantities
from core.correctness.relevance import Relevance, pulled_back, relevance
from core.models import Utterance

CORRECTION_WINDOW = 3
"""A slip counts as put right when one of the candidate's next few answers corrects it."""
MISTAKES = (FindingKind.ARITHMETIC, FindingKind.FIGURE, FindingKind.MISCONCEPTION)
_SELF_CORRECTION = re.compile(
    r"\b(?:(?:that's|that is|that was|i was|i'm|i am) (?:a )?(?:mistake|wrong|off|incorrect)|my (?:mistake|bad|error)"
    r"|let me (?:correct|fix|redo|re do|recompute|re check|recheck)|i (?:mis ?calculated|got (?:that|it) wrong|"
    r"slipped|dropped a zero|meant)|(?:sorry|oops|correction|actually),? (?:it's|that's|it is|that should be|make that)"
    r"|good catch|you're right|you are right|should (?:have been|be) (?:about |around )?\d"
    r"|\d[\d,.]*\s?[a-z]*,? not \d)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TranscriptReading:
    findings: list[Finding]
    relevance: Relevance
    off_topic_share: float  # share of the candidate's words in answers about another problem
    repeated_share: float  # share of the candidate's words that repeat an earlier sentence
    refusals: int
    junk: int  # answers holding markup, injected instructions or noise
    utterances: list[Utterance] = field(default_factory=list)  # cleaned, repeats dropped: what may be scored

    def mistakes(self, competency: str | None = None, *, include_corrected: bool = False) -> list[Finding]:
        """Wrong figures, sums and claims (for one competency when given)."""
        return [
            f
            for f in self.findings
            if f.kind in MISTAKES
            and (competency is None or f.competency == competency)
            and (include_corrected or not f.corrected)
        ]

    def of_kind(self, kind: FindingKind) -> list[Finding]:
        return [f for f in self.findings if f.kind is kind]

    @property
    def off_topic(self) -> bool:
        return not self.relevance.on_topic


def misconceptions_for(problem: Problem | None, rubric: Rubric | None) -> list[Misconception]:
    return [*(problem.misconceptions if problem else []), *(rubric.misconceptions if rubric else [])]


def problem_facts(problem: Problem | None) -> list[NumericClaim]:
    """The problem's own figures, for when the interview itself stated none."""
    if problem is None:
        return []
    return [figure_claim(name, value) for fact in problem.facts for name, value in fact.figures.items()]


def check_statement(
    text: str,
    problem: Problem | None,
    rubric: Rubric | None = None,
    *,
    facts: Sequence[NumericClaim] | None = None,
) -> list[Finding]:
    """Mistakes in one answer: its own arithmetic, its figures against the facts, known misconceptions."""
    text = clean(text)
    found = arithmetic_slips(text)
    said = {f.said for f in found}
    stated = problem_facts(problem) if facts is None else list(facts)
    said |= set(results_worked_out(text))  # a result its own inputs give was derived, not misremembered
    found += [f for f in figure_slips(text, stated) if not any(s and s in (f.said or "") for s in said)]
    topics = {**(rubric.topics if rubric else {}), **(problem.extra_topics if problem else {})}
    for m in misconceptions_for(problem, rubric):
        claim = m.claim_in(text)
        if claim is None:
            continue
        topic = topics.get(m.topic or "")
        found.append(
            Finding(
                kind=FindingKind.MISCONCEPTION,
                quote=_original_sentence(text, claim),
                explanation=m.truth or m.correction,
                said=_original_sentence(text, claim),
                right=m.truth or None,
                competency=topic.competency if topic else None,
                topic=m.topic,
            )
        )
    return found


def read_transcript(
    utterances: Sequence[Utterance],
    problem: Problem | None,
    rubric: Rubric | None = None,
    bank: ProblemBank | None = None,
) -> TranscriptReading:
    """Everything the reader finds in an interview, in order, with corrections marked."""
    interviewer = [u.text for u in utterances if u.speaker.lower() == "interviewer"]
    facts = facts_of(interviewer) or problem_facts(problem)
    findings: list[Finding] = []
    kept: list[Utterance] = []
    seen: list[str] = []
    words_total = repeated_words = off_words = refusals = junk = 0
    answers: list[tuple[int, Utterance, str]] = []  # (index in kept, utterance, cleaned text)
    drifted = pulled_back(list(utterances))
    for u in utterances:
        if u.speaker.lower() != "candidate":
            if u.text.strip():
                kept.append(replace(u, text=clean(u.text)))
            continue
        pieces = junk_in(u.text)
        if pieces:
            junk += 1
            findings.append(_at(Finding(FindingKind.JUNK, pieces[0][:120], "Markup or junk: never evidence."), u))
        text = clean(u.text)
        fresh = []
        for s in sentences(text):
            n = word_count(s)
            words_total += n
            if is_repeat(s, seen):
                repeated_words += n
                continue
            seen.append(repeat_key(s))
            fresh.append(s)
        if not fresh:
            if text:
                findings.append(
                    _at(Finding(FindingKind.REPETITION, text[:160], "The same text as an earlier answer."), u)
                )
            continue
        new_text = " ".join(fresh)
        if len(fresh) < len(sentences(text)):
            findings.append(_at(Finding(FindingKind.REPETITION, text[:160], "Repeats an earlier answer in part."), u))
        for r in refusals_in(new_text):
            refusals += 1
            findings.append(_at(Finding(FindingKind.REFUSAL, r, "Declines to answer.", competency=None), u))
        if id(u) in drifted:
            off_words += word_count(new_text)
            findings.append(
                _at(Finding(FindingKind.OFF_TOPIC, new_text[:160], "The interviewer had to steer this back."), u)
            )
        elif problem is not None and bank is not None:
            rel = relevance(new_text, problem, bank)
            if not rel.on_topic:
                off_words += word_count(new_text)
                findings.append(
                    _at(
                        Finding(
                            FindingKind.OFF_TOPIC,
                            new_text[:160],
                            f"About another problem ({rel.closer_problem_id}), not {problem.title}.",
                        ),
                        u,
                    )
                )
        for f in check_statement(new_text, problem, rubric, facts=facts):
            findings.append(_at(f, u))
        kept.append(replace(u, text=new_text))
        answers.append((len(kept) - 1, u, new_text))
    findings = _once_per_claim(_mark_corrections(findings, answers))
    findings += unanswered_figure_questions(utterances)
    candidate_text = " ".join(t for _, _, t in answers)
    whole = relevance(candidate_text, problem, bank) if problem is not None else Relevance(True, None, 1.0, 0, 0)
    return TranscriptReading(
        findings=findings,
        relevance=whole,
        off_topic_share=round(off_words / words_total, 2) if words_total else 0.0,
        repeated_share=round(repeated_words / words_total, 2) if words_total else 0.0,
        refusals=refusals,
        junk=junk,
        utterances=kept,
    )


def _once_per_claim(findings: list[Finding]) -> list[Finding]:
    """A misconception said again (in the summary, say) is one mistake, not two; it stands if any
    saying of it was left uncorrected."""
    out: list[Finding] = []
    seen: dict[str, int] = {}
    for f in findings:
        if f.kind is not FindingKind.MISCONCEPTION:
            out.append(f)
            continue
        key = f.explanation
        if key in seen:
            if not f.corrected:
                out[seen[key]] = replace(out[seen[key]], corrected=False)
            continue
        seen[key] = len(out)
        out.append(f)
    return out


def _at(finding: Finding, u: Utterance) -> Finding:
    return replace(finding, message_seq=u.seq, at_seconds=u.start)


def _mark_corrections(findings: list[Finding], answers: list[tuple[int, Utterance, str]]) -> list[Finding]:
    """A mistake is corrected when a later answer (within a few) says so or gives the right figure."""
    by_time = {(u.seq, u.start): i for i, (_, u, _) in enumerate(answers)}
    out = []
    for f in findings:
        if f.kind not in MISTAKES:
            out.append(f)
            continue
        i = by_time.get((f.message_seq, f.at_seconds))
        later = [t for _, _, t in answers[i + 1 : i + 1 + CORRECTION_WINDOW]] if i is not None else []
        out.append(replace(f, corrected=any(_corrects(f, t) for t in later)))
    return out


def _corrects(finding: Finding, text: str) -> bool:
    if _SELF_CORRECTION.search(text):
        return True
    if finding.kind is FindingKind.MISCONCEPTION or not finding.right:
        return False
    right = quantities(finding.right)
    if not right or right[0].value <= 0:
        return False
    target = right[0]
    spoken = target.value * PERIOD_SECONDS[target.period] if target.time == -1 and target.period else target.value
    counted = _counted_words(finding.said or "")
    for q in quantities(text):
        if q.bytes != target.bytes:
            continue
        if counted and (other := _counted_words(q.text)) and not counted & other:
            continue  # "10,000 writes per second" does not put right "150,000 reads per second"
        expected = target.value if q.time == target.time else spoken if q.time == 0 else None
        if expected and q.value > 0 and max(q.value, expected) / min(q.value, expected) < 2:
            return True
    return False


def _counted_words(figure: str) -> set[str]:
    """What a figure counts ("read" in "150,000 reads per second"); a bare rate or a size counts nothing."""
    return {c.head for c in numeric_claims(figure, whole_system_only=False)} - NOT_COUNTED


def _original_sentence(text: str, normalized: str) -> str:
    """The sentence of text whose normalised form is `normalized` (for a readable quote)."""
    for s in sentences(text):
        if " ".join(normalize(s).split()) == " ".join(normalized.split()):
            return " ".join(s.split())
    return " ".join(normalized.split())
