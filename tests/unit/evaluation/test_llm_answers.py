"""The answer schemas sent to the provider agree with what the evaluator accepts: any answer the schema allows
parses, whether it fills every field to its bound or leaves every list it may empty."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from core.content.rubrics import load_rubric
from core.evaluation.llm_answers import (
    CONFIDENCES,
    SCORES,
    parsed_part,
    parsed_report,
    part_schema,
    report_schema,
)
from core.llm.answer_formats import strict_subset

DATA = Path(__file__).resolve().parents[3] / "data"
RUBRICS = [load_rubric(path) for path in sorted((DATA / "rubrics").glob("*.yaml"))]


def instance(schema: dict[str, Any], *, fullest: bool, pick: int = 0) -> Any:
    """An answer the schema allows: every string and list at its maximum (`fullest`) or its minimum."""
    if "enum" in schema:
        return schema["enum"][pick % len(schema["enum"])]
    kind = schema["type"]
    if kind == "object":
        return {name: instance(sub, fullest=fullest, pick=pick) for name, sub in schema["properties"].items()}
    if kind == "array":
        count = schema["maxItems"] if fullest else schema.get("minItems", 0)
        return [instance(schema["items"], fullest=fullest, pick=pick) for _ in range(count)]
    if kind == "string":
        return "x" * schema["maxLength"] if fullest else ""
    assert kind == "boolean"
    return fullest


@pytest.mark.parametrize("rubric", RUBRICS, ids=lambda r: r.id)
@pytest.mark.parametrize("fullest", [True, False], ids=["fullest", "emptiest"])
def test_every_answer_the_schemas_allow_is_accepted(rubric: Any, fullest: bool) -> None:
    for pick in (0, len(SCORES) - 1):
        report = parsed_report(json.dumps(instance(report_schema(rubric).schema, fullest=fullest, pick=pick)), rubric)
        part = parsed_part(json.dumps(instance(part_schema(rubric).schema, fullest=fullest, pick=pick)), rubric)
        assert [c.key for c in report.competencies] == [c.key for c in rubric.competencies]
        assert part.of(rubric.competencies[0].key).shown is fullest


def test_the_schema_names_every_competency_once_bounds_every_string_and_list_and_allows_nothing_else() -> None:
    rubric = RUBRICS[-1]
    schema = report_schema(rubric).schema
    competencies = schema["properties"]["competencies"]
    assert competencies["required"] == [c.key for c in rubric.competencies]
    one = competencies["properties"][rubric.competencies[0].key]
    assert one["properties"]["score"]["enum"] == SCORES and one["properties"]["confidence"]["enum"] == CONFIDENCES
    assert CONFIDENCES[0] == 0.0 and CONFIDENCES[-1] == 1.0 and len(CONFIDENCES) == 11

    def walk(node: dict[str, Any]) -> None:
        if node.get("type") == "object":
            assert node["additionalProperties"] is False and node["required"] == list(node["properties"])
            for sub in node["properties"].values():
                walk(sub)
        elif node.get("type") == "array":
            assert node["maxItems"] >= 1
            walk(node["items"])
        elif node.get("type") == "string":
            assert node["maxLength"] > 0

    walk(schema)
    assert "maxLength" not in json.dumps(strict_subset(schema)), "OpenAI's strict mode is sent no string lengths"
    assert json.dumps(strict_subset(schema)).count("maxItems") == json.dumps(schema).count("maxItems")


def test_the_prompts_list_of_competencies_is_read_as_before() -> None:
    rubric = RUBRICS[-1]
    keyed = instance(report_schema(rubric).schema, fullest=False)
    listed = {**keyed, "competencies": [{"key": k, **v} for k, v in keyed["competencies"].items()]}
    assert parsed_report(json.dumps(listed), rubric) == parsed_report(json.dumps(keyed), rubric)
