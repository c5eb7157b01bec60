"""Screen share: the browser shares a screen and sends a PNG of it every few seconds.

A Components v2 element (inline HTML/CSS/JS, no build step). "Share screen" calls
getDisplayMedia; every `interval_seconds` a frame is drawn to a canvas and sent to Python as the
trigger value `frame` = {share, seq, png: data URL}; the state value `sharing` says whether a
share is live, and goes back to false when the person stops sharing from the browser's own bar.

The recording notice comes first (components/consent.py): the element appears once someone agreed
to screen capture in this interview.

It runs in a fragment, so a frame reruns only this element, not the whole interview page; when
sharing starts or stops it reruns the app once so the page's "live modes" row follows. A frame is
stored at most once: (share, seq) pairs already handled are skipped on later reruns.

In the browser, frames are grabbed from the track (ImageCapture) on a timer that runs in a
worker, so they keep coming while the person looks at another tab or window, which is the usual
case when sharing (a hidden page's own timers are throttled down to one per minute).
"""

from __future__ import annotations

import logging
from typing import Any

import streamlit as st

from components.consent import render_consent
from core.errors import SessionClosed, WorkspaceError
from core.media.capture import (
    decode_png_data_url,
    list_media,
    note_screen_share,
    save_screen_frame,
    session_is_open,
)
from core.permissions.actor import Actor
from core.recording_notice import SCREEN_INTERVAL_SECONDS
from core.workspace import Workspace

log = logging.getLogger(__name__)

MAX_FRAME_WIDTH = 1920  # wider screens are scaled down in the browser: smaller PNGs, same legibility

HTML = """
<div class="iw-share">
  <button type="button" class="iw-share-button">Share screen</button>
  <span class="iw-share-status" role="status"></span>
  <video class="iw-share-preview" muted playsinline hidden></video>
</div>
"""

CSS = """
.iw-share { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 0.75rem;
  font-family: var(--st-font, sans-serif); color: var(--st-text-color, inherit); }
.iw-share-button { font: inherit; padding: 0.35rem 0.8rem; cursor: pointer;
  border-radius: var(--st-button-radius, 0.5rem); border: 1px solid var(--st-border-color, #ccc);
  background: var(--st-secondary-background-color, #f0f2f6); color: inherit; }
.iw-share-button:hover:not(:disabled) { border-color: var(--st-primary-color, #ff4b4b); }
.iw-share-button.live { background: var(--st-primary-color, #ff4b4b); border-color: transparent; color: #fff; }
.iw-share-button:disabled { cursor: not-allowed; opacity: 0.6; }
.iw-share-status { font-size: 0.875rem; opacity: 0.8; }
.iw-share-preview { flex-basis: 100%; max-width: 240px; border-radius: var(--st-base-radius, 0.5rem);
  border: 1px solid var(--st-border-color, #ccc); }
"""

JS = """
const shares = new Map();  // share key -> controller: it outlives a remount of the element

// A timer in a worker: a hidden page's own timers are throttled, a worker's are not.
function ticker(ms, onTick) {
  const code = `setInterval(() => postMessage(0), ${ms});`;
  const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
  const worker = new Worker(url);
  URL.revokeObjectURL(url);
  worker.onmessage = onTick;
  return () => worker.terminate();
}

class ScreenShare {
  constructor() {
    this.root = null;
    this.canvas = document.createElement("canvas");
    this.stream = null;
    this.stopTicker = null;
    this.share = null;
    this.seq = 0;
    this.starting = false;
    this.message = "";
  }

  // Streamlit may mount the element afresh (e.g. around a rerun of the whole page): the share goes on.
  attach(root) {
    if (root === this.root) return;
    this.root = root;
    this.button = root.querySelector(".iw-share-button");
    this.status = root.querySelector(".iw-share-status");
    this.preview = root.querySelector(".iw-share-preview");
    this.button.addEventListener("click", () => (this.stream ? this.stop(true) : this.start()));
    if (this.stream) {
      this.preview.srcObject = this.stream;
      this.preview.play().catch(() => {});
    }
  }

  configure({ data, setStateValue, setTriggerValue }) {
    this.setStateValue = setStateValue;
    this.setTriggerValue = setTriggerValue;
    const intervalMs = Math.max(1, Number(data?.interval_seconds ?? 5)) * 1000;
    this.maxWidth = Number(data?.max_width ?? 1920);
    this.enabled = data?.enabled !== false;
    this.saved = Number(data?.saved ?? 0);
    this.closedNote = data?.closed_note || "";
    if (intervalMs !== this.intervalMs) {
      this.intervalMs = intervalMs;
      if (this.stream) this.schedule();
    }
    if (!this.enabled && this.stream) this.stop(true);
    this.render();
  }

  async start() {
    if (!this.enabled || this.stream || this.starting) return;
    if (!navigator.mediaDevices?.getDisplayMedia) {
      this.message = "This browser cannot share a screen here (it needs HTTPS or localhost).";
      this.render();
      return;
    }
    this.starting = true;
    this.message = "";
    this.render();
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
      const track = stream.getVideoTracks()[0];
      track.addEventListener("ended", () => this.stop(true));  // "Stop sharing" in the browser's bar
      this.stream = stream;
      this.share = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
      this.seq = 0;
      this.grabber = "ImageCapture" in window ? new ImageCapture(track) : null;
      this.preview.srcObject = stream;
      await this.preview.play().catch(() => {});
      this.setStateValue("sharing", true);
      this.schedule();
      this.capture();
    } catch (err) {
      this.message = err?.name === "NotAllowedError"
        ? "Screen sharing was not allowed."
        : `Screen sharing failed: ${err?.message || err}`;
      this.release();
    } finally {
      this.starting = false;
      this.render();
    }
  }

  schedule() {
    this.stopTicker?.();
    this.stopTicker = ticker(this.intervalMs, () => this.capture());
  }

  async capture() {
    const stream = this.stream;
    if (!stream) return;
    let source = this.preview, width = this.preview.videoWidth, height = this.preview.videoHeight;
    if (this.grabber) {
      try {
        source = await this.grabber.grabFrame();
        width = source.width;
        height = source.height;
      } catch (err) {
        source = this.preview;  // e.g. no new frame yet: the preview still holds the last one
      }
    }
    if (!width || !height || stream !== this.stream) return;
    const scale = Math.min(1, this.maxWidth / width);
    this.canvas.width = Math.max(1, Math.round(width * scale));
    this.canvas.height = Math.max(1, Math.round(height * scale));
    this.canvas.getContext("2d").drawImage(source, 0, 0, this.canvas.width, this.canvas.height);
    source.close?.();
    this.seq += 1;
    this.setTriggerValue("frame", { share: this.share, seq: this.seq, png: this.canvas.toDataURL("image/png") });
  }

  release() {
    this.stopTicker?.();
    this.stopTicker = null;
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
    this.grabber = null;
    this.preview.srcObject = null;
  }

  stop(report) {
    const wasLive = this.stream !== null;
    this.release();
    if (report && wasLive) this.setStateValue("sharing", false);
    this.render();
  }

  render() {
    const live = this.stream !== null;
    this.button.textContent = live ? "Stop sharing" : this.starting ? "Choosing a screen…" : "Share screen";
    this.button.classList.toggle("live", live);
    this.button.disabled = this.starting || (!live && !this.enabled);
    this.preview.hidden = !live;
    const every = `a frame every ${this.intervalMs / 1000} s`;
    const saved = this.saved === 1 ? "1 frame saved" : `${this.saved} frames saved`;
    if (this.message) this.status.textContent = this.message;
    else if (live) this.status.textContent = `Sharing: ${every}; ${saved}.`;
    else if (!this.enabled) this.status.textContent = this.closedNote;
    else if (this.saved) this.status.textContent = `Not sharing; ${saved}.`;
    else this.status.textContent = `Not sharing. While you share, ${every} is kept with the interview.`;
  }
}

export default function (component) {
  const { parentElement, data } = component;
  const id = String(data?.share_key ?? "screen-share");
  let share = shares.get(id);
  if (!share) {
    share = new ScreenShare();
    shares.set(id, share);
  }
  share.attach(parentElement);
  share.configure(component);
  return () => {
    // Runs on unmount, and when an older invocation finishes late. Give a remount a moment to
    // take the share over; stop only if the person really left (the element stays gone).
    setTimeout(() => {
      if (share.root === parentElement && !parentElement.isConnected) {
        share.release();
        shares.delete(id);
      }
    }, 1500);
  };
}
"""

_component = st.components.v2.component("iw_screen_share", html=HTML, css=CSS, js=JS)


def render_screen_share(
    ws: Workspace, session_id: str, *, interval_seconds: int = SCREEN_INTERVAL_SECONDS, actor: Actor
) -> bool:
    """The "Share screen" control for this interview; True while a screen is being shared."""
    return bool(_screen_share(ws, session_id, interval_seconds, actor))


@st.fragment
def _screen_share(ws: Workspace, session_id: str, interval_seconds: int, actor: Actor) -> bool:
    key, live_key = f"screen-share-{session_id}", f"screen_live_{session_id}"
    is_open = session_is_open(ws, session_id)
    if is_open and not render_consent(ws, session_id, "screen", actor=actor):
        return False
    data = {
        "share_key": key,
        "interval_seconds": interval_seconds,
        "max_width": MAX_FRAME_WIDTH,
        "enabled": is_open,
        "saved": len(
            list_media(ws, session_id, "screen", actor=actor)
        ),  # the frame of this rerun included: stored first
        "closed_note": "Screen sharing is off: this interview has ended.",
    }
    result = _component(
        key=key,
        data=data,
        default={"sharing": False},
        on_sharing_change=_ignore,
        on_frame_change=lambda: _store_frame(ws, session_id, key, actor),
    )
    live = bool(result.get("sharing")) and is_open
    if live != st.session_state.get(live_key, False):
        st.session_state[live_key] = live
        note_screen_share(ws, session_id, live=live, actor=actor)
        st.rerun()  # the whole page, so its live-modes row follows (a notice waits for that run)
    notice = st.session_state.pop(f"screen_notice_{session_id}", None)
    if notice:
        st.warning(notice, icon=":material/screen_share:")
    return live


def _store_frame(ws: Workspace, session_id: str, key: str, actor: Actor) -> None:
    """on_frame_change: runs once per frame sent, before the fragment reruns (whose body may see it again)."""
    frame = (st.session_state.get(key) or {}).get("frame")
    last_key = f"screen_last_frame_{session_id}"
    if not isinstance(frame, dict) or not _is_new(frame, st.session_state.get(last_key)):
        return
    st.session_state[last_key] = (frame.get("share"), frame.get("seq"))
    try:
        save_screen_frame(ws, session_id, decode_png_data_url(frame.get("png", "")), actor=actor)
    except SessionClosed as exc:
        st.session_state[f"screen_notice_{session_id}"] = str(exc)
    except WorkspaceError as exc:
        st.session_state[f"screen_notice_{session_id}"] = f"A screen frame was not saved: {exc}"


def _is_new(frame: dict[str, Any], last: tuple[Any, Any] | None) -> bool:
    """Whether this trigger carries a frame not handled yet (a rerun can present the same one again)."""
    seq = frame.get("seq")
    if not isinstance(seq, int):
        return False
    if last is None or last[0] != frame.get("share"):
        return True
    return isinstance(last[1], int) and seq > last[1]


def _ignore() -> None:
    """Registering a callback is what makes `sharing` part of the component's result."""
