"""`python -m core …` keeps working: the command line lives in entry/cli.py."""

from __future__ import annotations

from entry.cli import main

raise SystemExit(main())
