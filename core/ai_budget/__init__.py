"""The month's AI budget (`llm_budget` in config): `spend` adds up what the LLM providers cost this month, for
the workspace and for one person, from the token usage every model call records; `guard` is asked before a
model is called and, once a limit is reached, says so in a sentence while the offline engine answers."""
