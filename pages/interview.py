"""Interview: chat with the interviewer, see the stage and the clock, pause or end."""

from __future__ import annotations

import time
from functools import partial
from typing import NoReturn

import av
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components.camera import render_camera
from components.chat_panel import AVATARS, render_message, render_messages
from components.consent import render_consent
from components.current_session import permitted_session_id, set_current_session
from components.live_modes import render_live_modes
from components.llm_choice import session_choice, usage_line
from components.mic import render_mic
from components.plain_text import without_images
from components.resources import get_workspace
from components.screen_share import render_screen_share
from components.signed_in import current_account
from components.stage_progress import render_stage_progress
from components.ticking_clock import Clock, render_clocks
from components.transcript_panel import render_transcript_panel
from components.whiteboard import full_width, render_full_width_toggle, render_whiteboard
from core.errors import WorkspaceError
from core.evaluation.release import approval_required, is_released
from core.interview.queued_evaluation import evaluation_job, start_evaluation
from core.interview.services import (
    InterviewView,
    end_interview,
    get_interview,
    message_count,
    needs_reply,
    open_sessions,
    pause_interview,
    reply_to_candidate,
    resume_interview,
    start_interview,
    stream_reply,
    submit_answer,
    transcript_with_chat,
    usage_summary,
)
from core.live.sessions import is_live
from core.models import AccountRole, Job, JobStatus, Message, Role, Session, SessionStatus
from core.permissions.actor import Actor
from core.permissions.policy import SessionAction, scope
from core.speech import live_transcription
from core.speech.recordings import transcribe_recording
from core.speech.session_audio import accurate_pass, start_accurate_pass

UNSENT = "interview_unsent"
NOTICE = "interview_notice"  # a message for the next run, e.g. why the offline interviewer answered
END_DIALOG = "interview_end_dialog"  # id of the session whose "End the interview?" dialog is open
NO_WORKER_SECONDS = 30.0  # an accurate pass no worker has started by then will not be waited for
POLL_SECONDS = 0.5
ENDING = "interview_ending"  # id of the session being ended (transcript pass and evaluation under way)
EVALUATION_NOTICE = "evaluation_notice"  # shown once on the Evaluation page
REVIEWED_FIRST = (
    "Your evaluation is being reviewed: a reviewer checks every AI evaluation before it is shared with you. "
    "Come back later: once it is approved, “See your evaluation” appears here."
)

ws = get_workspace()
account = current_account()
ACTOR = Actor.person(account)  # every service call is made as this person, and the policy checks it
session_id = permitted_session_id(ws, SessionAction.EDIT)  # another person's interview is not opened here


# Interviewers, reviewers and admins practising see their evaluation at once; candidates wait for a reviewer.
candidate_side = not any(
    account.has(role) for role in (AccountRole.INTERVIEWER, AccountRole.REVIEWER, AccountRole.ADMIN)
)


def evaluation_waits(session_id: str) -> bool:
    """Whether this person waits for a reviewer before seeing the evaluation of `session_id`."""
    return approval_required(ws) and candidate_side and not is_released(ws, session_id, actor=ACTOR)


def _no_interview() -> NoReturn:
    st.title("Interview")
    st.info("No interview is open in this tab. Start one on the Setup page.")
    st.page_link("pages/setup.py", label="Go to Setup", icon=":material/tune:")
    for summary in open_sessions(ws, scope=scope(account))[:5]:
        if st.button(f"Resume: {summary.problem_title} · {summary.candidate_name or 'Candidate'}", key=summary.id):
            set_current_session(summary.id)
            st.rerun()
    st.stop()


if session_id is None:
    _no_interview()
try:
    if is_live(ws, session_id):  # led by a person: the interviewer's cockpit
        st.switch_page("pages/live.py", query_params={"session": session_id})
    view: InterviewView = get_interview(ws, session_id, actor=ACTOR, reads=st.session_state)
except WorkspaceError:
    set_current_session(None)
    _no_interview()
session = view.session
llm = session_choice(session)


def clock(session: Session) -> None:
    """The interview clock: it ticks in the browser, so an open page costs the server nothing between turns."""
    paused = session.status is SessionStatus.PAUSED
    render_clocks(
        [
            Clock(
                "Paused at" if paused else "Elapsed",
                elapsed=session.elapsed_seconds(ws.clock()),
                planned=session.duration_minutes * 60,
                running=session.status is SessionStatus.ACTIVE,
                over_note="" if paused else "Time is up: summarise your design and end the interview.",
            )
        ],
        key=f"interview_clock_{session.id}",
    )


def _finish_interview(session_id: str) -> None:
    """Stop the microphone, have a worker run the accurate pass over its recordings, evaluate, show the
    evaluation (or, when a reviewer approves evaluations first, say so on this page).

    Runs in a full page run before any timed fragment is drawn: a fragment's timer firing during
    these seconds and a page switch at their end left the browser with a blank page. A reload while
    the accurate pass runs comes back here (the job is in the database) and goes on waiting for it.
    """
    st.session_state.pop(ENDING, None)
    live_transcription.stop(session_id)  # the last spoken words first
    bar = st.progress(0.0, text="Checking the recordings…")
    try:
        if start_accurate_pass(ws, session_id, actor=ACTOR) is not None:
            _wait_for_accurate_pass(session_id, bar)
    except WorkspaceError as exc:
        st.session_state[EVALUATION_NOTICE] = f"The transcript keeps the live text: {exc}"
    finally:
        bar.empty()
    try:
        llm = session_choice(view.session)
        if not _evaluated_by_worker(session_id, start_evaluation(ws, session_id, actor=ACTOR, llm=llm)):
            with st.spinner("Evaluating your interview…"):
                end_interview(ws, session_id, actor=ACTOR, llm=llm)
    except WorkspaceError as exc:
        st.error(f"The interview could not be ended: {exc}")
        st.button("Back to the interview", key="ending_failed_back")
        st.stop()
    if evaluation_waits(session_id):
        if notice := st.session_state.pop(EVALUATION_NOTICE, None):
            st.session_state[NOTICE] = notice
        st.rerun()
    st.switch_page("pages/evaluation.py", query_params={"session": session_id})


def _wait_for_accurate_pass(session_id: str, bar: DeltaGenerator) -> None:
    """Show the worker's progress until the pass is done; a failed pass, or one no worker starts, leaves a
    notice and the live text."""
    asked = time.monotonic()
    while (job := accurate_pass(ws, session_id, actor=ACTOR)) is not None:
        if job.status is JobStatus.DONE:
            return
        if job.status is JobStatus.FAILED:
            st.session_state[EVALUATION_NOTICE] = f"The transcript keeps the live text: {job.reason}"
            return
        if job.status is JobStatus.RUNNING:
            done = job.progress or 0.0
            bar.progress(done, text=f"Improving the transcript… {done:.0%}")
        elif job.attempts == 0 and time.monotonic() - asked > NO_WORKER_SECONDS:
            st.session_state[EVALUATION_NOTICE] = (
                "No background worker took the accurate pass (`python -m core worker` runs one; startup.sh "
                "starts it), so the transcript keeps the live text."
            )
            return
        time.sleep(POLL_SECONDS)


def _evaluated_by_worker(session_id: str, job: Job | None) -> bool:
    """Show a worker's progress on the model's evaluation until it is done; False when it must run here
    instead (it failed, or no worker took it), which ends the interview all the same."""
    if job is None:
        return False
    bar = st.progress(0.0, text="Waiting for the evaluator…")
    asked = time.monotonic()
    try:
        while (job := evaluation_job(ws, session_id, actor=ACTOR)) is not None:
            if job.status is JobStatus.DONE:
                return True
            if job.status is JobStatus.FAILED:
                st.session_state[EVALUATION_NOTICE] = f"The background evaluation failed ({job.reason}); it ran here."
                return False
            if job.status is JobStatus.RUNNING:
                done = job.progress or 0.0
                bar.progress(done, text=f"{job.progress_note or 'Evaluating your interview'}… {done:.0%}")
            elif job.attempts == 0 and time.monotonic() - asked > NO_WORKER_SECONDS:
                return False  # no worker runs (`python -m core worker`; startup.sh starts one): evaluate here
            time.sleep(POLL_SECONDS)
        return False
    finally:
        bar.empty()


def _close_end_dialog() -> None:
    st.session_state.pop(END_DIALOG, None)


# Open while Session State says so (not only in the run where "End interview" was clicked), so a
# click inside it also counts on a full rerun — AppTest never reruns just the dialog (streamlit#9786).
@st.dialog("End the interview?", on_dismiss=_close_end_dialog)
def confirm_end(session_id: str) -> None:
    if evaluation_waits(session_id):
        st.write(
            "Your evaluation goes to a reviewer first; you'll see it once they approve it. "
            "No answers can be added afterwards."
        )
    else:
        st.write("You'll get your evaluation straight away. No answers can be added afterwards.")
    yes, no = st.columns(2)
    if yes.button("Yes, end it", type="primary", key="confirm_end_yes"):
        _close_end_dialog()
        st.session_state[ENDING] = session_id
        st.rerun(scope="app")
    if no.button("Keep going", key="confirm_end_no"):
        _close_end_dialog()
        st.rerun()


if session.is_open and st.session_state.get(ENDING) != session.id:  # a reload while a worker runs its part
    pending = [accurate_pass(ws, session.id, actor=ACTOR), evaluation_job(ws, session.id, actor=ACTOR)]
    if any(job is not None and job.status in (JobStatus.QUEUED, JobStatus.RUNNING) for job in pending):
        st.session_state[ENDING] = session.id
if st.session_state.get(ENDING) == session.id and session.is_open:
    st.title(view.problem.title)
    _finish_interview(session.id)

# --- Header ------------------------------------------------------------------------------------
header = st.columns([6, 2])
with header[0]:
    st.title(view.problem.title)
    who = view.candidate.name if view.candidate else "Candidate"
    details = [who, session.level.value, f"{session.duration_minutes} min", f"status: **{session.status.value}**"]
    details.append(usage_line(session, usage_summary(ws, session.id, actor=ACTOR)))
    st.caption(" · ".join(details))
    render_stage_progress(session.stage)
with header[1]:
    clock(session)

# Notices go in here, so whether there is one or not the panels below stay at the same place on the page:
# a canvas that moves down the page remounts, and a remounted canvas starts from the drawing as last saved.
notices = st.container()
if notice := st.session_state.pop(NOTICE, None):
    notices.warning(notice)

if session.status is SessionStatus.READY:
    st.info("This interview is set up but has not started.")
    if st.button("Start now", type="primary"):
        start_interview(ws, session.id, actor=ACTOR)
        st.rerun()
    st.stop()

# Answer a message left without a reply (a crash or restart between storing it and replying).
# While the microphone is on, its worker answers spoken answers itself.
listening = live_transcription.is_listening(session.id)
if session.status is SessionStatus.ACTIVE and needs_reply(view.messages) and not listening:
    try:
        reply_to_candidate(ws, session.id, llm=llm)
        view = get_interview(ws, session.id, actor=ACTOR, reads=st.session_state)
    except WorkspaceError as exc:
        notices.warning(f"The interviewer could not answer your last message: {exc}")


def _answer(text: str) -> None:
    """Store the answer first (it is safe from here on), then stream the interviewer's reply."""
    st.session_state[UNSENT] = text
    try:
        stored = submit_answer(ws, session.id, text, actor=ACTOR)
    except WorkspaceError as exc:
        st.error(str(exc))
        return
    st.session_state.pop(UNSENT, None)
    with history:
        render_message(stored, session)
        with st.chat_message(Role.INTERVIEWER.value, avatar=AVATARS[Role.INTERVIEWER]):
            try:
                reply = stream_reply(ws, session.id, llm=llm)
                try:
                    st.write_stream(without_images(chunk) for chunk in reply)
                finally:  # a rerun or a page left mid-reply stops here: the model's response is closed at once
                    reply.close()
            except WorkspaceError as exc:
                st.session_state[NOTICE] = f"The interviewer could not answer yet: {exc} Your answer is saved."
                st.rerun()
    if reply.fallback:
        st.session_state[NOTICE] = reply.fallback
    st.rerun()


# --- Panels: chat 30% · whiteboard 45% · transcript 25% ------------------------------------
chat_col, board_col, transcript_col = st.columns([30, 45, 25])

with chat_col:
    st.markdown("**Chat**")
    history = st.container(height=520, border=True, autoscroll=True)
    active = session.status is SessionStatus.ACTIVE
    prompt = st.chat_input(
        "Your answer…" if active else f"The interview is {session.status.value}",
        key="interview_input",
        disabled=not active,
        max_chars=8000,
    )
    with history:
        render_messages(view.messages, session)
    if prompt:
        _answer(prompt)
    if st.session_state.get(UNSENT):
        with st.container(border=True):
            st.warning("This answer was not sent yet — nothing is lost:")
            st.code(st.session_state[UNSENT], language=None, wrap_lines=True)
            if active and st.button("Send it again", key="resend"):
                _answer(st.session_state[UNSENT])

with board_col:
    with st.expander("The problem", expanded=True):
        st.markdown(view.problem.statement)
    board_title, board_toggle = st.columns([3, 2], vertical_alignment="center")
    board_title.markdown("**Whiteboard**")
    with board_toggle:
        board_full = render_full_width_toggle(session.id)
    if board_full:
        st.caption("The whiteboard is below, across the page.")
    else:
        render_whiteboard(
            ws,
            session.id,
            actor=ACTOR,
            reference_components=view.problem.reference_components,
            editable=session.is_open,
        )
    if session.is_open:
        with st.expander("Transcribe a recording", icon=":material/graphic_eq:"):
            agreed = render_consent(ws, session.id, "audio", actor=ACTOR, place="upload")
            recording = None
            if agreed:
                recording = st.file_uploader(
                    "An audio file of this interview (wav, mp3, m4a, ogg, webm)",
                    type=["wav", "mp3", "m4a", "ogg", "webm"],
                    key="interview_recording",
                )
            if recording is not None and st.button("Transcribe", key="interview_transcribe"):
                progress_bar = st.progress(0.0, text="Reading the recording…")

                def show_transcribing(done: float) -> None:
                    progress_bar.progress(done, text=f"Transcribing… {done:.0%}")

                try:
                    entries = transcribe_recording(
                        ws,
                        session.id,
                        filename=recording.name,
                        data=recording.getvalue(),
                        progress=show_transcribing,
                        actor=ACTOR,
                    )
                except WorkspaceError as exc:
                    progress_bar.empty()
                    st.error(str(exc))
                else:
                    progress_bar.empty()
                    st.success(f"Added {len(entries)} lines to the transcript; the recording is kept with the session.")


def _transcript(session_id: str, problem_id: str, messages: list[Message]) -> None:
    if live_transcription.is_listening(session_id) and message_count(ws, session_id, actor=ACTOR) != len(messages):
        st.rerun(scope="app")  # a spoken answer or its reply: the chat must show it too
    # the chat as this run read it; the transcript: only what came after what this tab read before
    lines = transcript_with_chat(ws, session_id, actor=ACTOR, messages=messages, reads=st.session_state)
    render_transcript_panel(lines, problem_id=problem_id, session_id=session_id)


def live_transcript(session_id: str, problem_id: str, messages: list[Message]) -> None:
    """While the microphone is on, the panel rereads every second, so a line the microphone worker stores shows
    about a second after it was said (and a spoken answer or its reply reruns the whole page to reach the chat).
    Otherwise nothing changes it between page runs, and it does not rerun at all."""
    mic_on = st.session_state.get(f"mic_on_{session_id}") or live_transcription.is_listening(session_id)
    every = "1s" if mic_on else None
    st.fragment(run_every=every)(_transcript)(session_id, problem_id, messages)


with transcript_col:
    # Nothing else goes in this column: a fragment rerunning on a timer can clear its neighbours.
    live_transcript(session.id, session.problem_id, view.messages)

if full_width(session.id):  # the whiteboard across the page, for drawing
    render_whiteboard(
        ws,
        session.id,
        actor=ACTOR,
        reference_components=view.problem.reference_components,
        editable=session.is_open,
        full=True,
    )


def _hear(session_id: str, frame: av.AudioFrame) -> None:
    """One microphone frame, on aiortc's event loop: queued for this interview's transcriber."""
    transcriber = live_transcription.get_or_create(ws, session_id, submit_answers=True, actor=ACTOR, llm=llm)
    if transcriber is not None:  # None: the page stopped the microphone (pause, end, switched off)
        transcriber.feed(frame)


# --- Bottom bar --------------------------------------------------------------------------------
st.divider()
bar = st.columns([2, 2, 4, 4])
if session.status is SessionStatus.ACTIVE:
    if bar[0].button("Pause", icon=":material/pause:", width="stretch"):
        live_transcription.stop(session.id)  # the words before the pause are kept
        pause_interview(ws, session.id, actor=ACTOR)
        st.rerun()
    modes = bar[2].container()  # filled once the capture controls below have said what is live
    mic_col, camera_col, screen_col = st.columns(3)
    with mic_col:
        # Off until asked for: the WebRTC component reruns the page when it mounts, which would cut
        # short a reply being streamed. Frames arrive on aiortc's loop: feed only queues them.
        mic_live = False
        if st.toggle(
            "Speak my answers",
            key=f"mic_on_{session.id}",
            help="Your microphone is transcribed live and recorded with the interview; a pause of about "
            f"{live_transcription.ANSWER_PAUSE_S:.0f} s sends what you said to the interviewer.",
        ):
            live_transcription.listen(session.id)
            mic_live = render_mic(
                ws,
                session.id,
                on_frame=partial(_hear, session.id),
                on_stop=partial(live_transcription.stop_in_background, session.id),
                actor=ACTOR,
            )
        elif listening:  # switched off: keep the last words, stop recording
            live_transcription.stop(session.id)
    with camera_col:
        camera_live = False
        if st.toggle("Record my camera", key=f"camera_on_{session.id}", help="Saved as MP4 with the interview"):
            camera_live = render_camera(ws, session.id, actor=ACTOR)
    with screen_col:
        screen_live = render_screen_share(ws, session.id, actor=ACTOR)
    with modes:
        render_live_modes(mic=mic_live, camera=camera_live, screen=screen_live)
elif session.status is SessionStatus.PAUSED and bar[0].button(
    "Resume", icon=":material/play_arrow:", width="stretch", type="primary"
):
    resume_interview(ws, session.id, actor=ACTOR)
    st.rerun()
if session.is_open:
    if bar[1].button("End interview", icon=":material/stop:", width="stretch"):
        st.session_state[END_DIALOG] = session.id
    if st.session_state.get(END_DIALOG) == session.id:
        confirm_end(session.id)
elif not (approval_required(ws) and candidate_side):
    st.success("This interview has ended.")
    if bar[1].button("See the evaluation", type="primary", width="stretch"):
        st.switch_page("pages/evaluation.py", query_params={"session": session.id})
elif is_released(ws, session.id, actor=ACTOR):  # a reviewer approved it: the candidate's own view shows it
    st.success("This interview has ended and your evaluation is ready.")
    if bar[1].button("See your evaluation", type="primary", width="stretch"):
        st.switch_page("pages/share.py", query_params={"session": session.id})
else:
    st.success("This interview has ended.")
    st.info(REVIEWED_FIRST, icon=":material/hourglass_top:")
bar[3].caption("Everything you type or say is saved as it arrives; reload or come back later to continue.")
