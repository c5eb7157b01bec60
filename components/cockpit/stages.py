"""The cockpit's left column: the stage navigator (time spent and goals covered per stage) and the
current stage's goals, each ticked by hand or marked as heard or noted by the goal coverage service."""

from __future__ import annotations

import streamlit as st

from components.cockpit.notice import post_notice
from components.plain_text import plain
from core.errors import WorkspaceError
from core.live.sessions import Cockpit, change_stage, mark_goal
from core.live.stage_clock import format_duration, stage_plan
from core.permissions.actor import Actor
from core.workspace import Workspace


def _go_to(ws: Workspace, session_id: str, stage: str, actor: Actor) -> None:
    try:
        change_stage(ws, session_id, stage, actor=actor)
    except WorkspaceError as exc:
        post_notice(str(exc))


def _goal_changed(ws: Workspace, session_id: str, goal: str, key: str, actor: Actor) -> None:
    mark_goal(ws, session_id, goal, bool(st.session_state[key]), actor=actor)


def render_stages(ws: Workspace, view: Cockpit, *, actor: Actor) -> None:
    """One button per stage (click to move there) and a "Next" button; moving runs in a callback."""
    session, template, live = view.session, view.template, view.live
    is_open = session.is_open
    plan = stage_plan(template, live, view.elapsed)
    current_index = template.stage_keys().index(live.stage)
    st.progress((current_index + 1) / len(plan), text=f"Stage {current_index + 1} of {len(plan)}")
    for slot in plan:
        covered = sum(1 for g in view.coverage.values() if g.stage == slot.key and g.covered)
        total = sum(1 for g in view.coverage.values() if g.stage == slot.key)
        icon = {"done": ":material/check_circle:", "current": ":material/radio_button_checked:"}.get(
            slot.status, ":material/radio_button_unchecked:"
        )
        spent = f" · {format_duration(slot.spent_seconds)}" if slot.spent_seconds >= 1 else ""
        label = f"{slot.title} · {slot.planned_minutes} min{spent} · {covered}/{total}"
        st.button(
            label,
            key=f"live_stage_{slot.key}",
            icon=icon,
            type="primary" if slot.status == "current" else "tertiary",
            disabled=not is_open,
            on_click=_go_to,
            args=(ws, session.id, slot.key, actor),
            width="stretch",
        )
    following = template.next_stage(live.stage)
    if following is not None and is_open:
        st.button(
            f"Next: {following.title}",
            icon=":material/arrow_forward:",
            key="live_next_stage",
            on_click=_go_to,
            args=(ws, session.id, following.key, actor),
        )


def render_goals(ws: Workspace, view: Cockpit, *, actor: Actor) -> None:
    """The current stage's goals with how each was covered, and the goals earlier stages left open."""
    session, template, live = view.session, view.template, view.live
    stage = view.stage
    st.markdown(f"**Goals of {stage.title}**")
    for goal in stage.goals:
        status = view.coverage[goal.key]
        # The key carries the status, so a goal covered elsewhere (heard, noted, another tab) redraws ticked.
        key = f"live_goal_{session.id}_{goal.key}_{status.covered}_{status.how}"
        tick, text = st.columns([1, 9], gap="small")
        tick.checkbox(
            goal.text,
            value=status.covered,
            key=key,
            on_change=_goal_changed,
            args=(ws, session.id, goal.key, key, actor),
            disabled=not session.is_open,
            label_visibility="collapsed",
        )
        text.markdown(f"~~{goal.text}~~" if status.covered else goal.text)
        if status.how in ("said", "noted"):
            text.caption(f":green[{'Heard' if status.how == 'said' else 'Noted'}:] “{plain(status.evidence[:90])}”")
        elif status.how == "ticked":
            text.caption(":green[Ticked by you.]")
    earlier = [
        g
        for g in view.coverage.values()
        if not g.covered and g.stage in template.stage_keys()[: template.stage_keys().index(live.stage)]
    ]
    if earlier:
        with st.expander(f"{len(earlier)} goal(s) still open in earlier stages"):
            for open_goal in earlier:
                st.markdown(f"- {template.stage(open_goal.stage).title}: {open_goal.text}")
