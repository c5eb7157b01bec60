"""Interviewer-led sessions for the debrief tests, stored through the services (fake or real unit of work).

`seed` stores a fixture session (tests/fixtures/discovery) as an interviewer would leave it: notes,
typed transcript lines, session facts and ticked goals. `accept_suggestions` scores it as suggested.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from core.debrief.scorecards import set_score, suggestions
from core.live.sessions import create_live_session
from core.models import LiveNote, Session, TranscriptEntry
from core.permissions.actor import Actor
from core.workspace import Workspace
from tests.actors import INTERVIEWER

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ANA = "ana@example.com"
AS_ANA = Actor.workspace(ANA)  # the interviewer scoring, as the records name her


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((FIXTURES / "discovery" / f"{name}.yaml").read_text(encoding="utf-8"))
    return data


def seed(ws: Workspace, data: dict[str, Any]) -> Session:
    """A live session holding the fixture's notes, transcript lines, facts and ticked goals."""
    session = create_live_session(
        ws,
        template_id=data["template"],
        candidate_name=data["candidate"],
        candidate_email=data["candidate"].split()[0].lower() + "@example.com",
        problem_id=data.get("problem"),
        actor=INTERVIEWER,
    )
    with ws.uow_factory() as uow:
        live = uow.live_sessions.for_session(session.id)
        assert live is not None
        live.facts = dict(data.get("facts") or {})
        live.goal_marks = dict(data.get("goal_marks") or {})
        uow.live_sessions.update(live)
        for speaker, at, text in data.get("transcript", []):
            uow.transcripts.add(TranscriptEntry(session.id, speaker, text, float(at), float(at) + 8, source="typed"))
        for n in data["notes"]:
            fields = {
                "quote": n.get("quote"),
                "frequency": n.get("frequency"),
                "current_workaround": n.get("workaround"),
            }
            uow.notes.add(
                LiveNote(
                    session_id=session.id,
                    text=n["text"],
                    at_seconds=float(n["at"]),
                    stage=n["stage"],
                    tag=n.get("tag"),
                    jtbd_type=n.get("jtbd"),
                    importance=n.get("importance"),
                    fields={k: str(v) for k, v in fields.items() if v},
                )
            )
        uow.commit()
    return session


def accept_suggestions(ws: Workspace, session_id: str, *, actor: Actor = AS_ANA) -> None:
    """Score every competency as suggested (to the nearest half point), citing the suggestion's evidence."""
    for key, suggestion in suggestions(ws, session_id, actor=actor).items():
        assert suggestion.score is not None, f"{key} was not suggested"
        evidence = suggestion.evidence[0] if suggestion.evidence else suggestion.rationale
        set_score(ws, session_id, competency=key, score=round(suggestion.score * 2) / 2, evidence=evidence, actor=actor)
