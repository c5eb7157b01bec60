"""YAML read with libyaml's C loader when PyYAML has it.

The problem bank, the rubrics, the templates and the prompts are read at every start of the server, the
worker and each command; the pure-Python loader spends seconds on them, the C loader a few hundredths.
Both accept the same safe subset (no Python objects).
"""

from __future__ import annotations

from typing import Any

import yaml

_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """The data of one YAML document, as yaml.safe_load reads it; raises yaml.YAMLError when malformed."""
    return yaml.load(text, Loader=_SAFE_LOADER)
