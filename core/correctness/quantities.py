"""Quantities as a candidate says them, with their dimensions, so sums across units can be checked.

"10 billion redirects a month", "500 bytes", "28 GB a day", "2.5 million seconds", "62", "20 percent":
each becomes a value in base units (bytes, seconds, per second) with its dimensions, so "400 a
second times 500 bytes" is 200,000 bytes per second whatever units the candidate spoke in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.content.text_signals import PERIOD_SECONDS, canonical_noun

_SCALES = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "mn": 1e6,
    "mil": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "billions": 1e9,
    "t": 1e12,
    "tn": 1e12,
    "trillion": 1e12,
    "hundred": 1e2,
}
_BYTES = {
    "byte": 1.0,
    "bytes": 1.0,
    "kb": 1e3,
    "kib": 1024.0,
    "kilobyte": 1e3,
    "kilobytes": 1e3,
    "mb": 1e6,
    "mib": 1024.0**2,
    "meg": 1e6,
    "megs": 1e6,
    "megabyte": 1e6,
    "megabytes": 1e6,
    "gb": 1e9,
    "gib": 1024.0**3,
    "gig": 1e9,
    "gigs": 1e9,
    "gigabyte": 1e9,
    "gigabytes": 1e9,
    "tb": 1e12,
    "tib": 1024.0**4,
    "tera": 1e12,
    "teras": 1e12,
    "terabyte": 1e12,
    "terabytes": 1e12,
    "pb": 1e15,
    "pib": 1024.0**5,
    "petabyte": 1e15,
    "petabytes": 1e15,
    "eb": 1e18,
    "exabyte": 1e18,
    "exabytes": 1e18,
}
_BITS = {
    "bit": 1 / 8,
    "bits": 1 / 8,
    "kbit": 1e3 / 8,
    "kbits": 1e3 / 8,
    "kilobit": 1e3 / 8,
    "kilobits": 1e3 / 8,
    "mbit": 1e6 / 8,
    "mbits": 1e6 / 8,
    "megabit": 1e6 / 8,
    "megabits": 1e6 / 8,
    "gbit": 1e9 / 8,
    "gbits": 1e9 / 8,
    "gigabit": 1e9 / 8,
    "gigabits": 1e9 / 8,
    "tbit": 1e12 / 8,
    "tbits": 1e12 / 8,
    "terabit": 1e12 / 8,
    "terabits": 1e12 / 8,
}
_BITS_PER_SECOND = {"bps": 1 / 8, "kbps": 1e3 / 8, "mbps": 1e6 / 8, "gbps": 1e9 / 8, "tbps": 1e12 / 8}
_DATA_UNITS = {**_BYTES, **_BITS, **_BITS_PER_SECOND}
_PERIODS = {
    **{w: "second" for w in ("s", "sec", "secs", "second", "seconds")},
    **{w: "minute" for w in ("min", "mins", "minute", "minutes")},
    **{w: "hour" for w in ("h", "hr", "hrs", "hour", "hours")},
    **{w: "day" for w in ("d", "day", "days")},
    **{w: "week" for w in ("wk", "wks", "week", "weeks")},
    **{w: "month" for w in ("mo", "mos", "month", "months")},
    **{w: "year" for w in ("y", "yr", "yrs", "year", "years")},
}
_PERIOD_ADVERBS = {"hourly": "hour", "daily": "day", "weekly": "week", "monthly": "month", "yearly": "year"}
_MILLISECONDS = ("ms", "msec", "msecs", "millisecond", "milliseconds")
_PER_SECOND_ACRONYMS = {"qps": "request", "rps": "request", "tps": "transaction", "wps": "write"}
_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "hundred": 100,
}
_ORDINAL_EXPONENTS = {"second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8}
_ORDINAL_EXPONENTS.update({"ninth": 9, "tenth": 10})

_WORD_NUMBER = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty"
_NUMBER = re.compile(
    r"(?<![\w.,$€£])(?:(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d]|[.,]\d)"
    r"|(?P<word>a|an|" + _WORD_NUMBER + r")(?=\s+(?:hundred|thousand|million|billion|trillion"
    r"|kilobyte|megabyte|gigabyte|terabyte|petabyte|exabyte|kb|mb|gb|tb|pb)\b)"
    r"|(?P<alone>" + _WORD_NUMBER + r")\b)"
)
_SCALE_AFTER = re.compile(
    r"\s?(?P<scale>thousand|millions?|billions?|trillion|hundred|bn|mn|mm|mil|tn|k|m|b|t)(?![a-z])"
)
_BYTE_AFTER = re.compile(r"\s?(?P<unit>" + "|".join(sorted(_DATA_UNITS, key=len, reverse=True)) + r")(?![a-z])")
_PERCENT_AFTER = re.compile(r"\s?(?:%|percent\b|per cent\b)")
_FACTOR_AFTER = re.compile(r"x(?![a-z])")
_WORD = re.compile(r"\s*([a-z]+(?:'[a-z]+)?)")
_PERIOD_PHRASE = re.compile(r"\s*(?:/\s?|(?:per|a|an|each|every|in\s+a|in\s+an|in\s+one)\s+)(?P<unit>[a-z]+)(?![a-z])")
_STOP_WORDS = """is are was were be been being so that that's thats which who whom this these those it its times divided
    multiplied over plus minus of to the and or but if at on in by for from with about around roughly nearly
    approximately approx almost just only under than then we i you they he she our my your their would will
    can could should might may must need needs take takes give gives gets get make makes call works work out
    comes come equals equal means mean into as per a an each every one two three four five six seven eight
    nine ten when where while because since yes no not"""
_NOUN_STOP = frozenset(_STOP_WORDS.split())


@dataclass(frozen=True)
class Quantity:
    """A number as said, in base units: bytes, seconds, and "per second" for rates."""

    value: float  # in base units
    bytes: int  # 1 for an amount of data, 0 otherwise
    time: int  # -1 a rate (per second), +1 a duration (seconds), 0 neither
    start: int
    end: int
    text: str  # as written, e.g. "about 400 redirects per second"
    head: str = ""  # the counted noun, singular: "redirect"
    period: str | None = None  # the period a rate was said in ("month"), to say the right figure back
    percent: bool = False
    factor: bool = False  # "3x"
    byte_unit: str | None = None  # the unit said ("gigabytes"), to say the right figure back

    @property
    def dims(self) -> tuple[int, int]:
        return (self.bytes, self.time)


def _number_value(raw: str) -> float | None:
    raw = raw.strip()
    if raw in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[raw])
    if raw in ("a", "an"):
        return 1.0
    try:
        return float(raw.replace(",", ""))
    except ValueError:
        return None


def lowered(text: str) -> str:
    """Lower case, same length as text (so spans quote the original), symbols made plain."""
    t = "".join(ch.lower()[:1] or " " for ch in text)
    return t.replace("×", "x").replace("’", "'").replace("–", "-")


def quantities(text: str) -> list[Quantity]:
    """Every quantity in text, in order, with its dimensions."""
    t = lowered(text)
    found: list[Quantity] = []
    for m in _NUMBER.finditer(t):
        value = _number_value(m.group("num") or m.group("word") or m.group("alone"))
        if value is None:
            continue
        if m.start() and t[m.start() - 1 : m.start()] in ("p",):
            continue  # p99
        end = m.end()
        q = _read_after(t, text, m.start(), end, value)
        if q is not None:
            found.append(q)
    return found


def _read_after(t: str, text: str, start: int, end: int, value: float) -> Quantity | None:
    """The units, counted noun and period that follow a number."""
    bytes_dim, time_dim = 0, 0
    byte_unit: str | None = None
    head = ""
    period: str | None = None
    if b := _BYTE_AFTER.match(t, end):  # "500 bytes", "2 KB" (before scales: "kb" is not "k")
        value *= _DATA_UNITS[b.group("unit")]
        bytes_dim, byte_unit, end = 1, b.group("unit"), b.end()
    elif s := _SCALE_AFTER.match(t, end):  # "10 billion", "200k", "two hundred thousand"
        value *= _SCALES[s.group("scale")]
        end = s.end()
        if s.group("scale") == "hundred" and (s2 := _SCALE_AFTER.match(t, end)) and s2.group("scale") != "hundred":
            value *= _SCALES[s2.group("scale")]
            end = s2.end()
        if b := _BYTE_AFTER.match(t, end):
            value *= _DATA_UNITS[b.group("unit")]
            bytes_dim, byte_unit, end = 1, b.group("unit"), b.end()
    if byte_unit in _BITS_PER_SECOND:
        return Quantity(value, 1, -1, start, end, text[start:end], period="second", byte_unit=byte_unit)
    if not bytes_dim:
        if p := _PERCENT_AFTER.match(t, end):
            return Quantity(value / 100, 0, 0, start, p.end(), text[start : p.end()], percent=True)
        if f := _FACTOR_AFTER.match(t, end):
            return Quantity(value, 0, 0, start, f.end(), text[start : f.end()], factor=True)
    # the counted noun (up to three words), or a unit of time
    words: list[str] = []
    pos = end
    while len(words) < 3:
        w = _WORD.match(t, pos)
        if not w:
            break
        word = w.group(1)
        if not words and word in _MILLISECONDS:
            return Quantity(value / 1000, 0, 1, start, w.end(), text[start : w.end()], period="ms")
        if not words and word in _PERIODS and not bytes_dim:
            unit = _PERIODS[word]
            return Quantity(value * PERIOD_SECONDS[unit], 0, 1, start, w.end(), text[start : w.end()], period=unit)
        if word in _PER_SECOND_ACRONYMS:
            head, period, pos = _PER_SECOND_ACRONYMS[word], "second", w.end()
            break
        if word in _PERIOD_ADVERBS and (words or bytes_dim):
            period, pos = _PERIOD_ADVERBS[word], w.end()
            break
        if word in _NOUN_STOP or word in _PERIODS:
            break
        words.append(word)
        pos = w.end()
    if words and not head:
        head = canonical_noun(words[-1])
        end = pos
    if period is None:
        cursor = end
        for _ in range(2):  # "links created a day", "links are created per second"
            pm = _PERIOD_PHRASE.match(t, cursor)
            if pm and pm.group("unit") in _PERIODS:
                period, end = _PERIODS[pm.group("unit")], pm.end()
                break
            w = _WORD.match(t, cursor)
            if not w or not (w.group(1) in ("is", "are", "get", "gets") or w.group(1).endswith("ed")):
                break
            cursor = w.end()
    else:
        end = pos
    if period is not None:
        value /= PERIOD_SECONDS[period]
        time_dim = -1
    return Quantity(
        value, bytes_dim, time_dim, start, end, text[start:end].strip(), head=head, period=period, byte_unit=byte_unit
    )


def exponent_word(word: str) -> int | None:
    """ "seventh" → 7, for "62 to the seventh"."""
    return _ORDINAL_EXPONENTS.get(word)


def say(value: float, like: Quantity) -> str:
    """A value in base units said the way the candidate said its neighbour: "about 3,900 per second"."""
    if like.bytes:
        amount = value * (PERIOD_SECONDS[like.period] if like.period else 1.0)
        bits = like.byte_unit in _BITS or like.byte_unit in _BITS_PER_SECOND
        return "about " + (say_bits(amount) if bits else say_bytes(amount)) + _per(like.period)
    if like.time == 1:
        return "about " + _plain(value) + " seconds"
    if like.time == -1 and like.period:
        return "about " + _plain(value * PERIOD_SECONDS[like.period]) + _per(like.period)
    if like.percent:
        return f"about {value * 100:.3g}%"
    return "about " + _plain(value)


def say_bytes(value: float) -> str:
    for size, unit in ((1e18, "EB"), (1e15, "PB"), (1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "KB")):
        if value >= size:
            return f"{value / size:.3g} {unit}"
    return f"{value:.3g} bytes"


def say_bits(value: float) -> str:
    """An amount in bytes said in bits: 1.25e9 bytes → "10 Gbit"."""
    bits = value * 8
    for size, unit in ((1e15, "Pbit"), (1e12, "Tbit"), (1e9, "Gbit"), (1e6, "Mbit"), (1e3, "kbit")):
        if bits >= size:
            return f"{bits / size:.3g} {unit}"
    return f"{bits:.3g} bits"


def _per(period: str | None) -> str:
    return {None: "", "second": " per second", "hour": " an hour"}.get(period, f" a {period}")


def _plain(value: float) -> str:
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if value >= size:
            return f"{value / size:.3g} {word}"
    if value >= 100:
        return f"{round(value, -int(len(str(int(value))) - 2)):,.0f}"
    return f"{value:.2g}" if value < 10 else f"{value:.0f}"
