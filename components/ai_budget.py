"""The month's AI spend against the budget (`llm_budget` in config): a line on Setup for the person choosing a
model, and an overview for admins on the Jobs page ("$3.20 of $50 this month")."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.ai_budget.spend import MonthlySpend, Spend, monthly_spend, spend_by_person, usd
from core.permissions.actor import Actor
from core.workspace import Workspace


def render_budget_line(ws: Workspace, actor: Actor) -> None:
    """Under a chosen LLM provider: what this month's spend leaves, and a warning once a limit is reached (the
    offline interviewer answers then). Nothing without a limit in config."""
    budget = ws.settings.llm_budget
    if budget.workspace_limit is None and budget.person_limit is None:
        return
    spend = monthly_spend(ws, actor=actor)
    if spend.workspace.reached or (spend.person is not None and spend.person.reached):
        whose = "This month's AI budget" if spend.workspace.reached else "Your AI budget for this month"
        st.warning(
            f"{whose} is spent; the offline interviewer takes over until {_renews(spend)}. "
            "You can still start: the interview runs offline.",
            icon=":material/savings:",
        )
        return
    parts = []
    if budget.workspace_limit is not None:
        parts.append(f"workspace {spend.workspace.text()}")
    if budget.person_limit is not None and spend.person is not None:
        parts.append(f"yours {spend.person.text()}")
    st.caption(f":material/savings: AI budget: {' · '.join(parts)}.")


def render_spend_overview(ws: Workspace, actor: Actor) -> None:
    """For admins: the workspace's spend this month against its limit, and each person's."""
    spend = monthly_spend(ws, actor=actor)
    st.subheader("AI spend this month")
    budget = ws.settings.llm_budget
    total = spend.workspace
    st.markdown(f"**{total.text()}** — the whole workspace, {spend.month_start:%B %Y} (UTC).")
    if total.share is not None:
        st.progress(total.share)
    if total.reached:
        st.warning(f"The budget is spent: the offline engines answer until {_renews(spend)}.")
    limits = (
        f"Limits: {usd(budget.workspace_limit, cents=False) if budget.workspace_limit else 'none'} for the workspace, "
        f"{usd(budget.person_limit, cents=False) if budget.person_limit else 'none'} per person "
        "(`llm_budget` in config.yaml)."
    )
    st.caption(limits)
    persons = spend_by_person(ws, actor=actor)
    if persons:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Person": p.name,
                        "This month": usd(p.spend.spent_usd),
                        "Limit": usd(p.spend.limit_usd, cents=False) if p.spend.limit_usd else "—",
                        "Left": _left(p.spend),
                    }
                    for p in persons
                ]
            ),
            hide_index=True,
            width="stretch",
            key="ai_spend_table",
        )


def _left(spend: Spend) -> str:
    if spend.limit_usd is None:
        return "—"
    if spend.reached:
        return "spent: offline until the month ends"
    return usd(spend.limit_usd - spend.spent_usd)


def _renews(spend: MonthlySpend) -> str:
    return f"{spend.next_month.day} {spend.next_month:%B}"
