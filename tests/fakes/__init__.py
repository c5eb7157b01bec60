"""In-memory unit of work for service unit tests: same Protocols, same semantics, no I/O.

Semantics kept from storage/: adds fill ids and created_at (updated_at is the time of the write),
messages get seq 1, 2, … per session, get() raises NotFound, lists are ordered like the SQL ones,
and everything stored is copied in and out (like detached rows). Unique values, primary and foreign
keys are enforced (FakeIntegrityError; AlreadyExists for a webhook event's dedupe key, as storage
raises it), and after a refused write the unit of work only rolls back (FakePendingRollback), as a
session after a failed flush does. Leaving `with` without commit() restores the state of the last
commit, and `committed` records that commit() was called. tests/integration/storage/test_fake_contract.py
checks the fake against the databases.
"""

from __future__ import annotations

from tests.fakes.base import FakeDatabaseError, FakeIntegrityError, FakePendingRollback
from tests.fakes.unit_of_work import FakeUnitOfWork

__all__ = ["FakeDatabaseError", "FakeIntegrityError", "FakePendingRollback", "FakeUnitOfWork"]
