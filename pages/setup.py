"""Setup: resume, interviewer, modes and problem, then start the interview."""

from __future__ import annotations

import hashlib

import streamlit as st

from components.ai_budget import render_budget_line
from components.current_session import set_current_session
from components.llm_choice import choice_for
from components.llm_setup import llm_settings
from components.local_time import short
from components.plain_text import plain
from components.resources import get_workspace
from components.signed_in import current_account
from core.candidates.services import CandidateProfile, create_candidate, get_profile, register_resume
from core.errors import WorkspaceError
from core.interview.services import create_interview, open_sessions, start_interview
from core.llm.providers import PROVIDERS, validate_choice
from core.models import AccountRole, Level
from core.permissions.actor import Actor
from core.permissions.policy import scope

ws = get_workspace()
account = current_account()
# A candidate practises as themselves: their resume and their interviews go to their own record. Interviewers
# and admins may set up an interview for someone else, who is then found by the resume's email.
for_self = not any(account.has(r) for r in (AccountRole.INTERVIEWER, AccountRole.REVIEWER, AccountRole.ADMIN))

st.title("Set up a practice interview")
st.caption("A system-design interview with the built-in interviewer — no API key or network needed.")

# --- Interviews left open (reload, closed tab, server restart) -------------------------------
open_ones = open_sessions(ws, scope=scope(account))
if open_ones:
    with st.container(border=True):
        st.markdown("**Pick up where you left off**")
        for summary in open_ones[:5]:
            cols = st.columns([5, 2, 1.3])
            cols[0].markdown(f"{plain(summary.problem_title)} · {plain(summary.candidate_name or 'Candidate')}")
            cols[1].caption(f"{summary.status.value} · started {short(summary.created_at)}")
            if cols[2].button("Resume", key=f"resume-{summary.id}"):
                set_current_session(summary.id)
                st.switch_page("pages/interview.py", query_params={"session": summary.id})

# --- 1. Resume ---------------------------------------------------------------------------------
st.subheader("1 · Your resume")
upload = st.file_uploader(
    f"Upload a PDF or text resume (up to {ws.settings.resume_max_mb:g} MB). It tailors the problem to you.",
    type=["pdf", "txt", "md"],
    key="setup_resume",
    max_upload_size=ws.settings.resume_upload_mb,  # the limit the label gives, not the server's (recordings')
)
if upload is not None:
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    if st.session_state.get("setup_resume_digest") != digest:
        with st.spinner("Reading your resume…"):
            try:
                registered = register_resume(
                    ws,
                    filename=upload.name,
                    data=data,
                    actor=Actor.person(account),
                    as_email=account.email if for_self else None,
                )
                st.session_state["candidate_id"] = registered.candidate.id
                st.session_state["setup_resume_digest"] = digest
                st.session_state.pop("setup_resume_error", None)
            except WorkspaceError as exc:
                st.session_state["setup_resume_error"] = str(exc)
                st.session_state["setup_resume_digest"] = digest
if upload is not None and st.session_state.get("setup_resume_error"):
    st.error(st.session_state["setup_resume_error"])

profile: CandidateProfile | None = None
if st.session_state.get("candidate_id"):
    try:
        profile = get_profile(ws, st.session_state["candidate_id"])
    except WorkspaceError:
        st.session_state.pop("candidate_id", None)

if profile and profile.resume:
    found = profile.resume.profile
    with st.container(border=True):
        found_cols = st.columns(4)
        found_cols[0].metric("Name", found.name or "—")
        found_cols[1].metric("Experience", f"{found.years_experience:g} years" if found.years_experience else "—")
        found_cols[2].metric("Level", found.level.value.title())
        found_cols[3].metric("Email", found.email or "—")
        if found.domains:
            st.markdown("Domains: " + " ".join(f":blue-badge[{d}]" for d in found.domains))
        if found.skills:
            st.markdown("Skills: " + " ".join(f":gray-badge[{s}]" for s in found.skills[:20]))
elif profile is None:
    st.session_state.setdefault("setup_name", "")
    st.text_input("No resume at hand? Your name", key="setup_name", placeholder="e.g. Alex Kim")

# --- 2–4. Interview settings -----------------------------------------------------------------
resume_profile = profile.resume.profile if profile and profile.resume else None
default_level = resume_profile.level if resume_profile else Level.MID
recommended = ws.problems.choose(default_level, resume_profile.domains if resume_profile else [])
problems = ws.problems.all()
problem_ids = [p.id for p in problems]

# A new resume brings a new recommendation: move the level and problem pickers to it.
basis = (default_level.value, recommended.id)
if st.session_state.get("setup_basis") != basis:
    st.session_state["setup_basis"] = basis
    st.session_state["setup_level"] = default_level
    st.session_state["setup_problem"] = recommended.id

with st.container(border=True):
    st.subheader("2 · Interviewer")
    provider = st.radio(
        "Who interviews you",
        list(PROVIDERS),
        format_func=lambda key: PROVIDERS[key].label,
        horizontal=True,
        key="setup_provider",
    )
    info = PROVIDERS[provider]
    st.caption(info.note)
    model: str | None = None
    llm_problem: str | None = None
    if info.is_llm:
        chosen_model = llm_settings(ws, provider)
        model, llm_problem = chosen_model.model, chosen_model.problem
        render_budget_line(ws, Actor.person(account))

    st.subheader("3 · Modes")
    mode_cols = st.columns(3)
    mode_cols[0].markdown(":material/forum: **Chat** — always on.")
    mode_cols[1].markdown(":material/draw: **Whiteboard** — always on, saved with the interview.")
    mode_cols[2].markdown(':material/mic: **Voice** — optional: turn on "Speak my answers" in the interview.')

    st.subheader("4 · Problem")
    level_cols = st.columns([1, 1])
    levels = list(Level)  # named: inline, mypy infers list[Never] and picks the empty-options overload
    level = level_cols[0].selectbox("Level", levels, format_func=lambda lv: lv.value.title(), key="setup_level")
    minutes = level_cols[1].slider(
        "Length (minutes)",
        min_value=15,
        max_value=90,
        step=5,
        value=ws.settings.interview_minutes,
        key="setup_minutes",
    )
    problem_id = st.selectbox(
        "Problem",
        problem_ids,
        format_func=lambda pid: (
            ws.problems.get(pid).title + (" (recommended for you)" if pid == recommended.id and resume_profile else "")
        ),
        key="setup_problem",
    )
    chosen = ws.problems.get(problem_id)
    st.caption(f"{chosen.summary} · difficulty for {level.value}: {chosen.difficulty.get(level, 'medium')}")
    start = st.button("Start interview", type="primary")

if start:
    if llm_problem is not None:
        st.error(f"{llm_problem} Fix it, or choose the offline interviewer to start now.")
        st.stop()
    llm = choice_for(provider, model)
    if llm is not None:
        with st.spinner(f"Checking {info.label} before we start…"):
            try:
                validate_choice(ws.settings, llm)
            except WorkspaceError as exc:
                st.error(f"{exc} Fix it, or choose the offline interviewer to start now.")
                st.stop()
    try:
        candidate_id = st.session_state.get("candidate_id")
        typed_name = st.session_state.get("setup_name", "").strip()
        if candidate_id is None and for_self:
            candidate_id = create_candidate(ws, name=typed_name or account.name, email=account.email).id
            st.session_state["candidate_id"] = candidate_id
        elif candidate_id is None and typed_name:
            candidate_id = create_candidate(ws, name=typed_name).id
            st.session_state["candidate_id"] = candidate_id
        session = create_interview(
            ws,
            problem_id=problem_id,
            candidate_id=candidate_id,
            level=level,
            duration_minutes=minutes,
            provider=provider,
            model=model,
            actor=Actor.person(account),
        )
        start_interview(ws, session.id, actor=Actor.person(account))
    except WorkspaceError as exc:
        st.error(str(exc))
        st.stop()
    set_current_session(session.id)
    st.switch_page("pages/interview.py", query_params={"session": session.id})
