"""The estimation ladder is climbed rung by rung: a number or two, one size worked out, the main sizes with the
peak, then sizes that decide the design; correct arithmetic on one size alone stays at "misses a dimension"."""

from __future__ import annotations

from core.content.problems import ProblemBank
from core.content.rubrics import Rubric
from core.evaluation.estimation_rung import SizingEvidence, rung, sizing_note
from tests.unit.evaluation.shortener_interview import score_of

NONE = SizingEvidence(numbers=False, worked=0, expected=3, peak=False, used=False)


def sized(**said: object) -> SizingEvidence:
    return SizingEvidence(**{**NONE.__dict__, **said})  # type: ignore[arg-type]


def test_each_rung_needs_the_ones_below_it() -> None:
    assert rung(NONE) == 1.0
    assert rung(sized(numbers=True)) == 2.0
    assert rung(sized(numbers=True, worked=1, peak=True, used=True)) == 3.0  # one dimension: misses the others
    assert rung(sized(numbers=True, worked=2)) == 3.5  # no peak
    assert rung(sized(numbers=True, worked=2, used=True)) == 4.0
    assert rung(sized(numbers=True, worked=2, peak=True)) == 4.0
    assert rung(sized(numbers=True, worked=3, peak=True, used=True)) == 5.0


PROMPT = "Let's size it. Redirects per second, storage over five years, and bandwidth?"
TRAFFIC_ONLY = (
    "10 billion redirects a month / 2.6 million seconds ≈ 3,900 redirects a second on average. "
    "Peaks are about 5 times that, so roughly 20,000 a second. "
    "Writes: 100 million links a month / 2.6 million seconds ≈ 40 a second, so reads outnumber writes 100 to 1. "
    "At 20,000 a second one database node is not enough for reads, so a cache in front takes most of them."
)
ALL_SIZES = (
    "10 billion redirects a month / 2.6 million seconds ≈ 3,900 a second on average, and about 20,000 at peak. "
    "Storage: 100 million links a month x 60 months x 500 bytes = 3 TB over five years. "
    "Bandwidth: 20,000 redirects a second x 500 bytes = 10 MB/s at peak, small. "
    "So 3 TB fits on one database node with a replica, and the hot links fit in memory in a small cache."
)

DESIGN = (
    "The API takes a long URL and returns a seven-character code; a redirect looks the code up and answers 302. "
    "Codes are random base62 strings written with a conditional insert, so a collision retries with a new code. "
    "The link table is keyed by code, and a cache in front of it serves the hot links because reads dominate."
)


def estimation(bank: ProblemBank, rubric: Rubric, answer: str) -> float:
    return score_of(bank, rubric, "estimation", (PROMPT, answer), ("Walk me through the design.", DESIGN))


def test_traffic_worked_out_well_without_storage_or_bandwidth_misses_a_dimension(
    bank: ProblemBank, rubric: Rubric
) -> None:
    """Level 3: "estimates traffic or storage with some arithmetic, but misses a dimension", however well."""
    traffic_only, every = estimation(bank, rubric, TRAFFIC_ONLY), estimation(bank, rubric, ALL_SIZES)
    assert traffic_only <= 3.8
    assert every >= 4.5
    assert every - traffic_only >= 1.0


def test_the_report_says_what_kept_the_estimate_off_the_next_rung() -> None:
    short = sized(numbers=True, worked=1, unworked=("Storage estimate",))
    assert sizing_note(short) == (
        "Not sized with working: Storage estimate. No peak or growth sized, only the average. "
        "No size was used to decide a part of the design (how many machines, what fits in memory). "
    )
    assert sizing_note(sized(numbers=True, worked=3, peak=True, used=True)) == ""
    assert sizing_note(NONE) == ""


IN_WORDS = (
    "Redirects: 10 billion a month would be about 3,900 a second on average, and about 20,000 at peak. "
    "Storage: 100 million links a month times roughly 60 months is 6 billion links, and 6 billion links times "
    "roughly 500 bytes is 3 TB over five years. "
    "Bandwidth: 20,000 redirects a second times roughly 500 bytes is 10 MB/s at peak, small. "
    "So 3 TB fits on one database node with a replica, and the hot links fit in memory in a small cache."
)


def test_working_said_in_words_is_working(bank: ProblemBank, rubric: Rubric) -> None:
    """ "Times roughly", "would be": every result here follows from the candidate's own inputs, as with symbols."""
    assert estimation(bank, rubric, IN_WORDS) >= estimation(bank, rubric, ALL_SIZES) - 0.25
