"""The candidate's own sums, redone: a result 3x or more from what its inputs give is a slip."""

from __future__ import annotations

import pytest

from core.correctness.arithmetic import arithmetic_slips, worked_results
from core.correctness.findings import FindingKind


@pytest.mark.parametrize(
    ("said", "wrong", "right"),
    [
        # rates across time units
        ("10 billion redirects a month works out to about 400 redirects per second.", "400", "3,900 per second"),
        ("Writes, 100 million a month, that's about 4 per second.", "4 per second", "39 per second"),
        (
            "A month is roughly 2.5 million seconds, so 10 billion redirects divided by that is about 400 per second.",
            "400",
            "4,000 per second",
        ),
        (  # the split is of the rate, not of the bare count that repeats it
            "Peaks are 40,000 a second, so we plan for 40,000. By kind: 60% reads is 24,000 a second, 30% writes is "
            "12,000 and 10% deletes is 400 a second.",
            "400",
            "4,000 per second",
        ),
        (
            "That's 20 billion requests a day. Divide by 86,400 seconds and you get roughly 2.3 million QPS.",
            "2.3 million",
            "230,000 per second",
        ),
        (
            "500 million a day, divided by the seconds in a day, is around 50,000 a second.",
            "50,000 a second",
            "5,800 per second",
        ),
        ("Bookings: 100 a second times 86400 is 8.6 billion a day.", "8.6 billion", "8.64 million a day"),
        ("Ingest: 500 TB a day / 86400 is about 58 MB/s.", "58 MB/s", "5.79 GB per second"),
        ("Roughly 8,000 holds of about 2.5 seats over 15 minutes, so around 2,000 seats a second.", "2,000", "22"),
        # counts times sizes, in any units
        ("6 billion links times 500 bytes is about 300 gigabytes.", "300 gigabytes", "3 TB"),
        ("400 a second times 500 bytes is 200 megabytes a second.", "200 megabytes", "200 KB per second"),
        ("30 million posts at 1 KB each is 30 terabytes a day.", "30 terabytes", "30 GB a day"),
        ("30 million streams times 3 megabits is 9 terabits a second.", "9 terabits", "90 Tbit"),
        ("20 percent of 6 billion, 1.2 billion entries, times 500 bytes is about 60 gigabytes.", "60", "600 GB"),
        # powers
        ("Base62 with 7 characters: 62 to the power 7 is about 3.5 billion codes.", "3.5 billion", "3.52 trillion"),
        ("62^8 is around 200 billion.", "200 billion", "218 trillion"),
        # capacity divisions
        ("20,000 requests a second divided by 2,000 per server is 100 servers.", "100 servers", "about 10"),
        ("Little's law: 1,000 a second times 0.8 seconds is about 80 concurrent calls.", "80", "800"),
        ("115 a second average, 1,000 at peak. Reads at 10 times that are 50,000 a second.", "50,000", "10,000"),
        ("4 ledger entries times 200 bytes times 10 million is 80 GB a day.", "80 GB", "8 GB"),
        ("A billion-row set with 300 features at about 8 bytes each is 24 GB.", "24 GB", "2.4 TB"),  # the billion too
        (  # the ten made the 1.5 billion: it is no factor of the next sentence's sum
            "150 million users, each opening the feed ten times a day, gives 1.5 billion views a day. Dividing by "
            "roughly 100,000 seconds, that's about 150,000 reads per second.",
            "150,000",
            "15,000 per second",
        ),
        ("so 300 bytes times 8 billion is um 240 gigabytes a day", "240 gigabytes", "2.4 TB"),  # a filler before it
        ("Events: 2 billion a day at 200 bytes is about 40 GB a day.", "40 GB", "400 GB"),  # a rate at a size
        ("That is 500 KB per user. Across 150 million daily users that's about 75 GB.", "75 GB", "75 TB"),
        ("2 times 10 to the 6 is 20 million.", "20 million", "2 million"),  # the power is the operand's
        ("2.4 terabytes a day. Times 365 is about 88 terabytes a year.", "88 terabytes", "876 TB a year"),
        ("That's 0.9 times 1 plus 0.1 times 20, about 30 people per message.", "30 people", "2.9"),  # x before +
        ("2 KB plus 4 times 200 bytes is 28 KB a payment.", "28 KB", "2.8 KB"),  # the count is the size's
        ("Holding 500 entries of 1 KB for 150 million users is 75 GB.", "75 GB", "75 TB"),  # a count of a size
        (  # so many per one of a thing said before as a rate
            "Peak is 30,000 requests a second. Ranking 500 candidates per request is 1.5 million scorings a second.",
            "1.5 million",
            "15 million per second",
        ),
        # a count at so many of the same per something is divided; hedges after an operator; a count over a span
        ("80,000 tickets at about 4 tickets per basket is 320,000 baskets.", "320,000", "20,000"),
        ("20,000 shops times roughly 300 products is 600 million listings.", "600 million", "6 million"),
        ("Two million viewers in 10 minutes is 300,000 joins per second.", "300,000", "3,300 per second"),
        ("300 orders per second would be 2.6 billion a day.", "2.6 billion", "25.9 million a day"),
        # a rate over a span of many periods is a total; a count at a size; "an average of" is a hedge
        ("Orders: 2 million a month over 3 years is 7 million orders.", "7 million", "73"),
        ("Ledger rows grow by about 10 TB a year. Over 7 years that comes to about 7 TB.", "7 TB", "70 TB"),
        ("40 million photos at 300 KB is about 1.2 TB.", "1.2 TB", "12 TB"),
        # a rate totalled over one period named in words, before the result or after it
        ("Text is 2.4 TB a day, and over a year that's about 90 TB.", "90 TB", "876 TB"),
        ("We write 2.4 TB a day, so about 90 TB over a year.", "90 TB", "876 TB"),
        ("5,000 venues times an average of 2,000 seats is 100 million seats.", "100 million", "10 million"),
        # each share of a split is its percent of the figure split
        (
            "Peaks are 40,000 a second. By kind: 60% reads is 24,000 a second, 30% writes is 12,000 and 10% deletes "
            "is 400 a second.",
            "400",
            "4,000 per second",
        ),
        # a sentence that opens with an operation carries on the one before
        ("600 pings times 100 bytes is 60 KB per trip. Times 20 million trips is 120 GB a day.", "120 GB", "1.2 TB"),
        (
            "That gives 1.5 billion feed views a day. Dividing by roughly 100,000 seconds, that's about 150,000 reads "
            "per second.",
            "150,000",
            "15,000 per second",
        ),
    ],
)
def test_a_wrong_result_is_reported_with_the_right_figure(said: str, wrong: str, right: str) -> None:
    [slip] = arithmetic_slips(said)
    assert slip.kind is FindingKind.ARITHMETIC
    assert wrong in (slip.said or "")
    assert right in (slip.right or ""), slip.right
    assert slip.competency == "estimation"
    assert slip.quote and slip.said in slip.quote


@pytest.mark.parametrize(
    "said",
    [
        "10 billion redirects a month is about 3,900 redirects per second.",
        "62^7 ≈ 3.5 trillion, plenty for 6 billion links.",
        "2 KB plus 800 bytes is 2.8 KB per payment, times 10 million is 28 GB a day, about 10 TB a year.",
        "Five years is 60 months, times 100 million is 6 billion links.",
        "Reads at ten times that are 10,000 a second.",
        "1,000 a second times 0.8 seconds is 800 calls in flight.",
        "5 billion pages a month over 2.6 million seconds is about 1,900 a second, call it 2k.",
        "0.1% of 10 million is 10,000 a day.",
        "150 million users times 10 opens is 1.5 billion reads a day, about 17,000 per second.",
        # a period's seconds, unnamed or in words, is the conversion itself
        "500 million a day, divided by the seconds in a day, is around 5,800 a second.",
        "bookings upper bound 100 a second times 86400 is 8.6 million a day times 2 kilobytes is about 17 gigabytes",
        "ingest: 500TB/d / 86400 ≈ 5.8GB/s ≈ 46Gbps avg",
        "photos one in five so 6 million a day times 500 kb is 3 terabytes a day",  # 500 KB is not a week's seconds
        "At peak that's roughly 8,000 holds of about 2.5 seats over 15 minutes, so around 20 seats a second.",
        "600 pings times 100 bytes is 60 KB per trip. Times 20 million trips is 1.2 TB a day.",
        "That gives 1.5 billion views a day. Dividing by roughly 100,000 seconds, that's about 15,000 a second.",
        "Times 20 million trips is 1.2 TB a day.",  # nothing before it to carry on
        # a size per user totalled over the users; a small number in words is no result; roots are not judged
        "Scoring 20 million shoppers every night, and storing 100 IDs at 8 bytes per user is 16 GB.",
        "The full 50 million catalog would be ten times that, which is one reason to index only sellable items.",
        "The standard error is about the square root of 2 times 0.03 times 0.97 over a million, roughly 0.024.",
        "A billion-row training set with 300 features at about 8 bytes each is 2.4 TB of output.",
        # "that" may be any figure just said; a counted noun before "times" is still a factor
        "115 a second average, 1,000 at peak. Reads at 10 times that are 1,150 a second average.",
        # the same cases worked out right; "that's" within a sentence is that sentence's sum, not an earlier rate
        "80,000 tickets at about 4 tickets per basket is 20,000 baskets.",
        "20,000 shops times roughly 300 products is 6 million listings.",
        "Two million viewers in 10 minutes is 3,300 joins per second.",
        "300 orders per second would be 26 million a day.",
        "Text is 2.4 TB a day, about 900 TB a year. If 5% of messages carry a 200 KB photo, that's 80 TB a day.",
        "Orders: 2 million a month over 3 years is 72 million orders.",
        "That is 2.4 TB per day, which over a year is about 880 TB.",
        "About 5,000 writes a second, and in a day that is roughly 400 million rows.",
        "400 redirects a second, and over a year that is 1 billion links.",  # a total of something else: a frame
        "10 billion redirects a month is about 3,900 a second. Over five years that is 6 billion links.",  # a frame
        "Peaks are 40,000 a second. By kind: 60% reads is 24,000 a second, 30% writes is 12,000 and 10% deletes is "
        "4,000 a second.",
        "40 million photos at 300 KB is about 12 TB.",
        "5,000 venues times an average of 2,000 seats is 10 million seats.",
        "1.5 billion reads a day over 86,400 seconds is about 17,000 a second.",  # over its own period: a rate
        "10 million payments times 2 KB is 20 GB a day; 4 entries times 200 bytes times 10 million is 8 GB a day.",
        "Events: 2 billion a day at 200 bytes is about 400 GB a day.",
        "That is 500 KB per user. Across 150 million daily users that's about 75 TB.",
        "10 to the 7 over 10 to the 4 is about 1,000.",
        "8 billion a day times 300 bytes is 2.4 terabytes a day. Times 365 is about 880 terabytes a year.",
        "That's 0.9 times 1 plus 0.1 times 20, about 3 people per message.",
        "2 KB plus 4 times 200 bytes is 2.8 KB a payment, times 10 million is 28 GB a day.",
        "Holding 500 entries of 1 KB for 150 million users is 75 TB before replication.",
        "100 million users at 2 KB is 200 GB, plus 10 million items at 1 KB is 10 GB, about 210 GB.",
        "8,000 pages a second, 6.4 Gbps, about 500 TB a month before dedup.",  # a list, the last item hedged
        "Peak is 30,000 requests a second. Ranking 500 candidates per request is 15 million scorings a second.",
        "We serve 17,000 feed reads a second, and at 20 posts per read that is 340,000 post lookups a second.",
    ],
)
def test_right_sums_are_left_alone(said: str) -> None:
    assert arithmetic_slips(said) == []


@pytest.mark.parametrize(
    "said",
    [
        "1 billion requests a day, so 100k QPS at peak.",  # a peak is not the average restated
        "At 20 billion: 8k/s, 6.4 Gbps, 500 TB/month.",  # a list of different figures, not a conversion
        "We have 500 million users, so 100 million daily actives.",  # counts with no operation are assumptions
        "For peak I'll take 3x, so around 1,200 reads a second.",
    ],
)
def test_assumptions_and_lists_are_not_sums(said: str) -> None:
    assert arithmetic_slips(said) == []


def test_working_shown_in_any_words_is_counted_right_or_wrong() -> None:
    """What the estimation ladder calls "with working": a result the reader can follow from the candidate's inputs."""
    assert worked_results("20,000 shops times roughly 300 products is 6 million listings.") == 1
    assert worked_results("20,000 shops times roughly 300 products is 60 million listings.") == 1
    assert worked_results("Two million viewers in 10 minutes is 3,300 joins per second.") == 1
    assert worked_results("We keep 20,000 shops and 300 products each in 3 regions.") == 0
