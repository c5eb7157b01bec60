"""The problem bank in data/problems: every file loads, is complete, and agrees with the rubric."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.content.problems import Problem, ProblemBank, load_problem, load_problem_bank
from core.content.rubrics import Rubric, load_rubric
from core.content.text_signals import figure_claim, figure_distances, numeric_claims
from core.errors import ContentError
from core.models import Level, Stage

ROOT = Path(__file__).resolve().parents[3]
PROBLEMS_DIR = ROOT / "data" / "problems"
RUBRIC_FILE = ROOT / "data" / "rubrics" / "system_design.yaml"
PROBLEM_FILES = sorted(PROBLEMS_DIR.glob("*.yaml"))

DOMAINS = {
    "payments",
    "ecommerce",
    "social",
    "messaging",
    "media",
    "search",
    "ml",
    "data",
    "infrastructure",
    "geo",
    "web",
}
DIFFICULTIES = {"easy", "medium", "hard"}


@pytest.fixture(scope="module")
def bank() -> ProblemBank:
    return load_problem_bank(PROBLEMS_DIR)


@pytest.fixture(scope="module")
def problems(bank: ProblemBank) -> list[Problem]:
    return bank.all()


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    assert RUBRIC_FILE.is_file(), f"{RUBRIC_FILE} is missing"
    return load_rubric(RUBRIC_FILE)


def _topic_stage(problem: Problem, rubric: Rubric, key: str) -> str | None:
    """The stage a topic key belongs to, or None when neither the rubric nor the problem knows it."""
    if key in problem.extra_topics:
        return problem.extra_topics[key].stage
    if key in rubric.topics:
        return rubric.topics[key].stage
    return None


def _stage_topics(problem: Problem) -> set[str]:
    return {t for plan in problem.stages.values() for t in plan.topics}


# --- loading ---------------------------------------------------------------------------------------


def test_problem_directory_has_at_least_twelve_files() -> None:
    assert len(PROBLEM_FILES) >= 12


@pytest.mark.parametrize("path", PROBLEM_FILES, ids=lambda p: p.stem)
def test_each_file_loads_and_its_id_is_the_file_name(path: Path) -> None:
    problem = load_problem(path)
    assert problem.id == path.stem


def test_bank_holds_every_file_with_unique_ids(bank: ProblemBank) -> None:
    ids = [p.id for p in bank.all()]
    assert len(ids) == len(set(ids)) == len(PROBLEM_FILES)
    assert set(ids) == {p.stem for p in PROBLEM_FILES}
    for problem_id in ids:
        assert bank.get(problem_id).id == problem_id


def test_get_unknown_problem_raises_content_error(bank: ProblemBank) -> None:
    with pytest.raises(ContentError, match="no_such_problem"):
        bank.get("no_such_problem")


@pytest.mark.parametrize("level", list(Level))
def test_every_level_has_at_least_three_problems(problems: list[Problem], level: Level) -> None:
    suited = [p.id for p in problems if level in p.levels]
    assert len(suited) >= 3, f"{level.value}: only {suited}"


# --- content of each problem -----------------------------------------------------------------------


def test_problem_text_fields(problems: list[Problem]) -> None:
    for p in problems:
        assert p.title.startswith("Design a"), p.id
        assert p.summary.strip() and "\n" not in p.summary.strip(), p.id
        assert len(p.statement.split()) >= 60, f"{p.id}: statement too short"


def test_difficulty_is_given_for_every_level(problems: list[Problem]) -> None:
    for p in problems:
        assert set(p.difficulty) == set(Level), p.id
        assert set(p.difficulty.values()) <= DIFFICULTIES, p.id


def test_domains_use_the_canonical_vocabulary(problems: list[Problem]) -> None:
    for p in problems:
        assert set(p.domains) <= DOMAINS, f"{p.id}: {set(p.domains) - DOMAINS}"


def test_components_and_vocabulary(problems: list[Problem]) -> None:
    for p in problems:
        assert len(p.components) >= 6, p.id
        assert all(c == c.lower() and c.strip() for c in p.components), p.id
        assert len(set(p.components)) == len(p.components), p.id
        assert 15 <= len(p.vocabulary) <= 30, f"{p.id}: {len(p.vocabulary)} vocabulary words"
        lowered = [v.lower() for v in p.vocabulary]
        assert len(set(lowered)) == len(lowered), f"{p.id}: duplicate vocabulary"


def test_facts_have_lower_case_keywords_and_concrete_numbers(problems: list[Problem]) -> None:
    for p in problems:
        assert len(p.facts) >= 6, p.id
        for fact in p.facts:
            assert all(k == k.lower() and k.strip() for k in fact.keywords), f"{p.id}: {fact.keywords}"
            assert fact.answer.strip(), p.id
        with_numbers = [f for f in p.facts if any(ch.isdigit() for ch in f.answer)]
        assert len(with_numbers) >= 5, f"{p.id}: too few facts with numbers"


def test_every_stage_has_a_plan(problems: list[Problem]) -> None:
    for p in problems:
        assert set(p.stages) == set(Stage), p.id
        for stage, plan in p.stages.items():
            assert len(plan.topics) >= 2, f"{p.id}/{stage.value}"
            assert len(set(plan.topics)) == len(plan.topics), f"{p.id}/{stage.value}"
            assert len(plan.prompt.split()) >= 8, f"{p.id}/{stage.value}: prompt too short"


# --- agreement with the rubric ---------------------------------------------------------------------


def test_stage_topics_are_known_and_in_their_own_stage(problems: list[Problem], rubric: Rubric) -> None:
    for p in problems:
        for stage, plan in p.stages.items():
            for key in plan.topics:
                topic_stage = _topic_stage(p, rubric, key)
                assert topic_stage is not None, f"{p.id}: unknown topic {key!r} in {stage.value}"
                assert topic_stage == stage.value, f"{p.id}: {key!r} belongs to {topic_stage}, not {stage}"


def test_follow_ups_cover_stage_topics(problems: list[Problem], rubric: Rubric) -> None:
    for p in problems:
        used = _stage_topics(p)
        for key, questions in p.follow_ups.items():
            assert _topic_stage(p, rubric, key) is not None, f"{p.id}: unknown follow-up topic {key!r}"
            assert key in used, f"{p.id}: follow-ups for {key!r}, which no stage lists"
            assert 1 <= len(questions) <= 3, f"{p.id}/{key}"
            assert all(q.strip() for q in questions), f"{p.id}/{key}"
        assert len(p.follow_ups) >= 10, f"{p.id}: follow-ups for only {len(p.follow_ups)} topics"
        probing = [k for k, q in p.follow_ups.items() if 2 <= len(q) <= 3]
        assert len(probing) >= 10, f"{p.id}: only {len(probing)} topics have 2-3 follow-ups"


def test_hints_are_for_known_topics(problems: list[Problem], rubric: Rubric) -> None:
    for p in problems:
        assert len(p.hints) >= 6, f"{p.id}: hints for only {len(p.hints)} topics"
        for key, nudges in p.hints.items():
            assert _topic_stage(p, rubric, key) is not None, f"{p.id}: unknown hint topic {key!r}"
            assert 1 <= len(nudges) <= 2 and all(n.strip() for n in nudges), f"{p.id}/{key}"


def test_extra_topics_are_well_formed(problems: list[Problem], rubric: Rubric) -> None:
    competencies = {c.key for c in rubric.competencies}
    stages = {s.value for s in Stage}
    for p in problems:
        assert 1 <= len(p.extra_topics) <= 2, p.id
        for key, topic in p.extra_topics.items():
            assert key not in rubric.topics, f"{p.id}: extra topic {key!r} shadows a rubric topic"
            assert topic.competency in competencies, f"{p.id}/{key}: {topic.competency}"
            assert topic.stage in stages, f"{p.id}/{key}: {topic.stage}"
            assert len(topic.phrases) >= 4, f"{p.id}/{key}"
            assert all(ph == ph.lower() for ph in topic.phrases), f"{p.id}/{key}"
            assert topic.probe.strip() and topic.hint.strip(), f"{p.id}/{key}"
            assert key in _stage_topics(p), f"{p.id}: extra topic {key!r} is in no stage"


# --- misconceptions and figures --------------------------------------------------------------------


def _known_topics(p: Problem, rubric: Rubric) -> set[str]:
    return {*rubric.topics, *p.extra_topics}


def test_subject_topics_are_rubric_topics(problems: list[Problem], rubric: Rubric) -> None:
    for p in problems:
        assert set(p.subject_topics) <= set(rubric.topics), p.id
    assert next(p for p in problems if p.id == "rate_limiter").subject_topics == ["rate_limiting"]


def test_every_problem_lists_two_to_four_misconceptions(problems: list[Problem], rubric: Rubric) -> None:
    for p in problems:
        assert 2 <= len(p.misconceptions) <= 4, f"{p.id}: {len(p.misconceptions)} misconceptions"
        corrections = [m.correction for m in p.misconceptions]
        assert len(set(corrections)) == len(corrections), p.id
        for m in p.misconceptions:
            for pattern in [*m.patterns, *m.unless]:
                re.compile(pattern)
                assert pattern == pattern.lower(), f"{p.id}: {pattern!r} is not lower-case"
            assert m.correction.rstrip().endswith("?"), f"{p.id}: a pushback asks, it does not lecture"
            assert len(m.correction.split()) <= 30, f"{p.id}: {m.correction!r} is too long"
            assert m.topic in _known_topics(p, rubric) and m.topic in _stage_topics(p), f"{p.id}: {m.topic}"
            assert m.example.strip(), f"{p.id}: each misconception needs an example answer"


def test_each_misconception_catches_its_example_and_nothing_else_does(problems: list[Problem]) -> None:
    for p in problems:
        for i, m in enumerate(p.misconceptions):
            assert m.found_in(m.example), f"{p.id} #{i} misses its own example: {m.example!r}"
            others = [j for j, other in enumerate(p.misconceptions) if j != i and other.found_in(m.example)]
            assert not others, f"{p.id}: the example of #{i} also triggers {others}"


def test_misconceptions_do_not_fire_on_the_problems_own_words(problems: list[Problem], rubric: Rubric) -> None:
    for p in problems:
        own = {"statement": p.statement, **{f"fact {i}": f.answer for i, f in enumerate(p.facts)}}
        own |= {f"hint {k}/{i}": h for k, hints in p.hints.items() for i, h in enumerate(hints)}
        own |= {f"topic hint {k}": t.hint for k, t in {**rubric.topics, **p.extra_topics}.items()}
        for i, m in enumerate(p.misconceptions):
            for name, text in own.items():
                assert not m.found_in(text), f"{p.id} #{i} fires on its {name}: {text!r}"


def test_a_denied_or_corrected_claim_is_not_a_misconception(bank: ProblemBank) -> None:
    [redirects, *_] = bank.get("url_shortener").misconceptions
    assert redirects.found_in("We answer with a 301 and count clicks for every link.")
    assert not redirects.found_in("We never use a 301 because we count clicks.")
    assert not redirects.found_in("A 302, since a 301 is cached by browsers and we count clicks.")
    assert not redirects.found_in("Use a 3010 and count clicks.")  # whole words only


@pytest.mark.parametrize(
    ("problem", "wrong"),
    [
        (
            "ecommerce_inventory",
            "Checkout reads the available count for that SKU from Redis and, if positive, creates the order.",
        ),
        ("ticket_booking", "The server checks if the seats are available, and then it marks them as held."),
        ("chat_messaging", "Every message carries the sender's timestamp, so the client sorts the conversation by it."),
    ],
)
def test_a_misconception_is_caught_in_other_words(bank: ProblemBank, problem: str, wrong: str) -> None:
    assert any(m.found_in(wrong) for m in bank.get(problem).misconceptions)


@pytest.mark.parametrize(
    ("problem", "right"),
    [
        (
            "news_feed",
            "Follows are stored both ways: sharded by follower_id for profiles, and by followee_id for fan-out.",
        ),
        ("news_feed", "The graph is keyed by follower id with a secondary index on followee id for the fan-out."),
        (
            "payment_system",
            "The idempotency key has a unique constraint in the payments table, in the same transaction.",
        ),
        ("payment_system", "Redis caches recent idempotency keys, backed by a unique key on the payment row."),
        ("payment_system", "The idempotency key is checked in Redis and enforced by a unique order id in Postgres."),
    ],
)
def test_a_data_model_that_serves_its_query_is_no_misconception(bank: ProblemBank, problem: str, right: str) -> None:
    """The graph read by followee for fan-out, the idempotency key as durable as the payment: designs that work."""
    assert not [m.correction for m in bank.get(problem).misconceptions if m.found_in(right)]


_STATED = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?(thousand|million|billion|trillion)?")


def _stated_values(text: str) -> list[float]:
    scale = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
    return [float(n.replace(",", "")) * scale.get(s or "", 1) for n, s in _STATED.findall(text)]


def test_every_problem_states_figures_its_answers_really_give(problems: list[Problem]) -> None:
    for p in problems:
        named = [name for f in p.facts for name in f.figures]
        assert len(named) >= 2, f"{p.id}: only {named}"
        assert len(set(named)) == len(named), f"{p.id}: a figure is named twice"
        for fact in p.facts:
            values = _stated_values(fact.answer)
            for name, value in fact.figures.items():
                figure_claim(name, value)  # a readable name
                assert any(abs(v - value) <= 0.1 * value for v in values), (
                    f"{p.id}/{name}={value:g} is not stated in its answer: {fact.answer!r}"
                )


def test_fact_answers_agree_with_the_figures(problems: list[Problem]) -> None:
    for p in problems:
        figures = [figure_claim(name, value) for f in p.facts for name, value in f.figures.items()]
        for fact in p.facts:
            for claim in numeric_claims(fact.answer):
                off = [d for d, _ in figure_distances(claim, figures)]
                assert not off or min(off) < 1, f"{p.id}: {claim.text!r} contradicts the stated figures"


def test_problems_without_misconceptions_or_figures_still_load(tmp_path: Path) -> None:
    text = (PROBLEMS_DIR / "url_shortener.yaml").read_text("utf-8")
    text = text[: text.index("\nmisconceptions:") + 1]
    text = re.sub(r"(?m)^    figures: .*\n", "", text)
    (tmp_path / "url_shortener.yaml").write_text(text, "utf-8")
    problem = load_problem(tmp_path / "url_shortener.yaml")
    assert problem.misconceptions == [] and all(f.figures == {} for f in problem.facts)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("      - '301'", "      - '(301'", "does not compile"),
        ("new_links_per_month:", "new_links_per_fortnight:", "fortnight"),
    ],
)
def test_bad_misconceptions_and_figures_name_the_file(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = (PROBLEMS_DIR / "url_shortener.yaml").read_text("utf-8")
    assert old in text
    (tmp_path / "broken_shortener.yaml").write_text(text.replace(old, new, 1), "utf-8")
    with pytest.raises(ContentError, match=f"(?s)broken_shortener\\.yaml.*{message}"):
        load_problem_bank(tmp_path)


# --- choosing a problem ----------------------------------------------------------------------------


@pytest.mark.parametrize("level", list(Level))
def test_choose_picks_the_payments_problem(bank: ProblemBank, level: Level) -> None:
    assert bank.choose(level, ["payments"]).id == "payment_system"
    assert bank.choose(level, ["Payments"]).id == "payment_system"


@pytest.mark.parametrize("level", list(Level))
def test_choose_picks_an_ml_problem(bank: ProblemBank, level: Level) -> None:
    ml_ids = {p.id for p in bank.all() if "ml" in p.domains}
    assert {"feature_store", "recommendation_service"} <= ml_ids
    first = bank.choose(level, ["ml"])
    assert first.id in ml_ids
    second = bank.choose(level, ["ml"], exclude={first.id})
    assert second.id in ml_ids - {first.id}


@pytest.mark.parametrize("level", list(Level))
def test_choose_picks_the_geo_problem(bank: ProblemBank, level: Level) -> None:
    assert bank.choose(level, ["geo"]).id == "ride_matching"


@pytest.mark.parametrize("level", list(Level))
def test_choose_without_domains_suits_the_level(bank: ProblemBank, level: Level) -> None:
    chosen = bank.choose(level, [])
    assert level in chosen.levels
    assert bank.choose(level, []).id == chosen.id  # deterministic
    again = bank.choose(level, [], exclude={chosen.id})
    assert again.id != chosen.id and level in again.levels


# --- malformed files -------------------------------------------------------------------------------


def test_problem_missing_fields_raises_content_error_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "broken_problem.yaml").write_text("id: broken_problem\ntitle: Design a Thing\n", "utf-8")
    with pytest.raises(ContentError, match=re.escape("broken_problem.yaml")):
        load_problem_bank(tmp_path)


def test_invalid_yaml_raises_content_error_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "bad_syntax.yaml").write_text("id: [unclosed\ntitle: {\n", "utf-8")
    with pytest.raises(ContentError, match=re.escape("bad_syntax.yaml")):
        load_problem_bank(tmp_path)


def test_wrong_types_raise_content_error_naming_the_file(tmp_path: Path) -> None:
    good = (PROBLEMS_DIR / "payment_system.yaml").read_text("utf-8")
    (tmp_path / "payment_system.yaml").write_text(good, "utf-8")
    bad = good.replace("levels: [senior, staff]", "levels: [wizard]")
    assert bad != good
    (tmp_path / "wrong_level.yaml").write_text(bad, "utf-8")
    with pytest.raises(ContentError, match=re.escape("wrong_level.yaml")):
        load_problem_bank(tmp_path)
