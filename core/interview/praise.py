"""Acknowledgements that name what they acknowledge, in the candidate's own words — or say nothing.

"Good — that covers caching" after any sentence with "cache" in it teaches nothing and rewards form; a
nod that quotes what the candidate said ("Good — “Redis in front of Cassandra”: a cache takes most
reads off the store") shows it was heard. Extra credit (a reason, an alternative weighed, a failure
planned for) is given only when the answer has one, and quotes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from core.content.text_signals import STOPWORDS, TECH_TERMS, has_phrase, normalize

ACKS: dict[str, str] = {
    "functional_requirements": "the core features are clear",
    "non_functional_requirements": "latency and availability targets will guide the design",
    "scope_clarification": "stating scope and assumptions keeps us focused",
    "traffic_estimate": "that traffic estimate gives us something to design against",
    "storage_estimate": "now we know how much data we're dealing with",
    "bandwidth_estimate": "bandwidth is worth checking",
    "api_design": "a clear API pins down the contract",
    "core_components": "those components give us the skeleton",
    "request_flow": "walking a request through makes the design concrete",
    "load_balancing": "a load balancer over stateless servers lets us scale out",
    "data_model_schema": "the data model is taking shape",
    "database_choice": "the store should follow the access pattern",
    "caching": "a cache in front of the store takes most reads off it",
    "sharding": "partitioning spreads both the data and the load",
    "async_processing": "moving work off the request path keeps it fast",
    "hotspots": "good to think about the outliers, not just the averages",
    "replication": "replicas protect the data and spread the reads",
    "consistency": "being explicit about consistency matters here",
    "failure_handling": "planning for failure is what keeps this up",
    "rate_limiting": "rate limits protect us from abuse and floods",
    "monitoring": "you'll want to see problems before users do",
    "security": "security is easy to forget",
    "tradeoff_analysis": "naming the trade-off is exactly what I want to hear",
    "bottlenecks": "knowing where it breaks first is key",
    "evolution": "good to know where this goes next",
    "design_summary": "that's a clear summary",
}
"""Why a topic matters, said after the candidate's words that showed it."""

MAX_QUOTE_WORDS = 12

_CLAUSE_BREAK = re.compile(r"(?<=[.;!?])\s+|\s+[—–]\s+|\s+-\s+|\n")
_LEAD_IN = re.compile(
    r"^(?:(?:so|and|but|then|also|basically|well|ok|okay|first|firstly|next|plus|right|um|uh)\b[,\s]+)+", re.I
)
_ALTERNATIVE = re.compile(
    r"\b(?:instead of|rather than|versus|vs\.?|compared (?:to|with)|as opposed to)\s+"
    r"((?:(?!\b(?:so|because|since|and|but|which|to|for|as|that|with|so that)\b)[^,.;:!?—()\s]+\s*){1,4})",
    re.I,
)
_X_OVER_Y = re.compile(r"([\w/.+-]+)\s+over\s+((?:a |an |the )?[\w/.+-]+)", re.I)
_FAILURE_CASE = re.compile(
    r"\b((?:if|when|once|in case)\s+[^,.;:!?—()]{0,50}?\b(?:fails?|failed|goes down|go down|is down|are down"
    r"|crash(?:es|ed)?|dies|is unreachable|are unreachable|times out|is lost|lags?(?: behind)?))\b",
    re.I,
)
_REASON = re.compile(r"\b((?:because|since|so that)\s+[^,.;:!?—()]{6,90})", re.I)


def acknowledgement(
    statement: str, topic_key: str, phrases: Iterable[str], clause: str, n: int, terms: Iterable[str] = ()
) -> str:
    """A nod quoting what the candidate said for a topic (`clause` says why it matters), plus at most one
    grounded extra; "" when the candidate's words for the topic cannot be found or name nothing specific
    (a number, a technology, a name, or one of `terms`, the problem's own vocabulary)."""
    quote = quote_for(statement, phrases)
    if quote is None or not names_something(quote, terms):
        return ""
    lead = ("Good", "Right", "Okay", "Nice", "Got it")[n % 5]
    return f"{lead} — “{quote}”: {clause}.{extra(statement, topic_key)}"


def names_something(text: str, terms: Iterable[str] = ()) -> bool:
    """Whether words name something specific: a number, a technology, a name written with a capital
    inside the sentence ("Cassandra", "URL"), or one of the given terms."""
    tokens = text.lstrip("…").split()
    if any(any(ch.isdigit() for ch in t) for t in tokens):
        return True
    if any(normalize(t).strip(".,;:“”\"'()") in TECH_TERMS for t in tokens):
        return True
    if any(t[:1].isupper() for t in tokens[1:]):
        return True
    return has_phrase(text, tuple(terms))


def quote_for(statement: str, phrases: Iterable[str]) -> str | None:
    """The candidate's words that show a topic: the clause with one of its phrases, at most a dozen words."""
    wanted = tuple(phrases)
    for raw in _CLAUSE_BREAK.split(statement):
        clause = _LEAD_IN.sub("", raw.strip()).strip(" .,;:!?\"'“”")
        if clause and has_phrase(clause, wanted):
            return _window(clause, wanted)
    return None


def _window(clause: str, phrases: tuple[str, ...]) -> str:
    tokens = clause.split()
    if len(tokens) <= MAX_QUOTE_WORDS:
        return clause
    end = next(j for j in range(1, len(tokens) + 1) if has_phrase(" ".join(tokens[:j]), phrases))
    at = max(i for i in range(end) if has_phrase(" ".join(tokens[i:end]), phrases))  # the first mention
    start = 0 if end <= MAX_QUOTE_WORDS else max(0, min(at - 3, len(tokens) - MAX_QUOTE_WORDS))
    while start and any(ch.isdigit() for ch in tokens[start - 1]):
        start -= 1  # "10 billion redirects", never "…billion redirects"
    kept = tokens[start : start + MAX_QUOTE_WORDS]
    while len(kept) > 1 and normalize(kept[-1]).strip(",.") in STOPWORDS:
        kept.pop()
    text = " ".join(kept).rstrip(",;:")
    return ("…" if start else "") + text + ("…" if start + len(kept) < len(tokens) else "")


def _specific(word: str) -> bool:
    """ "302", "Postgres", "redis": a word that names one thing, so "X over Y" weighs two choices."""
    return any(ch.isdigit() for ch in word) or normalize(word).strip(".,") in TECH_TERMS or word[:1].isupper()


def extra(statement: str, topic_key: str) -> str:
    """Credit for reasoning the answer really has, quoted: an alternative weighed, a failure planned for, a reason."""
    if topic_key != "tradeoff_analysis":
        m = _ALTERNATIVE.search(statement)
        alternative = m.group(1).strip() if m else None
        if alternative is None:
            for over in _X_OVER_Y.finditer(statement):
                left, right = over.group(1), over.group(2).split()[-1]
                if _specific(left) and _specific(right):
                    alternative = right
                    break
        if alternative and any(w not in STOPWORDS for w in normalize(alternative).split()):
            return f" Good that you weighed it against “{alternative}”."
    if topic_key != "failure_handling" and (m := _FAILURE_CASE.search(statement)):
        return f" And you covered the case “{m.group(1).strip()}”."
    m = _REASON.search(statement)
    if m and len(m.group(1).split()) >= 4:
        return f" And you said why: “{m.group(1).strip()}”."
    return ""
