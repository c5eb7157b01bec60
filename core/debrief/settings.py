"""Debrief settings checked against the loaded templates at start-up.

Thresholds and score weights live in config.yaml but name template recommendations, score groups and
competencies; a typo there would silently never match, so start-up refuses it with the key's path.
Kept apart from the recommendation services so the workspace can check settings while it is built.
"""

from __future__ import annotations

from core.config import DebriefSettings
from core.content.templates import TemplateLibrary
from core.errors import ConfigError, NotFound

OVERALL = "overall"  # the score name of the rubric-weighted mean; the others are score group keys


def check_debrief(debrief: DebriefSettings, templates: TemplateLibrary) -> None:
    """Refuse settings that name what the templates do not have; the message names the bad key."""
    for template_id, rungs in debrief.thresholds.items():
        try:
            template = templates.get(template_id)
        except NotFound as exc:
            raise ConfigError(f"debrief.thresholds.{template_id}: {exc}") from None
        keys = [r.key for r in template.recommendations]
        score_names = [OVERALL, *(g.key for g in template.score_groups)]
        for index, rung in enumerate(rungs):
            where = f"debrief.thresholds.{template_id}[{index}]"
            if rung.key not in keys:
                raise ConfigError(
                    f"{where}.key {rung.key!r} is not a recommendation of template {template_id!r}; "
                    f"its recommendations are {', '.join(keys)}."
                )
            for name, minimum in rung.minimums.items():
                if name not in score_names:
                    raise ConfigError(
                        f"{where}.minimums names {name!r}, which is neither {OVERALL!r} nor a score group of "
                        f"template {template_id!r} (its score groups: {', '.join(score_names[1:]) or 'none'})."
                    )
                if not 1 <= minimum <= 5:
                    raise ConfigError(f"{where}.minimums.{name} must be between 1 and 5 (got {minimum:g}).")
    groups = {g.key: g for t in templates.all() for g in t.score_groups}
    for group_key, weights in debrief.score_weights.items():
        group = groups.get(group_key)
        if group is None:
            raise ConfigError(
                f"debrief.score_weights names {group_key!r}, which is not a score group of any template "
                f"(score groups: {', '.join(sorted(groups)) or 'none'})."
            )
        for competency, weight in weights.items():
            if competency not in group.competencies:
                raise ConfigError(
                    f"debrief.score_weights.{group_key} names {competency!r}, which is not in that group "
                    f"({', '.join(group.competencies)})."
                )
            if weight <= 0:
                raise ConfigError(f"debrief.score_weights.{group_key}.{competency} must be above 0 (got {weight:g}).")
