"""The candidate's own arithmetic, redone: "10 billion a month is about 400 a second" is off by 10x.

Only sums the candidate states are checked — an expression followed by its result ("6 billion
times 500 bytes is about 300 GB"), or one rate restated in another time unit ("10 billion
redirects a month, so about 400 per second"). Whether the inputs are sensible is a different
question (core.correctness.figures); here a slip is a result 3x or more away from what the
candidate's own inputs give.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from itertools import pairwise

from core.content.text_signals import PERIOD_SECONDS
from core.correctness.findings import Finding, FindingKind
from core.correctness.quantities import Quantity, quantities, say

SLIP_RATIO = 3.0
"""A result this many times too big or too small is a mistake, not rounding."""
MAX_EXPONENT = 40
PERIOD_ROUNDING = 0.2
SPOKEN_PERIODS = ("hour", "day", "month", "year")
"""Periods whose seconds candidates multiply or divide by without naming them (a week's 604,800 is rarely said)."""

_BREAK = re.compile(r"[.!?;:](?:\s|$)|\n|\?")
_POW = re.compile(r"^\s*(?:\^|\*\*|to the power(?: of)?|to the|raised to(?: the power(?: of)?)?)\s*$")
_GROUPS_OF = re.compile(r"\s*(?:[a-z]+\s+)?of\s+(?:about|around|roughly|approximately)\s*")
_PERCENT_OF = re.compile(r"^\s*of(?: the| our| those| these| all)?\s*$")
_OPS = (
    ("mul", re.compile(r"\b(?:times|multiplied by)\b|(?<![a-z])[x*](?![a-z])")),
    ("div", re.compile(r"\b(?:divided by|over)\b|[/÷]")),
    ("add", re.compile(r"\bplus\b|\+")),
)
_HEDGE = re.compile(
    r"\s*(?:(?:about|around|roughly|approximately|approx|maybe|say|some|~|an average of|on average)\s*)+"
)
_IN_A_SPAN = re.compile(
    r"\s*(?:in|over|within|during)(?: (?:the first|the last|the|a|its|their|about|around|roughly))*\s*"
)
_COUNTED = re.compile(r"\s*(?:[a-z][a-z'-]*\s+){0,2}[a-z][a-z'-]*[\s,]*")
"""What a number counts, before "times": "4 ledger entries times 200 bytes" multiplies (result words are refused)."""
PRONOUN_REACH = 3
"""'That' in "10 times that" may be any of the last few figures said."""
_PRONOUN = re.compile(r"\b(?:that|this|it|those)\b")
_RESULT_WORDS = (
    r"um|uh|erm|er|hmm|which|that|this|it|so|and|then|we|i|you|get|gets|gives?|is|are|was|'s|s|comes?|to|works?|out|at|equals?"
    r"|makes?|means?|roughly|about|around|approximately|approx|nearly|almost|just|call|like|or|i\.e\.|e|in|total"
    r"|overall|over|under|maybe|say|let's|lets|us|only|already|land|lands|end|ends|up|would|will|be|=|≈|~|->|→|,|\(|\)"
)
_RESULT = re.compile(r"^(?:\s*(?:" + _RESULT_WORDS + r"))+\s*$")
_MARKER = re.compile(
    r"\b(?:is|are|was|'s|equals?|gives?|comes? to|works? out|makes?|means?|so|which|or|i\.e|call it|in total"
    r"|(?:you|we) get|lands? at|ends? up at|comes? out at|would be|will be)\b"
    r"|[=≈~,→]|->"
)
_CONTINUATION = re.compile(
    r"^\s*(?:roughly|about|around|approximately|approx|so|that's|that is|which is|call it|=|≈|~)\b"
)
_IMPERATIVE = re.compile(
    r"^\s*(?:(?:now|then|so|and)\s+)?(?:(?:divide|divided|dividing|multiply|multiplied|multiplying)"
    r"(?:\s+(?:that|it|this|them))?\s+by|times|over)(?:\s+(?:about|around|roughly|approximately|say))?\s*$"
)
"""A sentence that opens with an operation carries on the one before: "… is 60 KB per trip. Times 20 million trips
is 120 GB a day"."""
_SCOPE_WORDS = re.compile(r"^\s*(?:each|apiece|a piece|per (?!second|sec|minute|hour|day|week|month|year)[a-z]+)\b")
_BACK_REFERENCE = re.compile(
    r"^[\s,]*(?:so\s+)?(?:that's|that is|which is|that gives|that works out to|that comes to)\b"
)
_PER_ENTITY_SIZE = re.compile(r"^\s*per (?!second|sec|minute|hour|day|week|month|year)[a-z]+\b")
NOT_A_RESULT = 1000.0
_UNREAD = re.compile(r"\b(?:square roots?|sqrt|cube roots?|log(?:arithm)?s?(?: base| of| n\b|2|10)|ln)\b")
_EACH_AFTER = re.compile(r"\s*(?:each|apiece|a piece|per (?!second|sec|minute|hour|day|week|month|year)[a-z]+)\b")
_STRONG_MARKER = re.compile(
    r"\b(?:is|are|'s|equals?|gives?|comes? to|works? out|makes?|means?|so|which|or|i\.e|about|around|roughly"
    r"|approximately|nearly|would be|will be)\b|[=≈~→]|->"
)
_HEDGED_ITEM = re.compile(r"\s*,\s*(?:about|around|roughly|approximately|nearly)\s*")
_JOINT = re.compile(
    r"[\s,]*(?:each|apiece|per [a-z]+)?[\s,]*(?:so|and|with|for|times|x|over)[\s,]*(?:about|around|roughly)?\s*"
)
_MULTIPLIED = re.compile(r"\s*(?:times|x|\*|multiplied by)\s*")
_PER_NODE = re.compile(
    r"\s*(?:(?:requests?|queries|qps|rps|writes?|reads?|calls?|messages?|connections?|inserts?)\s+)?"
    r"(?:(?:a|per)\s+second\s+)?(?:per|for each|on each|on one|on a|each|a)\s+(?:single\s+)?"
    r"(?:server|node|machine|instance|box|host|shard|worker|core|replica|broker|partition|pod)s?\b"
)
_BY_ITS_SECONDS = re.compile(
    r"[\s,]*(?:divided by|over)\s+(?:the\s+)?(?:number of\s+)?seconds\s+(?:in|per)\s+an?\s+"
    r"(?:hour|day|week|month|year)[\s,]*"
)
"""A rate divided by the seconds of its period in words ("500 million a day, divided by the seconds in a day, is…"):
the conversion to a rate per second, said out loud."""
_OVER_ONE_PERIOD = re.compile(
    r"[\s,]*(?:(?:and|so|which)\s+)?(?:over|in|across|for|during|within)\s+(?:a|one|an entire|a whole|a full)\s+"
    r"(hour|day|week|month|year)\b(?:'s time)?[\s,]*"
)
"""A period named in words, no number: "2.4 TB a day, and over a year that's about 90 TB" totals the rate over it."""
_PEAK = re.compile(r"\b(?:peaks?|burst|bursts|spikes?|max|maximum|worst case|busiest|at the top)\b")


@dataclass
class _Expression:
    value: float
    bytes: int
    time: int
    first: int  # index of its first quantity
    ops: int = 0
    period: str | None = None  # the period a lone rate was said in ("20 billion a day")
    head: str | None = None  # what its first quantity counts ("redirects")
    across: bool = False  # a rate carried over a sentence break by "Over five years…": a total of what the rate counts
    last: tuple[str, float, float] | None = None  # the last step (operation, value before it, plain operand): "to the"
    # binds to that operand alone, "10 to the 7 over 10 to the 4" being 10^7 / 10^4

    @property
    def dims(self) -> tuple[int, int]:
        return (self.bytes, self.time)


@dataclass
class _Reading:
    text: str
    competency: str
    findings: list[Finding] = field(default_factory=list)
    checked: int = 0  # stated results the candidate's own inputs could be checked against, right or wrong
    right: list[str] = field(default_factory=list)  # the results among them that their inputs give


def arithmetic_slips(text: str, *, competency: str = "estimation") -> list[Finding]:
    """Each stated result in text that the candidate's own inputs contradict by 3x or more."""
    return _read(text, competency).findings


def results_worked_out(text: str) -> list[str]:
    """The results text works out right from its own inputs ("17,000 pages a second times 20 posts is 340,000 posts a
    second"): derived, not remembered, so no figure check holds them to a stated fact of the same noun."""
    return _read(text, "estimation").right


def worked_results(text: str) -> int:
    """How many results text works out from its own inputs, right or wrong: working shown, in whatever words
    ("50,000 events times roughly 10,000 seats is 500 million", "a million in 5 minutes is 3,300 a second")."""
    return _read(text, "estimation").checked


def _read(text: str, competency: str) -> _Reading:
    qs = quantities(text)
    t = text.lower()
    reading = _Reading(text, competency)
    expr: _Expression | None = None
    opened = 0  # the first quantity of the current sentence
    for i, q in enumerate(qs):
        if expr is None or i == 0:
            expr = _start(q, i)
            continue
        gap = t[qs[i - 1].end : q.start]
        if _BREAK.search(gap):
            opened = i
            after = gap[list(_BREAK.finditer(gap))[-1].end() :]
            if m := _IMPERATIVE.match(after):  # "… 20 billion a day. Divide by 86,400 …"
                name = "div" if "divid" in m.group(0) or "over" in m.group(0) else "mul"
                expr = _apply(expr, name, q) or _start(q, i)
                continue
            if expr.ops > 0 and _CONTINUATION.match(after) and _RESULT.match(after):
                _compare(expr, q, reading)  # "1.5 billion divided by 86,400. Roughly 1,700."
            elif q.time == -1 and _BACK_REFERENCE.match(after):
                _restated(qs[:i], q, t, reading)  # "… a day. So that's 1,700 per second."
            expr = _start(q, i)
            continue
        op = _operation(gap, qs[i - 1], t[q.end : q.end + 20], q)
        if op is not None:
            name, rest = op
            pronoun_result = rest is not None
            if pronoun_result:  # "10 billion divided by that is about 400": "that" is the quantity before
                if expr.first == 0:
                    expr = _start(q, i)
                    continue
                referents = [qs[j] for j in range(expr.first - 1, max(-1, expr.first - 1 - PRONOUN_REACH), -1)]
                applied = [a for r in referents if (a := _apply(expr, name, r)) is not None]
                # "115 a second, 1,000 at peak. Reads at 10 times that are 1,150": "that" may be any figure just said
                if applied and not any((off := _off_by(a, q)) is not None and off[1] < SLIP_RATIO for a in applied):
                    _compare(applied[0], q, reading)
                expr = _start(q, i)
                continue
            if name == "div" and expr.time == -1 and q.time == 0 and _PER_NODE.match(t, q.end):
                q = replace(q, time=-1)  # "20,000 a second divided by 2,000 per server"
            carried = _apply(expr, name, q)
            expr = replace(carried, across=False) if carried else _start(q, i)  # said in one breath: no frame
            continue
        per_entity = bool(_PER_ENTITY_SIZE.match(gap))
        gap = _SCOPE_WORDS.sub("", gap, count=1)  # "2,000 per server is 10", "1 KB each is"
        gap = _BY_ITS_SECONDS.sub(" ", gap, count=1)
        if (total := _over_one_period(expr, q, gap, t[q.end : q.end + 25])) is not None:
            _compare(total, q, reading)  # "2.4 TB a day, so over a year that's 90 TB", "… that's 90 TB over a year"
            expr = _start(q, i)
            continue
        if _RESULT.match(gap) and _MARKER.search(gap):
            if per_entity and expr.bytes == q.bytes == 1 and q.value > expr.value:
                pass  # "100 IDs at 8 bytes per user is 16 GB": a size per user, totalled over the users
            elif expr.ops > 0 or _is_conversion(qs[i - 1], q, gap, t):
                _compare(_closest_reading(expr, q, qs, t), q, reading)
            elif q.time == -1 and _BACK_REFERENCE.search(gap):
                _restated(qs[opened:i], q, t, reading)  # "86,000 seconds, so that's 1,700 a second": this sentence's
            expr = _start(q, i)
            continue
        expr = _start(q, i)
    _implied_products(qs, t, reading)
    _shares(qs, t, reading)
    _per_unit_products(qs, t, reading)
    return reading


_PER_ONE = re.compile(r"\s*(?:per|for each|for every|on each|on every|in each|in every|each)\s+([a-z]+?)(?:es|s)?\b\s*")


_ACROSS = re.compile(r"[\s.,;]*(?:and |so |which )?(?:across|over|for|times|x|with)\s*(?:about|around|roughly|all)?\s*")


def _is_result(gap: str) -> bool:
    """Words between an expression and its result ("is about", "that's"), and nothing else."""
    return bool(_RESULT.match(gap) and _MARKER.search(gap))


def _per_unit_products(qs: list[Quantity], t: str, reading: _Reading) -> None:
    """ "Peak is 30,000 requests a second. Ranking 500 candidates per request is 15 million scorings a second": so many
    per one of a thing said before as a rate is that rate times as many (a result the sums already judged is not
    judged twice)."""
    said = {f.said for f in reading.findings}
    found = _Reading(reading.text, reading.competency)
    for i, (each, result) in enumerate(pairwise(qs)):
        per = _PER_ONE.match(t, each.end)
        if per is None or each.percent or each.factor:
            continue
        unit, rest = per.group(1), t[per.end() : result.start]
        if each.dims == (0, 0) and result.dims == (0, -1) and result.head != each.head and _is_result(rest):
            rate = next((q for q in reversed(qs[:i]) if q.dims == (0, -1) and q.head.startswith(unit)), None)
            if rate is not None:
                _compare(_Expression(each.value * rate.value, 0, -1, 0, ops=1), result, found)
        # "500 KB per user. Across 150 million users that's 75 GB": so much per one, over so many of them
        count, total = result, qs[i + 2] if i + 2 < len(qs) else None
        if (
            total is not None
            and count.dims == (0, 0)
            and count.head.startswith(unit)
            and total.dims == each.dims
            and _ACROSS.fullmatch(rest)
            and _is_result(t[count.end : total.start])
        ):
            _compare(_Expression(each.value * count.value, each.bytes, each.time, 0, ops=1), total, found)
    reading.findings += [f for f in found.findings if f.said not in said]
    reading.checked += found.checked
    reading.right += found.right


_SHARE_IS = re.compile(
    r"\s*(?:[a-z]+\s+){0,3}(?:is|are|=|would be|comes to|gives|makes)\s*(?:about|around|roughly|~)?\s*"
)


def _shares(qs: list[Quantity], t: str, reading: _Reading) -> None:
    """ "Peaks are 50,000 a second. By channel: 70% push is 35,000, 25% email is 12,500 and 5% SMS is 250": in a split
    (two shares or more in one sentence) each share is its percent of the figure said before the split's first one."""
    splits: list[list[int]] = [[]]
    for i, (share, part) in enumerate(pairwise(qs)):
        if i and _BREAK.search(t[qs[i - 1].end : share.start]) and splits[-1]:
            splits.append([])
        if share.percent and not part.percent and _SHARE_IS.fullmatch(t[share.end : part.start]):
            splits[-1].append(i)
    for split in splits:
        if len(split) < 2:
            continue  # one share alone is often no split at all: "99.95% is 22 minutes of error budget"
        first, part = split[0], qs[split[0] + 1]
        # the nearest figure before the split that could be its whole: larger, and a rate for rates ("we plan for
        # 50,000" after "peaks are 50,000 per second" repeats the count; the rate is what is split)
        whole = next(
            (q for q in reversed(qs[:first]) if not q.percent and q.value > part.value and _holds(q, part)), None
        )
        if whole is None:
            continue
        for i in split:
            if _holds(whole, qs[i + 1]):
                _compare(
                    _Expression(whole.value * qs[i].value, whole.bytes, qs[i + 1].time, 0, ops=1), qs[i + 1], reading
                )


def _holds(whole: Quantity, part: Quantity) -> bool:
    """Whether `part` can be a share of `whole`: the same measure (bytes or not), and a count is no rate's whole."""
    return whole.bytes == part.bytes and not (whole.time == 0 and part.time == -1)


def _implied_products(qs: list[Quantity], t: str, reading: _Reading) -> None:
    """ "Each link is about 500 bytes, so 6 billion links come to about 3 GB": size, count, total (a result the
    sums before it already judged is not judged twice)."""
    said = {f.said for f in reading.findings}
    found = _Reading(reading.text, reading.competency)
    for i, (size, count, total) in enumerate(zip(qs, qs[1:], qs[2:], strict=False)):
        if size.dims != (1, 0) or count.dims != (0, 0) or total.bytes != 1 or count.percent or count.factor:
            continue
        if i and _MULTIPLIED.fullmatch(t[qs[i - 1].end : size.start]):
            continue  # "4 entries times 200 bytes times 10 million": the size is one factor of a longer product
        joint, result = t[size.end : count.start], _SCOPE_WORDS.sub("", t[count.end : total.start], count=1)
        if _BREAK.search(joint + result) or not _JOINT.fullmatch(joint):
            continue
        each = size.value
        if i and qs[i - 1].dims == (0, 0) and re.fullmatch(r"\s*(?:of|at)\s*", t[qs[i - 1].end : size.start]):
            each *= qs[i - 1].value  # "500 entries of 1 KB for 150 million users": 500 KB a user
        if _RESULT.match(result) and _MARKER.search(result):
            _compare(_Expression(each * count.value, 1, 0, 0, ops=1), total, found)
    reading.findings += [f for f in found.findings if f.said not in said]
    reading.checked += found.checked
    reading.right += found.right


def _start(q: Quantity, i: int) -> _Expression:
    return _Expression(q.value, q.bytes, q.time, i, period=q.period if q.time == -1 else None, head=q.head)


def _operation(gap: str, before: Quantity, after: str, this: Quantity | None = None) -> tuple[str, str | None] | None:
    """(operation, the result part after "that") when the gap between two quantities is an operator."""
    if _POW.match(gap):
        return "pow", None
    at_about = re.fullmatch(r"\s*at(?:\s+(?:about|around|roughly|approximately|maybe))?\s*", gap)
    if at_about and this is not None and before.dims[0] == 0 and this.dims == (1, 0) and not before.percent:
        return "mul", None  # "5 billion pages at 25 KB", "2 billion a day at 200 bytes": a count or rate at a size
    if at_about and _EACH_AFTER.match(after):
        if this is not None and this.head and this.head == before.head and this.dims == before.dims == (0, 0):
            return "div", None  # "60,000 seats at 2.5 seats per order": seats over seats an order are orders
        return "mul", None  # "30 million posts at 1 KB each"
    if this is not None and _IN_A_SPAN.fullmatch(gap) and before.dims == (0, 0) and this.dims == (0, 1):
        return "div", None  # "a million fans in 5 minutes": a count over a span is a rate
    if before.percent and _PERCENT_OF.match(gap):
        return "mul", None
    if _GROUPS_OF.fullmatch(gap):
        return "mul", None  # "8,000 holds of about 2.5 seats"
    if re.fullmatch(r"\s*of\s*", gap) and this is not None and before.dims == (0, 0) and this.dims == (1, 0):
        return "mul", None  # "500 entries of 1 KB": a count of things of a size
    for name, pattern in _OPS:
        m = pattern.search(gap)
        if not m:
            continue
        head, tail = gap[: m.start()], gap[m.end() :]
        if (
            head.strip(" ,")
            and not re.fullmatch(r"[\s,]*(?:per [a-z]+|each|apiece)?[\s,]*(?:and|then|and then|so)?[\s,]*", head)
            and not (name == "mul" and m.group(0) != "x" and _COUNTED.fullmatch(head))
        ):
            return None  # words before the operator: "links over 5 years", not an expression
        p = _PRONOUN.match(tail.strip())
        if p:
            rest = tail.strip()[p.end() :]
            if _RESULT.match(rest) and _MARKER.search(rest):
                return name, rest
            return None
        if tail.strip(" ,") and not _HEDGE.fullmatch(tail):
            return None  # "times roughly 10,000" is still a product
        return name, None
    return None


def _apply(expr: _Expression, op: str, q: Quantity) -> _Expression | None:
    if op in ("mul", "div") and expr.time == -1 and q.dims == (0, 0) and _seconds_of_a_period(q.value):
        q = replace(q, time=1)  # "100 a second times 86400", "500 TB/d / 86400": the seconds of a day, unnamed
    if op == "mul" and expr.time == -1 and q.dims == (0, 0) and (longer := _periods_in(expr.period, q.value)):
        # "2.4 TB a day. Times 365 is 880 TB a year": the same rate said over a longer period
        return replace(expr, period=longer, ops=expr.ops + 1, last=None)
    pending = math.isnan(expr.value)  # "2 KB plus 4": a count waiting for its size
    if op in ("mul", "div") and expr.last is not None and expr.last[0] == "add" and (q.dims == (0, 0) or pending):
        if pending and (op != "mul" or q.dims != expr.dims):
            return None
        _, before, operand = expr.last  # "0.9 times 1 plus 0.1 times 20": the product is the last term's
        term = operand * q.value if op == "mul" else operand / q.value if q.value else None
        if term is None:
            return None
        return replace(expr, value=before + term, ops=expr.ops + 1, last=("add", before, term))
    if op == "mul":
        value, b, tm = expr.value * q.value, expr.bytes + q.bytes, expr.time + q.time
    elif op == "div" and expr.time == -1 and q.time == 1 and expr.period and q.value >= 2 * PERIOD_SECONDS[expr.period]:
        # "100 million a month over 5 years": a total, not a rate
        return _Expression(expr.value * q.value, expr.bytes, 0, expr.first, expr.ops + 1, head=expr.head, across=True)
    elif op == "div":
        if q.value == 0:
            return None
        if expr.time == -1 and q.time == 1 and expr.period:  # "20 billion a day, divided by 86,400 seconds"
            value, b, tm = expr.value * PERIOD_SECONDS[expr.period] / q.value, expr.bytes, -1
        else:
            value, b, tm = expr.value / q.value, expr.bytes - q.bytes, expr.time - q.time
    elif op == "add":
        if expr.dims != q.dims and q.dims == (0, 0) and expr.dims != (0, 0) and not pending:
            # "2 KB plus 4 times 200 bytes": the count is a factor of the next product, added once it is worked out
            return replace(expr, value=math.nan, ops=expr.ops + 1, last=("add", expr.value, q.value))
        if expr.dims != q.dims or pending:
            return None
        value, b, tm = expr.value + q.value, expr.bytes, expr.time
    else:  # pow
        if q.dims != (0, 0) or not 1 < q.value <= MAX_EXPONENT or q.value != int(q.value):
            return None
        if expr.ops and expr.last is not None:  # "X over 10 to the 4": the power is the operand's
            step, before, operand = expr.last
            powered = operand ** int(q.value)
            value = before * powered if step == "mul" else before / powered
            return replace(expr, value=value, ops=expr.ops + 1, last=None)
        if expr.dims != (0, 0) or expr.ops:
            return None
        value, b, tm = expr.value ** int(q.value), 0, 0
    plain = op in ("mul", "div", "add") and q.dims == (0, 0)
    return _Expression(
        value, b, tm, expr.first, expr.ops + 1, head=expr.head, last=(op, expr.value, q.value) if plain else None
    )


_PERIODS_IN = {("day", 365): "year", ("day", 30): "month", ("day", 7): "week", ("month", 12): "year",
               ("hour", 24): "day", ("week", 52): "year", ("minute", 60): "hour", ("second", 60): "minute"}  # fmt: skip


def _over_one_period(expr: _Expression, q: Quantity, gap: str, after: str) -> _Expression | None:
    """A lone rate totalled over a longer period said in words, before the result ("2.4 TB a day, and over a year
    that's about 90 TB") or after it ("2.4 TB a day, so about 900 TB over a year"): the rate times that period."""
    if expr.ops or expr.time != -1 or not expr.period or q.time != 0 or q.bytes != expr.bytes or q.percent:
        return None
    if (before := _OVER_ONE_PERIOD.match(gap)) and _is_result(gap[before.end() :]):
        span = before.group(1)
    elif _is_result(gap) and (later := _OVER_ONE_PERIOD.match(after)):
        span = later.group(1)
    else:
        return None
    if PERIOD_SECONDS[span] <= PERIOD_SECONDS[expr.period]:
        return None  # "10,000 a second, in a second …": no total over a longer span
    total = expr.value * PERIOD_SECONDS[span]
    return _Expression(total, expr.bytes, 0, expr.first, expr.ops + 1, head=expr.head, across=True)


def _periods_in(period: str | None, count: float) -> str | None:
    """The longer period that `count` of `period` make ("365" days, a year), if it is one."""
    return _PERIODS_IN.get((period or "", round(count))) if count == round(count) else None


def _seconds_of_a_period(value: float) -> bool:
    """A bare number that is a period's seconds, as rounded when said (86,400 or 100k a day; 2.6 million a month)."""
    return any(abs(value / PERIOD_SECONDS[period] - 1) <= PERIOD_ROUNDING for period in SPOKEN_PERIODS)


def _is_conversion(a: Quantity, b: Quantity, gap: str, t: str) -> bool:
    """One figure restated in another unit: "10 billion a month, so about 3,900 a second".

    A bare comma is not enough ("6.4 Gbps, 500 TB a month" lists two different things), and a
    figure said as a peak is not the average restated.
    """
    if a.dims != b.dims or a.time == 0 or a.period == b.period or a.percent or b.percent:
        return False
    if a.head and b.head and a.head != b.head:
        return False
    if gap and not _STRONG_MARKER.search(gap):
        return False
    if _HEDGED_ITEM.fullmatch(gap) and re.search(r",\s*$", t[max(0, a.start - 3) : a.start]):
        return False  # "8,000 pages a second, 6.4 Gbps, about 500 TB a month": the next item of a list, hedged
    after = t[b.end : b.end + 30]
    after = after[: m.start()] if (m := re.search(r"[.,;:!?]", after)) else after
    return not _PEAK.search(gap + " " + after + " " + t[max(0, a.start - 15) : a.start])


def _compare(expr: _Expression, q: Quantity, reading: _Reading) -> None:
    """A finding when the stated result q is 3x or more away from the expression's value.

    An expression of plain counts with a result said per day ("30 million posts at 1 KB is 30 TB
    a day") or in seconds ("50 million divided by ten thousand is 80 seconds") is read in the
    result's own unit: the inputs were per day, the divisor per second.
    """
    off = _off_by(expr, q)
    if off is None or (expr.across and q.bytes == 0 and (not expr.head or q.head != expr.head)):
        return  # "400 redirects a second. Over five years that is 6 billion links": a total of something else
    expected, ratio = off
    if q.dims == (0, 0) and not re.search(r"\d", q.text) and ratio >= NOT_A_RESULT:
        return  # "ten times that, which is one reason to…": a small number in words is a count of things, no answer
    quote = _sentence_around(reading.text, q.start, q.end)
    if _UNREAD.search(quote):
        return  # a square root or a logarithm: arithmetic this reader does not do, so it does not judge it
    reading.checked += 1
    if ratio < SLIP_RATIO:
        reading.right.append(q.text)
        return
    right = say(expected, q)
    reading.findings.append(
        Finding(
            kind=FindingKind.ARITHMETIC,
            quote=quote,
            explanation=f"The numbers it starts from make it {right}, not {q.text} (off by {ratio:.0f}x).",
            said=q.text,
            right=right,
            competency=reading.competency,
            off_by=ratio,
        )
    )


def _closest_reading(expr: _Expression, q: Quantity, qs: list[Quantity], t: str) -> _Expression:
    """The expression, or the expression times a count said earlier in the same sentence, whichever is closer to the
    stated result: "a billion-row set with 300 features at 8 bytes each is 2.4 TB" multiplies the billion too; and after
    a sum, its last term alone ("200 GB, plus 10 million items at 1 KB is 10 GB, about 210 GB" states the term)."""
    readings = [expr]
    if expr.last is not None and expr.last[0] == "add":
        readings.append(replace(expr, value=expr.last[2]))
    for j in range(expr.first - 1, -1, -1):
        if _BREAK.search(t[qs[j].end : q.start]):
            break  # only a count of the result's own sentence: one said before is a sum of its own
        if qs[j].dims == (0, 0) and not qs[j].percent and not qs[j].factor:
            readings.append(replace(expr, value=expr.value * qs[j].value))
    gaps = [(off[1], n) for n, r in enumerate(readings) if (off := _off_by(r, q)) is not None]
    return readings[min(gaps)[1]] if gaps else expr


def _off_by(expr: _Expression, q: Quantity) -> tuple[float, float] | None:
    """(the expression's value in q's unit, how many times apart they are), or None when they cannot be compared."""
    expected, stated = expr.value, q.value
    if expr.bytes != q.bytes:
        return None
    if expr.time != q.time:
        if expr.time != 0:
            return None
        if q.time == -1 and q.period:
            expected = expr.value / PERIOD_SECONDS[q.period]
    if not (expected > 0 and stated > 0):  # NaN too: a sum still waiting for a term
        return None
    return expected, max(expected, stated) / min(expected, stated)


def _restated(before: list[Quantity], q: Quantity, t: str, reading: _Reading) -> None:
    """ "1.5 billion reads a day. … so that's roughly 1,700 reads per second": the last rate, restated."""
    rate = next((p for p in reversed(before) if p.time == -1), None)
    if rate is not None and _is_conversion(rate, q, "", t):
        _compare(_start(rate, 0), q, reading)


def _sentence_around(text: str, start: int, end: int) -> str:
    left = max((m.end() for m in _BREAK.finditer(text, 0, start)), default=0)
    m = _BREAK.search(text, end)
    right = m.start() + 1 if m else len(text)
    return " ".join(text[left:right].split())
