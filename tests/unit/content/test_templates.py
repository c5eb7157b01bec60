"""Interview templates in data/templates: the shipped ones load and agree with the rubrics, and a bad
template is refused with a message that names the file and the field."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.content.rubrics import Rubric, load_rubrics
from core.content.templates import InterviewTemplate, TemplateLibrary, load_template, load_templates
from core.errors import ContentError, NotFound
from core.models import Stage

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES_DIR = ROOT / "data" / "templates"
RUBRICS = load_rubrics(ROOT / "data" / "rubrics")

DISCOVERY_STAGES = [
    "Context and role",
    "Current workflow and pains",
    "Jobs and desired outcomes",
    "Reaction to the solution",
    "Decision process and next steps",
]


@pytest.fixture(scope="module")
def library() -> TemplateLibrary:
    return load_templates(TEMPLATES_DIR, rubrics=RUBRICS)


@pytest.fixture(scope="module")
def discovery(library: TemplateLibrary) -> InterviewTemplate:
    return library.get("customer_discovery")


@pytest.fixture(scope="module")
def system_design(library: TemplateLibrary) -> InterviewTemplate:
    return library.get("system_design_human")


# --- the shipped templates ---------------------------------------------------------------------------


def test_every_file_loads_with_its_file_name_as_id(library: TemplateLibrary) -> None:
    files = sorted(p.stem for p in TEMPLATES_DIR.glob("*.yaml"))
    assert sorted(t.id for t in library.all()) == files
    assert len(library) == len(files) >= 2


def test_system_design_mirrors_the_ai_led_stages(system_design: InterviewTemplate) -> None:
    assert system_design.kind == "system_design"
    assert system_design.rubric_id == "system_design"
    assert system_design.uses_problem_bank
    assert system_design.stage_keys() == [s.value for s in Stage]
    assert [s.title for s in system_design.stages] == [s.label for s in Stage]
    assert 55 <= system_design.total_minutes <= 65


def test_system_design_gives_hire_signal_levels(system_design: InterviewTemplate) -> None:
    keys = [r.key for r in system_design.recommendations]
    assert keys[0] == "strong_hire" and keys[-1] == "no_hire"
    assert {"hire", "lean_hire"} <= set(keys)


def test_discovery_has_the_five_stages_in_order(discovery: InterviewTemplate) -> None:
    assert discovery.kind == "customer_discovery"
    assert [s.title for s in discovery.stages] == DISCOVERY_STAGES
    assert 40 <= discovery.total_minutes <= 50
    assert not discovery.uses_problem_bank


def test_discovery_notes_have_the_four_tags_jtbd_types_and_importance(discovery: InterviewTemplate) -> None:
    notes = discovery.notes
    assert notes is not None
    assert [t.label for t in notes.tags] == ["Pain", "Outcome", "Feature", "Objection"]
    assert [j.key for j in notes.jtbd_types] == ["functional", "social", "emotional"]
    assert (notes.importance.min, notes.importance.max) == (1, 5)
    assert {f.scope for f in notes.fields} == {"note", "session"}


def test_discovery_recommendations_and_score_groups(discovery: InterviewTemplate) -> None:
    assert [r.label for r in discovery.recommendations] == ["Activation Candidate", "Follow-up Needed", "Not a Fit"]
    groups = {g.key: g.competencies for g in discovery.score_groups}
    assert groups == {
        "solution_fit": ["problem_solution_mapping", "feature_alignment", "price_fit", "timing_fit"],
        "commercial_viability": ["decision_process", "budget", "timeline", "competition"],
    }
    rubric = RUBRICS[discovery.rubric_id]
    assert {c.key for c in rubric.competencies} == {c for cs in groups.values() for c in cs}


def test_discovery_rubric_weights_sum_to_one() -> None:
    rubric: Rubric = RUBRICS["customer_discovery"]
    assert sum(c.weight for c in rubric.competencies) == pytest.approx(1.0)
    assert all(set(c.descriptors) == {1, 2, 3, 4, 5} for c in rubric.competencies)


@pytest.mark.parametrize("template_id", ["system_design_human", "customer_discovery"])
def test_every_stage_is_complete(library: TemplateLibrary, template_id: str) -> None:
    """Each stage gives the interviewer something to do and something to check; every goal has a question."""
    for stage in library.get(template_id).stages:
        assert stage.purpose, stage.key
        assert len(stage.prompts) >= 2, stage.key
        assert len(stage.questions) >= 3, stage.key
        asked = {q.goal for q in stage.questions}
        for goal in stage.goals:
            assert len(goal.signals) >= 4, goal.key
            assert goal.key in asked, f"{stage.key}: no question for goal {goal.key}"


# --- lookups and navigation ----------------------------------------------------------------------------


def test_get_all_and_for_kind(library: TemplateLibrary) -> None:
    assert [t.id for t in library.for_kind("customer_discovery")] == ["customer_discovery"]
    assert [t.id for t in library.for_kind("system_design")] == ["system_design_human"]
    assert library.for_kind("no_such_kind") == []
    assert library.kinds() == ["customer_discovery", "system_design"]
    assert [t.title for t in library.all()] == sorted(t.title for t in library.all())


def test_unknown_template_id_names_the_available_ones(library: TemplateLibrary) -> None:
    with pytest.raises(
        NotFound, match="No interview template 'nope'; available: customer_discovery, system_design_human"
    ):
        library.get("nope")
    with pytest.raises(NotFound, match="available: none"):
        TemplateLibrary([]).get("nope")


def test_stage_and_next_stage(discovery: InterviewTemplate) -> None:
    assert discovery.stage("jobs_and_outcomes").title == "Jobs and desired outcomes"
    assert discovery.next_stage("context_and_role").key == "current_workflow_and_pains"  # type: ignore[union-attr]
    assert discovery.next_stage("decision_and_next_steps") is None
    with pytest.raises(NotFound, match="no stage 'pricing'; its stages are context_and_role, "):
        discovery.stage("pricing")
    with pytest.raises(NotFound, match="pricing"):
        discovery.next_stage("pricing")


def test_a_library_refuses_two_templates_with_one_id(discovery: InterviewTemplate) -> None:
    with pytest.raises(ContentError, match="'customer_discovery'"):
        TemplateLibrary([discovery, discovery])


# --- bad templates ---------------------------------------------------------------------------------------


def _minimal() -> dict[str, Any]:
    """A small valid template named "broken" (the file name the bad-template tests write)."""
    return {
        "id": "broken",
        "title": "Broken",
        "kind": "customer_discovery",
        "description": "A template the tests break.",
        "version": "1",
        "rubric_id": "customer_discovery",
        "stages": [
            {
                "key": "intro",
                "title": "Intro",
                "planned_minutes": 5,
                "goals": [{"key": "role", "text": "Their role.", "signals": ["my role"]}],
                "questions": [{"text": "What do you do?", "goal": "role"}, "Anything else?"],
            },
            {
                "key": "pains",
                "title": "Pains",
                "planned_minutes": 10,
                "goals": [{"key": "pain", "text": "A pain."}, {"key": "cost", "text": "Its cost."}],
            },
            {"key": "close", "title": "Close", "planned_minutes": 5, "goals": [{"key": "next", "text": "Next step."}]},
        ],
        "notes": {"tags": [{"key": "pain", "label": "Pain"}, {"key": "outcome", "label": "Outcome"}]},
        "recommendations": [{"key": "yes", "label": "Yes"}, {"key": "no", "label": "No"}],
    }


def _write(folder: Path, data: Any, name: str = "broken") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _refused(path: Path, *fragments: str) -> str:
    """Loading `path` raises ContentError whose message names the file and every fragment."""
    with pytest.raises(ContentError) as caught:
        load_template(path, rubrics=RUBRICS)
    message = str(caught.value)
    assert path.name in message, message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def test_the_minimal_template_is_valid(tmp_path: Path) -> None:
    template = load_template(_write(tmp_path, _minimal()), rubrics=RUBRICS)
    assert template.total_minutes == 20
    assert template.stages[0].questions[1].goal is None  # a bare string is a question without a goal


def _break(change: str) -> dict[str, Any]:
    data = copy.deepcopy(_minimal())
    stages = data["stages"]
    match change:
        case "zero_minutes":
            stages[2]["planned_minutes"] = 0
        case "duplicate_stage":
            stages[1]["key"] = "intro"
        case "duplicate_goal":
            stages[2]["goals"].append({"key": "pain", "text": "Again."})
        case "unknown_question_goal":
            stages[1]["questions"] = [{"text": "How often?", "goal": "frequency"}]
        case "no_stages":
            data["stages"] = []
        case "unknown_top_level_key":
            data["colour"] = "blue"
        case "unknown_stage_key":
            stages[0]["planed_minutes"] = 5
        case "missing_title":
            del stages[1]["title"]
        case "bad_key":
            stages[0]["key"] = "Intro Stage"
        case "no_goals":
            stages[0]["goals"] = []
        case "duplicate_tag":
            data["notes"]["tags"].append({"key": "pain", "label": "Pain again"})
        case "bad_importance":
            data["notes"]["importance"] = {"min": 5, "max": 1}
        case "choice_without_options":
            data["notes"]["fields"] = [{"key": "often", "label": "How often", "kind": "choice"}]
        case "text_in_a_mapping":
            stages[0]["prompts"] = [{"Ask": "what they do"}]
    return data


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        ("zero_minutes", ["stages[2].planned_minutes must be greater than 0 (got 0)"]),
        ("duplicate_stage", ["stages[1].key 'intro' repeats stages[0].key"]),
        ("duplicate_goal", ["stages[2].goals[1].key 'pain' repeats stages[1].goals[0].key"]),
        (
            "unknown_question_goal",
            ["stages[1].questions[0].goal 'frequency' is not a goal of stage 'pains'", "pain, cost"],
        ),
        ("no_stages", ["stages must have at least 1 item"]),
        ("unknown_top_level_key", ["colour is not a known field", "known fields: id, title, kind"]),
        ("unknown_stage_key", ["stages[0].planed_minutes is not a known field", "planned_minutes"]),
        ("missing_title", ["stages[1].title is required"]),
        ("bad_key", ["stages[0].key must be a lower-case key", "(got 'Intro Stage')"]),
        ("no_goals", ["stages[0].goals must have at least 1 item"]),
        ("duplicate_tag", ["notes.tags[2].key 'pain' repeats notes.tags[0].key"]),
        ("bad_importance", ["notes.importance: min (5) must be below max (1)"]),
        ("choice_without_options", ["notes.fields[0]: field 'often' is a choice and needs at least 2 options"]),
        ("text_in_a_mapping", ["stages[0].prompts[0] must be text, not a mapping"]),
    ],
)
def test_a_bad_template_names_the_file_and_the_field(tmp_path: Path, change: str, fragments: list[str]) -> None:
    _refused(_write(tmp_path, _break(change)), *fragments)


def test_the_message_leads_with_the_file(tmp_path: Path) -> None:
    message = _refused(_write(tmp_path, _break("zero_minutes")))
    assert re.fullmatch(r".*broken\.yaml: stages\[2\]\.planned_minutes must be greater than 0 \(got 0\)\.", message)


def test_several_problems_are_reported_together(tmp_path: Path) -> None:
    data = _break("zero_minutes")
    del data["title"]
    _refused(_write(tmp_path, data), "title is required", "stages[2].planned_minutes")


def test_unknown_rubric_is_refused_when_rubrics_are_given(tmp_path: Path) -> None:
    data = _minimal()
    data["rubric_id"] = "sales_call"
    path = _write(tmp_path, data)
    _refused(path, "rubric_id 'sales_call' names no rubric; available: customer_discovery, system_design")
    assert load_template(path).rubric_id == "sales_call"  # without rubrics there is nothing to check against


def test_score_group_competencies_must_be_in_the_rubric(tmp_path: Path) -> None:
    data = _minimal()
    data["score_groups"] = [{"key": "fit", "title": "Fit", "competencies": ["price_fit", "vibes"]}]
    _refused(_write(tmp_path, data), "score_groups[0].competencies[1] 'vibes' is not a competency of rubric")


def test_the_id_must_be_the_file_name(tmp_path: Path) -> None:
    _refused(_write(tmp_path, _minimal(), name="other"), "id 'broken' must match the file name ('other')")


def test_a_yaml_syntax_error_gives_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: broken\ntitle: Broken\nstages:\n  - key: intro\n   title: [unclosed\n", encoding="utf-8")
    _refused(path, "the YAML does not parse at line 5")


@pytest.mark.parametrize(
    ("text", "found"), [("- a\n- b\n", "not a list"), ("", "not nothing"), ("just text", "not a str")]
)
def test_a_file_that_is_not_a_mapping(tmp_path: Path, text: str, found: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    _refused(path, "must hold a mapping of template fields", found)


def test_a_missing_folder_or_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match=r"no template folder at .*nowhere"):
        load_templates(tmp_path / "nowhere")
    with pytest.raises(ContentError, match=r"missing\.yaml cannot be read"):
        load_template(tmp_path / "missing.yaml")


def test_load_templates_stops_at_the_bad_file(tmp_path: Path) -> None:
    _write(tmp_path, _minimal())
    good = _minimal() | {"id": "fine"}
    _write(tmp_path, good, name="fine")
    assert [t.id for t in load_templates(tmp_path, rubrics=RUBRICS).all()] == ["broken", "fine"]
    _write(tmp_path, _break("duplicate_stage"))
    with pytest.raises(ContentError, match=r"broken\.yaml: stages\[1\]\.key"):
        load_templates(tmp_path, rubrics=RUBRICS)
