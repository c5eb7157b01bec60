"""Session facts read from free text: who decides, the budget, the timeline and the alternatives, out of
a note or a transcript line, so a debrief does not depend on the interviewer also filling the facts tab.

Offline and deterministic (no model): each sentence is read on its own, and one sentence may hold
several facts ("Decision-maker is VP Ops (Karen); budget approx 50k EUR/yr; wants pilot in Q1" holds
three). A question is never a fact ("what's your budget?"), but the line answering it is read as its
answer ("About 50k a year." after it is a budget). A denial takes a fact back ("Karen doesn't decide, the
CFO does" names the CFO only) and "we have no budget yet" is a fact of its own: none, stated explicitly.
The words listened for are in core.live.fact_phrases.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from core.live import fact_phrases as words

FactKind = Literal["decision_makers", "budget", "timeline", "alternatives"]
FACT_KINDS: tuple[FactKind, ...] = ("decision_makers", "budget", "timeline", "alternatives")
Speaker = Literal["interviewer", "other"]  # None: a note, written by the interviewer about the other side

NONE_STATED = "none — stated explicitly"
SELF_LABEL = "the person interviewed"
AWAITING_APPROVAL = "awaiting approval"
MAX_NAME_WORDS = 6


@dataclass(frozen=True)
class Money:
    """An amount of money as said: a range when they gave one, per period when they said how often."""

    low: float
    high: float
    currency: str | None = None  # ISO code; None when they named no currency
    period: str | None = None  # "year" | "quarter" | "month" | "week"; None for a one-off sum
    approximate: bool = False

    def __str__(self) -> str:
        amount = _number(self.low) if self.low == self.high else f"{_number(self.low)}–{_number(self.high)}"
        text = f"{'approx. ' if self.approximate else ''}{amount}"
        if self.currency:
            text += f" {self.currency}"
        if self.period:
            text += f" per {self.period}"
        return text


@dataclass(frozen=True)
class ReadFact:
    kind: FactKind
    value: str  # what the debrief shows: "approx. 50,000 EUR per year", "VP Ops (Karen)", "pilot in Q1"
    quote: str  # the sentence it was read from
    money: Money | None = None
    stated_none: bool = False  # "we have no budget": a fact that there is none


@dataclass(frozen=True)
class Reading:
    """What a text holds. A text whose every statement is a fact is a fact note, whatever it was tagged."""

    facts: tuple[ReadFact, ...]
    statements: int  # sentences that are not questions
    statements_with_facts: int

    @property
    def only_facts(self) -> bool:
        return self.statements > 0 and self.statements_with_facts == self.statements

    def of(self, kind: FactKind) -> list[ReadFact]:
        return [f for f in self.facts if f.kind == kind]


def read_facts(text: str, *, speaker: Speaker | None = None, asked: Collection[FactKind] = ()) -> Reading:
    """Every fact in `text`. `speaker` is who said it (None for a note); `asked` names what the question just
    before it asked about, so a short answer ("About 50k a year.") is read as that fact."""
    facts: list[ReadFact] = []
    statements = with_facts = 0
    for index, sentence in enumerate(sentences(text)):
        if is_question(sentence):
            continue
        statements += 1
        answer = asked if index == 0 and speaker != "interviewer" else ()
        found = [
            *_decision_makers(sentence, speaker, answer),
            *_budget(sentence, answer),
            *_timeline(sentence, answer),
            *_alternatives(sentence, answer),
        ]
        with_facts += bool(found)
        facts.extend(found)
    return Reading(tuple(facts), statements, with_facts)


def asked_about(text: str) -> frozenset[FactKind]:
    """The facts a question asks for ("Who else would need to say yes?" → decision-makers); empty for a statement."""
    kinds: set[FactKind] = set()
    for sentence in sentences(text):
        if is_question(sentence):
            kinds.update(k for k in FACT_KINDS if _find(words.ASKED_ABOUT[k], sentence))
    return frozenset(kinds)


# --- sentences -----------------------------------------------------------------------------------------

_ABBREVIATION = re.compile(r"\b(approx|ca|vs|etc|e\.g|i\.e|p\.a|p\.m|mr|ms|mrs|dr|inc|ltd|corp)\.", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\s*[;\n]+\s*|(?<!\d)\s+[-–—]\s+(?!\d)|\s+[–—]\s+")


def sentences(text: str) -> list[str]:
    """The text cut at full stops, question marks, semicolons, new lines and dashes; quotes straightened."""
    plain = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    plain = _ABBREVIATION.sub(lambda m: m.group(1).replace(".", ""), plain)
    return [s.strip(" \t\"'") for s in _SENTENCE_END.split(plain) if s.strip(" \t\"'.,")]


def is_question(sentence: str) -> bool:
    s = sentence.strip().lower()
    return s.endswith("?") or _starts_with(s, words.QUESTION_OPENERS) is not None


# --- phrase matching -----------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """Whole-word alternation of the phrases, longest first, case-insensitive."""
    alternation = "|".join(re.escape(p) for p in sorted(set(phrases), key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternation})(?:s|es)?(?![\w-])", re.IGNORECASE)


def _find(phrases: Iterable[str], text: str) -> re.Match[str] | None:
    return _pattern(tuple(phrases)).search(text)


def _find_all(phrases: Iterable[str], text: str) -> Iterator[re.Match[str]]:
    return _pattern(tuple(phrases)).finditer(text)


def _starts_with(text: str, phrases: Iterable[str]) -> str | None:
    match = _pattern(tuple(phrases)).match(text.strip())
    return match.group(0) if match else None


def _negated(before: str, span: int = 3) -> bool:
    """Whether one of the last `span` words before a phrase denies it ("doesn't decide", "not this year")."""
    tail = re.findall(r"[\w']+", before.lower())[-span:]
    return _find(words.NEGATORS, " ".join(tail)) is not None


def _strip_fillers(text: str) -> str:
    text = text.strip(" ,.:;!\"'")
    while lead := _starts_with(text, words.FILLERS):
        text = text.strip()[len(lead) :].strip(" ,.:;!\"'")
    return text


# --- decision-makers -----------------------------------------------------------------------------------

_AUX = re.compile(
    r"((?:\b(?:doesn't|does\s+not|don't|do\s+not|won't|will\s+not|can't|cannot|isn't|is\s+not|aren't|are\s+not|"
    r"wasn't|was\s+not|is|are|was|didn't|"
    r"did\s+not|never|no\s+longer|not|will|would|must|should|has\s+to|have\s+to|needs\s+to|need\s+to|gets\s+to|"
    r"can|could|also|usually|always|ultimately|really|actually|probably|then|still|only|alone)\s+)*)$",
    re.IGNORECASE,
)
_SUBJECT_BREAK = re.compile(
    r"(,|:|\((?![^()]*\))|\b(?:but|so|because|while|though|although|that|who|which|if|when|since|as|said|says|"
    r"thinks?|believes?|mentioned|guess|suppose|reckons?|assumes?)\b)",
    re.IGNORECASE,
)
_OBJECT_BREAK = re.compile(
    r"[,;.!?]|\b(?:but|because|who|which|since|so|if|when|while|though|although|as well)\b", re.IGNORECASE
)
_AND = re.compile(r"\s*(?:\band\b|&|\bplus\b|/)\s*", re.IGNORECASE)
_ELLIPSIS_THEN = re.compile(r"^(?:it's|it\s+is|that's|that\s+is)\s+(?P<who>.+?)(?:\s+(?:who|that)\s+.*)?$", re.I)


def _decision_makers(sentence: str, speaker: Speaker | None, asked: Collection[FactKind]) -> list[ReadFact]:
    named: list[str] = []
    denied = False
    for match in _find_all(words.DECISION_AFTER, sentence):
        before = sentence[: match.start()]
        aux = _AUX.search(before)
        subject = before[: aux.start()] if aux else before
        if aux and _find(words.NEGATORS, aux.group(0)):
            denied = True
            named.extend(_who_instead(sentence[match.end() :], speaker))
        else:
            named.extend(_subject_people(subject, speaker))
    for match in _find_all(words.DECISION_BEFORE, sentence):
        after = sentence[match.end() :]
        denial = re.match(r"\s*(?:not|never|no\s+longer)\b", after, re.IGNORECASE)
        if denial or _find(words.NEGATORS, match.group(0)) or _negated(sentence[: match.start()], span=1):
            denied = True
            rest = after[denial.end() :] if denial else after
            cut = _OBJECT_BREAK.search(rest)
            named.extend(_who_instead(rest[cut.start() :] if cut else "", speaker))
        else:
            named.extend(_object_people(after, speaker))
    if not named and not denied and "decision_makers" in asked:
        whole = _person(sentence, speaker)
        named.extend([whole] if whole else [])
    unique = list(dict.fromkeys(named))
    return [ReadFact("decision_makers", who, sentence) for who in unique]


def _subject_people(subject: str, speaker: Speaker | None) -> list[str]:
    """Who is named just before a decision phrase: the trailing names, walking back over commas."""
    parts = _SUBJECT_BREAK.split(subject)
    chunks, breaks = parts[::2], parts[1::2]
    people: list[str] = []
    index = len(chunks) - 1
    while index >= 0 and not chunks[index].strip() and index == len(chunks) - 1 and index > 0:
        index -= 1  # "it's the CFO who decides": the name is before "who"
    while index >= 0:
        found = _people(chunks[index], speaker)
        if not found:
            break
        people = found + people
        if index == 0 or breaks[index - 1] != ",":
            break
        index -= 1
    return people


def _object_people(after: str, speaker: Speaker | None) -> list[str]:
    """Who is named just after "decision-maker is", "approved by" … up to the end of that phrase."""
    depth, end = 0, len(after)
    for match in re.finditer(r"[()]|" + _OBJECT_BREAK.pattern, after, re.IGNORECASE):
        token = match.group(0)
        if token == "(":
            depth += 1
        elif token == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            end = match.start()
            break
    return _people(after[:end], speaker)


def _who_instead(rest: str, speaker: Speaker | None) -> list[str]:
    """After a denial, the clause naming who does decide: ", the CFO does", ", it's the CFO", "but the CFO"."""
    pieces = [p.strip(" .!") for p in re.split(r"[,;]|\bbut\b", rest, flags=re.IGNORECASE)[1:]]
    for piece in [p for p in pieces if p][:1]:
        text = re.sub(r"^\s*(?:but|rather|instead)\s+", "", piece, flags=re.IGNORECASE)
        if then := _ELLIPSIS_THEN.match(text):
            return _people(then.group("who"), speaker)
        verbs = "|".join(re.escape(v) for v in words.DECISION_ELLIPSIS)
        if does := re.match(rf"^(?P<who>.+?)\s+(?:{verbs})(?:\s+instead)?$", text, re.IGNORECASE):
            return _people(does.group("who"), speaker)
    return []


def _people(chunk: str, speaker: Speaker | None) -> list[str]:
    """The people in "Maria and the CTO" (all of them must be people, else the trailing ones)."""
    text = _strip_fillers(chunk)
    if not text:
        return []
    whole = _person(text, speaker)
    if whole and not _AND.search(text):
        return [whole]
    found: list[str] = []
    for part in reversed(_AND.split(text)):
        person = _person(part, speaker)
        if person is None:
            break
        found.insert(0, person)
    return found


def _person(text: str, speaker: Speaker | None) -> str | None:
    """The text as a person or a body that decides ("VP Ops (Karen)", "the CFO", "IT security"), else None."""
    text = _strip_fillers(text)
    lowered = text.lower()
    if not text or _starts_with(lowered, words.NEGATORS):
        return None
    if lowered in words.SELF:
        return SELF_LABEL if speaker == "other" else None
    tokens = re.findall(r"[\w'-]+", text)
    if not tokens or len(tokens) > MAX_NAME_WORDS:
        return None
    if any(t.lower() in words.NOT_NAMES and not (t.isupper() and len(t) > 1) for t in tokens):
        return None
    named = any(t[0].isupper() for t in tokens if t.lower() not in {"the", "our", "their", "my", "his", "her"})
    if _find(words.ROLES, text) or named:
        return text.strip(" ,.;:")
    return None


# --- budget --------------------------------------------------------------------------------------------

_NUM = r"\d{1,3}(?:[,.\s]\d{3})+(?![\d])|\d+(?:[.,]\d+)?"
_MULT = "|".join(sorted((re.escape(m) for m in words.MULTIPLIERS), key=len, reverse=True))
_CURRENCY_WORD = "|".join(sorted((re.escape(c) for c in words.CURRENCIES), key=len, reverse=True))
_MONEY = re.compile(
    rf"(?P<pre>us\$|[$€£])?\s?(?P<num>{_NUM})\s?(?P<mult>{_MULT})?(?![\w])"
    rf"(?:\s*(?:-|–|to|and)\s*(?:us\$|[$€£])?\s?(?P<num2>{_NUM})\s?(?P<mult2>{_MULT})?(?![\w]))?"
    rf"(?:\s?(?P<post>{_CURRENCY_WORD})(?![\w]))?",
    re.IGNORECASE,
)
_PERIOD_WORDS = {w: period for period, names in words.PERIODS.items() for w in names}
_PERIOD_AFTER = re.compile(
    r"^\s*(?:/|per\s+|a\s+|an\s+|each\s+|every\s+|p\.?\s*|\s)\s*("
    + "|".join(sorted((re.escape(w) for w in _PERIOD_WORDS), key=len, reverse=True))
    + r")\b\.?",
    re.IGNORECASE,
)
_PERIOD_ANYWHERE = re.compile(
    r"\b(annual|annually|yearly|per\s+year|a\s+year|per\s+annum|quarterly|per\s+quarter|a\s+quarter|monthly|"
    r"per\s+month|a\s+month|weekly|per\s+week|a\s+week)\b",
    re.IGNORECASE,
)


def _budget(sentence: str, asked: Collection[FactKind]) -> list[ReadFact]:
    answer = "budget" in asked
    if _find(words.NO_BUDGET, sentence) or (answer and _starts_with(sentence, words.NO_BUDGET_ANSWERS)):
        return [ReadFact("budget", NONE_STATED, sentence, stated_none=True)]
    cue = _find(words.BUDGET_CUES, sentence)
    if cue is None and not answer:
        return []
    if cue is not None and _negated(sentence[: cue.start()], span=2):
        return []  # "we can't spend that": no amount is theirs to spend
    pending = _find(words.NOT_YET, sentence) is not None
    allocated = not pending and _find(words.BUDGET_ALLOCATED, sentence) is not None
    status = ", allocated" if allocated else f", {AWAITING_APPROVAL}" if pending else ""
    found = []
    for money in _amounts(sentence):
        found.append(ReadFact("budget", f"{money}{status}", sentence, money=money))
    if found:
        return found
    if cue is None:
        return []
    if pending:
        return [ReadFact("budget", AWAITING_APPROVAL, sentence)]
    if allocated or _find(words.BUDGET_SOURCES, sentence) or _find(words.BUDGET_EXISTS, sentence):
        return [ReadFact("budget", sentence.strip(" .!"), sentence)]
    return []


def _amounts(sentence: str) -> list[Money]:
    """Each amount of money in the sentence (a number with a currency or a k/m), unless denied."""
    found = []
    for match in _MONEY.finditer(sentence):
        pre, post, mult, mult2 = match.group("pre"), match.group("post"), match.group("mult"), match.group("mult2")
        if not (pre or post or mult or mult2):
            continue  # "6 weeks", "2025": not money
        if _negated(sentence[: match.start()], span=2):
            continue
        scale = words.MULTIPLIERS[(mult or mult2 or "").lower()] if (mult or mult2) else 1
        low = _parse_number(match.group("num")) * (words.MULTIPLIERS[mult.lower()] if mult else scale)
        high = low
        if match.group("num2"):
            high = _parse_number(match.group("num2")) * (words.MULTIPLIERS[mult2.lower()] if mult2 else scale)
            low, high = min(low, high), max(low, high)
        currency = words.CURRENCIES.get((pre or post or "").lower())
        period_match = _PERIOD_AFTER.match(sentence[match.end() :]) or _PERIOD_ANYWHERE.search(sentence)
        period = _period(period_match.group(1)) if period_match else None
        lead = sentence[max(0, match.start() - 24) : match.start()]
        approximate = bool(
            _find(words.APPROXIMATE, lead) or "~" in lead or re.match(r"\s*or so\b", sentence[match.end() :])
        )
        found.append(Money(low, high, currency, period, approximate))
    return found


def _parse_number(text: str) -> float:
    """ "50,000", "50.000" and "50 000" are fifty thousand; "1.5" and "1,5" are one and a half."""
    compact = text.strip()
    if re.fullmatch(r"\d{1,3}(?:[,.\s]\d{3})+", compact):
        return float(re.sub(r"[,.\s]", "", compact))
    return float(compact.replace(",", "."))


def _period(word: str) -> str | None:
    lowered = re.sub(r"\s+", " ", word.lower()).strip(".")
    lowered = lowered.removeprefix("per ").removeprefix("a ")
    return _PERIOD_WORDS.get(lowered) or _PERIOD_WORDS.get(lowered.replace(".", ""))


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


# --- timeline ------------------------------------------------------------------------------------------


def _alt(phrases: Iterable[str]) -> str:
    return "|".join(re.escape(p) for p in sorted(set(phrases), key=len, reverse=True))


_COUNT = rf"(?:\d+|{_alt(words.NUMBER_WORDS)})"
_ABSOLUTE = (
    rf"(?:(?:early|mid|late|end\s+of|start\s+of|beginning\s+of)\s+)?(?:{_alt(words.MONTHS)})(?:\s+\d{{4}})?"
    rf"|(?:q[1-4]|h[12])(?:\s*(?:fy)?\s*'?\d{{2,4}})?|fy\s*'?\d{{2,4}}"
    rf"|(?:the\s+)?(?:end|start|beginning|middle)\s+of\s+(?:the\s+|this\s+|next\s+)?(?:{_alt(words.RELATIVE_PERIODS)}|q[1-4]|{_alt(words.MONTHS)})"
    rf"|(?:this|next|the\s+coming|the\s+next)\s+(?:{_alt(words.RELATIVE_PERIODS)}|{_alt(words.SEASONS)})"
    rf"|(?:the\s+)?(?:{_alt(words.SEASONS)})|20\d\d"
)
_DURATION = rf"(?:the\s+)?(?:next\s+)?{_COUNT}\s+(?:{_alt(words.DURATION_UNITS)})s?"
_PREP = rf"{_alt(words.DEADLINE_WORDS)}|in|from|after|around|over|inside|during"
_DATE = re.compile(
    rf"(?<![\w-])(?:(?P<neg>not)\s+)?(?:(?P<prep>{_PREP})\s+)?"
    rf"(?:(?P<absolute>{_ABSOLUTE})|(?P<duration>{_DURATION})|(?P<soon>{_alt(words.SOON_WORDS)}))(?![\w-])",
    re.IGNORECASE,
)
_BARE_MONTH = re.compile(rf"^(?:(?:early|mid|late)\s+)?(?:{_alt(words.MONTHS)})", re.IGNORECASE)


def _timeline(sentence: str, asked: Collection[FactKind]) -> list[ReadFact]:
    found = []
    for clause in re.split(r",|\bbut\b|\bonce\b|\bbecause\b", sentence, flags=re.IGNORECASE):
        if not clause.strip():
            continue
        if _find(words.NO_TIMELINE, clause):
            found.append(ReadFact("timeline", clause.strip(" .!"), sentence))
            continue
        found.extend(_dates(clause, sentence, "timeline" in asked))
    return found


def _dates(clause: str, sentence: str, answer: bool) -> list[ReadFact]:
    past = _find(words.PAST_MARKERS, clause) is not None
    cues = list(_find_all(words.TIMELINE_CUES, clause))
    found = []
    for match in _DATE.finditer(clause):
        prep = (match.group("prep") or "").lower()
        absolute = match.group("absolute")
        if absolute and _BARE_MONTH.match(absolute) and not prep:
            continue  # "may" and "march" are words too: a month needs "in", "by", "before" …
        alone = _strip_fillers(_strip_date_fillers(clause)).lower() == match.group(0).lower().strip()
        deadline = bool(absolute) and prep in words.DEADLINE_WORDS and prep != "within"
        if past and not (alone or answer):
            continue
        if not (deadline or match.group("soon") or cues or alone or answer):
            continue
        start = match.start()
        near = [c for c in cues if c.end() <= start and len(clause[c.end() : start].split()) <= 4]
        near = [c for c in near if ":" not in clause[c.end() : start]]  # "Timeline: Q3" is a label
        if near:
            start = near[-1].start()  # "wants pilot in Q1" → "pilot in Q1"
        found.append(ReadFact("timeline", clause[start : match.end()].strip(), sentence))
    return found


def _strip_date_fillers(text: str) -> str:
    text = text.strip(" ,.:;!")
    while lead := _starts_with(text, words.DATE_FILLERS):
        text = text.strip()[len(lead) :].strip(" ,.:;!")
    return text


# --- alternatives --------------------------------------------------------------------------------------

_ALT_BREAK = re.compile(rf"[,;.!?()]|(?<![\w-])(?:{_alt(words.ALTERNATIVE_STOPS)})(?![\w-])", re.IGNORECASE)
_ARTICLE = re.compile(r"^(?:a|an|the|some|our|their|its)\s+", re.IGNORECASE)
_PRODUCT_CONTEXT = ("alternative", "competitor", "vendor", "tool", "solution", "product", "option", "platform")


def _alternatives(sentence: str, asked: Collection[FactKind]) -> list[ReadFact]:
    found: list[ReadFact] = []
    for match in _find_all(words.ALTERNATIVE_PHRASES, sentence):
        if not _negated(sentence[: match.start()]):
            label = words.ALTERNATIVE_PHRASES[match.group(0).lower()]
            found.append(ReadFact("alternatives", label, sentence))
    in_use_now = _find(words.IN_USE_NOW, sentence) is not None
    context = _find(_PRODUCT_CONTEXT, sentence) is not None
    for match in _find_all(words.ALTERNATIVE_BEFORE, sentence):
        label = words.ALTERNATIVE_BEFORE[match.group(0).lower()]
        if _negated(sentence[: match.start()], span=2):
            continue
        after = sentence[match.end() :]
        listing = match.group(0).endswith(":") or match.group(0).lower().endswith(" are")
        named = after.strip(" .!") if listing else _first_name(after)
        names = re.split(r"\s*(?:,|\band\b|\bor\b|/)\s*", named)
        for name in names:
            thing = _thing(name)
            if thing is None:
                continue
            workaround = _find(words.WORKAROUNDS, thing) is not None
            if label == "used today" and not (in_use_now or workaround):
                continue  # "we use Slack to talk" is a tool, not an alternative
            if not (workaround or context or listing or any(t[0].isupper() for t in thing.split())):
                continue  # "looking at the numbers"
            found.append(ReadFact("alternatives", f"{thing} ({label})", sentence))
    if not found and "alternatives" in asked and (thing := _thing(_first_name(sentence))) is not None:
        found.append(ReadFact("alternatives", thing, sentence))
    unique = {f.value.lower(): f for f in found}
    return list(unique.values())


def _first_name(after: str) -> str:
    cut = _ALT_BREAK.search(after)
    return after[: cut.start()] if cut else after


def _thing(text: str) -> str | None:
    """A tool, a vendor or a way of working as named ("Acme", "spreadsheets"), else None."""
    thing = _ARTICLE.sub("", _strip_fillers(text)).strip(" .!:")
    tokens = thing.split()
    if not tokens or len(tokens) > 5 or thing.lower() in words.PRONOUNS or tokens[0].lower() in words.PRONOUNS:
        return None
    if _starts_with(thing, words.NEGATORS):
        return None
    return thing
