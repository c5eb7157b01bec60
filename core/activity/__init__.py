"""The Activity page's log: what happened in the workspace, read from the audit log (core.audit) that every
feature writes. `kinds` sorts actions into what people filter by, `listing` pages through it for one person
(admins see everyone's, others their own), `export` writes it as CSV or JSON, `retention` prunes old entries."""
