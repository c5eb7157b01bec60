"""Which problem an answer is about, so a fluent answer to another question is recognised.

Each problem has words only it uses ("short link", "base62" for the URL shortener; "fan-out",
"timeline" for the news feed): its vocabulary, the phrases of its own topics and its title,
less whatever another problem of the bank also uses. An answer that says several words of
another problem and clearly fewer of its own is about that other problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from core.content.problems import Problem, ProblemBank
from core.content.text_signals import (
    TECH_TERMS,
    content_words,
    find_phrases,
    quantities,
    question_sentences,
    sentences,
)
from core.models import Utterance

SMALL_TALK_WORDS = 8
"""An answer this long that uses no word of any design (no problem term, no technology, no number) is small talk."""
MIN_OTHER_HITS = 2
"""An answer needs at least this many different words of another problem before it counts as about it."""
_DESIGN_TEXT = """user users data system service services request requests read reads write writes store storage scale
    feature features requirement requirements latency traffic design api client clients server servers
    database cache queue estimate numbers number load peak availability consistency failure fail fails
    replica shard partition index table schema key value record records event events message messages stream
    job jobs worker workers"""
_DESIGN_WORDS = frozenset(_DESIGN_TEXT.split())
"""Words any design answer uses: an answer with one of them is not small talk."""
_TITLE_NOISE = frozenset({"design", "a", "an", "the", "service", "system", "platform", "for", "of", "and", "with"})


_EXCLUDES = re.compile(
    r"\b(?:out of scope|outside (?:the |our )?scope|not part of|excluding|exclude|leave (?:out|aside)"
    r"|leaving (?:out|aside)|set aside|skip(?:ping)?|ignore|ignoring"
    r"|(?:not|won't|will not) (?:going to )?(?:cover|build|handle|include|support|design)"
    r"|(?:don't|do not) need (?:to )?|no need (?:for|to)"
    r"|(?:is|are) out(?=\s*(?:[.,;:)]|$|for now))|(?:is|are)n't ours|(?:is|are) not ours|not in scope)\b",
    re.IGNORECASE,
)


def excludes(sentence: str) -> bool:
    """ "Payments are out of scope": names something only to set it aside, so it is not what the answer is about."""
    return bool(_EXCLUDES.search(sentence))


_PULLS_BACK = re.compile(
    r"\b(?:we(?:'re| are) designing\b(?! (?:it|this) (?:so|for|to))"
    r"|(?:a |the )?(?:different|wrong) (?:product|problem|system|app)|another (?:product|problem)"
    r"|i(?:'m| am| was) asking (?:about|for)|(?:that's |that is )?not what i asked"
    r"|let(?:'s| us) (?:come|get|go) back to|let(?:'s| us) stay (?:with|on))",
    re.IGNORECASE,
)
"""The interviewer steering an answer back to the problem ("I'm asking about the redirect itself", "let's come back
to our side", "we're designing the home feed"): the answer before it was about something else."""
_SETS_ASIDE = re.compile(r"\b(?:out of scope|not in scope|outside (?:the |our )?scope)\b", re.IGNORECASE)
""""Fraud models are out of scope": steering back when it follows a statement, a plain reply when it follows a
question."""


def pulled_back(utterances: list[Utterance]) -> set[int]:
    """The candidate's answers (their ids) that the interviewer's next words steer back to the problem.

    A fluent answer about a neighbouring product (a card-network switch for a marketplace's payments, an analytics
    dashboard for a URL shortener) shares the problem's words, so only the interviewer's reaction tells it apart.
    """
    drifted: set[int] = set()
    last: Utterance | None = None
    for u in utterances:
        if not u.text.strip():
            continue
        if u.speaker.lower() != "interviewer":
            last = u
            continue
        if last is not None and (
            _PULLS_BACK.search(u.text) or (_SETS_ASIDE.search(u.text) and not question_sentences(last.text))
        ):
            drifted.add(id(last))
        last = None
    return drifted


@dataclass(frozen=True)
class Relevance:
    on_topic: bool
    closer_problem_id: str | None  # the problem the answer is about, when it is another one
    score: float  # share of the distinctive words that belong to this problem (1.0 when none were said)
    own_hits: int
    other_hits: int


def _terms_of(problem: Problem) -> set[str]:
    terms = {v.lower() for v in problem.vocabulary}
    terms |= {p.lower() for topic in problem.extra_topics.values() for p in topic.phrases}
    title = " ".join(w for w in re.findall(r"[a-z0-9-]+", problem.title.lower()) if w not in _TITLE_NOISE)
    if title:
        terms.add(title)
        terms |= {w for w in title.split() if len(w) > 3}
    return terms


@lru_cache(maxsize=8)
def _distinctive(bank: ProblemBank) -> dict[str, tuple[str, ...]]:
    terms = {p.id: _terms_of(p) for p in bank.all()}
    counts: dict[str, int] = {}
    for ts in terms.values():
        for t in ts:
            counts[t] = counts.get(t, 0) + 1
    return {pid: tuple(sorted(t for t in ts if counts[t] == 1)) for pid, ts in terms.items()}


def relevance(text: str, problem: Problem, bank: ProblemBank | None) -> Relevance:
    """How much text is about problem rather than another problem of the bank."""
    if bank is None or not text.strip():
        return Relevance(True, None, 1.0, 0, 0)
    text = " ".join(s for s in sentences(text) if not excludes(s)) or text
    distinctive = _distinctive(bank)
    own_terms = distinctive.get(problem.id) or tuple(sorted(_terms_of(problem)))
    own = _distinct_hits(text, own_terms)
    best_id, best = None, 0
    for pid, terms in distinctive.items():
        if pid == problem.id or not terms:
            continue
        hits = _distinct_hits(text, terms)
        if hits > best:
            best_id, best = pid, hits
    if own + best == 0 and _small_talk(text, problem):
        return Relevance(False, None, 0.0, 0, 0)
    score = own / (own + best) if own + best else 1.0
    off = best >= MIN_OTHER_HITS and best > 2 * own
    return Relevance(not off, best_id if off else None, round(score, 2), own, best)


_ASKS_HOW_MUCH = re.compile(
    r"\bhow (?:many|much|often|fast|long|big|large|old|stale|fresh|quick(?:ly)?|soon|accurate|precise|consistent"
    r"|available|reliable|durable|up to date)\b|\bper (?:second|minute|day|month)\b"
)


_ASKS_FOR_A_TOOL = re.compile(
    r"\b(?:aws|gcp|azure|which cloud|java|golang|python|node|kotlin|rust|(?:house |programming )?language"
    r"|framework|kubernetes|k8s|serverless|rest or graphql|graphql|elasticsearch|kafka|redis|postgres\w*|mysql"
    r"|mongo\w*|cassandra|dynamodb|(?:can|could|may|should) (?:i|we) use|in-house)\b",
    re.IGNORECASE,
)
"""Asks which tool, vendor or language may be used, or how big the team is: a choice of solution, not of scope.
("Are users allowed to edit a message?" is about the problem, and stays so.)"""
_ASKS_ABOUT_THE_TEAM = re.compile(
    r"\b(?:how (?:big|large) is|size of) (?:the|your|our) team\b|\bteam size\b", re.IGNORECASE
)


def about_the_problem(text: str, problem: Problem) -> bool:
    """Whether a clarifying question asks about this problem (its users, behaviour, scale or qualities) rather
    than about tools ("React or native?", "are we on AWS?", "can I use Kafka?"), which scope nothing."""
    if _ASKS_ABOUT_THE_TEAM.search(text):
        return False
    if _ASKS_FOR_A_TOOL.search(text) and not (_ASKS_HOW_MUCH.search(text.lower()) or quantities(text)):
        return False
    said = {w for w in content_words(text) if w not in TECH_TERMS}
    told = _statement_words(" ".join([problem.title, problem.summary, problem.statement]))
    if said & (told | _DESIGN_WORDS) or _ASKS_HOW_MUCH.search(text.lower()) or quantities(text):
        return True
    return bool(find_phrases(text, _terms_of(problem) | set(problem.components)))


def _small_talk(text: str, problem: Problem) -> bool:
    """Long enough to say something, and nothing in it belongs to a system design or to this problem's statement."""
    said = set(content_words(text))
    if len(said) < SMALL_TALK_WORDS or quantities(text):
        return False
    told = _statement_words(" ".join([problem.title, problem.summary, problem.statement]))
    if any(w in TECH_TERMS or w in _DESIGN_WORDS or w in told for w in said):
        return False
    return not find_phrases(text, _terms_of(problem) | set(problem.components))


def behaviour_words(text: str, problem: Problem) -> set[str]:
    """The words of `text` that the problem's statement uses to say what the system does ("alias", "redirect",
    "expiry"), tools aside: a scoping answer that says several of them restates the features in its own way."""
    told = _statement_words(" ".join([problem.title, problem.summary, problem.statement]))
    return {w for w in content_words(text) if w in told and w not in TECH_TERMS}


@lru_cache(maxsize=64)
def _statement_words(statement: str) -> frozenset[str]:
    """The words a problem is told in ("seat", "fan", "concert"), singular and plural."""
    said = set(content_words(statement))
    return frozenset(said | {w[:-1] for w in said if w.endswith("s")} | {w + "s" for w in said})


def _distinct_hits(text: str, terms: tuple[str, ...]) -> int:
    """How many different terms text uses: one word said twenty times is still one word."""
    if not terms:
        return 0
    return len({re.sub(r"(?:es|s)$", "", " ".join(hit.split())) for hit in find_phrases(text, terms)})
