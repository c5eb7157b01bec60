"""Filling in merge tags ({{candidate.first_name}}, {% if facts.budget %}…) within hard limits.

Templates are content a person edits, so they render in jinja2's sandbox with StrictUndefined: a
misspelt tag is an error that names it and lists the tags there are, never a silent blank in an email
to a candidate. Autoescape is off because the output is plain text.

The sandbox stops attribute tricks, not work: `{{ 'a' * 3000000000 }}`, `{{ 'x'|center(3000000000) }}`
or nested loops exhaust memory or run for minutes, and jinja2 even folds constant expressions while
compiling. So a template made only of tags, text, `{% if %}` and a few linear filters (checked on the
parsed tree, which evaluates nothing) renders here; anything else renders in a child process
(core.limited_process) with RENDER_TIME_LIMIT_SECONDS and RENDER_MEMORY_LIMIT_BYTES, and every
rendering stops at MAX_OUTPUT_CHARS. A template that breaks a limit is a ContentError saying which.
"""

from __future__ import annotations

import functools
import json
import math
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from core.errors import ContentError
from core.limited_process import child_code, killed_for_cpu, limit_resources, run_limited

MAX_TEMPLATE_CHARS = 100_000  # the text a person typed; real emails are a few hundred characters
MAX_OUTPUT_CHARS = 100_000  # ~100 KB of email
RENDER_TIME_LIMIT_SECONDS = 2.0  # wall clock for the child, from its start to its answer
RENDER_MEMORY_LIMIT_BYTES = 128 * 1024 * 1024  # address space the child may add once started
MAX_CONCURRENT_RENDERS = 2
PREPARED_KEPT = 128  # simple templates kept parsed and compiled: the booking emails' few, the debrief's drafts

_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT_RENDERS)
_CHILD_CODE = child_code("core.notifications.merge_tags")

# The parsed tree of a template that renders in-process: nothing in it loops, repeats or builds text
# beyond the size of the template and its context.
_SIMPLE_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.Getattr,
    nodes.Getitem,
    nodes.If,
    nodes.Compare,
    nodes.Operand,
    nodes.Const,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.CondExpr,
)
_LINEAR_FILTERS = frozenset({"upper", "lower", "title", "capitalize", "trim", "default", "d"})


class TemplateTooLarge(TemplateError):
    """A template's output would pass MAX_OUTPUT_CHARS."""


def _too_large() -> ContentError:
    return ContentError(
        f"The template would produce more than {MAX_OUTPUT_CHARS // 1000} KB of text; "
        "remove the repetition or loop that makes it so long."
    )


class _MergeEnvironment(SandboxedEnvironment):
    """Dots read keys first: a session field called "items" or "values" must not turn into a dict method."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, dict):
            if attribute in obj:
                return obj[attribute]
            return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """`'a' * 3000000000` and `9 ** 9 ** 9` are refused before they are computed."""
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                sized = isinstance(seq, str | list | tuple | bytes) and isinstance(times, int)
                if sized and len(seq) * times > MAX_OUTPUT_CHARS:
                    raise TemplateTooLarge("output too large")
        integers = isinstance(left, int) and isinstance(right, int)  # floats overflow to an error instead
        if operator == "**" and integers and abs(right) * left.bit_length() > 100_000:
            raise TemplateTooLarge("number too large")
        return super().call_binop(context, operator, left, right)


_ENV = _MergeEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


def available_tags(context: Mapping[str, Any]) -> list[str]:
    """The dotted names a template can use, sorted: "candidate.email", "candidate.first_name", …."""
    tags: list[str] = []
    for key, value in context.items():
        if isinstance(value, Mapping):
            tags += [f"{key}.{inner}" for inner in available_tags(value)]
        else:
            tags.append(str(key))
    return sorted(tags)


# --- rendering -------------------------------------------------------------------------------------------


def _available(context: Mapping[str, Any]) -> str:
    return ", ".join(available_tags(context)) or "none"


def _path(node: nodes.Node) -> list[str] | None:
    """candidate.name or facts["budget"] as ["candidate", "name"]; None for anything that is not a plain tag."""
    if isinstance(node, nodes.Name):
        return [node.name]
    if isinstance(node, nodes.Getattr):
        inner = _path(node.node)
        return [*inner, node.attr] if inner is not None else None
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        inner = _path(node.node)
        return [*inner, node.arg.value] if inner is not None else None
    return None


def _unknown_tag(prepared: _Prepared, context: Mapping[str, Any]) -> str | None:
    """The first tag (in reading order) that names something the context does not have."""
    for path in prepared.tags:
        if path[0] not in prepared.from_context:
            continue
        value: Any = context
        for depth, part in enumerate(path):
            if not isinstance(value, Mapping):
                break  # a method or attribute of a value (e.g. .upper()): the sandbox judges it
            if part not in value:
                return ".".join(path[: depth + 1])
            value = value[part]
    return None


def _group_printed(tree: nodes.Template, context: Mapping[str, Any]) -> str | None:
    """A tag printed as is that names a group ({{candidate}}) rather than a value: it would print a dict."""
    for output in tree.find_all(nodes.Output):
        for expr in output.nodes:
            path = _path(expr)
            value: Any = context
            for part in path or ():
                value = value.get(part) if isinstance(value, Mapping) else None
            if path and isinstance(value, Mapping):
                return ".".join(path)
    return None


def _syntax_error(exc: TemplateSyntaxError, context: Mapping[str, Any]) -> ContentError:
    problem = (exc.message or "unreadable").rstrip(".")
    return ContentError(
        f"The merge tags do not parse (line {exc.lineno}: {problem}); write a tag as {{{{candidate.name}}}}. "
        f"Available: {_available(context)}."
    )


def render_text(text: str, context: Mapping[str, Any]) -> str:
    """`text` with its merge tags filled in; ContentError names a tag that does not exist, a syntax error
    or a limit the template breaks (size, time, memory)."""
    if len(text) > MAX_TEMPLATE_CHARS:
        raise ContentError(f"The template is longer than {MAX_TEMPLATE_CHARS // 1000} KB; shorten it.")
    prepared = _checked(lambda: _prepared_if_simple(text), context)
    if prepared is not None:
        return _render(prepared, context)
    return _render_isolated(text, context)


@dataclass(frozen=True)
class _Prepared:
    """A template parsed, checked and compiled. A simple one is kept (PREPARED_KEPT of them): a worker applying
    a burst of bookings fills in the same few emails for each, and parsing and compiling them every time was
    half of each booking's work, all of it inside the transaction that holds SQLite's one writer lock."""

    tree: nodes.Template
    from_context: frozenset[str]  # names a {% set %} or loop defines are not tags
    tags: tuple[tuple[str, ...], ...]  # every tag's path, in reading order
    compiled: Template


@functools.lru_cache(maxsize=PREPARED_KEPT)
def _prepared_if_simple(text: str) -> _Prepared | None:
    """None for a template that must render in a child process. Errors are raised, never kept: their
    messages name the tags of the context at hand."""
    tree = _ENV.parse(text)
    return _prepare(tree) if _is_simple(tree) else None


def _prepare(tree: nodes.Template) -> _Prepared:
    from_context = frozenset(meta.find_undeclared_variables(tree))  # compiles: an unknown filter is found here
    paths = (_path(node) for node in tree.find_all((nodes.Name, nodes.Getattr, nodes.Getitem)))
    tags = tuple(tuple(path) for path in paths if path)
    return _Prepared(tree, from_context, tags, _ENV.from_string(tree))


_T = TypeVar("_T")


def _checked(make: Callable[[], _T], context: Mapping[str, Any]) -> _T:
    """`make()`, with what parsing and compiling raise told as a ContentError."""
    try:
        return make()
    except TemplateSyntaxError as exc:
        raise _syntax_error(exc, context) from exc
    except RecursionError:
        raise ContentError("The merge tags are nested too deeply to read; simplify them.") from None
    except TemplateTooLarge:  # jinja2 folds constant expressions while compiling
        raise _too_large() from None


def _is_simple(tree: nodes.Template) -> bool:
    """Only tags, text, conditions and linear filters: safe to compile and render in this process."""
    for node in tree.find_all(nodes.Node):
        if isinstance(node, nodes.Filter):
            if node.name not in _LINEAR_FILTERS or node.kwargs or node.dyn_args or node.dyn_kwargs:
                return False
        elif not isinstance(node, _SIMPLE_NODES):
            return False
    return True


def _render(prepared: _Prepared, context: Mapping[str, Any]) -> str:
    unknown = _unknown_tag(prepared, context)
    if unknown is not None:
        raise ContentError(f"Unknown merge tag {unknown}; available: {_available(context)}.")
    if (group := _group_printed(prepared.tree, context)) is not None:
        fields = ", ".join(t for t in available_tags(context) if t.startswith(f"{group}."))
        raise ContentError(f"Merge tag {group} needs a field: one of {fields}.")
    try:
        parts: list[str] = []
        size = 0
        for part in prepared.compiled.generate(dict(context)):
            size += len(part)
            if size > MAX_OUTPUT_CHARS:
                raise TemplateTooLarge("output too large")
            parts.append(part)
        return "".join(parts)
    except TemplateTooLarge:
        raise _too_large() from None
    except SecurityError as exc:
        raise ContentError(f"A merge tag uses something templates may not touch ({exc}).") from exc
    except TemplateError as exc:  # e.g. an unknown filter or a loop variable used wrongly
        raise ContentError(f"The merge tags cannot be filled in: {exc}. Available: {_available(context)}.") from exc
    except (ArithmeticError, TypeError, ValueError) as exc:
        raise ContentError(f"The merge tags cannot be filled in: {exc}.") from exc


def _render_isolated(text: str, context: Mapping[str, Any]) -> str:
    """`_render` in a child process under RENDER_TIME_LIMIT_SECONDS and RENDER_MEMORY_LIMIT_BYTES."""
    request = {
        "text": text,
        "context": dict(context),
        "memory_limit": RENDER_MEMORY_LIMIT_BYTES,
        "cpu_seconds": math.ceil(RENDER_TIME_LIMIT_SECONDS) + 1,  # a backstop: the wall clock comes first
    }
    payload = json.dumps(request, default=str).encode()
    with _SLOTS:
        try:
            done = run_limited(_CHILD_CODE, payload, time_limit=RENDER_TIME_LIMIT_SECONDS)
        except subprocess.TimeoutExpired:  # run_limited has killed the child and waited for it
            raise _too_slow() from None
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        answer = None
    if done.returncode == 0 and isinstance(answer, dict):
        if answer.get("status") == "ok" and isinstance(answer.get("text"), str):
            return str(answer["text"])[:MAX_OUTPUT_CHARS]
        if answer.get("status") == "refused" and isinstance(answer.get("message"), str):
            raise ContentError(answer["message"])
        if answer.get("status") == "memory":
            raise _too_big()
    if killed_for_cpu(done):
        raise _too_slow()
    if b"MemoryError" in done.stderr[-2000:]:
        raise _too_big()
    raise ContentError("The merge tags could not be filled in (the renderer stopped); simplify the template.")


def _too_slow() -> ContentError:
    return ContentError(
        f"The template took longer than {RENDER_TIME_LIMIT_SECONDS:g} s to fill in; "
        "remove the loop or repetition that makes it so slow."
    )


def _too_big() -> ContentError:
    return ContentError(
        f"The template needs more than {RENDER_MEMORY_LIMIT_BYTES // 2**20} MB to fill in; "
        "remove the repetition or padding that makes it so large."
    )


def child_main() -> None:
    """Entry of the child: a JSON request on stdin, the answer as JSON on stdout."""
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing printed while rendering may mix into the answer
    request = json.loads(sys.stdin.buffer.read())
    limit_resources(int(request["memory_limit"]), int(request["cpu_seconds"]))
    answer: dict[str, object]
    try:
        context = request["context"]
        prepared = _checked(lambda: _prepare(_ENV.parse(request["text"])), context)
        answer = {"status": "ok", "text": _render(prepared, context)}
    except ContentError as exc:
        answer = {"status": "refused", "message": str(exc)}
    except MemoryError:
        answer = {"status": "memory"}
    out.write(json.dumps(answer).encode())
    out.flush()
