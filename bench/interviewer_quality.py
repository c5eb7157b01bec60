"""How often the offline interviewer makes the expected move in scripted situations (issue 14, point 7).

Plays every situation in tests/fixtures/interviewer_situations.yaml (tests/interviewer_situations.py reads,
plays and checks them): wrong numbers and misconceptions challenged with the candidate's own words and a
hint, right ones left alone, every clarifying question answered, nothing covered asked again, off-topic
answers brought back, no wrap-up before 85% of the planned time, praise only with its object named.
Prints the pass rate per rule and overall, what each failure missed, and the reply time. Asserts nothing.

    .venv/bin/python bench/interviewer_quality.py [-v]
"""

from __future__ import annotations

import statistics
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.interviewer_situations import check, interviewer_for, load, missing_parts, play


def main() -> None:
    verbose = "-v" in sys.argv
    situations = load()
    by_rule: dict[str, list[bool]] = defaultdict(list)
    failures: list[tuple[str, list[str], str, str]] = []
    waiting: list[str] = []
    times: list[float] = []
    for situation in situations:
        played = play(situation, interviewer_for(situation.problem))
        times.append(played.reply_ms)
        problems = check(played)
        by_rule[situation.rule].append(not problems)
        if problems:
            failures.append((situation.id, problems, played.reply.text, situation.pending))
        if missing := missing_parts(situation):
            waiting.append(f"{situation.id} (needs {', '.join(missing)})")

    passed = sum(ok for results in by_rule.values() for ok in results)
    print(f"situations: {len(situations)}, problems: {len({s.problem for s in situations})}")
    for rule, results in by_rule.items():
        print(f"  {rule:<20} {sum(results):>3}/{len(results):<3} {100 * sum(results) / len(results):5.1f}%")
    print(f"pass rate: {passed}/{len(situations)} = {100 * passed / len(situations):.1f}%")
    ordered = sorted(times)
    print(
        f"reply time (the message's reply alone): median {statistics.median(times):.1f} ms, "
        f"p95 {ordered[round(0.95 * (len(ordered) - 1))]:.1f} ms, max {ordered[-1]:.1f} ms"
    )
    if waiting:
        print(f"waiting for parts not in the tree yet: {', '.join(waiting)}")
    for name, problems, reply, pending in failures:
        print(f"FAIL {name}: {'; '.join(problems)}")
        if pending:
            print(f"     known gap: {pending}")
        if verbose:
            print(f"     reply: {reply}")


if __name__ == "__main__":
    main()
