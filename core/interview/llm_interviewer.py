"""An LLM that voices the interview plan: the offline engine decides the move, the model says it.

Keeping the decision (stage, topic, fact, hint, pushback) in the deterministic engine makes
every provider follow the same interview, keeps numbers right, and leaves a ready answer for
when the provider is down. The prompt carries the move's rules (core.interview.voicing.brief):
every question answered, the challenged answer kept back, praise only with its object, no
wrap-up the plan did not make.

Laid out for prefix caches: the system prompt holds only what stays the same through the interview
(role, level, problem, facts, rules), the conversation follows, and what changes each turn (stage, time
used, the planned move and its rules) goes last, as a note after the candidate's latest words. Two
consecutive turns' requests then share everything up to the latest turn (bench/prompt_prefix.py). The
whole conversation goes along; the chat model leaves out the oldest messages when the model's context
window needs it (core.llm.context_budget).
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

MAX_REPLY_TOKENS = 700  # the output limit of one reply
MIN_REPLY_TOKENS = 200  # less than this left in the context window: no call (three short paragraphs need more)
JOINED = "(The candidate has joined the interview.)"


class LLMInterviewer:
    def __init__(self, chat: ChatModel, problem: Problem, prompt: Prompt) -> None:
        self.chat = chat
        self.problem = problem
        self.prompt = prompt

    def phrase(self, session: Session, history: list[Message], turn: Turn, now: datetime) -> ChatStream:
        system, note = self.prompt.render_parts(
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
        return self.chat.stream(
            system, with_note(conversation(history), note), max_tokens=MAX_REPLY_TOKENS, min_tokens=MIN_REPLY_TOKENS
        )


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
        messages.insert(0, ChatMessage("user", JOINED))
    return messages


def with_note(messages: list[ChatMessage], note: str) -> list[ChatMessage]:
    """The turn's note after the candidate's latest words (in their message, or in one of its own after the
    interviewer's): last in the request, so that everything before it is the same as in the previous turn's."""
    if not note:
        return messages
    last = messages[-1] if messages else None
    if last is not None and last.role == "user":
        return [*messages[:-1], ChatMessage("user", f"{last.content}\n\n{note}", last.images)]
    return [*messages, ChatMessage("user", note)]
