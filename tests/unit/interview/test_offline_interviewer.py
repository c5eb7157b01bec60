"""The offline interviewer, driven through whole conversations on the real URL-shortener problem."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.content.problems import Problem, load_problem
from core.content.rubrics import Rubric, load_rubric
from core.content.text_signals import describe_figure
from core.interview.offline_interviewer import (
    LEVEL_PLANS,
    MAX_ANSWERS,
    STAGE_SHARES,
    OfflineInterviewer,
    Turn,
    stage_minutes,
)
from core.models import Level, Message, Role, Session, SessionStatus, Stage

DATA = Path(__file__).resolve().parents[3] / "data"
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)

REQUIREMENTS_ANSWERS = [
    "Users paste a long URL and get back a short link; opening the short link redirects to the original.",
    "Redirects must be fast, under 100 ms at p99, and 99.99% available, because a dead link is public.",
    "Out of scope: the web UI and billing. I assume anonymous users can create links.",
]


@pytest.fixture(scope="module")
def problem() -> Problem:
    return load_problem(DATA / "problems" / "url_shortener.yaml")


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return load_rubric(DATA / "rubrics" / "system_design.yaml")


class Chat:
    """Plays the service's part: stores messages, asks for replies, applies stage changes."""

    def __init__(self, problem: Problem, rubric: Rubric, *, minutes: int = 45, level: Level = Level.MID) -> None:
        self.interviewer = OfflineInterviewer(problem, rubric)
        self.session = Session(
            id="s1",
            problem_id=problem.id,
            level=level,
            status=SessionStatus.ACTIVE,
            duration_minutes=minutes,
            started_at=T0,
            stage_started_at=T0,
        )
        self.now = T0
        self.history: list[Message] = []
        self.turns: list[Turn] = []
        self.calls: list[tuple[Session, list[Message], datetime]] = []  # every reply's inputs, for replays
        self._add(Role.INTERVIEWER, self.interviewer.opening(self.session))

    def say(self, text: str, *, after: timedelta = timedelta(seconds=30)) -> Turn:
        self.now += after
        self.history.append(Message("s1", Role.CANDIDATE, text, stage=self.session.stage, created_at=self.now))
        self.calls.append((replace(self.session), list(self.history), self.now))
        turn = self.interviewer.reply(self.session, list(self.history), self.now)
        self._add(Role.INTERVIEWER, turn)
        if turn.stage is not self.session.stage:
            self.session.stage = turn.stage
            self.session.stage_started_at = self.now
        return turn

    def _add(self, role: Role, turn: Turn) -> None:
        self.turns.append(turn)
        self.history.append(
            Message(
                "s1",
                role,
                turn.text,
                stage=turn.stage,
                meta=turn.meta,
                seq=len(self.history),
                created_at=self.now,
            )
        )

    def asked_questions(self) -> list[str]:
        return [t.meta["question"] for t in self.turns if t.meta.get("question")]


def _through_requirements(chat: Chat) -> Turn:
    turn = None
    for answer in REQUIREMENTS_ANSWERS:
        turn = chat.say(answer)
    assert turn is not None
    return turn


# --- opening ---------------------------------------------------------------------------------


def test_opening_states_problem_stages_time_and_invites_questions(problem: Problem, rubric: Rubric) -> None:
    session = Session(id="s1", problem_id=problem.id, duration_minutes=60)
    turn = OfflineInterviewer(problem, rubric).opening(session)
    assert turn.stage is Stage.REQUIREMENTS and turn.meta == {"kind": "opening", "level": "mid"}
    assert problem.title in turn.text
    assert "60 minutes" in turn.text
    for stage in Stage:
        assert stage.label.lower() in turn.text
    assert "clarifying questions" in turn.text
    assert " ".join(problem.stages[Stage.REQUIREMENTS].prompt.split()) in turn.text


@pytest.mark.parametrize("minutes", [30, 45, 60, 90])
def test_stage_minutes_add_up_to_the_interview(minutes: int) -> None:
    allocation = stage_minutes(minutes)
    assert list(allocation) == list(Stage)
    assert sum(allocation.values()) == minutes
    assert allocation[Stage.HIGH_LEVEL_DESIGN] >= allocation[Stage.ESTIMATION]


def test_opening_keeps_the_statement_paragraphs(problem: Problem, rubric: Rubric) -> None:
    text = OfflineInterviewer(problem, rubric).opening(Session(id="s", problem_id=problem.id)).text
    assert "\n\nDesign the service that creates short links" in text


def test_opening_says_what_each_level_is_expected_to_show(problem: Problem, rubric: Rubric) -> None:
    interviewer = OfflineInterviewer(problem, rubric)
    texts = {lv: interviewer.opening(Session(id="s", problem_id=problem.id, level=lv)).text for lv in Level}
    assert len(set(texts.values())) == len(Level)
    assert "hint" in texts[Level.JUNIOR] and "drive the discussion" not in texts[Level.JUNIOR]
    assert "drive the discussion" not in texts[Level.MID] and "dig deeper" in texts[Level.MID]
    assert "drive the discussion" in texts[Level.SENIOR] and "trade-offs" in texts[Level.SENIOR]
    assert "drive the discussion" in texts[Level.STAFF] and "evolve" in texts[Level.STAFF]
    for lv, text in texts.items():
        assert LEVEL_PLANS[lv].expectation in text


def test_empty_history_gets_the_opening(problem: Problem, rubric: Rubric) -> None:
    session = Session(id="s1", problem_id=problem.id)
    assert OfflineInterviewer(problem, rubric).reply(session, [], T0).meta["kind"] == "opening"


# --- clarifying questions --------------------------------------------------------------------


def test_clarifying_question_about_scale_gets_the_facts_number(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric)
    turn = chat.say("How many new URLs per month should I expect?")
    assert turn.meta["kind"] == "answer"
    assert "100 million" in turn.text
    assert turn.stage is Stage.REQUIREMENTS


def test_two_part_question_gets_both_facts(problem: Problem, rubric: Rubric) -> None:
    turn = Chat(problem, rubric).say("Do we need custom aliases? And how long do links live before they expire?")
    assert "16 characters" in turn.text and "5 years" in turn.text
    assert len(turn.meta["facts"]) == 2


def test_repeated_question_says_it_was_already_answered(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric)
    chat.say("What's the read to write ratio?")
    again = chat.say("Sorry, what was the read to write ratio again?")
    assert again.text.startswith("As I mentioned")


def test_unknown_question_asks_for_a_stated_assumption(problem: Problem, rubric: Rubric) -> None:
    turn = Chat(problem, rubric).say("Should I use Java or Go for the servers?")
    assert turn.meta["kind"] == "assumption"
    assert "assumption" in turn.text


def test_asking_for_a_hint_gets_one(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric)
    chat.session.stage = Stage.ESTIMATION
    turn = chat.say("Could you give me a hint?")
    assert turn.meta["kind"] == "hint" and turn.meta["topic"] in problem.stages[Stage.ESTIMATION].topics


def test_asking_what_the_interviewer_means_rephrases_the_last_probe(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric)
    probe = chat.say(REQUIREMENTS_ANSWERS[0])
    turn = chat.say("Sorry, I'm not sure what you mean?")
    assert turn.meta == {"kind": "rephrase", "topic": probe.meta["topic"]}
    assert rubric.topics[probe.meta["topic"]].probe in turn.text


def test_rhetorical_question_inside_an_answer_is_not_answered(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric)
    chat.session.stage = Stage.DEEP_DIVE
    turn = chat.say(
        "What happens if the cache node fails? We fall back to Cassandra with a short timeout and retry once."
    )
    assert turn.meta["kind"] == "probe"


def test_check_in_is_not_treated_as_a_vague_answer(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric)
    chat.say(REQUIREMENTS_ANSWERS[0])
    turn = chat.say("Does that make sense?")
    assert turn.meta["kind"] == "probe"
    assert turn.text.startswith(("Yes", "So far"))


# --- vague answers and buzzword lists --------------------------------------------------------


def test_vague_answer_gets_a_request_for_detail_but_not_twice_in_a_row(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric)
    _through_requirements(chat)
    chat.say("ok", after=timedelta(seconds=5))
    assert chat.session.stage is Stage.ESTIMATION
    first = chat.say("I'd use a database")
    assert first.meta["kind"] == "detail"
    assert "concrete" in first.text or "specific" in first.text or "numbers" in first.text.lower()
    second = chat.say("maybe just use something")
    assert second.meta["kind"] != "detail"
    assert second.meta["kind"] == "hint"


def test_database_without_detail_is_asked_which_and_why(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric)
    chat.session.stage = Stage.HIGH_LEVEL_DESIGN
    turn = chat.say("I'd use a database")
    assert turn.meta["kind"] == "detail"
    assert "Which database" in turn.text and "why" in turn.text


def test_buzzword_list_gets_pushback_naming_the_pieces(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric)
    chat.session.stage = Stage.HIGH_LEVEL_DESIGN
    turn = chat.say("Load balancer, app servers, Redis, Cassandra, Kafka")
    assert turn.meta["kind"] == "pushback"
    assert "Redis" in turn.text and "Cassandra" in turn.text
    assert "why" in turn.text.lower() or "how" in turn.text.lower()
    again = chat.say("Redis, Kafka, Cassandra, CDN")
    assert again.meta["kind"] != "pushback"  # never the same push twice in a row


def test_reasoned_list_is_not_pushed_back(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric)
    chat.session.stage = Stage.HIGH_LEVEL_DESIGN
    turn = chat.say(
        "Redis for hot links, Cassandra for the mapping, Kafka for clicks, because reads outnumber writes a hundred "
        "to one and counting clicks must never slow a redirect."
    )
    assert turn.meta["kind"] != "pushback"
    generic = chat.say("Redis for hot links, Cassandra for the mapping, Kafka for clicks, because each scales alone.")
    assert generic.meta["kind"] == "pushback"  # a virtue of any tool is no reason for this design


# --- stages ----------------------------------------------------------------------------------


def test_covering_the_stage_topics_moves_to_the_next_stage(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric)
    turns = [chat.say(a) for a in REQUIREMENTS_ANSWERS]
    assert [t.meta["kind"] for t in turns[:-1]] == ["probe", "probe"]
    last = turns[-1]
    assert last.meta == {"kind": "stage", "stage": "estimation", "from": "requirements", "reason": "coverage"}
    assert last.stage is Stage.ESTIMATION
    assert " ".join(problem.stages[Stage.ESTIMATION].prompt.split()) in last.text


def test_estimation_numbers_cover_estimation_and_move_on(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric)
    _through_requirements(chat)
    chat.say("100M links a month is 100,000,000 / 2.6M seconds ≈ 40 writes per second, 4,000 redirects per second.")
    chat.say("Each link is about 500 bytes, so 6 billion links over 5 years is 3 TB of storage.")
    turn = chat.say("Bandwidth: 4,000 redirects per second times 500 bytes is 2 MB/s outbound.")
    assert turn.meta["kind"] == "stage" and turn.stage is Stage.HIGH_LEVEL_DESIGN


def test_uncovered_topics_are_probed_and_no_question_is_asked_twice(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric, minutes=45)
    neutral = "Okay, I will think about the general shape of this for a moment and carry on after."
    for _ in range(40):
        turn = chat.say(neutral, after=timedelta(seconds=90))
        if turn.meta["kind"] == "probe" and "drill" not in turn.meta:
            assert turn.meta["topic"] in problem.stages[turn.stage].topics
        if turn.meta["kind"] == "closing":
            break
    asked = chat.asked_questions()
    assert len(asked) >= 8
    assert len(asked) == len(set(asked))
    assert {t.stage for t in chat.turns} == set(Stage)  # it walked through every stage


def test_probes_prefer_problem_follow_ups_and_acknowledge_the_answer(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric)
    turn = chat.say(REQUIREMENTS_ANSWERS[0])
    assert turn.meta["kind"] == "probe"
    assert turn.meta["question"] in problem.follow_ups[turn.meta["topic"]]
    assert turn.text.endswith(turn.meta["question"])
    assert "features" in turn.text.split(turn.meta["question"])[0]  # a nod to what was just covered


def test_stage_moves_after_enough_answers_even_with_topics_left(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric, minutes=600)
    chat.say("Users should be able to shorten links.")
    turns = [chat.say("I would keep the design simple and think it through as I go along.") for _ in range(3)]
    assert turns[-1].meta["kind"] == "stage" and turns[-1].meta["reason"] == "turns"
    assert MAX_ANSWERS[Stage.REQUIREMENTS] == 4


def test_stage_moves_when_its_time_budget_is_spent(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric, minutes=40)
    budget = STAGE_SHARES[Stage.REQUIREMENTS] * 40 * 60
    turn = chat.say(REQUIREMENTS_ANSWERS[0], after=timedelta(seconds=budget + 1))
    assert turn.meta["kind"] == "stage" and turn.meta["reason"] == "time"
    assert "time" in turn.text


def test_stages_without_a_plan_fall_back_to_the_rubric(problem: Problem, rubric: Rubric) -> None:
    stages = {k: v for k, v in problem.stages.items() if k is not Stage.ESTIMATION}
    unplanned = problem.model_copy(update={"stages": stages})
    chat = Chat(unplanned, rubric)
    turn = _through_requirements(chat)
    assert turn.stage is Stage.ESTIMATION and "requests per second" in turn.text
    probe = chat.say("Let me think about the load on this system for a moment before I answer.")
    assert probe.meta["topic"] in {k for k, t in rubric.topics.items() if t.stage == "estimation"}


def test_candidate_can_ask_to_move_on(problem: Problem, rubric: Rubric) -> None:
    turn = Chat(problem, rubric).say("Can we move on to the estimation?")
    assert turn.meta["kind"] == "stage" and turn.meta["reason"] == "request"
    assert turn.stage is Stage.ESTIMATION


def test_stage_is_recovered_from_the_chat_when_the_session_lags(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric)
    _through_requirements(chat)
    stale = replace(chat.session, stage=Stage.REQUIREMENTS, stage_started_at=T0)
    chat.history.append(Message("s1", Role.CANDIDATE, "40 writes per second and 4,000 redirects per second."))
    turn = chat.interviewer.reply(stale, chat.history, chat.now)
    assert turn.stage is Stage.ESTIMATION


# --- hints and harder follow-ups -------------------------------------------------------------


def test_stuck_candidate_is_asked_to_reason_first_then_gets_a_hint(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric)
    _through_requirements(chat)
    probe = chat.say("100M links a month is about 40 writes per second and 4,000 redirects per second.")
    topic = probe.meta["topic"]
    first = chat.say("I don't know")
    assert first.meta == {"kind": "encourage", "topic": topic}
    assert "?" in first.text and "hint" not in first.text.lower()
    hint = chat.say("Sorry, no idea")
    assert hint.meta["kind"] == "hint" and hint.meta["topic"] == topic and hint.meta["after"] == "stuck"
    assert " ".join(problem.hints[topic][0].split()) in hint.text


def test_stuck_junior_gets_the_hint_at_once(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric, level=Level.JUNIOR)
    _through_requirements(chat)
    probe = chat.say("100M links a month is about 40 writes per second and 4,000 redirects per second.")
    hint = chat.say("I don't know")
    assert hint.meta["kind"] == "hint" and hint.meta["topic"] == probe.meta["topic"]
    assert " ".join(problem.hints[probe.meta["topic"]][0].split()) in hint.text


def test_hints_run_out_and_the_interviewer_moves_to_another_topic(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric, minutes=600)
    chat.session.stage = Stage.HIGH_LEVEL_DESIGN
    first = chat.say("Not sure where to start")
    assert first.meta["kind"] == "encourage"
    topic = first.meta["topic"]
    given = [first]
    for _ in range(5):
        turn = chat.say("No idea, sorry")
        given.append(turn)
        if turn.meta.get("topic") != topic:
            break
    hints = [t.meta["hint"] for t in given if t.meta["kind"] == "hint" and t.meta["topic"] == topic]
    assert len(hints) == len(set(hints)) >= 1
    assert given[-1].meta.get("topic") != topic
    assert "park" in given[-1].text


STRONG_CACHING = (
    "We keep the hottest links in Redis in front of Cassandra, because about 20% of links get 80% of "
    "clicks, so a 50 GB cache with LRU eviction serves most redirects in under 5 ms, but if Redis fails "
    "we fall back to Cassandra with a short timeout."
)
STRONG_SHARDING = (
    "We shard Cassandra by the short code with consistent hashing, because hashing spreads keys evenly, so "
    "adding a node moves only a small share of the data, but listing a user's links then needs a separate index."
)


@pytest.mark.parametrize("level", [Level.SENIOR, Level.STAFF])
def test_one_strong_answer_gets_seniors_a_harder_follow_up(problem: Problem, rubric: Rubric, level: Level) -> None:
    chat = Chat(problem, rubric, level=level)
    chat.session.stage = Stage.DEEP_DIVE
    turn = chat.say(STRONG_CACHING)
    assert turn.meta["kind"] == "probe" and turn.meta["depth"] == "harder"
    assert turn.meta["topic"] == "caching"
    assert turn.meta["question"] == problem.follow_ups["caching"][-1]


def test_mid_level_needs_two_strong_answers_for_a_harder_follow_up(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric, level=Level.MID)
    chat.session.stage = Stage.DEEP_DIVE
    first = chat.say(STRONG_CACHING)
    assert first.meta["kind"] == "probe" and first.meta["depth"] == "normal"
    second = chat.say(STRONG_SHARDING)
    assert second.meta["kind"] == "probe" and second.meta["depth"] == "harder"
    assert second.meta["topic"] == "sharding"
    assert second.meta["question"] == problem.follow_ups["sharding"][-1]


def test_juniors_get_basic_follow_ups_only(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric, level=Level.JUNIOR)
    chat.session.stage = Stage.DEEP_DIVE
    turns = [chat.say(STRONG_CACHING), chat.say(STRONG_SHARDING)]
    assert [t.meta["depth"] for t in turns] == ["basic", "basic"]
    for turn in turns:
        assert turn.meta["question"] == problem.follow_ups[turn.meta["topic"]][0]  # the first, basic one


# --- time and closing ------------------------------------------------------------------------


def test_time_up_asks_for_a_summary_then_closes(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric, minutes=30)
    chat.say(REQUIREMENTS_ANSWERS[0])
    late = chat.say("And links should expire after five years.", after=timedelta(minutes=31))
    assert late.meta["kind"] == "time_up" and late.stage is Stage.WRAP_UP
    assert "summary" in late.text and "end the interview" in late.text
    closing = chat.say(
        "In summary: stateless servers behind a load balancer, a counter-based ID generator, a key-value "
        "store with a cache for redirects."
    )
    assert closing.meta == {"kind": "closing"}
    assert "end" in closing.text
    after = chat.say("Thanks!")
    assert after.meta["kind"] == "closing" and after.meta.get("repeat") is True


def test_wrap_up_summary_closes_the_interview(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric)
    chat.session.stage = Stage.WRAP_UP
    probe = chat.say(
        "The first bottleneck at 10x is the cache memory, because every redirect reads it.", after=timedelta(minutes=39)
    )
    assert probe.meta["kind"] == "probe"
    closing = chat.say(
        "To summarize: a load balancer, stateless API servers, base62 counter IDs, Cassandra for links, "
        "Redis for hot redirects, and Kafka for click counts; 302 over 301 was the key trade-off."
    )
    assert closing.meta["kind"] == "closing"


def test_wrap_up_runs_out_of_turns_by_asking_for_the_summary(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric)
    chat.session.stage = Stage.WRAP_UP
    chat.now += timedelta(minutes=39)  # the plan's wrap-up: 85% of 45 minutes
    kinds = []
    for _ in range(8):
        turn = chat.say("I would keep watching it and improve things step by step over time.")
        kinds.append((turn.meta["kind"], turn.meta.get("topic")))
        if turn.meta["kind"] == "closing":
            break
    assert ("probe", "design_summary") in kinds
    assert kinds[-1][0] == "closing"


# --- purity, variety and speed ---------------------------------------------------------------

SCRIPT = [
    "How many new links per month?",
    *REQUIREMENTS_ANSWERS,
    "I don't know",
    "100M links a month is about 40 writes per second; reads are 100:1 so 4,000 redirects per second.",
    "Each link is 500 bytes, so 6 billion links over 5 years is 3 TB.",
    "Load balancer, app servers, Redis, Cassandra",
    "I'd use a database",
    "POST /links returns the code; GET /{code} looks up the code in the cache, then the store, and returns a 302.",
    "Does that make sense?",
    "Can we move on?",
]


def test_a_restarted_interviewer_gives_the_same_reply(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric)
    for line in SCRIPT:
        chat.say(line)
    for (session, history, now), original in zip(chat.calls, chat.turns[1:], strict=True):
        fresh = OfflineInterviewer(problem, rubric)  # as after a server restart
        assert fresh.reply(session, history, now) == original


def test_replies_vary_in_wording(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric)
    for line in SCRIPT:
        chat.say(line)
    openers = {t.text.split(" ")[0] for t in chat.turns[1:]}
    assert len(openers) >= 5


def test_replies_are_fast(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric, minutes=600)
    start = time.perf_counter()
    for i in range(20):
        chat.say(SCRIPT[i % len(SCRIPT)] + f" (take {i})")
    assert time.perf_counter() - start < 5.0


def test_coverage_reports_the_current_stage_checklist(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric)
    chat.say(REQUIREMENTS_ANSWERS[1])
    coverage = chat.interviewer.coverage(chat.session, chat.history)
    assert list(coverage) == problem.stages[Stage.REQUIREMENTS].topics
    assert coverage["non_functional_requirements"] is True
    assert coverage["scope_clarification"] is False


def test_reply_to_a_history_ending_with_the_interviewer_is_a_nudge(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric)
    turn = chat.interviewer.reply(chat.session, chat.history, chat.now)
    assert turn.meta["kind"] == "nudge" and turn.text.startswith("Take your time")


@pytest.mark.parametrize("path", sorted((DATA / "problems").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_problem_in_the_bank_can_be_interviewed_end_to_end(path: Path, rubric: Rubric) -> None:
    problem = load_problem(path)
    chat = Chat(problem, rubric, minutes=45)
    chat.say("How many users should I plan for?")
    for _ in range(40):
        turn = chat.say(
            "Okay, let me think about the general shape of this for a moment and carry on after.",
            after=timedelta(seconds=90),
        )
        if turn.meta["kind"] == "closing":
            break
    assert chat.turns[-1].meta["kind"] == "closing"
    assert {t.stage for t in chat.turns} == set(Stage)
    asked = chat.asked_questions()
    assert len(asked) == len(set(asked))


# --- pushback on wrong claims ----------------------------------------------------------------

CLICKS_ON_301 = "I'd return a 301 redirect, and the redirect service counts clicks for each link."


def test_misconception_gets_the_problems_pushback_once(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric)
    chat.session.stage = Stage.HIGH_LEVEL_DESIGN
    turn = chat.say(CLICKS_ON_301)
    assert turn.meta["kind"] == "pushback" and turn.meta["reason"] == "misconception"
    correction = problem.misconceptions[turn.meta["misconception"]].correction
    assert correction == "A 301 is cached by browsers — would you still see every click?"
    assert turn.text.endswith(correction) and turn.meta["topic"] == "redirect_semantics"
    again = chat.say("We return a 301 and the service counts every click.")
    assert again.meta["kind"] != "pushback"  # never the same pushback twice
    later = chat.say("As I said, a 301 redirect, and we count clicks in the service.", after=timedelta(minutes=3))
    assert later.meta.get("reason") != "misconception"
    assert sum(correction in t.text for t in chat.turns) == 1


def test_a_stuck_reply_to_a_challenge_gets_the_answer_on_its_topic(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric, level=Level.JUNIOR)
    chat.session.stage = Stage.DEEP_DIVE
    challenge = chat.say(CLICKS_ON_301)
    assert challenge.meta["reason"] == "misconception" and "302" not in challenge.text  # a hint, not the answer
    answer = chat.say("Hmm, I'm not sure")
    assert answer.meta["kind"] == "reveal" and answer.meta["topic"] == "redirect_semantics"
    assert "302" in answer.text and answer.text.rstrip().endswith("?")


@pytest.mark.parametrize(
    "answer",
    [
        "We use a 302, not a 301, because we count clicks on every redirect.",
        "A 301 would be cached by browsers, so we would lose clicks; counting clicks needs a 302.",
        "I wouldn't use a 301, since we count clicks per link.",
        "Should we use a 301 if we count clicks?",  # asking is not claiming
    ],
)
def test_knowing_better_or_asking_is_not_pushed_back(problem: Problem, rubric: Rubric, answer: str) -> None:
    chat = Chat(problem, rubric)
    chat.session.stage = Stage.DEEP_DIVE
    assert chat.say(answer).meta.get("reason") != "misconception"


def test_a_corrected_claim_after_a_pushback_is_accepted_without_asking_for_detail(
    problem: Problem, rubric: Rubric
) -> None:
    chat = Chat(problem, rubric)
    chat.session.stage = Stage.DEEP_DIVE
    chat.say(CLICKS_ON_301)
    turn = chat.say("Right, a 302 then.")
    assert turn.meta["kind"] == "probe"


def test_wrong_order_of_magnitude_is_quoted_with_a_hint_and_answered_when_stuck(
    problem: Problem, rubric: Rubric
) -> None:
    chat = Chat(problem, rubric)
    told = chat.say("How many new links a month should I expect?")
    assert "100 million" in told.text
    turn = chat.say("Okay, so I expect about 1,000 links a day.")
    assert turn.meta["kind"] == "pushback" and turn.meta["reason"] == "numbers"
    assert turn.meta["figure"] == "new_links_per_month" and turn.meta["claim"] == "about 1,000 links a day"
    assert "“about 1,000 links a day”" in turn.text  # quotes the candidate
    assert "what I told you about new links a month" in turn.text  # it was told: a hint where to look…
    assert "100 million" not in turn.text  # …but not the answer yet
    assert "?" in turn.text and len(turn.text) < 200  # a question, not a lecture
    again = chat.say("I still think 1,000 links a day is right.")
    assert again.meta["kind"] == "reveal" and "100 million new links a month" in again.text  # stuck: the answer
    after = chat.say("Ah, then it's about 3 million links a day.")
    assert after.meta.get("reason") != "numbers"


def test_an_untold_figure_is_attributed_to_the_problem_and_then_counts_as_told(
    problem: Problem, rubric: Rubric
) -> None:
    chat = Chat(problem, rubric)
    chat.session.stage = Stage.ESTIMATION
    turn = chat.say("Traffic is small: about 40 redirects per second, so a small cluster will do.")
    assert turn.meta["reason"] == "numbers" and turn.meta["figure"] == "redirects_per_second"
    assert "4,000" not in turn.text and "scale this problem assumes for redirects per second" in turn.text
    revealed = chat.say("I don't know, that's what I get.")
    assert revealed.meta["kind"] == "reveal" and "4,000 redirects per second" in revealed.text
    answer = chat.say("What's the read to write ratio?")
    assert answer.meta["kind"] == "answer" and "As I mentioned" in answer.text


def test_ten_qps_for_a_system_sized_in_hundreds_of_thousands_is_pushed_back(rubric: Rubric) -> None:
    limiter = load_problem(DATA / "problems" / "rate_limiter.yaml")
    chat = Chat(limiter, rubric)
    chat.session.stage = Stage.ESTIMATION
    turn = chat.say("The API gets roughly 10 QPS overall, so a single Redis node is plenty.")
    assert turn.meta["reason"] == "numbers" and "“roughly 10 QPS”" in turn.text
    assert (
        "500,000" not in turn.text
        and turn.meta["reveal"] == "the problem works with about 500,000 requests per second at peak."
    )


@pytest.mark.parametrize(
    "answer",
    [
        "100M links a month is 100,000,000 / 2.6M seconds ≈ 40 writes per second, 4,000 redirects per second.",
        "Peak is about 5x, so roughly 20k redirects per second.",
        "Anonymous users can create 10 links per hour.",  # a per-user limit, not the system's size
        "Each shard handles about 500 redirects per second.",
        "If we grew to 10 links a second we'd still be fine.",
        "About 300 million redirects a day.",
    ],
)
def test_consistent_or_scoped_numbers_are_not_pushed_back(problem: Problem, rubric: Rubric, answer: str) -> None:
    chat = Chat(problem, rubric)
    chat.session.stage = Stage.ESTIMATION
    assert chat.say(answer).meta.get("reason") != "numbers"


def test_a_clarifying_question_is_answered_and_the_mistake_challenged_in_one_reply(
    problem: Problem, rubric: Rubric
) -> None:
    chat = Chat(problem, rubric)
    chat.session.stage = Stage.HIGH_LEVEL_DESIGN
    turn = chat.say("I'd use a 301 and count clicks. What's the latency target for redirects?")
    assert turn.meta["kind"] == "answer" and "100 ms" in turn.text
    assert turn.meta["challenge"]["reason"] == "misconception"  # challenged when said, after the answer
    assert turn.text.index("100 ms") < turn.text.index("“I'd use a 301 and count clicks”")
    unknown = chat.say("I'd return a 301 and count clicks there. Should I write it in Go?")
    assert unknown.meta.get("reason") != "misconception"  # never the same challenge twice


def test_no_pushback_once_time_is_up(problem: Problem, rubric: Rubric) -> None:
    chat = Chat(problem, rubric, minutes=30)
    late = chat.say(REQUIREMENTS_ANSWERS[0], after=timedelta(minutes=31))
    assert late.meta["kind"] == "time_up"
    closing = chat.say(
        "In summary: stateless servers behind a load balancer, a key-value store with a cache, and a 301 "
        "redirect while the service counts clicks per link."
    )
    assert closing.meta["kind"] == "closing"


# --- adapting to level and performance: whole conversations ----------------------------------

STRONG_SCRIPT = [
    *REQUIREMENTS_ANSWERS,
    "100M links a month is 100,000,000 / 2.6M seconds ≈ 40 writes per second; reads are 100:1 so 4,000 "
    "redirects per second, and peaks of 20k per second because traffic is bursty.",
    "Each link is about 500 bytes, so 6 billion links over 5 years is 3 TB, which fits a small cluster "
    "but we still replicate it three ways because losing links breaks them for good.",
    "Bandwidth: 4,000 redirects per second times 500 bytes is 2 MB/s outbound, so it's not a concern.",
    STRONG_CACHING,
    STRONG_SHARDING,
    "For a viral link at 50,000 redirects per second the cache absorbs it, because the same key is hot, "
    "but one cache node could saturate, so we replicate hot keys to several nodes at the cost of memory.",
]
STRUGGLING_SCRIPT = [
    REQUIREMENTS_ANSWERS[0],
    "I don't know",
    "I'm still not sure",
    "No idea, sorry",
    "maybe use something",
    "Not sure",
]


def _kinds(chat: Chat) -> list[tuple[str, str | None]]:
    return [(t.meta["kind"], t.meta.get("depth") or t.meta.get("after")) for t in chat.turns[1:]]


def _play(problem: Problem, rubric: Rubric, level: Level, script: list[str], stage: Stage | None = None) -> Chat:
    chat = Chat(problem, rubric, level=level, minutes=600)
    if stage:
        chat.session.stage = stage
    for line in script:
        chat.say(line)
    return chat


def test_a_strong_candidate_is_pushed_deeper_through_the_interview(problem: Problem, rubric: Rubric) -> None:
    senior = _play(problem, rubric, Level.SENIOR, STRONG_SCRIPT)
    mid = _play(problem, rubric, Level.MID, STRONG_SCRIPT)
    for chat in (senior, mid):
        harder = [t for t in chat.turns if t.meta.get("depth") == "harder"]
        assert len({t.stage for t in harder}) >= 2  # deeper in more than one stage
        for turn in harder:  # the hardest follow-up of a topic the candidate just covered
            assert turn.meta["question"] == problem.follow_ups[turn.meta["topic"]][-1]
        assert not any(t.meta["kind"] in ("hint", "encourage", "detail", "pushback") for t in chat.turns)
    first = {
        name: next(i for i, t in enumerate(c.turns) if t.meta.get("depth") == "harder")
        for name, c in (("senior", senior), ("mid", mid))
    }
    assert first["senior"] < first["mid"]  # the senior is pushed sooner


def test_the_same_strong_answers_go_deeper_sooner_for_seniors_than_for_mid_level(
    problem: Problem, rubric: Rubric
) -> None:
    script = [STRONG_CACHING, STRONG_SHARDING]
    senior = _play(problem, rubric, Level.SENIOR, script, Stage.DEEP_DIVE)
    mid = _play(problem, rubric, Level.MID, script, Stage.DEEP_DIVE)
    junior = _play(problem, rubric, Level.JUNIOR, script, Stage.DEEP_DIVE)
    first_harder = {
        name: next((i for i, t in enumerate(c.turns) if t.meta.get("depth") == "harder"), None)
        for name, c in (("senior", senior), ("mid", mid), ("junior", junior))
    }
    assert first_harder["senior"] == 1 and first_harder["mid"] == 2 and first_harder["junior"] is None


def test_a_struggling_candidate_gets_hints_and_never_harder_questions(problem: Problem, rubric: Rubric) -> None:
    chat = _play(problem, rubric, Level.MID, STRUGGLING_SCRIPT)
    kinds = [kind for kind, _ in _kinds(chat)]
    assert kinds[:3] == ["probe", "encourage", "hint"]  # reason it out first, then a hint
    hints = [t for t in chat.turns if t.meta["kind"] == "hint"]
    assert len(hints) >= 2
    assert len({t.meta["hint"] for t in hints}) == len(hints)  # never the same hint twice
    assert not any(t.meta.get("depth") == "harder" for t in chat.turns)
    junior = _play(problem, rubric, Level.JUNIOR, STRUGGLING_SCRIPT)
    assert [kind for kind, _ in _kinds(junior)][:2] == ["probe", "hint"]  # a junior gets the hint at once
    assert len([t for t in junior.turns if t.meta["kind"] == "hint"]) >= len(hints)


def test_a_vague_answer_gets_a_request_for_detail_and_a_junior_gets_a_hint(problem: Problem, rubric: Rubric) -> None:
    mid = _play(problem, rubric, Level.MID, ["I'd use a database"], Stage.HIGH_LEVEL_DESIGN)
    junior = _play(problem, rubric, Level.JUNIOR, ["I'd use a database"], Stage.HIGH_LEVEL_DESIGN)
    assert mid.turns[-1].meta["kind"] == "detail"
    assert junior.turns[-1].meta["kind"] == "hint" and junior.turns[-1].meta["after"] == "vague"


def test_junior_and_staff_differ_on_the_same_script(problem: Problem, rubric: Rubric) -> None:
    script = [STRONG_CACHING, "I don't know", STRONG_SHARDING]
    junior = _play(problem, rubric, Level.JUNIOR, script, Stage.DEEP_DIVE)
    staff = _play(problem, rubric, Level.STAFF, script, Stage.DEEP_DIVE)
    assert _kinds(junior) != _kinds(staff)
    assert junior.turns[1].meta["depth"] == "basic" and staff.turns[1].meta["depth"] == "harder"
    assert junior.turns[2].meta["kind"] == "hint" and staff.turns[2].meta["kind"] == "encourage"
    assert not any(t.meta.get("depth") == "harder" for t in junior.turns)
    assert junior.turns[0].meta["level"] == "junior" and staff.turns[0].meta["level"] == "staff"


def test_staff_are_probed_on_evolution_even_when_they_covered_it(rubric: Rubric) -> None:
    chat_problem = load_problem(DATA / "problems" / "chat_messaging.yaml")
    answer = (
        "I'd monitor delivery latency and alert on connection drops, use TLS and authentication on every "
        "connection, and later on extend it with multi-region failover."
    )
    staff = _play(chat_problem, rubric, Level.STAFF, [answer], Stage.WRAP_UP)
    mid = _play(chat_problem, rubric, Level.MID, [answer], Stage.WRAP_UP)
    assert "evolution" in staff.interviewer.coverage(staff.session, staff.history)
    assert staff.interviewer.coverage(staff.session, staff.history)["evolution"] is True
    probe = staff.turns[-1]
    assert probe.meta["kind"] == "probe" and probe.meta["topic"] == "evolution"
    assert probe.meta["angle"] == "evolution" and probe.meta["depth"] == "harder"
    assert probe.meta["question"] in chat_problem.follow_ups["evolution"]
    assert mid.turns[-1].meta.get("angle") is None


def test_staff_are_asked_what_a_decision_cost_before_a_design_stage_ends(rubric: Rubric) -> None:
    tickets = load_problem(DATA / "problems" / "ticket_booking.yaml")
    answer = (
        "The API has POST /holds and POST /bookings; an event service and a booking service sit behind the "
        "gateway; the seats table has event_id, seat_id and status columns; I'd use Postgres because holds "
        "need transactions."
    )
    late = timedelta(minutes=8)  # past half of high-level design's 13.5 minutes: covering it now is not early
    chats = {level: Chat(tickets, rubric, level=level) for level in (Level.STAFF, Level.SENIOR)}
    for chat in chats.values():
        chat.session.stage = Stage.HIGH_LEVEL_DESIGN
        chat.say(answer, after=late)
    staff, senior = chats[Level.STAFF], chats[Level.SENIOR]
    probe = staff.turns[-1]
    assert probe.meta["angle"] == "tradeoff" and probe.meta["topic"] == "database_choice"
    assert "cost you" in probe.text and probe.stage is Stage.HIGH_LEVEL_DESIGN
    assert senior.turns[-1].meta["kind"] == "stage"  # the stage is covered: a senior moves on
    moved = staff.say("Postgres costs us write throughput on hot events, so past one primary I'd shard by event.")
    assert moved.meta["kind"] == "stage" and moved.stage is Stage.DEEP_DIVE  # asked once, then on


@pytest.mark.parametrize("path", sorted((DATA / "problems").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_listed_misconception_is_pushed_back_in_conversation(path: Path, rubric: Rubric) -> None:
    problem = load_problem(path)
    for i, misconception in enumerate(problem.misconceptions):
        chat = Chat(problem, rubric)
        chat.session.stage = Stage.HIGH_LEVEL_DESIGN
        turn = chat.say(misconception.example)
        assert turn.meta.get("misconception") == i, f"{problem.id} #{i}: {turn.meta}"
        assert turn.text.endswith(" ".join(misconception.correction.split()))


@pytest.mark.parametrize("path", sorted((DATA / "problems").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_stated_figure_is_defended_against_a_hundredfold_error(path: Path, rubric: Rubric) -> None:
    problem = load_problem(path)
    figures = [(name, value) for fact in problem.facts for name, value in fact.figures.items()]
    assert figures
    for name, value in figures:
        chat = Chat(problem, rubric)
        chat.session.stage = Stage.ESTIMATION
        claim = describe_figure(name, value / 100)
        turn = chat.say(f"I'll assume about {claim}.")
        assert turn.meta.get("reason") == "numbers", f"{problem.id}/{name}: {turn.meta}"
        assert claim.removesuffix(" at peak") in turn.meta["claim"]
        fine = Chat(problem, rubric)
        fine.session.stage = Stage.ESTIMATION
        assert fine.say(f"I'll assume about {describe_figure(name, value * 2)}.").meta.get("reason") != "numbers"
