"""Where a long interview is cut: parts that fit, overlapping by a fifth, evened out; long lines cut at spaces."""

from __future__ import annotations

import itertools
import random

import pytest

from core.evaluation.transcript_parts import OVERLAP, overlapping_ranges, pieces


def shared(earlier: range, later: range) -> int:
    return len(range(later.start, earlier.stop))


@pytest.mark.parametrize("seed", range(20))
def test_parts_cover_every_entry_in_order_fit_their_room_and_overlap_by_a_fifth(seed: int) -> None:
    rng = random.Random(seed)
    costs = [rng.randint(5, 60) for _ in range(rng.randint(80, 400))]
    room = rng.randint(400, 1500)
    ranges = overlapping_ranges(costs, room)

    assert ranges[0].start == 0 and ranges[-1].stop == len(costs)
    assert all(sum(costs[i] for i in r) <= room for r in ranges)
    for earlier, later in itertools.pairwise(ranges):
        assert earlier.start < later.start < earlier.stop < later.stop  # overlapping, and each takes new entries
        assert shared(earlier, later) == round(OVERLAP * len(earlier)), (earlier, later)


def test_the_overlap_is_a_fifth_of_the_entries() -> None:
    ranges = overlapping_ranges([10] * 300, 200)  # 20 entries a part
    assert [len(r) for r in ranges[:-2]] == [20] * (len(ranges) - 2)
    assert {shared(a, b) for a, b in itertools.pairwise(ranges[:-1])} == {4}  # the last part is evened out


def test_the_last_two_parts_share_the_end_evenly_rather_than_ending_in_a_scrap() -> None:
    costs = [10] * 101  # filled one after another at 200 a part: six parts of 20 entries, then one of 5
    sizes = [len(r) for r in overlapping_ranges(costs, 200)]
    assert sizes == [20] * 5 + [12, 11]


def test_a_change_near_the_end_moves_only_the_last_two_parts() -> None:
    rng = random.Random(7)
    costs = [rng.randint(5, 60) for _ in range(300)]
    before = overlapping_ranges(costs, 800)
    after = overlapping_ranges([*costs[:-1], costs[-1] + 30], 800)
    assert len(before) > 5 and after[:-2] == before[:-2]


def test_as_few_parts_as_fit() -> None:
    assert overlapping_ranges([10] * 15, 200) == [range(0, 15)]
    assert len(overlapping_ranges([10] * 21, 200)) == 2


def test_an_entry_larger_than_a_part_is_refused_and_nothing_is_no_parts() -> None:
    with pytest.raises(ValueError, match="more than the 100"):
        overlapping_ranges([10, 101, 10], 100)
    assert overlapping_ranges([], 100) == []


def test_a_large_entry_at_the_cut_does_not_fill_the_next_part_with_overlap_alone() -> None:
    costs = [10] * 8 + [90] * 2 + [10] * 20
    ranges = overlapping_ranges(costs, 200)
    for earlier, later in itertools.pairwise(ranges):
        assert later.stop > earlier.stop
    assert ranges[-1].stop == len(costs)


def test_pieces_cut_a_long_line_at_spaces_within_the_limit() -> None:
    text = " ".join(f"word{i}" for i in range(200))
    cut = pieces(text, 100, len)
    assert all(len(p) <= 100 for p in cut) and " ".join(cut) == text
    assert pieces("short line", 100, len) == ["short line"]
    blob = "x" * 250  # one "word" over the limit is cut inside
    assert [len(p) for p in pieces(blob, 100, len)] == [100, 100, 50]
