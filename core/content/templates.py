"""Interview templates: the stages, goals, prompts and note tags of an interviewer-led interview.

A template is data (data/templates/*.yaml), so a new interview kind is a new file, not new code.
The stage navigator (timer, open goals), the copilot (follow-ups for uncovered goals), live notes
(tags, jobs-to-be-done types, importance, extra fields), the scorecard (the rubric's competencies,
optionally grouped) and the recommendation (the template's labels) all read it.

A bad file raises ContentError naming the file and the field path, e.g.
"data/templates/customer_discovery.yaml: stages[2].planned_minutes must be greater than 0 (got 0)."
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from core.content.rubrics import Rubric
from core.content.yaml_text import load_yaml
from core.errors import ContentError, NotFound

# Keys end up in the database (a note's tag, a session's stage, a recommendation), so they stay plain.
Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

_MAX_PROBLEMS = 5  # more than this in one message is a wall of text; the first few say what is wrong


class _Content(BaseModel):
    """Unknown keys are mistakes (a misspelt "planed_minutes" would otherwise vanish silently)."""

    model_config = ConfigDict(extra="forbid")


class Goal(_Content):
    """Something a stage should find out; the navigator shows the goals still open."""

    key: Key  # unique within the template, so notes and coverage can point at it
    text: Text
    # lower-case phrases that, said by the person interviewed or noted, suggest the goal was covered
    signals: list[Text] = Field(default_factory=list)

    @field_validator("signals")
    @classmethod
    def _lower_case(cls, signals: list[str]) -> list[str]:
        return [s.lower() for s in signals]


class Question(_Content):
    """A suggested question; tagged to a goal of its stage so the copilot can offer it while that goal is open."""

    text: Text
    goal: Key | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        """A bare string in YAML is a question with no goal: most questions need nothing else."""
        return {"text": value} if isinstance(value, str) else value


class TemplateStage(_Content):
    key: Key
    title: Text
    planned_minutes: int = Field(gt=0)  # the stage timer warns when a stage runs over this
    purpose: str = ""  # one line the navigator shows under the title
    goals: list[Goal] = Field(min_length=1)
    prompts: list[Text] = Field(default_factory=list)  # guidance for the interviewer, not read aloud
    questions: list[Question] = Field(default_factory=list)  # suggested questions to ask

    def goal_keys(self) -> list[str]:
        return [g.key for g in self.goals]


class Choice(_Content):
    """One option a person picks: a note tag, a jobs-to-be-done type, a recommendation."""

    key: Key
    label: Text
    description: str = ""


class ImportanceScale(_Content):
    min: int = 1
    max: int = 5
    labels: dict[int, str] = Field(default_factory=dict)  # e.g. 1: "nice to have", 5: "hair on fire"

    @model_validator(mode="after")
    def _ordered(self) -> ImportanceScale:
        if self.min >= self.max:
            raise ValueError(f"min ({self.min}) must be below max ({self.max})")
        if outside := sorted(k for k in self.labels if not self.min <= k <= self.max):
            raise ValueError(f"labels {outside} lie outside {self.min}–{self.max}")
        return self


class NoteField(_Content):
    """An extra field the interviewer fills in: on each note ("note") or once per interview ("session")."""

    key: Key
    label: Text
    kind: Literal["text", "number", "choice"] = "text"
    options: list[Text] = Field(default_factory=list)  # the choices of a "choice" field
    scope: Literal["note", "session"] = "note"
    help: str = ""

    @model_validator(mode="after")
    def _options_fit_kind(self) -> NoteField:
        if self.kind == "choice" and len(self.options) < 2:
            raise ValueError(f"field {self.key!r} is a choice and needs at least 2 options")
        if self.kind != "choice" and self.options:
            raise ValueError(f"field {self.key!r} has options but is a {self.kind} field, not a choice")
        return self


class NoteSchema(_Content):
    """What a live note can carry: a tag, a jobs-to-be-done type, an importance and extra fields."""

    tags: list[Choice] = Field(min_length=1)
    jtbd_types: list[Choice] = Field(default_factory=list)  # empty: the kind does not classify jobs
    importance: ImportanceScale = Field(default_factory=ImportanceScale)
    fields: list[NoteField] = Field(default_factory=list)


class FollowUpSpec(_Content):
    """A task a recommendation creates: who owns it (a role, resolved to a person) and when it is due."""

    title: Text  # may use merge tags, e.g. "Send the pilot proposal to {{candidate.name}}"
    owner: Literal["interviewer", "recruiter", "hiring_manager"] = "interviewer"
    due_in_days: int = Field(default=2, ge=0, le=90)


class EmailSpec(_Content):
    """An email drafted for a recommendation; merge tags like {{candidate.name}} are filled in at preview."""

    subject: Text
    body: Text


class Recommendation(Choice):
    """A recommendation and what it sets in motion: the person's pipeline status, tasks, an email."""

    pipeline_status: Key | None = None  # e.g. "activation"; None leaves the status alone
    follow_ups: list[FollowUpSpec] = Field(default_factory=list)
    email: EmailSpec | None = None


class Cue(_Content):
    """Copilot rule: when the other side says one of `when` (lower-case phrases), suggest `suggest`."""

    when: list[Text] = Field(min_length=1)
    suggest: Text
    why: str = ""  # shown under the suggestion: what the cue listens for
    stages: list[Key] = Field(default_factory=list)  # empty: every stage

    @field_validator("when")
    @classmethod
    def _lower_case(cls, phrases: list[str]) -> list[str]:
        return [p.lower() for p in phrases]


class Tension(_Content):
    """Two kinds of desire that pull against each other (speed vs thoroughness, …): notes on both sides
    are a conflict between jobs that the synthesis shows."""

    key: Key
    label: Text  # e.g. "Speed vs accuracy"
    side_a: list[Text] = Field(min_length=1)  # lower-case phrases
    side_b: list[Text] = Field(min_length=1)

    @field_validator("side_a", "side_b")
    @classmethod
    def _lower_case(cls, phrases: list[str]) -> list[str]:
        return [p.lower() for p in phrases]


class ScoreGroup(_Content):
    """Rubric competencies scored together (e.g. solution fit, commercial viability) in a synthesis."""

    key: Key
    title: Text
    description: str = ""
    competencies: list[Key] = Field(min_length=1)  # keys of the template's rubric's competencies


class InterviewTemplate(_Content):
    id: Key  # the file name without .yaml
    title: Text
    kind: Key  # e.g. "system_design", "customer_discovery": pages group templates by it
    description: Text
    version: Text  # bump when stages or keys change, so old sessions can say which version they ran
    rubric_id: Key  # the rubric whose competencies the scorecard rates
    uses_problem_bank: bool = False  # whether a session also picks a problem from data/problems
    stages: list[TemplateStage] = Field(min_length=1)
    notes: NoteSchema | None = None  # None: plain notes without tags
    recommendations: list[Recommendation] = Field(min_length=2)  # strongest first, e.g. strong_hire … no_hire
    score_groups: list[ScoreGroup] = Field(default_factory=list)
    cues: list[Cue] = Field(default_factory=list)  # the offline copilot's follow-up rules
    tensions: list[Tension] = Field(default_factory=list)  # conflicts between jobs the synthesis looks for

    @field_validator("version", mode="before")
    @classmethod
    def _number_is_a_version(cls, value: Any) -> Any:
        """`version: 1` in YAML is a number; it means the same as "1"."""
        return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _keys_are_consistent(self) -> InterviewTemplate:
        problems = [
            *_repeats("stages", [s.key for s in self.stages]),
            *_repeats_goals(self.stages),
            *_unknown_question_goals(self.stages),
            *_repeats("recommendations", [r.key for r in self.recommendations]),
            *_repeats("score_groups", [g.key for g in self.score_groups]),
            *_shared_competencies(self.score_groups),
            *_repeats("tensions", [t.key for t in self.tensions]),
            *_unknown_cue_stages(self.cues, self.stage_keys()),
        ]
        if self.notes is not None:
            for name in ("tags", "jtbd_types", "fields"):
                problems += _repeats(f"notes.{name}", [item.key for item in getattr(self.notes, name)])
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def total_minutes(self) -> int:
        """The planned length: the sum of the stages' planned minutes."""
        return sum(s.planned_minutes for s in self.stages)

    def stage_keys(self) -> list[str]:
        return [s.key for s in self.stages]

    def recommendation(self, key: str) -> Recommendation:
        for choice in self.recommendations:
            if choice.key == key:
                return choice
        keys = ", ".join(r.key for r in self.recommendations)
        raise NotFound(f"Template {self.id!r} has no recommendation {key!r}; its recommendations are {keys}.")

    def goal(self, key: str) -> Goal:
        for stage in self.stages:
            for goal in stage.goals:
                if goal.key == key:
                    return goal
        raise NotFound(f"Template {self.id!r} has no goal {key!r}.")

    def stage(self, key: str) -> TemplateStage:
        for stage in self.stages:
            if stage.key == key:
                return stage
        raise NotFound(f"Template {self.id!r} has no stage {key!r}; its stages are {', '.join(self.stage_keys())}.")

    def next_stage(self, key: str) -> TemplateStage | None:
        """The stage after `key`, or None after the last one (raises NotFound for an unknown key)."""
        index = self.stages.index(self.stage(key))
        return self.stages[index + 1] if index + 1 < len(self.stages) else None

    def rubric_problems(self, rubrics: Mapping[str, Rubric]) -> list[str]:
        """What this template names that the rubrics do not have (empty when it agrees with them)."""
        rubric = rubrics.get(self.rubric_id)
        if rubric is None:
            return [f"rubric_id {self.rubric_id!r} names no rubric; available: {', '.join(sorted(rubrics)) or 'none'}"]
        known = {c.key for c in rubric.competencies}
        return [
            f"score_groups[{g}].competencies[{c}] {key!r} is not a competency of rubric {rubric.id!r}"
            for g, group in enumerate(self.score_groups)
            for c, key in enumerate(group.competencies)
            if key not in known
        ]


# --- cross-field checks (messages carry the full field path) ----------------------------------------


def _repeats(path: str, keys: list[str]) -> list[str]:
    """One message per repeated key, naming where it first appeared and where it came again."""
    first: dict[str, int] = {}
    problems = []
    for index, key in enumerate(keys):
        if key in first:
            problems.append(f"{path}[{index}].key {key!r} repeats {path}[{first[key]}].key")
        else:
            first[key] = index
    return problems


def _repeats_goals(stages: list[TemplateStage]) -> list[str]:
    """Goal keys are unique across the whole template: notes and coverage name a goal without its stage."""
    first: dict[str, str] = {}
    problems = []
    for s, stage in enumerate(stages):
        for g, goal in enumerate(stage.goals):
            here = f"stages[{s}].goals[{g}].key"
            if goal.key in first:
                problems.append(f"{here} {goal.key!r} repeats {first[goal.key]}")
            else:
                first[goal.key] = here
    return problems


def _unknown_question_goals(stages: list[TemplateStage]) -> list[str]:
    problems = []
    for s, stage in enumerate(stages):
        keys = stage.goal_keys()
        for q, question in enumerate(stage.questions):
            if question.goal is not None and question.goal not in keys:
                problems.append(
                    f"stages[{s}].questions[{q}].goal {question.goal!r} is not a goal of stage {stage.key!r} "
                    f"(its goals: {', '.join(keys)})"
                )
    return problems


def _unknown_cue_stages(cues: list[Cue], stage_keys: list[str]) -> list[str]:
    return [
        f"cues[{c}].stages[{s}] {key!r} is not a stage of this template (its stages: {', '.join(stage_keys)})"
        for c, cue in enumerate(cues)
        for s, key in enumerate(cue.stages)
        if key not in stage_keys
    ]


def _shared_competencies(groups: list[ScoreGroup]) -> list[str]:
    counts = Counter(c for g in groups for c in g.competencies)
    return [
        f"score_groups name competency {key!r} {n} times; each belongs to one group"
        for key, n in counts.items()
        if n > 1
    ]


# --- turning pydantic's errors into sentences ---------------------------------------------------------


def _field_path(loc: tuple[int | str, ...]) -> str:
    """('stages', 2, 'planned_minutes') -> 'stages[2].planned_minutes'."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        if found := _model_in(arg):
            return found
    return None


def _known_fields(loc: tuple[int | str, ...]) -> list[str]:
    """The fields allowed where an unknown key was found, so the message can suggest the right one."""
    model: type[BaseModel] | None = InterviewTemplate
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if model else None
        model = _model_in(field.annotation) if field else None
        if model is None:
            return []
    return list(model.model_fields) if model else []


_TYPE_WORDS = {
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be a mapping (key: value lines)",
    "model_type": "must be a mapping (key: value lines)",
    "model_attributes_type": "must be a mapping (key: value lines)",
    "missing": "is required",
    "string_too_short": "must not be empty",
    "string_pattern_mismatch": "must be a lower-case key: letters, digits and underscores, starting with a letter",
}


def _describe(error: ErrorDetails) -> str:
    loc = tuple(error["loc"])
    path = _field_path(loc)
    kind = error["type"]
    ctx = error.get("ctx", {})
    if kind == "value_error":  # our own validators: the message says it all (and names paths below `loc`)
        message = str(ctx.get("error", error["msg"]))
        return f"{path}: {message}" if path else message
    if kind == "extra_forbidden":
        known = _known_fields(loc)
        return f"{path} is not a known field" + (f"; known fields: {', '.join(known)}" if known else "")
    if kind == "string_type" and isinstance(error.get("input"), dict):
        message = "must be text, not a mapping (put text that contains ': ' in quotes)"
    elif kind in _TYPE_WORDS:
        message = _TYPE_WORDS[kind]
    elif kind == "greater_than":
        message = f"must be greater than {ctx['gt']}"
    elif kind == "too_short":
        n = ctx["min_length"]
        message = f"must have at least {n} item{'s' if n != 1 else ''}"
    elif kind == "literal_error":
        message = f"must be one of {ctx['expected']}"
    else:
        message = error["msg"].replace("Input should be", "must be")
    given = error.get("input")
    if kind != "missing" and isinstance(given, str | int | float | bool) and len(repr(given)) <= 40:
        message += f" (got {given!r})"
    return f"{path} {message}" if path else message


def _sentence(source: str, problems: list[str]) -> str:
    shown = "; ".join(problems[:_MAX_PROBLEMS])
    more = len(problems) - _MAX_PROBLEMS
    return f"{source}: {shown}" + (f" (and {more} more)" if more > 0 else "") + "."


# --- loading -------------------------------------------------------------------------------------------


def _display(path: Path) -> str:
    """The path as a person would type it: relative to the working folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def load_template(path: Path, *, rubrics: Mapping[str, Rubric] | None = None) -> InterviewTemplate:
    """Read one template file; with `rubrics`, also check the rubric (and its competencies) it names exist."""
    source = _display(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ContentError(f"{source} cannot be read: {exc.strerror or exc}.") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentError(f"{source}: the YAML does not parse{where}: {problem}.") from exc
    if not isinstance(data, dict):
        found = "nothing" if data is None else f"a {type(data).__name__}"
        raise ContentError(
            f"{source} must hold a mapping of template fields (id, title, kind, stages, …), not {found}."
        )
    try:
        template = InterviewTemplate.model_validate(data)
    except ValidationError as exc:
        raise ContentError(_sentence(source, [_describe(e) for e in exc.errors()])) from exc
    problems = []
    if template.id != path.stem:
        problems.append(f"id {template.id!r} must match the file name ({path.stem!r})")
    if rubrics is not None:
        problems += template.rubric_problems(rubrics)
    if problems:
        raise ContentError(_sentence(source, problems))
    return template


class TemplateLibrary:
    """The loaded templates, looked up by id or grouped by kind."""

    def __init__(self, templates: Iterable[InterviewTemplate]) -> None:
        self._by_id: dict[str, InterviewTemplate] = {}
        for template in templates:
            if template.id in self._by_id:
                raise ContentError(f"Two interview templates have the id {template.id!r}; ids must be unique.")
            self._by_id[template.id] = template

    def __len__(self) -> int:
        return len(self._by_id)

    def all(self) -> list[InterviewTemplate]:
        return sorted(self._by_id.values(), key=lambda t: (t.title, t.id))

    def get(self, template_id: str) -> InterviewTemplate:
        try:
            return self._by_id[template_id]
        except KeyError:
            available = ", ".join(sorted(self._by_id)) or "none"
            raise NotFound(f"No interview template {template_id!r}; available: {available}.") from None

    def for_kind(self, kind: str) -> list[InterviewTemplate]:
        return [t for t in self.all() if t.kind == kind]

    def kinds(self) -> list[str]:
        return sorted({t.kind for t in self._by_id.values()})


def load_templates(folder: Path, *, rubrics: Mapping[str, Rubric] | None = None) -> TemplateLibrary:
    """Every *.yaml in `folder`; the first bad file stops loading with a ContentError naming it."""
    if not folder.is_dir():
        raise ContentError(f"There is no template folder at {_display(folder)}.")
    return TemplateLibrary(load_template(p, rubrics=rubrics) for p in sorted(folder.glob("*.yaml")))
