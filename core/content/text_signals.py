"""What a candidate's words show, read without any model: topics, reasoning, vagueness, fillers.

The offline interviewer and the offline evaluator both read answers through these functions, so
what makes the interviewer push back ("you listed technologies, but why?") is exactly what the
evaluator refuses to reward. Everything here is a pure function of its text arguments.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

# --- normalising and splitting ---------------------------------------------------------------

_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "approx.", "incl.", "min.", "max.", "no.", "avg.")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\s*[•·]\s*|(?<=\S)\s+-\s+(?=[A-Z])")
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s+")
_UNPUNCTUATED_WORDS = 30
"""A line this long without a full stop or question mark is speech as a recogniser wrote it, not one sentence."""
_SPOKEN_BREAK = re.compile(
    r"\s+(?=(?:(?:and|so|um|uh|also|okay|ok|then|but|like|first|next)\s+)+"
    r"(?:how|what|what's|which|who|when|where|why|is (?:it|there|that|the)|are (?:there|we|the)|do (?:we|they|you)"
    r"|does|can (?:we|i|a|the)|should (?:we|i|it)|will (?:we|it|the)|i wanna|i want to|i'd|i would)\b)",
    re.IGNORECASE,
)
"""Where speech without punctuation starts a new clause: a filler or "and" before a question word or a request."""
_LONG_SPOKEN_CLAUSE, _SHORTEST_SPOKEN_STATEMENT = 30, 6
"""Spoken statements this long are cut where the speaker moves on; a piece shorter than the second stays joined."""
_SPOKEN_MOVE_ON = re.compile(r"\s+(?=(?:um|uh|so|then|okay|ok|but|now|right)\s)", re.IGNORECASE)
_FILLER_ONLY = re.compile(r"(?:(?:and|so|um|uh|also|okay|ok|then|but|like|first|next)\s*)+", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?(?:\.[0-9]+)?")
_JOINED = re.compile(r"(?<=\w)[-_–](?=\w)")
_DIGIT_UNIT = re.compile(r"(?<=\d)(?=[a-z])")
_SPACES = re.compile(r"[ \t]+")


@lru_cache(maxsize=8192)
def normalize(text: str) -> str:
    """Lower-case, straight quotes, hyphens as spaces, digits split from units ("5tb" → "5 tb").

    Phrases and text go through the same function, so "trade-off" in a rubric matches
    "trade off" in an answer, and "10k QPS" shows both a number and "qps". Cached: every reader
    of an answer (topics, signals, misconceptions, relevance) normalises the same sentences.
    """
    t = text.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    t = _JOINED.sub(" ", t)
    t = _DIGIT_UNIT.sub(" ", t)
    return _SPACES.sub(" ", t)


def sentences(text: str) -> list[str]:
    """Split an answer into sentences and list items; keeps decimals like 99.9 and "e.g." intact."""
    return list(_sentences(text))


_ABBREVIATION = re.compile("|".join(re.escape(a) for a in _ABBREVIATIONS), re.IGNORECASE)


@lru_cache(maxsize=4096)
def _sentences(text: str) -> tuple[str, ...]:
    protected = _ABBREVIATION.sub(lambda m: m.group(0).replace(".", "\x00"), text)
    out = []
    for line in protected.splitlines():
        parts = _SENTENCE_BREAK.split(_BULLET.sub("", line))
        if len(parts) == 1 and not re.search(r"[.!?]", line) and len(line.split()) >= _UNPUNCTUATED_WORDS:
            parts = _spoken_clauses(line)
        for part in parts:
            part = part.replace("\x00", ".").strip()
            if part and re.search(r"[A-Za-z0-9]", part):
                out.append(part)
    return tuple(out)


def _spoken_clauses(line: str) -> list[str]:
    """Clauses of unpunctuated speech; a run of fillers ("and um") goes with the clause it opens."""
    clauses: list[str] = []
    carried = ""
    for part in _SPOKEN_BREAK.split(line):
        if _FILLER_ONLY.fullmatch(part.strip()):
            carried += part.strip() + " "
        else:
            clauses.extend(_spoken_statements(carried + part.strip()))
            carried = ""
    return clauses + ([carried.strip()] if carried.strip() else [])


def _spoken_statements(clause: str) -> list[str]:
    """A long spoken statement cut where the speaker moves on ("um", "so", "then", "okay"); a piece too short to say
    anything alone stays with the one before it."""
    if len(clause.split()) < _LONG_SPOKEN_CLAUSE:
        return [clause]
    pieces: list[str] = []
    for piece in _SPOKEN_MOVE_ON.split(clause):
        if pieces and (len(piece.split()) < _SHORTEST_SPOKEN_STATEMENT or len(pieces[-1].split()) < 2):
            pieces[-1] += " " + piece  # "um right" joins the statement before; an opening "sure" the one after
        else:
            pieces.append(piece)
    return pieces


def words(text: str) -> list[str]:
    return _WORD.findall(normalize(text))


def word_count(text: str) -> int:
    return len(words(text))


# --- phrases and topics ----------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _phrases_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation for a set of phrases: word-bounded, plural-tolerant, whitespace-tolerant."""
    bounded, other = [], []  # phrases starting and ending with a letter or digit share one boundary test
    for phrase in sorted({normalize(p).strip() for p in phrases if p.strip()}, key=len, reverse=True):
        body = r"\s+".join(re.escape(part) for part in phrase.split())
        last = phrase.split()[-1]
        if len(last) >= 3 and re.search(r"[^aeiou]y$", last):
            body = body[:-1] + r"(?:y|ies)"  # "celebrity" also finds "celebrities"
        elif len(last) >= 3 and phrase[-1].isalpha():
            body += r"(?:s|es)?"  # plurals: "cache" also finds "caches"
        if phrase[0].isalnum() and phrase[-1].isalnum():
            bounded.append(body)
            continue
        if phrase[0].isalnum():
            body = r"(?<![a-z0-9])" + body
        if phrase[-1].isalnum():
            body += r"(?![a-z0-9])"
        other.append(body)
    alternatives = other
    if bounded:
        alternatives = [r"(?<![a-z0-9])(?:" + "|".join(bounded) + r")(?![a-z0-9])", *other]
    if not alternatives:
        return re.compile(r"(?!x)x")
    return re.compile("|".join(alternatives))


def find_phrases(text: str, phrases: Iterable[str]) -> list[str]:
    """Every occurrence of any phrase in text, as it appears (normalised)."""
    return [m.group(0) for m in _phrases_pattern(tuple(phrases)).finditer(normalize(text))]


def has_phrase(text: str, phrases: Iterable[str]) -> bool:
    return _phrases_pattern(tuple(phrases)).search(normalize(text)) is not None


class Phrased(Protocol):
    """Anything recognised by its phrases: a rubric topic, a problem's extra topic."""

    @property
    def phrases(self) -> list[str]: ...

    @property
    def not_phrases(self) -> list[str]: ...


def _without(text: str, topic: Phrased) -> str:
    """The normalised text with the topic's look-alikes blanked out: "primary key" is no replica, so the "primary"
    inside it must not show replication."""
    if not topic.not_phrases:
        return text
    return _phrases_pattern(tuple(topic.not_phrases)).sub(lambda m: " " * len(m.group(0)), text)


def topic_positions(text: str, topics: Mapping[str, Phrased]) -> dict[str, int]:
    """Where each topic first shows in text (character offset), for the topics that show at all."""
    t = normalize(text)
    found = {}
    for key, topic in topics.items():
        m = _phrases_pattern(tuple(topic.phrases)).search(_without(t, topic))
        if m:
            found[key] = m.start()
    return found


def topics_in(text: str, topics: Mapping[str, Phrased]) -> set[str]:
    """Keys of the topics whose phrases occur in text (case-insensitive, on word boundaries)."""
    t = normalize(text)
    return {key for key, topic in topics.items() if _phrases_pattern(tuple(topic.phrases)).search(_without(t, topic))}


# --- reasoning signals -----------------------------------------------------------------------

_SCALE = r"(?:k|m|b|bn|mn|thousand|million|billion|trillion|hundred)"
_UNIT = (
    r"(?:%|percent|qps|rps|tps|ops|requests?|reqs?|writes?|reads?|queries|clicks?|redirects?|users?|urls?"
    r"|links?|messages?|posts?|events?|rows?|records?|items?|objects?|files?|photos?|videos?|orders?"
    r"|bytes?|kb|mb|gb|tb|pb|eb|kib|mib|gib|tib|bits?|kbps|mbps|gbps|ms|milliseconds?|seconds?|secs?|s"
    r"|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|yrs?|servers?|nodes?|machines?|shards?"
    r"|replicas?|partitions?|regions?|zones?|instances?|cores?|chars?|characters?|digits?|x|times|nines)"
)
_NUMBER = re.compile(
    r"(?<![a-z0-9.])(?:~|≈|about |around |roughly |approx(?:imately)? )?"
    r"(?P<num>\d+(?:[.,]\d+)*)"
    r"(?P<power>\s*(?:\^|\*\*)\s*\d+)?"
    r"(?P<ratio>\s*:\s*\d+|\s+to\s+1(?!\d|[.,]\d))?"
    r"(?P<scale>\s?" + _SCALE + r"(?![a-z]))?"
    r"(?P<unit>\s?(?:/|per )?\s?" + _UNIT + r"(?![a-z]))?"
)
_WORD_QUANTITY = re.compile(
    r"(?<![a-z])(?:(?:a|one|two|three|four|five|six|seven|eight|nine|ten|twenty|fifty|a few|several"
    r"|hundreds of|tens of|dozens of)\s+)?(?:hundred|thousand|million|billion|trillion)s?(?![a-z])"
)
_PERCENTILE = re.compile(r"(?<![a-z0-9])p(?:50|90|95|99|999)(?![a-z0-9])")


def quantities(text: str) -> list[str]:
    """Numbers that measure something: with a scale or unit ("10k QPS", "5 TB", "99.9%"), a ratio
    ("100:1", "100 to 1"), a power ("62^7"), a percentile ("p99") or a bare value of 1,000 or more.

    Labels are not quantities: list numbering ("1."), status codes ("302"), years ("2024").
    """
    t = normalize(text)
    found: list[str] = []
    for m in _NUMBER.finditer(t):
        num = m.group("num")
        value = float(num.replace(",", "")) if num.count(".") <= 1 else 0.0
        is_year = len(num) == 4 and 1900 <= value <= 2100
        unit = (m.group("unit") or "").strip()
        if re.fullmatch(r"[1-5]\d\d", num) and unit in ("redirect", "request"):
            continue  # an HTTP status: "a 302 redirect"
        measured = m.group("power") or m.group("ratio") or m.group("scale") or m.group("unit")
        if measured or (value >= 1000 and not is_year):
            found.append(m.group(0).strip())
    numeric_spans = [m.span() for m in _NUMBER.finditer(t)]
    found += [
        m.group(0)
        for m in _WORD_QUANTITY.finditer(t)
        if not any(a <= m.start() < b for a, b in numeric_spans)  # "3.5 trillion" already counted
    ]
    found += [m.group(0) for m in _PERCENTILE.finditer(t)]
    return found


_ARITHMETIC = re.compile(
    r"\d\s*(?:[x×*/÷=]|times|divided by|over|multiplied by)\s*[~≈]?\s*(?:(?:about|around|roughly|approximately)\s+)?\d"
    r"|\d\s*(?:[a-z][a-z/]{0,11}\s+){1,4}(?:x|×|times|divided by|multiplied by)\s+(?:(?:about|around|roughly)\s+|~)?\d"
    r"|[=≈]\s*[~]?\d|\bcomes to\b|\bworks out\b|\bthat gives\b|\bwhich gives\b|\bthat's about\b"
    r"|\bthat is about\b|\bso about\b|\bso roughly\b|\bround(?:ed)? (?:up|down|to)\b|\bmultiply\b|\bdivide\b"
    r"|\bseconds in a day\b|\b86,?400\b|\b10\^5\b|\b100k seconds\b"
)


def has_arithmetic(text: str) -> bool:
    """Shows working, not just a number: "100M / 86400 ≈ 1,200", "that comes to 5 TB"."""
    return _ARITHMETIC.search(normalize(text)) is not None


_CAUSAL = (
    "because", "since", "so that", "which means", "that means", "this means", "meaning", "therefore",
    "thus", "hence", "otherwise", "in order to", "so we", "so i", "so the", "so it", "so each", "so they",
    "so reads", "so writes", "so users", "so a", "so we can", "that way", "this way", "due to",
    "as a result", "the reason", "to avoid", "to reduce", "to keep", "to make sure", "to ensure",
    "to handle", "to prevent", "to minimise", "to minimize", "to spread", "to absorb", "to protect",
    "to guarantee", "to speed up", "to cut", "which lets", "which allows", "lets us", "allows us",
    "given that", "avoids", "reduces", "prevents", "which is why", "that's why", "so most",
)  # fmt: skip
_TRADEOFF = (
    "trade off", "tradeoff", "at the cost of", "at the expense of", "versus", "vs", "on the other hand",
    "but", "instead of", "rather than", "the downside", "downside", "drawback", "pros and cons", "cons",
    "whereas", "compared to", "compared with", "however", "in exchange", "the catch", "sacrifice",
    "we lose", "we give up", "costs more", "more expensive", "cheaper", "alternatively", "the alternative",
    "or we could", "the risk is", "the price is", "the cost is", "costs us", "we pay", "we accept",
    "worth it", "not worth", "in return", "at the price of", "more moving parts", "more things to run",
    "what we give up", "i'd rather", "i would rather", "better than", "worse than", "we trade",
    "unlike", "instead", "accepting", "i wouldn't", "i would not", "i'd avoid",
)  # fmt: skip
_FAILURE = (
    "retry", "retries", "retrying", "fallback", "fall back", "falls back", "timeout", "timeouts",
    "time out", "failover", "fail over", "fails over", "idempotent", "idempotency", "dead letter", "dlq",
    "circuit breaker", "backoff", "back off", "graceful degradation", "degrade", "degrades", "gracefully",
    "redundant", "redundancy", "at least once", "exactly once", "replay", "health check", "heartbeat",
    "single point of failure", "spof", "outage", "disaster recovery", "backup", "backups", "standby",
    "re drive", "compensate", "compensating",
)  # fmt: skip
_IF_FAILS = re.compile(
    r"\b(?:if|when|once|in case)\b[^.!?;]{0,60}?\b(?:fails?|failed|failing|goes down|go down|is down|are down"
    r"|crash(?:es|ed)?|dies|die|unavailable|unreachable|times out|time out|is lost|gets lost|is slow"
    r"|overloaded|partitioned|loses|lose)\b"
)
_FLOW = (
    "then", "first", "next", "after that", "goes to", "go to", "sends", "send it to", "forwards",
    "routes", "hits", "calls", "looks up", "look up", "reads from", "writes to", "returns", "responds",
    "pushes", "publishes", "consumes", "fetches", "passes", "redirects to", "checks", "->", "→",
)  # fmt: skip


_OPENING_SO = re.compile(
    r"^\W*(?:(?:okay|ok|right|well|um|uh|yeah|and|alright|sure)\W+)*so\b(?! that\b)", re.IGNORECASE
)
_MID_SO = re.compile(
    r"(?<=[a-z0-9%,;)] )(?<!and )(?<!or )so(?! (?:much|many|far|long|yeah|basically|um|uh|on)\b)(?![a-z0-9])"
)


_REASON_CLAUSE = re.compile(r"\b(?:because|since|so that|so|as)\b(?P<clause>[^,;.!?]*)", re.IGNORECASE)
_TOOL_VIRTUE = re.compile(
    r"\b(?:scal(?:es|able)|scale (?:horizontally|independently|out|well|infinitely|linearly)|fast|reliable"
    r"|(?:pretty |industry |the )?standard|popular|proven|battle tested|widely used|everyone uses|robust"
    r"|handles? (?:a lot|huge|massive|millions|billions|anything)|high throughput|performant)\b",
    re.IGNORECASE,
)
_OURS = re.compile(r"\b(?:we|we'd|we'll|our|us|i|i'd|my)\b|\d", re.IGNORECASE)


def _without_tool_virtues(text: str) -> str:
    """Drops reasons that hold for any system ("because Kafka scales to millions a second", "so every piece can
    scale independently"): a virtue of the tool with no figure and nothing of ours in it justifies no choice here."""

    def keep(m: re.Match[str]) -> str:
        clause = m.group("clause")
        return "" if _TOOL_VIRTUE.search(clause) and not _OURS.search(clause) else m.group(0)

    return _REASON_CLAUSE.sub(keep, text)


def causal_markers(text: str) -> list[str]:
    """Why-language: "because", "so that", "which means", "to avoid", "…, so every click…". A sentence that opens with
    "so" ("So we'll have a gateway, then…") is taking the floor, not giving a reason."""
    text = _without_tool_virtues(text)
    found = find_phrases(_OPENING_SO.sub("", text, count=1), _CAUSAL)
    if not found:
        found = [m.group(0) for m in _MID_SO.finditer(normalize(text))]  # "X, so Y": a consequence
    return found


def tradeoff_markers(text: str) -> list[str]:
    """Comparison-language: "trade-off", "instead of", "at the cost of", "but"…"""
    return find_phrases(text, _TRADEOFF)


def failure_markers(text: str) -> list[str]:
    """Failure-handling language: "if the cache fails", "retry", "failover", "idempotent"…"""
    t = normalize(text)
    return [m.group(0) for m in _IF_FAILS.finditer(t)] + find_phrases(t, _FAILURE)


def flow_markers(text: str) -> list[str]:
    """How a request moves: "goes to", "then", "looks up", "->"…"""
    t = normalize(text)
    arrows = re.findall(r"->|→|=>", t)
    return find_phrases(t, [f for f in _FLOW if f[0].isalpha()]) + arrows


@dataclass(frozen=True)
class Signals:
    """The reasoning one sentence or answer shows, by kind."""

    quantities: tuple[str, ...] = ()
    causal: tuple[str, ...] = ()
    tradeoff: tuple[str, ...] = ()
    failure: tuple[str, ...] = ()
    flow: tuple[str, ...] = ()
    arithmetic: bool = False

    @property
    def kinds(self) -> frozenset[str]:
        """Which kinds are present: quantity, causal, tradeoff, failure, flow, arithmetic."""
        present = {
            "quantity": bool(self.quantities),
            "causal": bool(self.causal),
            "tradeoff": bool(self.tradeoff),
            "failure": bool(self.failure),
            "flow": bool(self.flow),
            "arithmetic": self.arithmetic,
        }
        return frozenset(k for k, v in present.items() if v)

    @property
    def reasoning(self) -> int:
        """How many kinds of *reasoning* show (flow alone describes, it does not justify)."""
        return len(self.kinds - {"flow", "arithmetic"})


def signals(text: str) -> Signals:
    return Signals(
        quantities=tuple(quantities(text)),
        causal=tuple(causal_markers(text)),
        tradeoff=tuple(tradeoff_markers(text)),
        failure=tuple(failure_markers(text)),
        flow=tuple(flow_markers(text)),
        arithmetic=has_arithmetic(text),
    )


# --- answer quality --------------------------------------------------------------------------


def _word_set(spec: str) -> frozenset[str]:
    """A set from a whitespace-separated string: long word lists stay readable."""
    return frozenset(spec.split())


STOPWORDS = _word_set(
    "a an the and or but if then so of to in on at by for with from as is are was were be been being it its "
    "this that these those i i'd i'll i'm we we'd we'll you they he she them us our my your their "
    "do does did "
    "have has had just maybe probably would could should will can may might some any all use using used like "
    "yes no ok okay yeah sure well um uh er hmm thing things stuff something think guess need want get go "
    "there here what which who how why when where not very really also"
)
_HEDGES = (
    "it depends", "depends on", "something like", "not sure", "maybe just", "maybe use", "just use",
    "i guess", "i suppose", "probably just", "some kind of", "some sort of", "whatever", "stuff like that",
    "things like that", "and stuff", "etc", "and so on", "or something", "i think maybe", "no idea",
    "don't know", "dont know", "not really sure", "hard to say",
)  # fmt: skip
_STUCK = (
    "i don't know", "i dont know", "i do not know", "don't know", "not sure", "no idea", "i'm stuck",
    "i am stuck", "stuck", "hint", "help me", "not familiar", "no clue", "can't think", "cannot think",
    "blanking", "i have no", "never done", "never worked with",
)  # fmt: skip


def hedges(text: str) -> list[str]:
    return find_phrases(text, _HEDGES)


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS and len(w) > 2]


def is_vague(text: str) -> bool:
    """Too thin to assess: very short without a number, hedged without reasoning, or no content.

    "I'd use a database" and "it depends" are vague; "40 writes/s, 4k reads/s" is short but not.
    """
    ws = words(text)
    if not ws:
        return True
    sig = signals(text)
    if sig.reasoning >= 2:
        return False
    if len(content_words(text)) < 2 and not sig.quantities:
        return True
    if len(ws) < 6 and not sig.quantities:
        return True
    return bool(hedges(text)) and sig.reasoning == 0 and len(ws) < 40


def is_stuck(text: str) -> bool:
    """The candidate says they don't know or asks for help, and gives nothing concrete instead."""
    if not has_phrase(text, _STUCK):
        return False
    sig = signals(text)
    return len(words(text)) < 30 and not sig.quantities and sig.reasoning < 2


TECH_TERMS = _word_set(
    """
    redis memcached memcache cache caches caching cdn cloudfront akamai fastly kafka rabbitmq sqs sns kinesis
    pubsub queue queues cassandra dynamodb mongodb mongo postgres postgresql mysql sql nosql sqlite hbase
    bigtable spanner cockroachdb elasticsearch solr s3 gcs hdfs spark flink hadoop zookeeper etcd consul
    kubernetes k8s docker nginx haproxy envoy lb microservice microservices serverless lambda grpc rest
    graphql websocket websockets database databases db dbs sharding shards shard replication replicas
    replica partitioning partitions balancer balancers cluster clusters snowflake base62 kgs cqrs saga
    sidecar istio prometheus grafana datadog oauth jwt tls https ssl cron worker workers server servers
    stream streams streaming hashing index indexes mq broker gateway
    """
)
_TECH_PHRASES = (
    "load balancer", "api gateway", "consistent hashing", "bloom filter", "object store", "object storage",
    "blob storage", "rate limiter", "message queue", "app server", "key value store", "read replica",
    "service mesh", "event bus",
)  # fmt: skip
_LIST_SPLIT = re.compile(r",|;|\n|\s\+\s|\s/\s|\band\b|\s&\s|•|(?:^|\s)-\s|\|")
_LEAD_IN = re.compile(
    r"^(?:so\s+|well\s+|ok(?:ay)?\s+)?(?:i'd use|i would use|i'd add|we'd use|we use|use|using|i'll use|"
    r"we need|we'd need|i'd have|we have|plus|also|maybe|then|with|i'd go with|we can use)\s+"
)
_VERBISH = re.compile(
    r"\b(?:is|are|was|were|be|goes|go|sends|send|reads|writes|stores|store|returns|handles|handle|"
    r"keeps|keep|lets|let|makes|make|gives|give|takes|take|routes|serves|serve|holds|hold|"
    r"scales|scale|spreads|spread|checks|check|looks|look|puts|put|calls|call|works|work|"
    r"can|should|must|will|would|could|need|needs|has|have|contains|contain|creates|create|gets|get|"
    r"uses|use|using|sees|see|opens|open|pastes|paste|expires|expire|redirects|redirect|shortens|"
    r"shorten|lives|live|keyed|indexed|stored|cached|sharded|replicated|partitioned|hashed|encoded|"
    r"generated|deleted|counted|served|sent|written|read by|want|wants|allow|allows|lets|let's)\b"
)


def has_verb(text: str) -> bool:
    """Whether a statement says something happens, rather than naming things."""
    return _VERBISH.search(normalize(text)) is not None


def is_bare_list(text: str) -> bool:
    """An enumeration of short noun phrases with no verb and no reasoning ("QPS, storage, TB, peak").

    Unlike is_buzzword_list it needs no technology words, so it also catches lists of topic names
    ("functional requirements, latency, scope"). A list of measured results ("40 writes/s, 4k
    reads/s, 3 TB") is not bare: the numbers are the content.
    """
    items = list_items(text)
    if len(items) < 3 or has_verb(text):
        return False
    if len([i for i in items if len(i.split()) <= 3]) < 0.7 * len(items):
        return False
    return len(quantities(text)) < 2 and not _reasoned_list(text, items)


def _reasoned_list(text: str, items: list[str]) -> bool:
    """Whether a list carries reasoning: working shown, or a clause (more than three words) with a
    "because", a trade-off or a failure plan. "failover, retries" names things; it plans nothing."""
    if has_arithmetic(text):
        return True
    return any(
        len(item.split()) > 3 and (causal_markers(item) or tradeoff_markers(item) or failure_markers(item))
        for item in items
    )


def list_items(text: str) -> list[str]:
    """Pieces of a comma/newline/"and"-separated enumeration, lead-ins like "I'd use" removed."""
    items = []
    for raw in _LIST_SPLIT.split(normalize(text)):
        item = _LEAD_IN.sub("", raw.strip(" .!?:()[]\"'*"))
        item = re.sub(r"^(?:a|an|the|some)\s+", "", item).strip()
        if item:
            items.append(item)
    return items


def is_buzzword_list(text: str, extra_terms: Iterable[str] = ()) -> bool:
    """Mostly technology nouns in a list, with no why/how: "Redis, Kafka, Cassandra, a CDN".

    extra_terms adds domain nouns (a problem's components) to the built-in technology list.
    """
    items = list_items(text)
    if len(items) < 3 or _reasoned_list(text, items):
        return False
    short = [i for i in items if len(i.split()) <= 4]
    if len(short) < 0.7 * len(items):
        return False
    terms = (*_TECH_PHRASES, *(t for t in extra_terms if t.strip()))
    techy = [i for i in items if set(i.split()) & TECH_TERMS or has_phrase(i, terms)]
    verbs = len(_VERBISH.findall(normalize(text)))
    return len(techy) >= 0.6 * len(items) and verbs <= len(items) // 3


# --- questions -------------------------------------------------------------------------------

_QUESTION_START = re.compile(
    r"^(?:(?:so|and|also|ok(?:ay)?|um|uh|then)\s+)*(?:quick question\s*:?\s*)?"
    r"(?:how|what|which|who|when|where|why|should|shall|do|does|did|is|are|was|were|can|could|would|will|may"
    r"|might|am|any|have|has)\b"
)
_NOT_A_QUESTION = re.compile(
    r"^(?:what|how|where|why|which)\s+(?:i|we|you|this|that|it)\b|^which (?:means|is why|lets|gives)\b"
    r"|^(?:when|where)\s+(?!(?:do|does|did|is|are|was|were|will|would|should|can|could|must|shall)\b)"
)  # "when a user opens the app, we query…" is a statement; "when do links expire" asks
_CHECK_IN = (
    "make sense", "makes sense", "sound good", "sounds good", "sound ok", "sound okay", "sound reasonable",
    "is that ok", "is that okay", "is that fine", "is that reasonable", "is that right", "is that correct",
    "does that work", "any questions", "should i continue", "shall i continue", "should i go on",
    "should i go deeper", "want me to", "should i go into", "good so far", "can i continue",
    "should i keep going", "does that answer", "is that what you",
)  # fmt: skip
_SHORT_CHECK_IN = _word_set("right ok okay correct agreed fair yes good")


def question_sentences(text: str) -> list[str]:
    """The sentences of an answer that ask something."""
    out = []
    for s in sentences(text):
        first = normalize(s).strip()
        starts_like_one = _QUESTION_START.match(first) and not _NOT_A_QUESTION.match(first)
        tagged = not starts_like_one and _TAG_QUESTION.search(s) and len(words(s)) >= STATEMENT_BEFORE_A_TAG
        if (s.rstrip().endswith("?") and not tagged) or (starts_like_one and len(words(s)) <= 20):
            out.append(s)
    return out


_TAG_QUESTION = re.compile(
    r"[,;]\s*(?:if that'?s (?:ok(?:ay)?|fine|all ?right)|right|ok(?:ay)?|yes|correct|agreed"
    r"|(?:does|would) that (?:work|make sense|be (?:ok(?:ay)?|fine|fair))"
    r"|is that (?:ok(?:ay)?|fine|fair|right|reasonable)"
    r"|sounds? (?:good|ok(?:ay)?|right|fair)|makes? sense|fair)\s*\?\s*$",
    re.IGNORECASE,
)
STATEMENT_BEFORE_A_TAG = 8
"""A statement with a tag ("I'd leave out search and shipping, if that's okay?") states; only the tag asks."""


def is_check_in(sentence: str) -> bool:
    """ "Does that make sense?" — asks for a nod, not for information."""
    ws = words(sentence)
    if len(ws) <= 3 and ws and set(ws) <= _SHORT_CHECK_IN | {"is", "that", "it", "so", "far", "sounds"}:
        return True
    return len(ws) <= 8 and has_phrase(sentence, _CHECK_IN)


def is_question(text: str) -> bool:
    """The candidate asks something: a sentence ends with "?" or starts like a question."""
    return bool(question_sentences(text))


# --- communication ---------------------------------------------------------------------------

_FILLERS = (
    "um", "umm", "uh", "uhm", "erm", "er", "ah", "hmm", "you know", "i mean", "basically", "literally",
    "so yeah", "sort of", "kind of",
)  # fmt: skip
_NOT_FILLER_BEFORE_KIND = _word_set("what which this that some any the a each every one another same")
_LIKE_FILLER = re.compile(r"(?:^|[,.]\s*)like,|,\s*like\s")
_STRUCTURE = (
    "first", "firstly", "then", "second", "secondly", "third", "thirdly", "finally", "lastly", "to summarize",
    "to summarise", "in summary", "let me start", "let's start", "i'll start", "step one", "step two",
    "on one hand", "overall", "next", "moving on", "let me walk", "i'll walk", "two things", "three things",
    "a few things", "at a high level",
)  # fmt: skip


def fillers(text: str) -> list[str]:
    """Filler words and phrases ("um", "you know", ", like,"); "what kind of" is not a filler."""
    t = normalize(text)
    found = []
    for m in _phrases_pattern(_FILLERS).finditer(t):
        phrase = m.group(0)
        if phrase in ("kind of", "sort of"):
            before = t[: m.start()].split()
            if before and before[-1] in _NOT_FILLER_BEFORE_KIND:
                continue
        found.append(phrase)
    found += ["like"] * len(_LIKE_FILLER.findall(t))
    return found


def structure_markers(text: str) -> list[str]:
    """Signposts that organise an answer: "first", "then", "finally", numbered or bulleted lines."""
    markers = find_phrases(text, _STRUCTURE)
    markers += [m.strip() for m in re.findall(r"(?m)^\s*(?:\d+[.)]|[-*•])\s", text)]
    return markers


# --- numeric claims --------------------------------------------------------------------------
#
# "1,000 links a day", "10k QPS", "200M daily active users": a number, what it counts and, for a
# rate, per what period. The interviewer compares such claims with the figures a problem states
# (core.content.problems.Fact.figures, named like "new_links_per_month") and asks the candidate to
# re-check one that is off by an order of magnitude. Reading is deliberately conservative: a
# number scoped to one entity ("per user", "each shard"), a limit ("up to", "quota") or a
# hypothetical ("if", "at 10x") is not a claim about the whole system, and is skipped.

PERIOD_SECONDS: dict[str, float] = {
    "second": 1.0,
    "minute": 60.0,
    "hour": 3600.0,
    "day": 86400.0,
    "week": 7 * 86400.0,
    "month": 30 * 86400.0,
    "year": 365 * 86400.0,
}
_PERIOD_WORDS: dict[str, str] = {
    **{w: "second" for w in ("s", "sec", "secs", "second", "seconds")},
    **{w: "minute" for w in ("min", "mins", "minute", "minutes")},
    **{w: "hour" for w in ("h", "hr", "hrs", "hour", "hours")},
    **{w: "day" for w in ("d", "day", "days")},
    **{w: "week" for w in ("wk", "week", "weeks")},
    **{w: "month" for w in ("mo", "month", "months")},
    **{w: "year" for w in ("yr", "yrs", "year", "years")},
}
_PERIOD_ADVERBS = {
    "hourly": "hour",
    "daily": "day",
    "weekly": "week",
    "monthly": "month",
    "yearly": "year",
    "annually": "year",
}
_SCALE_VALUES = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "trillion": 1e12,
}
GENERIC_RATE_NOUNS = _word_set("request query call hit op operation write read lookup transaction")
"""Heads that can mean any of a problem's rates: "10 QPS" may be reads or writes."""
KIND_QUALIFIERS = _word_set("daily monthly concurrent online simultaneous distinct unique active")
"""Words that change what a count means: 5 million *concurrent* users are not 5 million *daily* users."""
_NOUN_ALIASES = {
    "url": "link",
    "people": "user",
    "person": "user",
    "viewer": "user",
    "shopper": "user",
    "customer": "user",
    "fan": "user",
    "member": "user",
    "msg": "message",
    "trip": "ride",
    "tweet": "post",
    "req": "request",
}
_ACRONYMS: dict[str, tuple[str, tuple[str, ...], str | None]] = {  # word -> (head, qualifiers, period)
    "qps": ("request", (), "second"),
    "rps": ("request", (), "second"),
    "tps": ("transaction", (), "second"),
    "dau": ("user", ("daily", "active"), None),
    "daus": ("user", ("daily", "active"), None),
    "mau": ("user", ("monthly", "active"), None),
    "maus": ("user", ("monthly", "active"), None),
}
_PARTICIPLES = _word_set(
    "made sent created shortened generated posted uploaded written read served placed booked processed "
    "fetched crawled downloaded delivered published issued"
)
_LINKING = _PARTICIPLES | _word_set("is are was were be being get gets")
_NOT_NOUN = STOPWORDS | _word_set(
    "per every each over under about around roughly nearly almost than more less within across into after before"
)
_CLAIM_NUMBER = re.compile(
    r"(?<![\w.,:/^])(?:(?:about|around|roughly|approximately|approx|nearly|almost|only|just|over|under|maybe)\s+"
    r"|[~≈]\s?)?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d,]*%)"
    r"(?:\s?(?P<scale>k|m|mn|b|bn|thousand|million|billion|trillion)(?![a-z0-9]))?"
)
_HTTP_STATUS = re.compile(r"\s*(?:redirect|response|status|error|code)(?![a-z])")
_TOKEN = re.compile(r"\s*(/|[a-z][a-z']*)")
_PERIOD_AFTER = re.compile(
    r"\s*(?:/\s?|(?:per|a|an|each|every|in\s+a|in\s+an)\s+)(?P<unit>[a-z]+)(?![a-z])|\s+(?P<adverb>[a-z]+ly)(?![a-z])"
)
_CLAUSE_END = re.compile(
    r"[.!?;:](?=\s|$)|\n|,(?!\d)|[()—–]|\s-\s|\s(?:so|but|which|whereas|while|because|since|although)\s"
)
_ENTITY_NOUNS = (
    "user|client|customer|key|api key|account|host|site|website|domain|driver|rider|shard|server|node|machine"
    "|instance|link|url|page|video|post|message|ip|person|device|shopper|seller|buyer|team|region|partition"
    "|celebrity|viewer|fan|creator|follower|group|conversation|query|search|request|session|event|order"
)
_SCOPED = re.compile(
    r"\b(?:per|each|every|single)\b(?!\s+(?:s|secs?|seconds?|mins?|minutes?|hrs?|hours?|days?|weeks?|months?"
    r"|years?|yrs?)\b)(?!\s+\d)"
    r"|\b(?:a|an|one|the average|an average|the typical|a typical|the median|a median)\s+(?:[a-z]+\s+)?"
    r"(?:" + _ENTITY_NOUNS + r")s?\b"
    r"|\b(?:anonymous|registered|free|paid|premium|enterprise|individual|signed in|logged in)\s+"
    r"(?:users?|keys?|clients?|accounts?|customers?|plans?|tiers?)\b"
)
_HYPOTHETICAL = re.compile(
    r"\b(?:if|suppose|supposing|imagine|say we|what if|grow(?:s|ing)? to|grew to|scal(?:es|ing)? to|ten times"
    r"|\d+\s?x)\b|\btimes (?:more|the|today|our|as)\b"
)
_LIMIT = re.compile(
    r"\b(?:limit|limits|limited|limiting|quota|quotas|allowed|allow|allows|at most|up to|cap|capped|caps|max"
    r"|maximum|throttle|throttled|throttling|budget|tier|tiers)\b"
)


@dataclass(frozen=True)
class NumericClaim:
    """A number that counts something, with the period when it is a rate."""

    value: float
    head: str  # canonical singular head noun: "link", "user", "request"
    qualifiers: frozenset[str] = frozenset()
    period: str | None = None  # a PERIOD_SECONDS key; None for a plain count
    text: str = ""  # as written: "about 1,000 links a day"
    peak: bool = False

    @property
    def per_second(self) -> float | None:
        return self.value / PERIOD_SECONDS[self.period] if self.period else None

    @property
    def generic(self) -> bool:
        return self.head in GENERIC_RATE_NOUNS

    def comparable(self, figure: NumericClaim) -> bool:
        """Whether this claim and a stated figure measure the same thing (so their sizes compare)."""
        if (self.period is None) != (figure.period is None):
            return False
        if self.generic and self.period is not None:
            return True  # "10 QPS" can mean any of the rates
        if self.head != figure.head:
            return False
        return (self.qualifiers & KIND_QUALIFIERS) <= figure.qualifiers

    def magnitude(self) -> float:
        """What claims are compared on: per second for a rate, the value for a count."""
        per_second = self.per_second
        return self.value if per_second is None else per_second


def figure_distances(claim: NumericClaim, figures: Sequence[NumericClaim]) -> list[tuple[float, int]]:
    """How far the claim is from each stated figure it can mean: (orders of magnitude, index), in
    the figures' order. "Flash sale requests" means the flash-sale figures when there are any; an
    unqualified "users" means a plain user count when one is stated, else any user figure."""
    if claim.value <= 0:
        return []
    options = [i for i, f in enumerate(figures) if claim.comparable(f) and f.value > 0]
    named = claim.qualifiers - KIND_QUALIFIERS
    if named and any(named & figures[i].qualifiers for i in options):
        options = [i for i in options if named & figures[i].qualifiers]
    if not claim.qualifiers & KIND_QUALIFIERS and any(not figures[i].qualifiers & KIND_QUALIFIERS for i in options):
        options = [i for i in options if not figures[i].qualifiers & KIND_QUALIFIERS]
    return [(abs(math.log10(claim.magnitude() / figures[i].magnitude())), i) for i in options]


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us")) and len(word) > 3:
        return word[:-1]
    return word


def canonical_noun(word: str) -> str:
    """ "URLs" → "link", "queries" → "query", "people" → "user": the head noun claims are matched on."""
    word = word.lower().strip("'")
    if word.endswith("'s"):
        word = word[:-2]
    word = _NOUN_ALIASES.get(word, word)
    return _NOUN_ALIASES.get(_singular(word), _singular(word))


def _lowered(text: str) -> str:
    """Lower case with the same length as text, so a match's span quotes the original."""
    t = text.lower()
    if len(t) != len(text):  # a few Unicode letters change length when lower-cased
        t = "".join(ch.lower()[:1] or " " for ch in text)
    t = t.replace("’", "'").replace("‘", "'")
    return re.sub(r"(?<=\w)[-_–](?=\w)", " ", t)


def _clause_span(t: str, pos: int) -> tuple[int, int]:
    """The clause around pos: "each user sends 40 messages a day, so 8 billion a day" has two."""
    start = 0
    for m in _CLAUSE_END.finditer(t, 0, pos):
        start = m.end()
    end = _CLAUSE_END.search(t, pos)
    return start, (end.start() if end else len(t))


def numeric_claims(text: str, *, whole_system_only: bool = True) -> list[NumericClaim]:
    """Counted quantities in text: "1,000 links a day", "10k QPS", "200M daily active users".

    With whole_system_only (the default), numbers in clauses that scope them to one entity
    ("per user", "each shard", "a single link"), state a limit ("up to", "quota") or a
    hypothetical ("if", "at 10x") are left out: they are not claims about the system's size.
    """
    t = _lowered(text)
    claims: list[NumericClaim] = []
    for m in _CLAIM_NUMBER.finditer(t):
        try:
            value = float(m.group("num").replace(",", ""))
        except ValueError:
            continue
        value *= _SCALE_VALUES.get(m.group("scale") or "", 1.0)
        parsed = _noun_and_period(t, m.end()) or _bare_rate(t, m.end(), claims)
        if parsed is None:
            continue
        head, qualifiers, period, end = parsed
        if re.fullmatch(r"[1-5]\d\d", m.group("num")) and not m.group("scale") and _HTTP_STATUS.match(t, m.end()):
            continue  # an HTTP status: "a 302 redirect" (but "200 redirects" are counted)
        if whole_system_only:
            c0, c1 = _clause_span(t, m.start())
            clause = t[c0:c1]
            if _SCOPED.search(clause) or _HYPOTHETICAL.search(clause) or _LIMIT.search(clause):
                continue
        claims.append(
            NumericClaim(
                value=value,
                head=head,
                qualifiers=frozenset(qualifiers - {"peak"}),
                period=period,
                text=" ".join(text[m.start() : end].split()),
                peak="peak" in qualifiers,
            )
        )
    return claims


def _bare_rate(t: str, pos: int, before: list[NumericClaim]) -> tuple[str, set[str], str | None, int] | None:
    """A rate said without its noun counts what the claim before it counted: "10 million payments a day, roughly 115
    per second; the peak is about 1,000 per second" states three rates of payments."""
    pm = _PERIOD_AFTER.match(t, pos)
    if not before or not pm or pm.group("unit") not in _PERIOD_WORDS:
        return None
    return before[-1].head, set(before[-1].qualifiers), _PERIOD_WORDS[pm.group("unit")], pm.end()


def _noun_and_period(t: str, pos: int) -> tuple[str, set[str], str | None, int] | None:
    """What the number at pos counts: (head, qualifiers, period, end of the claim) or None."""
    words: list[str] = []
    end = pos
    while len(words) < 3:
        m = _TOKEN.match(t, end)
        if not m or m.group(1) == "/":
            break
        w = m.group(1)
        if w in _PERIOD_ADVERBS:
            nxt = _TOKEN.match(t, m.end())
            if words or not nxt or nxt.group(1) in _NOT_NOUN or nxt.group(1) in _PERIOD_ADVERBS:
                break  # "messages daily": the period, not a qualifier
        elif w in _NOT_NOUN or (words and (w in _PARTICIPLES or _VERBISH.fullmatch(w))):
            break  # the first word may double as a verb ("40 writes", "4,000 redirects"); later ones end the noun
        words.append(w)
        end = m.end()
        if w in _ACRONYMS:
            break
    if not words:
        return None
    last = words[-1]
    qualifiers = set(words[:-1])
    period: str | None = None
    if last in _ACRONYMS:
        head, extra, period = _ACRONYMS[last]
        qualifiers |= set(extra)
    else:
        head = canonical_noun(last)
        if head in _PERIOD_WORDS or head in ("percent", "x", "times"):
            return None  # "5 years", "2.6 million seconds": a duration, not a count
    after = end
    for _ in range(2):  # "links created a day", "products are added each day"
        skip = _TOKEN.match(t, after)
        if not skip or not (skip.group(1) in _LINKING or (len(skip.group(1)) > 4 and skip.group(1).endswith("ed"))):
            break
        after = skip.end()
    pm = _PERIOD_AFTER.match(t, after)
    if pm:
        unit = pm.group("unit")
        adverb = pm.group("adverb")
        if unit and unit in _PERIOD_WORDS:
            period, end = _PERIOD_WORDS[unit], pm.end()
        elif adverb and adverb in _PERIOD_ADVERBS:
            period, end = _PERIOD_ADVERBS[adverb], pm.end()
    return head, qualifiers, period, end


def figure_claim(name: str, value: float) -> NumericClaim:
    """A problem's named figure as a claim: "peak_redirects_per_second" → redirects, per second, peak.

    Names are lower-case words joined by "_": optional "peak", the counted noun (with qualifiers
    such as "daily_active"), then "per_<period>" for a rate. Raises ValueError for a bad name.
    """
    parts = name.split("_")
    if not re.fullmatch(r"[a-z]+(?:_[a-z]+)*", name):
        raise ValueError(f"figure name {name!r} must be lower-case words joined by '_'")
    period = None
    if len(parts) >= 3 and parts[-2] == "per":
        if parts[-1] not in PERIOD_SECONDS:
            raise ValueError(f"figure {name!r}: unknown period {parts[-1]!r} (use one of {', '.join(PERIOD_SECONDS)})")
        period, parts = parts[-1], parts[:-2]
    peak = "peak" in parts
    noun = [p for p in parts if p != "peak"]
    if not noun or "per" in noun:
        raise ValueError(f"figure {name!r} names no counted noun (like 'new_links_per_month')")
    head = noun[-1]
    if head in _ACRONYMS:
        head, extra, acronym_period = _ACRONYMS[head]
        noun = noun[:-1] + list(extra)
        period = period or acronym_period
    else:
        head = canonical_noun(head)
    if value <= 0:
        raise ValueError(f"figure {name!r} must be positive")
    return NumericClaim(
        value=value,
        head=head,
        qualifiers=frozenset(noun[:-1]),
        period=period,
        text=describe_figure(name, value),
        peak=peak,
    )


def describe_figure(name: str, value: float) -> str:
    """ "peak_redirects_per_second", 20000 → "20,000 redirects per second at peak"."""
    parts = name.split("_")
    period = None
    if len(parts) >= 3 and parts[-2] == "per":
        period, parts = parts[-1], parts[:-2]
    peak = "peak" in parts
    noun = " ".join(p for p in parts if p != "peak")
    per = {None: "", "second": " per second", "hour": " an hour"}.get(period, f" a {period}")
    return f"{format_number(value)} {noun}{per}{' at peak' if peak else ''}"


def format_number(value: float) -> str:
    """1e8 → "100 million", 1.5e9 → "1.5 billion", 4000 → "4,000", 0.5 → "0.5"."""
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if value >= size:
            return f"{value / size:.3g} {word}"
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.2g}"
