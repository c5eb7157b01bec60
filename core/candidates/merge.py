"""Merging two records of one person by hand: the kept record takes over everything the other named.

Matching by email prevents new duplicates; this is for the ones email cannot see (a person who
used two addresses, or a record typed without one). Nothing is lost: sessions, resumes and pipeline
changes move to the kept record, its empty fields are filled from the other, and the merge is audited.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from core import audit
from core.errors import InvalidInput
from core.models import Candidate
from core.permissions.access import authorize_action
from core.permissions.actor import Actor
from core.permissions.policy import Action
from core.workspace import Workspace

log = logging.getLogger(__name__)

# The name a record gets when nobody gave one: a real name from the other record replaces it.
PLACEHOLDER_NAME = "Candidate"


@dataclass(frozen=True)
class MergeResult:
    kept: Candidate
    merged_id: str
    moved: dict[str, int]  # rows moved to the kept record, per table
    filled: tuple[str, ...]  # the kept record's fields taken from the merged one


def merge_candidates(ws: Workspace, keep_id: str, other_id: str, *, actor: Actor) -> MergeResult:
    """Move everything of `other_id` to `keep_id`, fill the kept record's gaps, delete the other; audited.

    Raises InvalidInput for a missing id or a record merged into itself, NotFound for an unknown id.
    """
    authorize_action(ws.settings, actor, Action.MANAGE_DATA)
    keep_id, other_id = keep_id.strip(), other_id.strip()
    if not keep_id or not other_id:
        raise InvalidInput("Choose both the candidate to keep and the duplicate to merge into it.")
    if keep_id == other_id:
        raise InvalidInput("A candidate cannot be merged into itself; choose two different records.")
    with ws.uow_factory() as uow:
        kept = uow.candidates.get(keep_id)
        other = uow.candidates.get(other_id)
        moved = uow.candidates.reassign(other.id, to_id=kept.id)
        uow.candidates.delete(other.id)  # first: the kept record may take its email, which must stay unique
        filled = _fill_empty_fields(kept, other)
        if filled:
            kept = uow.candidates.update(kept)
        audit.record(
            uow,
            "candidates_merged",
            actor=actor.name,
            detail={"kept": kept.id, "merged": other.id, "moved": moved, "filled": list(filled)},
            logger=log,  # ids and counts only: names and emails stay out of logs
        )
        uow.commit()
    return MergeResult(kept=kept, merged_id=other.id, moved=moved, filled=filled)


def _fill_empty_fields(kept: Candidate, other: Candidate) -> tuple[str, ...]:
    filled: list[str] = []
    if kept.name.strip() in ("", PLACEHOLDER_NAME) and other.name.strip() not in ("", PLACEHOLDER_NAME):
        kept.name = other.name
        filled.append("name")
    if not (kept.email or "").strip() and (other.email or "").strip():
        kept.email = other.email
        filled.append("email")
    return tuple(filled)
