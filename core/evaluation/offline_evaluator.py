"""The built-in offline evaluator: rubric-driven scores that reward reasoning, not keywords.

A topic named in passing earns a little; the same topic inside a sentence that gives a number,
a "because", a trade-off or a failure plan earns full credit; a bare list of technologies earns
only the mention. Every score comes with a confidence that grows with how much the candidate
said, quotes of the sentences it rests on, and feedback that names topics and quotes the
candidate, so a practising candidate learns what to change, not just a number.

The latest whiteboard drawing is a scoring input too (core.evaluation.board_credit): a topic's credit is its
best showing, in words or on the board, and the board is cited as evidence ("Whiteboard: Redis →
Postgres"). It cannot stand in for words: a transcript the quality gate refuses stays unscored,
whatever is drawn.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any

from core.content.components import KINDS, SYNONYMS
from core.content.problems import Problem, ProblemBank
from core.content.rubrics import Competency, Rubric, Topic
from core.content.text_signals import (
    TECH_TERMS,
    Signals,
    fillers,
    find_phrases,
    has_verb,
    is_bare_list,
    is_buzzword_list,
    is_check_in,
    is_vague,
    list_items,
    normalize,
    quantities,
    question_sentences,
    sentences,
    signals,
    structure_markers,
    topics_in,
    word_count,
    words,
)
from core.correctness.arithmetic import worked_results
from core.correctness.conversation import clean, echoes, restates, skips_scoping
from core.correctness.findings import FindingKind
from core.correctness.reader import TranscriptReading, read_transcript
from core.correctness.relevance import about_the_problem, behaviour_words, excludes, pulled_back, relevance
from core.evaluation.board_credit import BoardCredit, BoardReading, board_credits, read_for
from core.evaluation.data_model_rung import ACCESS, IN_MEMORY_STORES, KEYS, ModelEvidence, model_note
from core.evaluation.data_model_rung import rung as model_rung
from core.evaluation.estimation_rung import DECIDES, PEAK, SizingEvidence, sizing_note
from core.evaluation.estimation_rung import rung as sizing_rung
from core.evaluation.judgement import (
    judge,
    mistake_feedback,
    mistaken_competencies,
    mistaken_sentences,
    wrong_figures,
)
from core.evaluation.requirements_rung import GENERIC_QUALITIES, LATE_QUESTION, ScopingEvidence, question_weight, rung
from core.evaluation.substance import substance
from core.evaluation.tradeoffs_rung import WeighingEvidence
from core.evaluation.tradeoffs_rung import rung as weighing_rung
from core.evaluation.transcript_quality import TranscriptQuality, assess
from core.evaluation.what_was_carried import weigh_what_was_carried
from core.models import CompetencyScore, Evaluation, Evidence, PlanStep, Stage, Utterance
from core.whiteboard.analysis import BoardGraph

MENTION_CREDIT = 0.25
"""Strength of a topic that is only named: the rest of the credit needs reasoning."""
BEST_SHARE = 0.5
"""A competency is shown by its strongest topic and broadened by the rest: half of breadth is the best one."""
REASONED_PER_TOPIC = 2
"""Full depth is two well-reasoned sentences per topic the competency is judged on: a topic reasoned once is touched,
not worked through."""

RELEVANT_SIGNALS: dict[str, frozenset[str]] = {
    "requirements": frozenset({"quantity", "causal", "tradeoff", "detail", "statement"}),
    "estimation": frozenset({"quantity", "arithmetic", "causal"}),
    "high_level_design": frozenset({"causal", "flow", "tradeoff", "quantity", "detail"}),
    "data_model": frozenset({"causal", "tradeoff", "quantity", "detail"}),
    "scalability": frozenset({"quantity", "causal", "tradeoff", "failure", "detail"}),
    "reliability": frozenset({"failure", "causal", "quantity", "tradeoff", "detail"}),
    "tradeoffs": frozenset({"tradeoff", "causal", "quantity"}),
}
"""Which kinds of reasoning count for a competency; others use DEFAULT_SIGNALS."""
DEFAULT_SIGNALS = frozenset({"quantity", "causal", "tradeoff", "failure"})
MAX_BOARD_EVIDENCE = 2
"""Whiteboard lines cited per competency, after the transcript's quotes."""
REQUIRED_SIGNAL: dict[str, str] = {
    "estimation": "quantity",
    "tradeoff_analysis": "tradeoff",
    "scalability": "quantity",
    "reliability": "failure",
    "consistency": "",
}
"""Keyed by competency or topic (a topic's own entry, even empty, wins): an estimate without a number, a trade-off
analysis without an alternative, a scaling step without the numbers that call for it (rubric: "where the numbers call
for them") or a reliability measure without the failure it handles stays near mention credit. Consistency is a choice
about correctness, not only about failure: it needs no failure named."""
SAYS_WHAT: dict[str, re.Pattern[str]] = {
    "monitoring": re.compile(
        r"\b(?:latenc\w*|p\s?\d{2,3}|percentiles?|error(?:s| rates?)|failure rates?|success rates?|lag|backlog|"
        r"queue (?:depth|length|size)|depth|throughput|saturation|utili[sz]ation|hit (?:rate|ratio)|miss rate|"
        r"rates? of|rate per|count(?:s|ed)? of|share of|ratio|freshness|staleness|time to|duration|age of|"
        r"drop(?:s|ped)?|rejections?|timeouts?|retries|retry rates?|slos?|slis?|budgets?|alert (?:when|on|if)|"
        r"alerts? (?:when|on|if)|page (?:when|on|if)|golden signals|traffic|qps|rps|cpu|memory|disk)\b",
        re.IGNORECASE,
    ),
    "replication": re.compile(
        r"\b(?:\d+|two|three|five|copies|(?:zones?|regions?|racks?|data ?cent(?:er|re)s?|azs?)|sync\w*|async\w*|"
        r"quorum|leader|primary|standby|lag|fail ?over|promot\w*|acks?|acknowledg\w*|majority|raft|paxos)\b",
        re.IGNORECASE,
    ),
}
"""Topics that need their object named to count as reasoned: monitoring says what is watched ("alert when p99 passes
500 ms", "consumer lag"); "monitoring on the whole cluster so we know" names the practice, not the plan."""
QUESTION_TOPICS = ("scope_clarification",)
"""Topics that clarifying questions demonstrate (asking *is* the skill)."""
QUESTION_CREDIT = 0.6
"""A requirement asked about by name (latency, availability, features) rather than stated."""
STATS_COMPETENCIES = ("communication",)
OKAY_RANGE = (2.5, 4.0)
"""Scores that are neither a strength nor a weakness: "went okay"."""
LIST_WEIGHT, MAX_LIST_DISCOUNT = 1.5, 0.6
"""Communication loses this much per share of answers that are bare lists of names (at most the maximum)."""
"""Competencies scored from how the candidate talked rather than from topics."""

_FACTOR_BY_KINDS = {0: 0.0, 1: 0.6, 2: 0.85}
_TINY_WORDS = 80
_COURTESY = frozenset(
    {"thanks", "thank", "you", "ok", "okay", "great", "bye", "cool", "sure", "yes", "no", "sounds", "good"}
)


@dataclass(frozen=True)
class _Sentence:
    text: str
    utterance: Utterance
    topics: frozenset[str]
    signals: Signals
    detail: bool  # a specific enumeration ("code, long_url, created_at, expires_at")
    statement: bool  # a full sentence that says what happens ("users paste a long URL and get…")
    bare: bool  # a list of names without a verb or a reason ("Redis, Kafka, Cassandra")
    follow: Signals | None  # the next sentence of the same answer, which often carries the "because"
    scoping: bool = False  # said when asked for requirements, or worded as one ("must", "p99 under 200 ms")
    names_technology: bool = False  # names technologies ("Kafka for streaming, Redis for features")

    @property
    def words(self) -> int:
        return word_count(self.text)


@dataclass(frozen=True)
class _Credit:
    topic: str
    strength: float  # 0 (never shown) … 1 (shown with rich reasoning)
    sentence: _Sentence | None
    kinds: frozenset[str]  # the reasoning kinds that earned it
    board: str | None = None  # the board's evidence, when the drawing is the topic's best showing


class OfflineEvaluator:
    """Scores a transcript against a rubric, optionally knowing the problem's topic plan."""

    name = "offline"

    def __init__(
        self,
        rubric: Rubric,
        problem: Problem | None = None,
        *,
        bank: ProblemBank | None = None,
        quality_gate: bool = True,
    ) -> None:
        """quality_gate=False scores even a snippet: for tests of the scoring itself, never for people.

        With the problem bank, an answer about another problem is recognised as off-topic.
        """
        self.rubric = rubric
        self.bank = bank
        self.quality_gate = quality_gate
        self.problem = problem
        subject = set(problem.subject_topics) if problem else set()
        self.topics: dict[str, Topic] = {
            **{k: t for k, t in rubric.topics.items() if k not in subject},
            **(problem.extra_topics if problem else {}),
        }
        self._terms = list(problem.components) if problem else []
        self._scoping_topics = {k for k, t in self.topics.items() if t.competency == "requirements"}

    def evaluate(self, session_id: str, utterances: list[Utterance], *, board: BoardGraph | None = None) -> Evaluation:
        """Score every competency, then explain the scores in the candidate's own words (and drawing)."""
        judged = read_transcript(utterances, self.problem, self.rubric, self.bank)
        candidate = _candidate_utterances(judged.utterances)  # junk removed, pasted repeats said once
        interviewer_words = sum(word_count(u.text) for u in utterances if u.speaker.lower() == "interviewer")
        scoping = _scoping_answers(judged.utterances)
        early = _before_sizing(judged.utterances)
        judged = _requirements_against_the_facts(judged, early)
        redirected = _before_a_redirect(judged.utterances, early) | pulled_back(judged.utterances)
        said = [u.text for u in judged.utterances if u.speaker.lower() == "interviewer"]
        parsed = self._parse(
            candidate,
            mistaken_sentences(judged),
            wrong_figures(judged),
            scoping,
            early,
            " ".join(said),
            said[:1],
            redirected,
        )
        questions = [
            (q, u)
            for u in candidate
            for q in _asks(u.text)
            if not is_check_in(q) and (self.problem is None or about_the_problem(q, self.problem))
        ]
        reading = read_for(board, self.problem) if board is not None else None
        drawn = board_credits(reading, self.rubric, self.problem) if reading is not None else {}
        credits = self._credits(parsed, questions, drawn, early)
        stats = _communication_stats(candidate, interviewer_words, self.topics)
        if reading is not None and not reading.is_empty:
            stats["whiteboard"] = reading.stats()
        # judgeable or not is a question of what was said, repeats included: a pasted paragraph is judged (low)
        quality = assess([replace(u, text=clean(u.text)) for u in utterances if u.speaker.lower() == "candidate"])
        stats["transcript_quality"] = quality.as_dict()
        stats["correctness"] = _correctness_stats(judged)
        if self.quality_gate and not quality.judgeable:
            return self.not_scored(session_id, quality, stats)  # a drawing without words is not judged

        scoped = self._scoping_evidence(parsed, questions, credits, early)
        scores = [self._score(c, credits, drawn, parsed, stats, questions, scoped) for c in self.rubric.competencies]
        scores = weigh_what_was_carried(scores, STATS_COMPETENCIES)
        scores = judge(scores, judged, substance([u.text for u in candidate], self.problem))
        overall = self.rubric.overall_if_scored({s.key: s.score for s in scores})

        return Evaluation(
            session_id=session_id,
            overall_score=overall,
            competencies=scores,
            went_well=[]
            if judged.off_topic
            else self._went_well(credits, stats, questions, reading, mistaken_competencies(judged)),
            went_okay=self._went_okay(credits) or self._okay_competencies(scores, credits),
            needs_improvement=mistake_feedback(judged)
            + self._needs_improvement(credits, parsed, candidate, stats, reading),
            improvement_plan=self._plan(scores, credits),
            communication=stats,
            rubric_id=self.rubric.id,
            rubric_version=self.rubric.version,
            engine="offline",
            notes=_volume_notes(stats["candidate_words"]),
        )

    def not_scored(self, session_id: str, quality: TranscriptQuality, stats: dict[str, Any]) -> Evaluation:
        """The gate's answer: every competency "not scored" with the reason; the measurements stay."""
        scores = [CompetencyScore(c.key, c.name, None, 0.0, quality.reason) for c in self.rubric.competencies]
        if not stats["candidate_words"]:
            advice = "There is nothing from you in the transcript to evaluate — answer out loud or in the chat."
        else:
            advice = (
                "Answer each question in full sentences — what you would build, with a number or a reason — "
                "and check that the transcript shows what you said."
            )
        return Evaluation(
            session_id=session_id,
            overall_score=None,
            competencies=scores,
            needs_improvement=[advice],
            improvement_plan=[
                PlanStep("Give the evaluator something to judge", advice, []),
                PlanStep(
                    "Do a full timed mock interview",
                    "Run a 45-minute mock on a new problem: clarify, estimate, design, deep-dive, summarise.",
                    [],
                ),
            ],
            communication=stats,
            rubric_id=self.rubric.id,
            rubric_version=self.rubric.version,
            engine="offline",
            notes=[quality.reason],
        )

    # --- reading the transcript ---------------------------------------------------------------

    def _parse(
        self,
        candidate: list[Utterance],
        mistaken: Sequence[str] = (),
        wrong: Sequence[re.Pattern[str]] = (),
        scoping: Collection[int] = (),
        early: Collection[int] = (),
        interviewer_said: str = "",
        brief: Sequence[str] = (),
        redirected: Collection[int] = (),
    ) -> list[_Sentence]:
        """Sentences with their topics and reasoning; a sentence holding a mistake, building on a wrong figure, or
        saying back the interviewer's words while scoping counts as a bare mention."""
        mistakes = [" ".join(m.split()) for m in mistaken]
        parsed = []
        for u in candidate:
            # requirements for another product ("for the chat app: messages, receipts…") scope nothing here; a
            # design answer that borrows a neighbour's words ("refund through the payment service") still counts
            elsewhere = id(u) in redirected or (
                self.problem is not None and not relevance(u.text, self.problem, self.bank).on_topic
            )
            statement = [s for s in sentences(u.text) if s not in question_sentences(s)]
            sigs = [signals(s) for s in statement]
            # scoping lasts until the interviewer moves on, or until the candidate starts designing
            still_scoping = id(u) in early and sum(map(_designs, statement)) < len(statement) / 2
            playback = self._played_back(statement) if still_scoping else frozenset()
            for i, s in enumerate(statement):
                items = list_items(s)
                flat = " ".join(s.split())
                bare = (
                    id(u) in redirected  # scoped another product
                    or is_buzzword_list(s, self._terms)
                    or is_bare_list(s)
                    or any(flat in w or w in flat for w in mistakes if len(w) > 10)
                    or any(p.search(flat) for p in wrong)
                    or (id(u) in early and (echoes(s, interviewer_said) or any(restates(s, b) for b in brief)))
                )
                restated = self._restated_features(s, id(u) in early) or (
                    frozenset({FUNCTIONAL}) if s in playback and not self._only_targets(s) else frozenset()
                )
                worded = bool(_STATES_REQUIREMENT.search(s)) and (id(u) in scoping or id(u) in early or not _designs(s))
                played_back = still_scoping and not _designs(s)
                scoping_sentence = id(u) in scoping or worded or bool(restated) or played_back
                parsed.append(
                    _Sentence(
                        text=s,
                        utterance=u,
                        topics=(frozenset(topics_in(s, self.topics)) | restated)
                        - (self._scoping_topics if elsewhere else set()),
                        signals=sigs[i],
                        detail=_is_detailed(items, s, bare),
                        # features said back ("publish a post, read a ranked feed") state requirements, verb or not
                        statement=not bare and (has_verb(s) or FUNCTIONAL in restated) and word_count(s) >= 8,
                        bare=bare,
                        follow=sigs[i + 1] if i + 1 < len(statement) else None,
                        scoping=scoping_sentence,
                        names_technology=len(set(words(s)) & TECH_TERMS) >= 2,
                    )
                )
        return parsed

    def _played_back(self, statement: list[str]) -> frozenset[str]:
        """The sentences of a scoping answer that together play the requirements back in short lines ("Fetch
        2,000 pages a second. Keep three versions per page. Recrawl news hourly."): each line names too little of
        the problem to count alone, a run of them restates the features."""
        if self.problem is None or FUNCTIONAL not in self.topics:
            return frozenset()
        lines = [
            s
            for s in statement
            if not _designs(s)
            and not is_bare_list(s)
            and (named := behaviour_words(s, self.problem))
            and (len(named) >= 2 or has_verb(s) or quantities(s) or _STATES_REQUIREMENT.search(s))
        ]
        return frozenset(lines) if len(lines) >= PLAYBACK_LINES else frozenset()

    def _only_targets(self, sentence: str) -> bool:
        """Puts numbers on qualities and states no feature: naming the paths the targets apply to ("redirect p99 under
        100 ms, three nines on creation") is not saying what the system does ("fans pick seats, hold them for 8
        minutes")."""
        if self.problem is None or not quantities(sentence) or NON_FUNCTIONAL not in topics_in(sentence, self.topics):
            return False
        clauses = re.split(r"[,;:]|\band\b", sentence)
        return not any(
            len(behaviour_words(c, self.problem)) >= 2
            and not quantities(c)
            and NON_FUNCTIONAL not in topics_in(c, self.topics)
            for c in clauses
        )

    def _restated_features(self, sentence: str, scoping: bool) -> frozenset[str]:
        """Features said back in the problem's own words when asked to scope ("create with a custom alias, redirect,
        expiry, counts") are functional requirements however they are phrased; the rubric's phrases only catch
        ones worded around "users can…"."""
        if not scoping or self.problem is None or FUNCTIONAL not in self.topics or sentence.rstrip().endswith("?"):
            return frozenset()
        if self._only_targets(sentence):
            return frozenset()  # "redirect p99 under 100 ms, four nines on creation": qualities of the features named
        if len(behaviour_words(sentence, self.problem)) < RESTATED_FEATURE_WORDS:
            return frozenset()
        if len(set(find_phrases(sentence, _ARCHITECTURE))) >= DESIGN_PARTS:
            return frozenset()  # "the hold service writes a row…": a design said early, not a feature
        return frozenset({FUNCTIONAL})

    def _credits(
        self,
        parsed: list[_Sentence],
        questions: list[tuple[str, Utterance]],
        drawn: dict[str, BoardCredit],
        early: Collection[int] = (),
    ) -> dict[str, _Credit]:
        """Each topic's best showing across the transcript and the whiteboard; questions asked once the design has
        begun clarify less (volumes asked for only when sizing did not shape the scope)."""
        best: dict[str, _Credit] = {t: _Credit(t, 0.0, None, frozenset()) for t in self.topics}
        for s in parsed:
            for t in s.topics:
                strength, kinds = self._strength(s, t, self.topics[t].competency)
                if strength > best[t].strength:
                    best[t] = _Credit(t, strength, s, kinds)
        asked = sum(1.0 if id(u) in early else LATE_QUESTION for _, u in questions)
        if asked >= 1:
            credit = 0.6 if asked < 2 else 0.8 if asked < 3 else 0.95
            for t in QUESTION_TOPICS:
                if t in best and credit > best[t].strength:
                    best[t] = _Credit(t, credit, best[t].sentence, frozenset({"question"}))
        for q, _ in questions:  # asking for the latency target shows the requirement as well as stating it
            for t in topics_in(q, self.topics):
                if self.topics[t].competency == "requirements" and best[t].strength < QUESTION_CREDIT:
                    best[t] = _Credit(t, QUESTION_CREDIT, best[t].sentence, frozenset({"question"}))
        for t, drawing in drawn.items():
            if t in best and drawing.strength > best[t].strength:  # the sentence, if any, is still quoted
                best[t] = _Credit(t, drawing.strength, best[t].sentence, best[t].kinds, drawing.evidence)
        return best

    @staticmethod
    def _strength(s: _Sentence, topic: str, competency: str) -> tuple[float, frozenset[str]]:
        """Mention credit, plus reasoning credit for the kinds of reasoning this competency values."""
        if s.bare or (competency == "requirements" and (not s.scoping or s.names_technology)):
            # a quality described while designing ("the map refreshes quickly") is not a requirement set, and a
            # technology ("we need Kafka for streaming") is a solution, not a requirement
            return MENTION_CREDIT, frozenset()
        relevant = RELEVANT_SIGNALS.get(competency, DEFAULT_SIGNALS)
        extra = {k for k, present in (("detail", s.detail), ("statement", s.statement)) if present}
        kinds = (s.signals.kinds | extra) & relevant
        factor = _FACTOR_BY_KINDS.get(len(kinds), 1.0)
        if not kinds and s.follow is not None:
            kinds = s.follow.kinds & relevant
            factor = 0.7 * _FACTOR_BY_KINDS.get(len(kinds), 1.0)
        required = REQUIRED_SIGNAL.get(topic, REQUIRED_SIGNAL.get(competency))
        if required and required not in kinds:
            factor = min(factor, 0.25)
        if topic in SAYS_WHAT and not SAYS_WHAT[topic].search(s.text):
            factor = min(factor, 0.25)
        if factor and s.words >= 15:
            factor = min(1.0, factor + 0.1)
        if len(s.topics) > 4:
            factor *= 4 / len(s.topics)  # one sentence cannot justify six topics at once
        return MENTION_CREDIT + (1 - MENTION_CREDIT) * factor, frozenset(kinds)

    def _scoping_evidence(
        self,
        parsed: list[_Sentence],
        questions: list[tuple[str, Utterance]],
        credits: dict[str, _Credit],
        early: Collection[int],
    ) -> ScopingEvidence:
        """What the rubric's requirements ladder looks for, read from the scoping part of the interview."""
        scoping = [s for s in parsed if s.scoping and not s.bare and not s.names_technology]
        qualities = [s for s in scoping if NON_FUNCTIONAL in s.topics]
        quality_phrases = self.topics[NON_FUNCTIONAL].phrases if NON_FUNCTIONAL in self.topics else ()
        while_scoping = [s for s in parsed if s.scoping or id(s.utterance) in early]
        said_early = [s for s in while_scoping if not s.bare and not s.names_technology and not _designs(s.text)]
        asked, targeted = 0.0, 0
        for q, u in questions:
            if _designs(q) and _PROPOSES.search(q):
                continue  # "maybe we could keep a queue per site?": a design put forward, not a question
            names_behaviour = self.problem is not None and bool(behaviour_words(q, self.problem))
            names_quality = NON_FUNCTIONAL in topics_in(q, self.topics)
            asked += question_weight(q, names_behaviour, names_quality, id(u) in early)
            targeted += question_weight(q, names_behaviour, names_quality, early=True) == 1.0
        return ScopingEvidence(
            features=FUNCTIONAL in credits and credits[FUNCTIONAL].strength >= 0.6,
            qualities_named=bool(qualities),
            specific_qualities=sum(
                1
                for s in qualities
                if "quantity" in s.signals.kinds or set(find_phrases(s.text, quality_phrases)) - GENERIC_QUALITIES
            ),
            quantified=sum(1 for s in said_early if "quantity" in s.signals.kinds),
            targeted_questions=asked,
            only_size_asked=bool(questions) and not targeted,
            scope_drawn=_draws_a_boundary(parsed, early),
            ranked=_ranks(parsed),  # an assumption stated draws scope; it does not rank
            skipped=_answers_with_a_design(parsed, self._scoping_topics),
        )

    def _sizing_evidence(self, parsed: list[_Sentence]) -> SizingEvidence:
        """What the rubric's estimation ladder looks for. A sentence holding a wrong figure is bare, so a dimension
        worked out wrongly is not worked."""
        sized = [s for s in parsed if not s.bare and "quantity" in s.signals.kinds and s.topics & SIZES]
        worked = {
            t
            for s in sized
            if s.signals.arithmetic or (s.follow is not None and s.follow.arithmetic) or worked_results(s.text)
            for t in s.topics
        }
        mentioned = {t for s in parsed if not s.bare for t in s.topics}  # the rest the report lists as not covered
        planned = self.problem.stages.get(Stage.ESTIMATION) if self.problem else None
        expected = [t for t in (planned.topics if planned else SIZES) if t in SIZES]
        return SizingEvidence(
            numbers=bool(sized),
            worked=len(worked & SIZES),
            expected=len(expected),
            unworked=tuple(self._name(t) for t in expected if t not in worked and t in mentioned),
            peak=any(PEAK.search(s.text) for s in sized),
            used=any(
                DECIDES.search(s.text) and "quantity" in s.signals.kinds
                for s in parsed
                if not s.bare and _designs(s.text)
            ),
        )

    def _weighing_evidence(self, parsed: list[_Sentence]) -> WeighingEvidence:
        """What the rubric's trade-offs ladder looks for: comparisons, and what they were made in terms of."""
        weighed = [s for s in parsed if not s.bare and "tradeoff" in s.signals.kinds]
        compared = [
            s
            for s in weighed
            if "causal" in s.signals.kinds
            or "quantity" in s.signals.kinds
            or _COSTS_OR_BUYS.search(s.text) is not None
            or (s.follow is not None and "causal" in s.follow.kinds)
        ]
        quality_phrases = self.topics[NON_FUNCTIONAL].phrases if NON_FUNCTIONAL in self.topics else ()
        return WeighingEvidence(
            alternatives=len(weighed),
            compared=len(compared),
            against_requirements=sum(
                1 for s in compared if find_phrases(s.text, quality_phrases) or "quantity" in s.signals.kinds
            ),
            with_numbers=sum(1 for s in compared if "quantity" in s.signals.kinds),
        )

    # --- scoring ------------------------------------------------------------------------------

    def _expected(self, competency: str) -> list[str]:
        """The topics this competency is judged on: the rubric's, plus what the problem's plan adds.

        A plan that lists only "evolution" for trade-offs must not make trade-off analysis itself
        count for nothing.
        """
        rubric_topics = [k for k, t in self.rubric.topics.items() if t.competency == competency and k in self.topics]
        if self.problem:
            planned = [t for plan in self.problem.stages.values() for t in plan.topics if t in self.topics]
            mine = [t for t in dict.fromkeys(planned) if self.topics[t].competency == competency]
            return list(dict.fromkeys([*mine, *rubric_topics]))
        return rubric_topics

    def _score(
        self,
        competency: Competency,
        credits: dict[str, _Credit],
        drawn: dict[str, BoardCredit],
        parsed: list[_Sentence],
        stats: dict[str, Any],
        questions: list[tuple[str, Utterance]],
        scoped: ScopingEvidence,
    ) -> CompetencyScore:
        words_total = stats["candidate_words"]
        if competency.key in STATS_COMPETENCIES:
            return self._communication_score(competency, credits, stats, questions)
        expected = self._expected(competency.key)
        own = [t for t, topic in self.topics.items() if topic.competency == competency.key]
        if not expected or not words_total:
            why = "No candidate text to assess." if not words_total else "The rubric lists no topics for it."
            return CompetencyScore(competency.key, competency.name, 1.0, 0.0, why, [])

        strengths = [credits[t].strength for t in expected]
        breadth = BEST_SHARE * max(strengths) + (1 - BEST_SHARE) * sum(strengths) / len(strengths)
        bonus = sum(0.05 for t in own if t not in expected and credits[t].strength >= 0.6)
        breadth = min(1.0, breadth + bonus)
        strong = [s for s in parsed if s.topics & set(own) and _best_strength(s, own, self) >= 0.6]
        depth = min(1.0, len(strong) / max(2, REASONED_PER_TOPIC * len(expected)))
        score = _clamp_score(1 + 4 * (0.7 * breadth + 0.3 * depth))
        unscoped = competency.key == "requirements" and not scoped.scope_drawn
        if unscoped:
            score = min(score, SCOPE_CEILING if scoped.targeted_questions else UNSCOPED_CEILING)
        unranked = competency.key == "requirements" and not unscoped and not _ranks_or_assumes(parsed)
        if unranked:
            score = min(score, UNRANKED_CEILING)
        if competency.key == "requirements":
            if scoped.skipped:  # jumped into a solution: what was asked once pushed back lifts it less
                score = min(score, UNSCOPED_CEILING)
            score = (1 - RUNG_WEIGHT) * score + RUNG_WEIGHT * rung(scoped)
        note = UNSCOPED_NOTE if unscoped else UNRANKED_NOTE if unranked else ""
        if competency.key == "data_model":
            model = _model_evidence(parsed)
            score = (1 - RUNG_WEIGHT) * score + RUNG_WEIGHT * model_rung(model)
            note = model_note(model)
        if competency.key == "high_level_design" and self.problem is not None and self.problem.extra_topics:
            score = (1 - FIT_WEIGHT) * score + FIT_WEIGHT * self._fit(credits)
            if thin := [self._name(t) for t in self.problem.extra_topics if t in credits and credits[t].strength < 0.6]:
                note = f"What this problem needs beyond generic boxes, not reasoned through: {', '.join(thin)}. "
        if competency.key == "high_level_design" and self.problem is not None and self.problem.reference_components:
            services = _services_named(parsed)
            if len(services) > MANY_SERVICES * len(self.problem.reference_components):
                score = min(score, NOT_MINIMAL_CEILING)
                note += (
                    f"{len(services)} services for a design that needs about "
                    f"{len(self.problem.reference_components)} parts: not kept minimal. "
                )
        if competency.key == "scalability" and (limits := self._limits(credits)) is not None:
            score = (1 - LIMITS_WEIGHT) * score + LIMITS_WEIGHT * limits
            if unhandled := [self._name(t) for t in self._limit_topics() if credits[t].strength < 0.6]:
                note = f"This problem's own scaling limits, not handled with reasoning: {', '.join(unhandled)}. "
        if competency.key == "tradeoffs":
            score = (1 - RUNG_WEIGHT) * score + RUNG_WEIGHT * weighing_rung(self._weighing_evidence(parsed))
        if competency.key == "estimation":
            sizing = self._sizing_evidence(parsed)
            score = (1 - RUNG_WEIGHT) * score + RUNG_WEIGHT * sizing_rung(sizing)
            note = sizing_note(sizing)

        shown = [s for s in parsed if s.topics & set(own)]
        on_board = sorted((drawn[t] for t in own if t in drawn), key=lambda c: -c.strength)
        board_lines = list(dict.fromkeys(c.evidence for c in on_board))[:MAX_BOARD_EVIDENCE]
        confidence = _confidence(words_total, len(shown) + (1 if board_lines else 0))
        ranked = sorted(shown, key=lambda s: -_best_strength(s, own, self))
        evidence = [_evidence(s) for s in _unique(ranked)[:3]]
        evidence += [Evidence(line, source="whiteboard") for line in board_lines]
        return CompetencyScore(
            competency.key,
            competency.name,
            score,
            confidence,
            note + self._rationale(competency, expected, credits, score),
            evidence,
        )

    def _fit(self, credits: dict[str, _Credit]) -> float:
        """How well the design holds this problem's own mechanisms (a video platform's transcoding and CDN, a
        booking system's seat hold), on the 1-5 scale: boxes that would serve any problem do not serve this one."""
        assert self.problem is not None
        shown = [credits[t].strength for t in self.problem.extra_topics if t in credits]
        return 1 + 4 * sum(shown) / len(shown) if shown else 1.0

    def _limits(self, credits: dict[str, _Credit]) -> float | None:
        """How well this problem's own scaling limits were handled, on the 1-5 scale: the deep dive's scalability
        topics and the problem's own (a feed's fan-out and hot keys, a video platform's transcoding and delivery)."""
        own = [credits[t].strength for t in self._limit_topics()]
        return 1 + 4 * sum(own) / len(own) if own else None

    def _limit_topics(self) -> list[str]:
        plan = self.problem.stages.get(Stage.DEEP_DIVE) if self.problem else None
        if plan is None or self.problem is None:
            return []
        return [
            t
            for t in plan.topics
            if t in self.topics and (self.topics[t].competency == "scalability" or t in self.problem.extra_topics)
        ]

    def _rationale(self, competency: Competency, expected: list[str], credits: dict[str, _Credit], score: float) -> str:
        reasoned = [self._name(t) for t in expected if credits[t].strength >= 0.6 and not credits[t].board]
        drawn = [self._name(t) for t in expected if credits[t].board]
        named = [
            self._name(t) for t in expected if MENTION_CREDIT <= credits[t].strength < 0.6 and not credits[t].board
        ]
        missing = [self._name(t) for t in expected if credits[t].strength == 0]
        parts = []
        if reasoned:
            parts.append(f"Shown with reasoning: {', '.join(reasoned)}.")
        if drawn:
            parts.append(f"Shown on the whiteboard: {', '.join(drawn)}.")
        if named:
            parts.append(f"Named without reasoning: {', '.join(named)}.")
        if missing:
            parts.append(f"Not covered: {', '.join(missing)}.")
        descriptor = competency.descriptors.get(min(5, max(1, round(score))))
        if descriptor:
            parts.append(f"Closest level: {descriptor}")
        return " ".join(parts)

    def _communication_score(
        self,
        competency: Competency,
        credits: dict[str, _Credit],
        stats: dict[str, Any],
        questions: list[tuple[str, Utterance]],
    ) -> CompetencyScore:
        words_total = stats["candidate_words"]
        if not words_total:
            return CompetencyScore(competency.key, competency.name, 1.0, 0.0, "No candidate text to assess.", [])
        avg = stats["avg_words_per_answer"]
        if avg < 5:
            length = 0.0
        elif avg < 15:
            length = 0.7 * (avg - 5) / 10
        elif avg <= 150:
            length = 1.0
        else:
            length = max(0.6, 1 - (avg - 150) / 375)
        filler_part = 1 - min(1.0, max(0.0, (stats["filler_rate"] - 0.01) / 0.07))
        question_part = {0: 0.2, 1: 0.6, 2: 0.8}.get(stats["questions_asked"], 1.0)
        structure_part = {0: 0.3, 1: 0.7, 2: 0.7}.get(stats["structure_markers"], 1.0)
        summary_part = 1.0 if stats["summary_at_end"] else 0.0
        reasoning_part = min(1.0, stats["reasoning_share"] / 0.4)
        quality = (
            0.2 * length
            + 0.15 * filler_part
            + 0.15 * question_part
            + 0.15 * structure_part
            + 0.15 * summary_part
            + 0.2 * reasoning_part
        )
        quality *= min(1.0, words_total / 150)  # a few lines cannot show communication
        quality *= 1 - min(MAX_LIST_DISCOUNT, LIST_WEIGHT * stats["list_share"])  # names in place of sentences
        score = _clamp_score(1 + 4 * quality)
        confidence = round(min(1.0, 0.2 + 0.5 * min(1.0, words_total / 500) + 0.3 * min(1.0, stats["answers"] / 8)), 2)
        rationale = (
            f"{stats['answers']} answers averaging {avg:.0f} words; {stats['fillers_per_100_words']:.1f} "
            f"fillers "
            f"per 100 words; {stats['questions_asked']} clarifying question(s); "
            f"{stats['structure_markers']} signpost(s) like 'first/then/finally'; "
            f"{'a' if stats['summary_at_end'] else 'no'} summary at the end; "
            f"{stats['reasoning_share']:.0%} of sentences explain why."
        )
        descriptor = competency.descriptors.get(min(5, max(1, round(score))))
        if descriptor:
            rationale += f" Closest level: {descriptor}"
        evidence = []
        summary = credits.get("design_summary")
        if summary and summary.sentence:
            evidence.append(_evidence(summary.sentence))
        evidence += [
            Evidence(_quote(q, 220), message_seq=u.seq, at_seconds=u.start) for q, u in questions[: 3 - len(evidence)]
        ]
        return CompetencyScore(competency.key, competency.name, score, confidence, rationale, evidence)

    # --- feedback -----------------------------------------------------------------------------

    def _went_well(
        self,
        credits: dict[str, _Credit],
        stats: dict[str, Any],
        questions: list[tuple[str, Utterance]],
        reading: BoardReading | None,
        mistaken: Collection[str] = (),
    ) -> list[str]:
        """Strengths, each quoting what earned it; never a topic of a competency with a mistake left standing."""
        strong = sorted(
            (
                c
                for c in credits.values()
                if c.strength >= 0.7 and c.sentence is not None and self.topics[c.topic].competency not in mistaken
            ),
            key=lambda c: -c.strength,
        )
        picked: list[_Credit] = []
        seen_competencies: set[str] = set()
        for c in strong:  # one per competency first, for breadth
            comp = self.topics[c.topic].competency
            if comp not in seen_competencies:
                picked.append(c)
                seen_competencies.add(comp)
        picked += [c for c in strong if c not in picked]
        lines = [self._praise(group) for group in _by_sentence(picked)[:5]]
        if len(questions) >= 2:
            lines.append(f"You asked {len(questions)} clarifying questions, e.g. “{_quote(questions[0][0], 90)}”.")
        if stats["summary_at_end"]:
            lines.append("You closed with a summary of your design.")
        drawn = [(a, b) for a, b in (reading.analysis.edges if reading else []) if a in KINDS and b in KINDS]
        if len(drawn) >= 2:
            flow = "; ".join(f"{a} → {b}" for a, b in drawn[:4])
            lines.append(f"You drew the design on the whiteboard and connected its parts ({flow}).")
        return lines

    def _praise(self, group: list[_Credit]) -> str:
        """One line for the topics one sentence showed, in the voice of its strongest signal."""
        c = group[0]
        assert c.sentence is not None
        name, quote = self._names(group), _quote(c.sentence.text, 100)
        competency = self.topics[c.topic].competency
        if c.kinds == {"question"}:
            return f"You clarified scope with questions before designing ({name})."
        if competency == "estimation" and "quantity" in c.kinds:
            return f"Your {name} used concrete numbers (“{quote}”)."
        if "tradeoff" in c.kinds and "trade-off" in name:
            return f"You weighed the trade-offs explicitly (“{quote}”)."
        for kind, template in (
            ("tradeoff", "You weighed trade-offs on {name} (“{quote}”)."),
            ("failure", "You planned for failure in {name} (“{quote}”)."),
            ("causal", "You explained the reasoning behind {name} (“{quote}”)."),
            ("quantity", "You backed {name} with numbers (“{quote}”)."),
            ("flow", "You walked through {name} step by step (“{quote}”)."),
        ):
            if kind in c.kinds:
                return template.format(name=name, quote=quote)
        return f"You were specific about {name} (“{quote}”)."

    def _names(self, group: list[_Credit]) -> str:
        names = [self._name(c.topic).lower() for c in group]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    def _went_okay(self, credits: dict[str, _Credit]) -> list[str]:
        lines = []
        weak = [
            c
            for c in credits.values()
            if MENTION_CREDIT <= c.strength < 0.7
            and c.sentence is not None
            and self.topics[c.topic].competency not in STATS_COMPETENCIES
        ]
        for group in _by_sentence(sorted(weak, key=lambda c: (c.strength, c.topic)))[:5]:
            c = group[0]
            assert c.sentence is not None
            name, quote = self._names(group), _quote(c.sentence.text, 90)
            required = REQUIRED_SIGNAL.get(c.topic, REQUIRED_SIGNAL.get(self.topics[c.topic].competency))
            if required == "quantity":
                gap = "but without numbers — say the figures and the arithmetic out loud"
            elif required == "tradeoff":
                gap = "without naming the alternative and what you gave up"
            elif required == "failure":
                gap = "without saying what fails, what users see and how it recovers"
            elif c.strength <= MENTION_CREDIT:
                gap = "but only by name — say why it is needed and how it works here"
            else:
                gap = "but the reasoning was thin — add a number, a 'because' or what happens when it fails"
            lines.append(f"You touched on {name} {gap} (“{quote}”).")
        return lines

    def _okay_competencies(self, scores: list[CompetencyScore], credits: dict[str, _Credit]) -> list[str]:
        """When no single topic was half-shown, the middling competencies are what went okay: say what they lacked."""
        lines = []
        for s in sorted(scores, key=lambda s: -(s.score or 0)):
            if s.score is None or not OKAY_RANGE[0] <= s.score < OKAY_RANGE[1] or s.key in STATS_COMPETENCIES:
                continue
            gaps = [self._name(t).lower() for t in self._expected(s.key) if credits[t].strength < 0.6][:2]
            lack = f" — add {' and '.join(gaps)}" if gaps else ""
            lines.append(f"{self.rubric.competency(s.key).name} was sound but not complete ({s.score:.1f}/5){lack}.")
        return lines[:3]

    def _needs_improvement(
        self,
        credits: dict[str, _Credit],
        parsed: list[_Sentence],
        candidate: list[Utterance],
        stats: dict[str, Any],
        reading: BoardReading | None,
    ) -> list[str]:
        lines = []
        if not stats["candidate_words"]:
            return ["There is nothing from you in the transcript to evaluate — answer out loud or in the chat."]
        weights = {c.key: c.weight for c in self.rubric.competencies}
        missing = [
            t
            for c in self.rubric.competencies
            for t in self._expected(c.key)
            if c.key not in STATS_COMPETENCIES and credits[t].strength == 0
        ]
        missing.sort(key=lambda t: -weights.get(self.topics[t].competency, 0))
        for t in missing[:5]:
            lines.append(f"{self._name(t)} never came up. An interviewer would ask: “{self._question_for(t)}”")
        lists = [s for s in parsed if s.bare]
        if lists:
            lines.append(
                f"{len(lists)} time(s) you listed terms without saying how they connect or why "
                f"(“{_quote(lists[0].text, 80)}”). Give each piece a reason: what it does here and what "
                "it costs."
            )
        listed = {id(s.utterance) for s in lists}
        vague = [
            u
            for u in candidate
            if is_vague(u.text)
            and not question_sentences(u.text)
            and id(u) not in listed
            and not set(words(u.text)) <= _COURTESY
        ]
        if len(vague) >= 2:
            lines.append(
                f"{len(vague)} answers were too short or hedged to assess "
                f"(e.g. “{_quote(vague[0].text, 60)}”). Give a concrete number, example or mechanism instead."
            )
        if stats["filler_rate"] > 0.05:
            lines.append(
                f"Filler words were {stats['fillers_per_100_words']:.0f} in every 100 words — pause "
                "instead of filling, and lead with the point."
            )
        if stats["questions_asked"] == 0:
            lines.append("You asked no clarifying questions — ask about scale and the key constraints first.")
        if not stats["summary_at_end"]:
            lines.append("You didn't summarise your design at the end — close with a one-minute recap.")
        alone = [k for k in (reading.analysis.unconnected if reading else []) if k in KINDS]
        if alone:
            lines.append(
                f"On the whiteboard, {', '.join(alone)} {'is' if len(alone) == 1 else 'are'} not connected to "
                "anything — draw the arrows that show which component calls which."
            )
        return lines

    def _plan(self, scores: list[CompetencyScore], credits: dict[str, _Credit]) -> list[PlanStep]:
        """At least three steps, for the weakest competencies first, each with the rubric's resources."""
        weights = {c.key: c.weight for c in self.rubric.competencies}
        weakest = sorted(scores, key=lambda s: (s.score or 0.0, -weights[s.key]))
        steps = []
        for s in weakest[: max(3, sum(1 for x in scores if (x.score or 0.0) < 3.0))][:5]:
            competency = self.rubric.competency(s.key)
            score = s.score or 0.0
            target = min(5, math.floor(score) + 1)
            next_level = competency.descriptors.get(target, "")
            detail = f"You scored {score:.1f}. Level {target} looks like: {next_level}"
            if s.key in STATS_COMPETENCIES:
                detail += " Practise short structured answers (first/then/finally) and end with a recap."
            else:
                gaps = [t for t in self._expected(s.key) if credits[t].strength < 0.6]
                if gaps:
                    tips = "; ".join(f"{self._name(t)} — {self._tip(t)}" for t in gaps[:3])
                    detail += f" Work on: {tips}"
            steps.append(PlanStep(f"Strengthen {competency.name.lower()}", detail.strip(), list(competency.resources)))
        while len(steps) < 3:
            steps.append(
                PlanStep(
                    "Do a full timed mock interview",
                    "Run a 45-minute mock on a new problem: clarify, estimate, design, deep-dive, summarise.",
                    [],
                )
            )
        return steps

    # --- wording helpers ----------------------------------------------------------------------

    def _name(self, topic: str) -> str:
        return self.topics[topic].name

    def _question_for(self, topic: str) -> str:
        if self.problem and self.problem.follow_ups.get(topic):
            return self.problem.follow_ups[topic][0]
        return self.topics[topic].probe

    def _tip(self, topic: str) -> str:
        if self.problem and self.problem.hints.get(topic):
            return self.problem.hints[topic][0]
        return self.topics[topic].hint or self.topics[topic].probe


# --- module helpers ---------------------------------------------------------------------------


def _by_sentence(credits: list[_Credit]) -> list[list[_Credit]]:
    """Credits grouped by the sentence that earned them, in first-seen order: one quote, one line."""
    groups: dict[str, list[_Credit]] = {}
    for c in credits:
        assert c.sentence is not None
        groups.setdefault(c.sentence.text, []).append(c)
    return list(groups.values())


_ASKS_FOR_SCOPE = re.compile(
    r"\b(?:requirements?|clarif\w*|questions?|scope|assum\w*|(?:what|which|core|main|key) features?|functional|"
    r"non-functional|"
    r"what (?:should|must|does|do) (?:it|the system|the service|users?)|qualities|priorit\w*)\b",
    re.IGNORECASE,
)
_STATES_REQUIREMENT = re.compile(
    r"\b(?:must|should|needs? to|has to|have to|required|requirements?|target|goal|at least|at most|no more than|"
    r"p9\d|nines|sla|slo|assum\w*|out of scope|in scope|priorit\w*|nice to have|must have)\b|\d\s*%",
    re.IGNORECASE,
)


_DEFERS_OR_ASSUMES = re.compile(
    r"\b(?:scope|(?<!/)v1|first version|mvp|later phase|nice to have|must have|assum\w*)\b", re.IGNORECASE
)
"""Defers a part or takes something as given; with `excludes`, the scope the rubric asks for from level 4 up."""
FUNCTIONAL, NON_FUNCTIONAL = "functional_requirements", "non_functional_requirements"
SIZES = frozenset({"traffic_estimate", "storage_estimate", "bandwidth_estimate"})
SCHEMA, STORE = "data_model_schema", "database_choice"
"""The dimensions the rubric's estimation asks for."""
RUNG_WEIGHT = 0.4
FIT_WEIGHT = 0.3
LIMITS_WEIGHT = 0.3
"""Scalability: the share that is this problem's own scaling limits, handled (rubric level 5: "finds the real scaling
limits (hot keys, fan-out, skew) and handles them"); caching and sharding in general are the rest."""
MANY_SERVICES, NOT_MINIMAL_CEILING = 1.5, 3.0
"""High-level design: naming more services than half again the problem's reference parts is a design not kept
minimal (rubric level 5 "keeps components minimal"): it stays at level 3, a workable design at best."""
"""High-level design: the share that is the problem's own mechanisms (rubric level 5 "anticipates the deep-dive
areas"; graders mark down a design that "cannot serve this problem" however tidy its boxes)."""
"""Requirements, estimation and the data model: the rubric rung reached (requirements_rung, estimation_rung,
data_model_rung) beside how broadly and how well the topics were shown."""
_ARCHITECTURE = (
    *(phrase for kind, phrases in SYNONYMS.items() if kind != "client" for phrase in phrases),
    "service", "services", "server", "servers", "table", "tables", "row", "rows", "transaction", "transactions",
)  # fmt: skip
DESIGN_PARTS = 2
"""Parts of an architecture a sentence names (one word like "search" can be a feature) to be a design, not features."""
RESTATED_FEATURE_WORDS = 3
"""Words of the problem's statement a scoping sentence needs to count as restating its features."""
PLAYBACK_LINES = 3
"""Short requirement lines in one scoping answer that make it a playback of the features."""
SKIPPING_SENTENCES, DESIGN_SHARE = 3, 0.8
"""A first answer this long that is nearly all design skipped the scoping; a shorter one may just be an opening."""
SCOPE_CEILING, UNSCOPED_CEILING = 3.5, 2.5
"""The rubric's descriptors are a ladder that features and numbers cannot climb past a missing rung: requirements
without a stated scope or assumption stay below level 4 ("...and states scope"); without that and without a
single clarifying question about the problem, below level 3 ("with one or two clarifying questions")."""
UNRANKED_CEILING = 4.0
"""Level 5 "prioritises requirements ... and states assumptions explicitly": without either, at most level 4."""
_RANKS = re.compile(
    r"\b(?:priorit\w*|most important|matters? most|above all|critical path|hard constraint"
    r"|(?:primary|secondary) (?:goal|concern|requirement|focus|use case|path|quality|metric|constraint|need)s?"
    r"|headline|key requirement|comes? first|(?:the|my) (?:main|hardest|biggest|key) (?:[\w-]+ )?(?:thing|requirement"
    r"|constraint|concern|risk|priority)|the hard part"
    r"|in (?:that |this |rough |priority )order|order of importance|(?:more|less) important than"
    r"|matters? more than|number one|non negotiable|trumps?)\b",
    re.IGNORECASE,
)
"""One requirement put above the others: the rubric's top rung ("prioritises requirements")."""
_ASSUMES = re.compile(r"\bassum\w*", re.IGNORECASE)
UNSCOPED_NOTE = "No scope was drawn: nothing said to be out of scope, deferred or assumed. "
UNRANKED_NOTE = "No requirement was ranked above the others and no assumption was stated. "


_COSTS_OR_BUYS = re.compile(
    r"\b(?:saves?|saving|costs?|loses?|losing|gains?|buys?|wastes?|adds?|needs? no|never|can't|cannot|won't|"
    r"fewer|less|more|faster|slower|simpler|harder|easier|risks?|stale|lost|duplicates?)\b",
    re.IGNORECASE,
)
"""What a side of a comparison costs or buys ("a 301 saves load, but repeat clicks never reach us", "1% overshoot in
return for 250 times fewer calls"): said so, the comparison needs no separate "because"."""


def _designs(sentence: str) -> bool:
    """Names a part of the system being built: "each server must hold…" is design, not a requirement."""
    return bool(find_phrases(sentence, _ARCHITECTURE)) or bool(set(words(sentence)) & TECH_TERMS)


_ASKS_INDIRECTLY = re.compile(
    r"\b(?:i'?d (?:like|want|need) (?:to (?:know|understand|confirm|check|clarify)|the|your)|i (?:need|want) to "
    r"(?:know|understand|confirm)|(?:could|can) you (?:tell|give) me|tell me|let me (?:ask|check|confirm)"
    r"|my (?:first )?questions? (?:is|are|would be))\b",
    re.IGNORECASE,
)
"""A request for information worded as a statement: "I'd like the load-time target and the follower counts"."""


def _asks(text: str) -> list[str]:
    """The sentences of an answer that ask for something, directly or in a statement's words."""
    asked = question_sentences(text)
    return asked + [s for s in sentences(text) if s not in asked and _ASKS_INDIRECTLY.search(s)]


def _services_named(parsed: list[_Sentence]) -> set[str]:
    """The distinct services a design names ("an alias service", "the URL safety service"), as said."""
    return {
        m.group(1)
        for s in parsed
        if not s.scoping
        for m in _A_SERVICE.finditer(s.text.lower())
        if m.group(1).split()[-1] not in _NOT_A_SERVICE_NAME
    }


_A_SERVICE = re.compile(r"\b([a-z]+(?:[ -][a-z]+)?) (?:micro)?services?\b")
_NOT_A_SERVICE_NAME = frozenset({
    "a", "an", "the", "one", "each", "this", "that", "our", "their", "its", "separate", "own", "new", "every", "other",
    "same", "external", "existing", "any", "some", "small", "stateless", "dedicated", "single", "second", "third",
    "first", "two", "three", "more", "different",
})  # fmt: skip


def _requirements_against_the_facts(reading: TranscriptReading, early: Collection[int]) -> TranscriptReading:
    """A figure that contradicts the interviewer's facts, said while scoping ("the peak we design for is 50,000 a
    second" when 500,000 was given), is a wrong requirement: it costs requirements, not an estimate never made."""
    scoping = {(u.seq, u.start) for u in reading.utterances if id(u) in early}
    moved = [
        replace(f, competency="requirements")
        if f.kind is FindingKind.FIGURE and (f.message_seq, f.at_seconds) in scoping
        else f
        for f in reading.findings
    ]
    return replace(reading, findings=moved)


def _draws_a_boundary(parsed: list[_Sentence], early: Collection[int]) -> bool:
    """Scope drawn while scoping (a design said then may still set a part aside); a list of what is left out ("Out of
    scope: X, Y, Z") is one however bare."""
    return any(
        ((excludes(s.text) or _LEAVES_ASIDE.search(s.text)) and (not s.bare or is_bare_list(s.text)))
        or (not s.bare and _defers_or_assumes(s.text))
        for s in parsed
        if s.scoping or id(s.utterance) in early
    )


_PROPOSES = re.compile(
    r"^\W*(?:\w+,\s*)?(?:(?:so|and|then|or)\s+)?(?:(?:maybe|perhaps)\s+)?(?:(?:we|i)\s+(?:could|can|should|would|might)"
    r"|(?:should|could|can|shall|would)\s+(?:we|i)|what if we|how about)\b",
    re.IGNORECASE,
)
"""Opens a question by putting a design forward ("Maybe we could…?", "Should we…?")."""
_LEAVES_ASIDE = re.compile(
    r"\b(?:(?:leave|leaving|keep|keeping) (?:[\w'-]+,? ){1,8}(?:out|aside)|already exists?|exists already"
    r"|[\w-]+'s (?:job|problem|responsibility|concern)|not (?:a |an |the )?[\w-]+ (?:i|we)(?:'ll| will)? (?:build|own)"
    r"|we (?:only|just) (?:send|store|read|serve|accept))\b",
    re.IGNORECASE,
)
"""Scope drawn in plain words: "I'd leave comments and ads out", "the follow graph already exists", "deciding who
gets a campaign is the caller's job; we only send"."""


def _defers_or_assumes(text: str) -> bool:
    """Scope set by deferring or assuming; an assumed figure ("I'll assume 100 bytes a row") sizes: no scope drawn."""
    found = {m.group(0).lower()[:5] for m in _DEFERS_OR_ASSUMES.finditer(text)}
    return bool(found - {"assum"}) or (bool(found) and not quantities(text))


def _model_evidence(parsed: list[_Sentence]) -> ModelEvidence:
    """What the rubric's data-model ladder looks for, from the sentences about storing the data."""
    stored = [s for s in parsed if not s.bare and (s.topics & {SCHEMA, STORE} or KEYS.search(s.text))]
    keyed = [s for s in stored if KEYS.search(s.text)]
    return ModelEvidence(
        store=any(STORE in s.topics or IN_MEMORY_STORES.search(s.text) for s in stored),
        entities=any(SCHEMA in s.topics and (s.detail or s.statement) for s in stored),
        justified=any("causal" in s.signals.kinds or "tradeoff" in s.signals.kinds for s in stored),
        keys=bool(keyed),
        queries=any(ACCESS.search(s.text) for s in keyed),
        tradeoff=any(STORE in s.topics and "tradeoff" in s.signals.kinds for s in stored),
        scale=any("quantity" in s.signals.kinds for s in stored if SCHEMA in s.topics or KEYS.search(s.text)),
    )


def _answers_with_a_design(parsed: list[_Sentence], scoping_topics: Collection[str]) -> bool:
    """The candidate's first answer asks nothing and says it goes straight to the design, or is a design and states
    no requirement: the scoping phase was skipped."""
    if not parsed:
        return False
    first = parsed[0].utterance
    if _asks(first.text):
        return False
    if skips_scoping(first.text):
        return True
    said = [s for s in parsed if s.utterance is first]
    designed = [s for s in said if _designs(s.text)]
    if any(s.topics & set(scoping_topics) for s in said if s not in designed):
        return False
    return len(said) >= SKIPPING_SENTENCES and len(designed) >= DESIGN_SHARE * len(said)


def _ranks(parsed: list[_Sentence]) -> bool:
    return any(_RANKS.search(s.text) for s in parsed if s.scoping and not s.bare)


def _ranks_or_assumes(parsed: list[_Sentence]) -> bool:
    return _ranks(parsed) or any(_ASSUMES.search(s.text) for s in parsed if s.scoping and not s.bare)


def _scoping_answers(utterances: list[Utterance]) -> set[int]:
    """The candidate's answers to a prompt for requirements, questions or scope (by identity)."""
    answers: set[int] = set()
    scoping = False
    for u in utterances:
        if u.speaker.lower() == "interviewer":
            scoping = bool(_ASKS_FOR_SCOPE.search(u.text))
        elif scoping:
            answers.add(id(u))
    return answers


_MOVES_ON = re.compile(
    r"\b(?:estimat\w*|size it|sizing|how many|how much|walk (?:me )?through|sketch|draw|architecture|components"
    r"|data model|schema|design it)\b",
    re.IGNORECASE,
)
_ASKS_FOR_SIZES = re.compile(
    r"\b(?:requests? (?:per|a) second|qps|storage and bandwidth|back[- ]of[- ]the[- ]envelope|(?:the|some) numbers)\b",
    re.IGNORECASE,
)
"""Asks for sizes by naming them ("Requests per second, storage and bandwidth, please"); the same words beside figures
("about 500,000 requests a second") are the interviewer's answer, still scoping."""


def _before_sizing(utterances: list[Utterance]) -> set[int]:
    """The candidate's answers while the interview is still scoping: before the interviewer first moves on to
    sizing or design (the opening prompt, which names the whole task, does not count)."""
    early: set[int] = set()
    opened = False
    for u in utterances:
        if u.speaker.lower() != "interviewer":
            early.add(id(u))
        elif opened and _moves_on(u.text):
            break
        else:
            opened = True
    return early


def _moves_on(said: str) -> bool:
    if _ASKS_FOR_SCOPE.search(said):
        return False
    return bool(_MOVES_ON.search(said)) or (bool(_ASKS_FOR_SIZES.search(said)) and not quantities(said))


_REDIRECTS = re.compile(
    r"\b(?:(?:a |the )?(?:different|another|wrong) (?:product|problem|system|app|question)"
    r"|not (?:a|an) [\w-]+(?: [\w-]+)? (?:app|application|feed|product|service|system|tool|platform|exchange|scraper"
    r"|site|engine))\b",
    re.IGNORECASE,
)
"""The interviewer saying the candidate scopes another product ("We're designing a rate limiter, not a chat app")."""


def _before_a_redirect(utterances: list[Utterance], early: Collection[int]) -> set[int]:
    """The candidate's answers before the interviewer redirected them to the problem asked, while scoping: what they
    scoped was another product, so it scopes nothing here."""
    before: list[int] = []
    for u in utterances:
        if u.speaker.lower() != "interviewer":
            if id(u) not in early:
                return set()
            before.append(id(u))
        elif before and _REDIRECTS.search(u.text):
            return set(before)
    return set()


def _candidate_utterances(utterances: list[Utterance]) -> list[Utterance]:
    """The candidate's utterances, each distinct text once (chat and transcript can repeat each other)."""
    seen: set[str] = set()
    out = []
    for u in utterances:
        if u.speaker.lower() != "candidate" or not u.text.strip():
            continue
        key = " ".join(normalize(u.text).split())
        if key in seen:
            continue
        seen.add(key)
        out.append(u)
    return out


def _communication_stats(
    candidate: list[Utterance], interviewer_words: int, topics: dict[str, Topic]
) -> dict[str, Any]:
    words_total = sum(word_count(u.text) for u in candidate)
    answers = len(candidate)
    filler_count = sum(len(fillers(u.text)) for u in candidate)
    questions = sum(1 for u in candidate for q in question_sentences(u.text) if not is_check_in(q))
    check_ins = sum(1 for u in candidate for s in sentences(u.text) if is_check_in(s))
    statements = [s for u in candidate for s in sentences(u.text) if not s.rstrip().endswith("?")]
    reasoned = sum(1 for s in statements if signals(s).reasoning > 0)
    listed = sum(1 for s in statements if is_bare_list(s) or is_buzzword_list(s))
    closing = candidate[-3:]
    summary_at_end = any("design_summary" in topics_in(u.text, topics) for u in closing) if topics else False
    timed = [(u, u.end - u.start) for u in candidate if u.start is not None and u.end is not None and u.end > u.start]
    spoken_seconds = sum(d for _, d in timed)
    wpm = round(sum(word_count(u.text) for u, _ in timed) / spoken_seconds * 60, 1) if spoken_seconds else None
    return {
        "candidate_words": words_total,
        "interviewer_words": interviewer_words,
        "answers": answers,
        "avg_words_per_answer": round(words_total / answers, 1) if answers else 0.0,
        "filler_count": filler_count,
        "filler_rate": round(filler_count / words_total, 4) if words_total else 0.0,
        "fillers_per_100_words": round(100 * filler_count / words_total, 1) if words_total else 0.0,
        "questions_asked": questions,
        "check_ins": check_ins,
        "structure_markers": sum(len(structure_markers(u.text)) for u in candidate),
        "summary_at_end": summary_at_end,
        "reasoning_share": round(reasoned / len(statements), 2) if statements else 0.0,
        "list_share": round(listed / len(statements), 2) if statements else 0.0,
        "talk_ratio": round(words_total / (words_total + interviewer_words), 2) if words_total else 0.0,
        "words_per_minute": wpm,
        "one_line_answers": sum(1 for u in candidate if word_count(u.text) <= 3),
        "long_answers": sum(1 for u in candidate if word_count(u.text) > 250),
    }


def _is_detailed(items: list[str], sentence: str, bare: bool) -> bool:
    """A specific enumeration that says something ("we store code, long_url, created_at, expires_at")."""
    if bare or len(items) < 3 or word_count(sentence) < 8 or not has_verb(sentence):
        return False
    return sum(1 for i in items if len(i.split()) <= 4) >= 0.6 * len(items)


def _volume_notes(words_total: int) -> list[str]:
    """Past the gate but still thin: the scores stand, with a warning (and low confidence)."""
    if words_total < _TINY_WORDS:
        return [
            f"Only {words_total} words from the candidate — enough to score, too little to judge reliably, so "
            "confidence is low."
        ]
    return []


def _best_strength(s: _Sentence, topics: list[str], evaluator: OfflineEvaluator) -> float:
    return max(
        (OfflineEvaluator._strength(s, t, evaluator.topics[t].competency)[0] for t in s.topics if t in topics),
        default=0.0,
    )


def _confidence(words_total: int, evidence_sentences: int) -> float:
    if not words_total:
        return 0.0
    value = 0.15 + 0.45 * min(1.0, words_total / 600) + 0.4 * min(1.0, evidence_sentences / 3)
    return round(min(1.0, value), 2)


def _clamp_score(value: float) -> float:
    return round(min(5.0, max(1.0, value)), 1)


def _unique(items: list[_Sentence]) -> list[_Sentence]:
    seen: set[str] = set()
    out = []
    for s in items:
        if s.text not in seen:
            seen.add(s.text)
            out.append(s)
    return out


def _evidence(s: _Sentence) -> Evidence:
    return Evidence(_quote(s.text, 220), message_seq=s.utterance.seq, at_seconds=s.utterance.start)


def _quote(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _correctness_stats(judged: TranscriptReading) -> dict[str, Any]:
    """What the correctness reader found, for the report and the LLM evaluator's cross-check."""
    return {
        "mistakes": len(judged.mistakes()),
        "corrected": len([f for f in judged.mistakes(include_corrected=True) if f.corrected]),
        "off_topic": judged.off_topic,
        "off_topic_share": judged.off_topic_share,
        "repeated_share": judged.repeated_share,
        "refusals": len(judged.of_kind(FindingKind.REFUSAL)),
        "junk": judged.junk,
        "findings": [f.as_dict() for f in judged.findings if f.kind is not FindingKind.JUNK][:20],
    }
