"""A session's transcript as files people take away: plain text, our JSON, SRT and WebVTT.

Pure functions over TranscriptEntry lists (in speaking order, as uow.transcripts.list gives
them); no Streamlit. The JSON is the interchange format core.evaluation.transcript_file reads back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from core.models import TranscriptEntry

SPEAKERS = {"interviewer": "Interviewer", "candidate": "Candidate"}


def speaker_label(speaker: str) -> str:
    return SPEAKERS.get(speaker, speaker.replace("_", " ").strip().capitalize() or "Unknown")


def clock(seconds: float) -> str:
    """`mm:ss`, or `h:mm:ss` from an hour on: the time shown beside each line."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def _timestamp(seconds: float, separator: str) -> str:
    """`hh:mm:ss<sep>mmm`, rounded to the millisecond; negative times clamp to zero."""
    ms = max(0, round(seconds * 1000))
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{ms:03d}"


def _lines(text: str) -> list[str]:
    """The text's non-blank lines: a blank line would end a subtitle cue early."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _cue_text(entry: TranscriptEntry) -> str:
    return f"{speaker_label(entry.speaker)}: " + "\n".join(_lines(entry.text))


def _times(entry: TranscriptEntry) -> tuple[float, float]:
    start = max(0.0, entry.start)
    return start, max(start, entry.end)


def to_txt(entries: Sequence[TranscriptEntry]) -> str:
    """One line per entry: `[mm:ss] Speaker: text`."""
    return "".join(f"[{clock(e.start)}] {speaker_label(e.speaker)}: {' '.join(_lines(e.text))}\n" for e in entries)


def to_json(entries: Sequence[TranscriptEntry], problem_id: str) -> str:
    """The transcript interchange format (see core.evaluation.transcript_file)."""
    payload = {
        "problem": problem_id,
        "entries": [
            {"speaker": e.speaker, "text": e.text, "start": _times(e)[0], "end": _times(e)[1]} for e in entries
        ],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def to_srt(entries: Sequence[TranscriptEntry]) -> str:
    """SubRip: numbered cues, `00:01:02,500 --> 00:01:04,000`, separated by a blank line."""
    cues = []
    for number, entry in enumerate(entries, start=1):
        start, end = _times(entry)
        cues.append(f"{number}\n{_timestamp(start, ',')} --> {_timestamp(end, ',')}\n{_cue_text(entry)}\n")
    return "\n".join(cues)


def _vtt_escape(text: str) -> str:
    # Cue text may not hold "-->", and & < > are markup in WebVTT.
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("--&gt;", "-&gt;")


def to_webvtt(entries: Sequence[TranscriptEntry]) -> str:
    """WebVTT: the `WEBVTT` header, then `00:01:02.500 --> 00:01:04.000` cues."""
    cues = ["WEBVTT\n"]
    for entry in entries:
        start, end = _times(entry)
        cues.append(f"{_timestamp(start, '.')} --> {_timestamp(end, '.')}\n{_vtt_escape(_cue_text(entry))}\n")
    return "\n".join(cues)


def search(entries: Iterable[TranscriptEntry], query: str) -> list[TranscriptEntry]:
    """Entries whose text holds every word of the query, ignoring case; all of them for a blank query.

    A query word matches inside a longer word ("cach" finds "caching"), so typing finds as it grows.
    """
    wanted = query.casefold().split()
    if not wanted:
        return list(entries)
    return [e for e in entries if all(word in e.text.casefold() for word in wanted)]
