"""Asked before a model is called for a session: may the month's AI budget pay for it?

Once the workspace's spend (or the session owner's) has reached its limit, the answer is a sentence to show
the person, and the caller lets the offline engine answer instead: the interview goes on without a break.
The check is made before each call, so the call that crosses the limit finishes; the next one is stopped.
Without limits in config, nothing is read.
"""

from __future__ import annotations

import logging

from core.ai_budget.spend import Spend, month_bounds, usd
from core.workspace import Workspace

log = logging.getLogger(__name__)

INTERVIEWER = "the offline interviewer"
EVALUATOR = "the offline evaluator"
COPILOT = "the offline copilot"


def budget_stop(ws: Workspace, session_id: str, *, instead: str = INTERVIEWER) -> str | None:
    """None while the budget allows a model call for this session; else why not, naming `instead` as what
    takes over ("This month's AI budget is spent; the offline interviewer takes over. …")."""
    budget = ws.settings.llm_budget
    if budget.workspace_limit is None and budget.person_limit is None:
        return None
    start, following = month_bounds(ws.clock())
    with ws.uow_factory() as uow:
        if budget.workspace_limit is not None:
            workspace = Spend(uow.token_usage.cost_between(start, following), budget.workspace_limit)
            if workspace.reached:
                log.info("ai budget spent", extra={"scope": "workspace", "session_id": session_id})
                return _sentence(
                    "This month's AI budget is spent", instead, workspace, f"{following.day} {following:%B}"
                )
        owner = uow.sessions.get(session_id).owner_id if budget.person_limit is not None else None
        if owner is not None:
            person = Spend(uow.token_usage.cost_between(start, following, owner_id=owner), budget.person_limit)
            if person.reached:
                log.info("ai budget spent", extra={"scope": "person", "session_id": session_id})
                return _sentence(
                    "Your AI budget for this month is spent", instead, person, f"{following.day} {following:%B}"
                )
    return None


def _sentence(what: str, instead: str, spend: Spend, renews: str) -> str:
    assert spend.limit_usd is not None
    return (
        f"{what}; {instead} takes over. "
        f"({usd(spend.spent_usd)} of {usd(spend.limit_usd, cents=False)} used; the budget starts again on {renews}.)"
    )
