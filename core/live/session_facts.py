"""A session's facts from every place they were stated: the facts tab, the notes and the transcript.

The interviewer does not always copy what they heard into the facts tab; a note "budget approx 50k
EUR/yr" or the customer saying "the CFO signs off" is as much a fact. Each fact keeps where it came
from (the facts tab, a note at 12:04, the transcript at 12:10 with the words), and the same fact
stated twice is one fact with two sources. The facts tab is the interviewer's own record, so when it
holds a field its text is what the scoring rules read; otherwise they read what the notes and the
transcript said.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from core.content.templates import InterviewTemplate
from core.live.fact_reader import FACT_KINDS, FactKind, Money, ReadFact, asked_about, read_facts
from core.live.stage_clock import format_duration
from core.models import LiveNote, TranscriptEntry

SourceKind = Literal["facts_tab", "note", "transcript"]
_MINOR_WORDS = {"the", "a", "an", "our", "their", "my", "his", "her", "and", "of", "per", "approx"}


@dataclass(frozen=True)
class FactSource:
    """Where a fact was stated; the quote is the sentence it was read from (or the facts tab's text)."""

    kind: SourceKind
    quote: str = ""
    at_seconds: float | None = None
    speaker: str = ""  # transcript lines: "interviewer" or the other side ("customer")
    note_id: int | None = None
    entry_id: int | None = None

    @property
    def label(self) -> str:
        """ "facts tab", "note at 4:05", "transcript at 12:10, customer"."""
        if self.kind == "facts_tab":
            return "facts tab"
        at = format_duration(self.at_seconds or 0.0)
        if self.kind == "note":
            return f"note at {at}"
        return f"transcript at {at}" + (f", {self.speaker}" if self.speaker else "")


@dataclass(frozen=True)
class SessionFact:
    key: str  # the template's session field: decision_makers, budget, timeline, alternatives …
    value: str
    sources: tuple[FactSource, ...]
    money: Money | None = None
    stated_none: bool = False  # they said there is none ("we have no budget yet")

    @property
    def first_said(self) -> float:
        return min((s.at_seconds for s in self.sources if s.at_seconds is not None), default=-1.0)

    @property
    def from_facts_tab(self) -> bool:
        return any(s.kind == "facts_tab" for s in self.sources)


def gather_facts(
    template: InterviewTemplate,
    facts: Mapping[str, str],
    notes: Sequence[LiveNote],
    transcript: Sequence[TranscriptEntry] = (),
    *,
    other_side: str = "interviewee",
) -> dict[str, list[SessionFact]]:
    """Every session field of the template → its facts (facts tab first, then in the order first said)."""
    keys = [f.key for f in template.notes.fields if f.scope == "session"] if template.notes else []
    found: dict[str, list[SessionFact]] = {key: [] for key in keys}
    for key in keys:
        value = (facts.get(key) or "").strip()
        if value:
            found[key].append(_from_tab(key, value))
    readable = {k for k in keys if k in FACT_KINDS}
    if not readable:
        return found
    said: list[tuple[float, FactSource, ReadFact]] = []
    for note in notes:
        if note.draft:
            continue
        source = FactSource("note", quote=note.text.strip(), at_seconds=note.at_seconds, note_id=note.id)
        said.extend((note.at_seconds, source, f) for f in read_facts(note.text).facts)
        quote = note.fields.get("quote", "").strip()
        if quote:
            theirs = replace(source, quote=quote)
            said.extend((note.at_seconds, theirs, f) for f in read_facts(quote, speaker="other").facts)
    previous: TranscriptEntry | None = None
    for entry in sorted(transcript, key=lambda e: e.start):
        interviewer = entry.speaker == "interviewer"
        asked = asked_about(previous.text) if previous is not None and previous.speaker == "interviewer" else set()
        reading = read_facts(entry.text, speaker="interviewer" if interviewer else "other", asked=asked)
        for fact in reading.facts:
            speaker = "interviewer" if interviewer else other_side
            source = FactSource("transcript", fact.quote, entry.start, speaker, entry_id=entry.id)
            said.append((entry.start, source, fact))
        previous = entry
    for _, source, fact in sorted(said, key=lambda item: item[0]):
        if fact.kind in readable:
            _merge(found[fact.kind], SessionFact(fact.kind, fact.value, (source,), fact.money, fact.stated_none))
    return found


def fact_text(key: str, facts: Sequence[SessionFact]) -> str:
    """What the scoring rules read for one field: the facts tab when filled; else what was said — for the
    budget the latest statement (a later "we found 20k" replaces an earlier "no budget"), else all of it."""
    if not facts:
        return ""
    tab = [f for f in facts if f.from_facts_tab]
    if tab:
        return tab[0].value
    if key == "budget":
        return max(facts, key=lambda f: f.first_said).value
    return "; ".join(f.value for f in facts)


def fact_quotes(facts: Sequence[SessionFact]) -> tuple[str, ...]:
    """The evidence for a field: the facts tab's text when filled, else the words each fact was read from."""
    tab = [f.value for f in facts if f.from_facts_tab]
    if tab:
        return tuple(tab[:1])
    return tuple(dict.fromkeys(f.sources[0].quote for f in facts if f.sources))


# --- helpers -----------------------------------------------------------------------------------------


def _from_tab(key: str, value: str) -> SessionFact:
    """The facts tab's text as typed, with the amount (or the "none") read from it so the same fact
    said in a note or the transcript is recognised as the same one."""
    money, none = None, False
    if key in FACT_KINDS:
        kind: FactKind = key
        read = read_facts(value, speaker="other", asked={kind}).of(kind)
        money = next((f.money for f in read if f.money is not None), None)
        none = any(f.stated_none for f in read)
    return SessionFact(key, value, (FactSource("facts_tab", quote=value),), money, none)


def _merge(known: list[SessionFact], new: SessionFact) -> None:
    """Add the fact, or add its source to the same fact already known (keeping the fuller wording)."""
    for index, fact in enumerate(known):
        if not _same(fact, new):
            continue
        sources = fact.sources + new.sources
        if fact.from_facts_tab or not _fuller(new, fact):
            known[index] = replace(fact, sources=sources)
        else:
            known[index] = replace(new, sources=sources)
        return
    known.append(new)


def _same(a: SessionFact, b: SessionFact) -> bool:
    if a.stated_none or b.stated_none:
        return a.stated_none == b.stated_none
    if a.money is not None and b.money is not None:
        currencies = {a.money.currency, b.money.currency} - {None}
        periods = {a.money.period, b.money.period} - {None}
        return (a.money.low, a.money.high) == (b.money.low, b.money.high) and len(currencies) < 2 and len(periods) < 2
    if (a.money is None) != (b.money is None) and not (a.from_facts_tab or b.from_facts_tab):
        return False
    words_a, words_b = _words(a), _words(b)
    return bool(words_a and words_b) and (words_a <= words_b or words_b <= words_a)


def _fuller(a: SessionFact, b: SessionFact) -> bool:
    if a.money is not None and b.money is not None:
        return _precision(a.money) > _precision(b.money)
    return len(_words(a)) > len(_words(b))


def _precision(money: Money) -> int:
    return (money.currency is not None) + (money.period is not None)


def _words(fact: SessionFact) -> set[str]:
    """The fact's words, lower case and singular; an alternative's "(evaluating)" is how it stands, not its name."""
    text = fact.value
    if fact.key == "alternatives" and not fact.from_facts_tab:
        text = re.sub(r"\s*\([^()]*\)\s*$", "", text)
    found = set()
    for word in re.findall(r"[\w']+", text.lower()):
        if word in _MINOR_WORDS:
            continue
        found.add(word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word)
    return found
