"""Where a long interview is cut into parts that each fit a model's window, consecutive parts overlapping.

Overlap: each part starts OVERLAP (a fifth, as the coaching requirements ask) of the previous part's entries
before that part ends, so a point made across a cut (a question and its answer, an estimate and the design it
sizes) is read whole by at least one part.

Even ends: parts are filled one after another, and the last two then share what they hold evenly, so an hour
does not end in a last part of three lines judged with almost nothing to go on. Only those two move: a part's
boundaries depend on what comes before it, never on what comes after, so an interview changed near its end
(a line corrected, a few more words) keeps its earlier parts, and the answers cached for them
(core.llm.answer_cache).

Costs are whatever the caller counts (core.evaluation.chunked_evaluation: estimated tokens of an entry with the
findings resting on it). An entry costing more than a part may hold is cut at word boundaries first
(`pieces`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

OVERLAP = 0.2


def overlapping_ranges(costs: Sequence[int], room: int, *, overlap: float = OVERLAP) -> list[range]:
    """Ranges of item indices covering every item in order, each costing at most `room`, each starting
    `overlap` of the previous range's items before its end (and taking at least one item the previous did not).

    Raises ValueError when one item alone costs more than `room`.
    """
    if not costs:
        return []
    if max(costs) > room:
        raise ValueError(f"an item costs {max(costs)}, more than the {room} a part holds")
    greedy = _greedy(costs, room, overlap)
    if len(greedy) < 2:
        return greedy
    start = greedy[-2].start  # the last two parts' items, shared evenly: the smallest cap that still needs two
    tail = costs[start:]
    low, high = max(tail), room
    while low < high:
        middle = (low + high) // 2
        if len(_greedy(tail, middle, overlap)) <= 2:
            high = middle
        else:
            low = middle + 1
    even = [range(r.start + start, r.stop + start) for r in _greedy(tail, low, overlap)]
    return greedy[:-2] + even if len(even) == 2 else greedy


def pieces(text: str, limit: int, cost: Callable[[str], int]) -> list[str]:
    """`text` cut at spaces into pieces each costing at most `limit` (a word longer than that is cut inside)."""
    if cost(text) <= limit:
        return [text]
    out: list[str] = []
    current = ""
    for word in text.split(" "):
        joined = f"{current} {word}" if current else word
        if cost(joined) <= limit:
            current = joined
            continue
        if current:
            out.append(current)
        while cost(word) > limit:  # one "word" (a pasted blob) over the limit: cut by characters
            cut = _longest_prefix(word, limit, cost)
            out.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        out.append(current)
    return out


def _greedy(costs: Sequence[int], cap: int, overlap: float) -> list[range]:
    """Parts filled up to `cap` one after another, each starting `overlap` of the previous one's items back."""
    ranges: list[range] = []
    start = 0
    while True:
        end = _reach(costs, start, cap)
        ranges.append(range(start, end))
        if end == len(costs):
            return ranges
        following = max(start + 1, end - round(overlap * (end - start)))
        while _reach(costs, following, cap) <= end:  # the overlap alone fills a part: overlap less
            following += 1
        start = following


def _reach(costs: Sequence[int], start: int, cap: int) -> int:
    """The end of the longest run of items from `start` costing at most `cap` (at least one item)."""
    end, total = start, 0
    while end < len(costs) and (end == start or total + costs[end] <= cap):
        total += costs[end]
        end += 1
    return end


def _longest_prefix(word: str, limit: int, cost: Callable[[str], int]) -> int:
    low, high = 1, len(word)
    while low < high:
        middle = (low + high + 1) // 2
        if cost(word[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return low
