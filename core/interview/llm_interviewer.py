"""An LLM that voices the interview plan: the offline engine decides the move, the model says it.

Keeping the decision (stage, topic, fact, hint, pushback) in the deterministic engine makes
every provider follow the same interview, keeps numbers right, and leaves a ready answer for
when the provider is down. The prompt carries the move's rules (core.interview.voicing.brief):
every question answered, the challenged answer kept back, praise only with its object, no
wrap-up the plan did not make.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from core.content.problems import Problem
from core.content.prompts import Prompt
from core.interview.offline_interviewer import Turn
from core.interview.voicing import brief
from core.llm.chat_models import ChatMessage, ChatModel, ChatStream
from core.models import Message, Role, Session

HISTORY_LIMIT = 30  # messages of context sent with each turn; bounds tokens on long interviews


class LLMInterviewer:
    def __init__(self, chat: ChatModel, problem: Problem, prompt: Prompt) -> None:
        self.chat = chat
        self.problem = problem
        self.prompt = prompt

    def phrase(self, session: Session, history: list[Message], turn: Turn, now: datetime) -> ChatStream:
        system = self.prompt.render(
            level=session.level.value,
            problem_title=self.problem.title,
            problem_statement=self.problem.statement.strip(),
            facts="\n".join(f"- {fact.answer}" for fact in self.problem.facts),
            stage=turn.stage.label,
            elapsed=round(session.elapsed_seconds(now) / 60),
            duration=session.duration_minutes,
            move_kind=turn.meta.get("kind", "follow-up"),
            move_text=turn.text,
            brief=brief(
                turn, self.problem, max(0, round(session.duration_minutes - session.elapsed_seconds(now) / 60))
            ),
        )
        return self.chat.stream(system, conversation(history[-HISTORY_LIMIT:]))


def conversation(history: list[Message]) -> list[ChatMessage]:
    """Chat history in the shape every provider accepts: starts with the user, roles alternate."""
    messages: list[ChatMessage] = []
    for message in history:
        if message.role is Role.SYSTEM:
            continue
        role: Literal["user", "assistant"] = "assistant" if message.role is Role.INTERVIEWER else "user"
        if messages and messages[-1].role == role:
            messages[-1] = ChatMessage(role, messages[-1].content + "\n\n" + message.content)
        else:
            messages.append(ChatMessage(role, message.content))
    if not messages or messages[0].role != "user":
        messages.insert(0, ChatMessage("user", "(The candidate has joined the interview.)"))
    return messages
