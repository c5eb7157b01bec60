"""Who acts in tests that are not about who may act: the workspace itself (core.permissions.actor), named
as the audit log named these parts before there were accounts. Tests of the policy use people's actors."""

from __future__ import annotations

from core.permissions.actor import Actor

CANDIDATE = Actor.workspace("candidate")
INTERVIEWER = Actor.workspace("interviewer")
SCHEDULER = Actor.workspace("scheduler")
ADMIN = Actor.workspace("admin")
