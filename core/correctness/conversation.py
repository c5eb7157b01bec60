"""How the candidate takes part: refusals, pasted repeats, markup and junk.

None of these is about being right, but each changes what an answer is worth: a refusal to
estimate shows no estimation, the ninth paste of one paragraph shows nothing new, and
`<script>alert(1)</script>` is never evidence of anything.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz, process

from core.content.number_words import with_digits
from core.content.text_signals import content_words, normalize, quantities, sentences, word_count, words

REPEAT_SIMILARITY = 0.85
"""Two sentences this alike (normalised Levenshtein similarity) are the same sentence said again."""
MIN_REPEAT_WORDS = 6
"""Short sentences ("Yes, that's right.") repeat naturally; only longer ones count."""

_MARKUP = re.compile(
    r"<\s*(script|style)\b[^>]*>.*?<\s*/\s*\1\s*>"  # a whole script or style block, content and all
    r"|<\s*/?\s*(?:script|img|iframe|svg|style|object|embed|link|meta|a|div|span|p|b|i|br|html|body)\b[^>]*>"
    r"|<!--.*?-->|javascript:|\bon(?:error|load|click)\s*=|```|^\s{0,3}#{1,6}\s|\*\*|__|\[\w+\]\(|&(?:lt|gt|amp|#\d+);",
    re.IGNORECASE | re.MULTILINE | re.DOTALL,
)
_INJECTION = re.compile(
    r"^\s*(?:system|assistant|developer)\s*:|ignore (?:all |the )?(?:previous|prior|above) instructions"
    r"|give (?:me |every (?:competency|category) |all )(?:a )?(?:5|five|full marks|top marks)",
    re.IGNORECASE | re.MULTILINE,
)
_NOISE = re.compile(r"(?:[^\w\s]{4,}|\b[a-z0-9+/]{40,}={0,2}\b|\b(?:lorem ipsum|asdf\w*|qwerty)\b)", re.IGNORECASE)
_REFUSAL = re.compile(
    r"\b(?:i(?: won't| will not| wouldn't| would not| don't want to| do not want to| refuse to| can't be bothered to|"
    r" don't need to| do not need to|'d rather not| would rather not|'m not going to| am not going to) "
    r"(?:\w+ ){0,2}(?:estimate|calculate|compute|do (?:the )?(?:math|maths|numbers|estimat\w*)|guess|answer|go into|"
    r"get into|bother|discuss|speculate)"
    r"|(?:it |that |this |numbers? )?(?:doesn't|does not|don't) (?:really )?matter"
    r"|(?:not|never) (?:important|relevant|worth (?:it|doing|estimating|discussing))"
    r"|(?:skip|pass on) (?:the |this |that )?(?:numbers|estimat\w*|math|maths|question)"
    r"|no need to (?:estimate|calculate|worry|think about|plan for|discuss)"
    r"|(?:i )?don't see why (?:it|that|this) matters"
    r"|let the (?:cloud|provider|vendor) (?:handle|worry|deal)|(?:the )?cloud(?: provider)?(?:'s| is) (?:job|problem)"
    r"|no idea,? (?:and|but) (?:it|that) doesn't matter|whatever the numbers are)\b",
    re.IGNORECASE,
)


_DISMISSES = re.compile(r"(?:it |that |this |numbers? )?(?:doesn't|does not|don't) (?:really )?matter", re.IGNORECASE)


_SKIPS_SCOPING = re.compile(
    r"\b(?:(?:go|get|jump|dive|move|skip|head)(?: ahead)? (?:straight|right|directly) (?:in)?to (?:the )?"
    r"(?:architecture|design|drawing|solution|boxes|components)|skip (?:ahead|the (?:questions|requirements|scoping))"
    r"|(?:it's|it is|that's|that is|i think it's) (?:clear|obvious) enough|nothing (?:to|i need to) (?:clarify|ask)"
    r"|(?:i'll|i will) pick (?:things|it|the rest) up as i go|no questions(?:,| for now| from me)"
    r"|(?:let me|i'll) start (?:drawing|with the (?:architecture|design|boxes)))\b",
    re.IGNORECASE,
)


def skips_scoping(text: str) -> bool:
    """Says it will go straight to the design instead of clarifying ("I'll skip ahead and get the architecture on
    the board"): the rubric's lowest requirements level, whatever the design that follows is worth."""
    return _SKIPS_SCOPING.search(text) is not None


ECHO_SHARE, MIN_ECHO_WORDS = 0.6, 10
RESTATED_SHARE, MIN_RESTATED_WORDS = 0.85, 5


def echoes(sentence: str, interviewer_said: str) -> bool:
    """Says back the interviewer's own words in their order ("so the requirements are: as the user types, a short
    list of suggested queries appears..."): most of its three-word runs were the interviewer's, so the restatement
    adds nothing of the candidate's."""
    runs = _word_runs(sentence)
    if word_count(sentence) < MIN_ECHO_WORDS or not runs:
        return False
    return len(runs & _word_runs(interviewer_said)) >= ECHO_SHARE * len(runs)


def restates(sentence: str, brief: str) -> bool:
    """Says the brief back in other words ("In scope are uploading, transcoding, storage and playback"): nearly every
    content word of the sentence was the brief's, so it adds nothing the candidate worked out or asked for."""
    mine = {_stem(w) for w in content_words(sentence)}
    return len(mine) >= MIN_RESTATED_WORDS and len(mine & _stems(brief)) >= RESTATED_SHARE * len(mine)


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word


@lru_cache(maxsize=64)
def _stems(text: str) -> frozenset[str]:
    return frozenset(_stem(w) for w in content_words(text))


@lru_cache(maxsize=64)
def _word_runs(text: str) -> frozenset[tuple[str, ...]]:
    """Three-word runs; cached, as every scoping sentence is compared with the same interviewer text."""
    said = words(text)
    return frozenset(tuple(said[i : i + 3]) for i in range(len(said) - 2))


def clean(text: str) -> str:
    """Text without markup, injected instructions or noise, its numbers said in words written as digits: what may be
    read and quoted."""
    out = _MARKUP.sub(" ", text)
    out = "\n".join(line for line in out.splitlines() if not _INJECTION.search(line))
    out = _NOISE.sub(" ", out)
    return with_digits(re.sub(r"[ \t]+", " ", out).strip())


def junk_in(text: str) -> list[str]:
    """The pieces of text that are markup, injected instructions or noise."""
    found = [m.group(0).strip() for m in _MARKUP.finditer(text)]
    text = _MARKUP.sub(" ", text)
    found += [line.strip() for line in text.splitlines() if _INJECTION.search(line)]
    found += [m.group(0) for m in _NOISE.finditer(text)]
    return [f for f in found if f]


def refusals_in(text: str) -> list[str]:
    """The sentences that decline to answer ("I won't estimate", "doesn't matter"). A sentence that works a figure out
    before judging it ("10 MB a second at peak, so bandwidth doesn't matter") answered."""
    return [
        " ".join(s.split())
        for s in sentences(text)
        if (m := _REFUSAL.search(s))
        and not (_DISMISSES.fullmatch(m.group(0)) and (len(quantities(s)) >= 2 or _dismisses_a_thing_named(s, m)))
    ]


def _dismisses_a_thing_named(sentence: str, match: re.Match[str]) -> bool:
    """ "So a double tap doesn't matter": a design explained, not the question set aside ("It doesn't matter.",
    "Honestly, the numbers don't matter here")."""
    said_of = match.group(0).split()[0].lower()
    before = sentence[: match.start()].lower()
    opens = not re.search(r"[a-z]", before.replace("honestly", "").replace("i think", ""))
    sizing = _SIZING_DISMISSED.search(before[-30:]) is not None  # "storage doesn't matter": the estimate set aside
    return said_of not in ("it", "that", "this", "number", "numbers") and not opens and not sizing


_SIZING_DISMISSED = re.compile(
    r"\b(?:storage|bandwidth|traffic|estimates?|estimation|scale|latency|cost|memory|math|maths|figures?|sizing|"
    r"qps|throughput|load)\s+(?:really\s+)?$"
)


def is_repeat(sentence: str, earlier: list[str]) -> bool:
    """Whether a sentence says again, nearly word for word, one said before (`earlier` holds repeat_keys)."""
    key = repeat_key(sentence)
    if word_count(key) < MIN_REPEAT_WORDS or not earlier:
        return False
    return process.extractOne(key, earlier, scorer=fuzz.ratio, score_cutoff=100 * REPEAT_SIMILARITY) is not None


def repeat_key(sentence: str) -> str:
    """The form sentences are compared in."""
    return " ".join(normalize(sentence).split())
