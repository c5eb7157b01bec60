"""The Live session page's panels, one module per part of the interviewer's cockpit.

start (pick up or open a session), header (who, links, clocks, start/pause/end), stages (navigator
and goals), guidance (the stage's guide, the copilot, asking an LLM), notes (quick capture, list,
search, edit), transcript (what was said, the microphone) and facts (session fields). Each takes the
Workspace and calls core services; none opens a database session or imports storage.
"""
