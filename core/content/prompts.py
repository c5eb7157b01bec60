"""LLM prompts as versioned files in data/prompts/ (`<name>.v<version>.md`), not strings in code.

Each file has a small YAML front matter (name, version) and a body with $placeholders
(string.Template), so a prompt change is a new file and what produced an answer is recorded
as "<name>/v<version>".

A body may be in two parts, split by a line holding only TURN_MARKER: what stays the same through an
interview (role, problem, rules), sent first as the system prompt, and what changes each turn (stage,
time, the planned move), sent last. A server with a prefix cache (llama.cpp, vLLM, the hosted providers'
prompt caching) then reuses everything before the latest turn instead of reading it again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

import yaml

from core.content.yaml_text import load_yaml
from core.errors import ContentError

TURN_MARKER = "<!-- each turn -->"
_FRONT_MATTER = re.compile(r"\A---\n(?P<meta>.*?)\n---\n(?P<body>.*)\Z", re.DOTALL)


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    template: str

    @property
    def label(self) -> str:
        return f"{self.name}/v{self.version}"

    def render(self, **values: object) -> str:
        """Fill every placeholder; a missing value is a programming error, raised as such."""
        return Template(self.template).substitute({k: str(v) for k, v in values.items()})

    def render_parts(self, **values: object) -> tuple[str, str]:
        """The two parts filled: (what stays the same through an interview, what changes each turn).

        A prompt without TURN_MARKER is all of the first part, and the second is empty.
        """
        fixed, _, turn = self.template.partition(f"\n{TURN_MARKER}\n")
        strings = {k: str(v) for k, v in values.items()}
        return Template(fixed.strip() + "\n").substitute(strings), Template(turn.strip()).substitute(strings)


def load_prompt(directory: Path, name: str, version: str | None = None) -> Prompt:
    """The given version of a prompt, or its newest one."""
    if version is None:
        versions = sorted((p for p in directory.glob(f"{name}.v*.md")), key=lambda p: int(p.stem.rsplit(".v", 1)[1]))
        if not versions:
            raise ContentError(f"No prompt named {name!r} in {directory}.")
        path = versions[-1]
    else:
        path = directory / f"{name}.v{version}.md"
    try:
        match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
        if match is None:
            raise ContentError(f"Prompt {path.name} has no front matter (--- name/version ---).")
        meta = load_yaml(match["meta"]) or {}
        return Prompt(name=str(meta["name"]), version=str(meta["version"]), template=match["body"].strip() + "\n")
    except (OSError, yaml.YAMLError, KeyError) as exc:
        raise ContentError(f"Cannot read prompt {path.name}: {exc}") from None
