"""Persistence: SQLAlchemy tables and repositories, the unit of work, Alembic migrations, files.

Import from the submodules (storage.database, storage.unit_of_work, storage.migrate,
storage.files); this package stays import-light so pages load fast.
"""

from __future__ import annotations
