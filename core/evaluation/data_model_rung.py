"""Which rung of the rubric's data-model ladder a candidate reached, read rung by rung.

Topic credit rewards a well-argued database choice as much as a schema; graders read the descriptors as a ladder
instead: a store named, then entities with a store and a reason, then keys and indexes for the main queries, then a
model driven by the queries and the scale with the store's trade-offs. "Cassandra, because it scales" with nothing
stored in it stays near the bottom however well the choice is argued.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KEYS = re.compile(
    r"\b(?:primary key|partition(?:ed)? (?:key|by|on)|sort key|clustering (?:key|column)|range key|hash key"
    r"|keyed (?:by|on)|(?:the )?key is|keys? (?:by|on)|index(?:es|ed)? (?:on|by)|secondary index"
    r"|unique (?:constraint|index)|composite key|compound key|shard(?:ed)? (?:by|on)|(?:row|document) per)\b",
    re.IGNORECASE,
)
"""How rows are found: the keys and indexes the main queries need."""
ACCESS = re.compile(
    r"\b(?:quer(?:y|ies)|look ?ups?|looked up|access pattern|reads? (?:by|of)|fetch(?:es|ed)? (?:by|all|the)"
    r"|range scans?|scans?|latest|most recent|ordered by|sorted by|in order"
    r"|per (?:user|conversation|event|key|entity))\b",
    re.IGNORECASE,
)
"""The queries a model serves, named beside its keys."""
IN_MEMORY_STORES = re.compile(
    r"\b(?:redis|memcached|elasticsearch|opensearch|etcd|zookeeper|parquet|sorted sets?|hash(?:es)? per)\b", re.I
)
"""Stores the rubric's database phrases leave out, whose key layout is the data model of a limiter or a live index."""


@dataclass(frozen=True)
class ModelEvidence:
    """What the candidate said about storing the data, counted over the whole interview."""

    store: bool  # a kind of store or a database named for this system's data
    entities: bool  # the main entities or their fields described
    justified: bool  # the store or the model given a reason
    keys: bool  # keys or indexes stated for finding the rows
    queries: bool  # the queries the keys serve named with them
    tradeoff: bool  # what the store choice costs, weighed
    scale: bool  # sizes put on the data (rows, bytes, partitions)


def rung(e: ModelEvidence) -> float:
    """The rubric's levels 1-5 for the data model, with a half step for a rung half climbed."""
    if not (e.store or e.entities or e.keys):
        return 1.0  # no data model or storage choice
    if not e.keys:
        if e.store and e.entities:
            return 3.0 if e.justified else 2.5  # entities and a store, with a partial justification
        return 2.5 if e.entities else 2.0  # names a database without saying what goes in it
    if not (e.queries and e.justified):
        return 3.5  # keys, but not argued from the queries they serve
    return 4.0 + 0.5 * e.tradeoff + 0.5 * e.scale  # keys for the main queries; then driven by scale, trade-offs


def model_note(e: ModelEvidence) -> str:
    """What kept the data model off the next rung, in the report's words; empty at the top or with no model at all."""
    if not (e.store or e.entities or e.keys) or rung(e) == 5.0:
        return ""
    parts = []
    if not e.keys:
        parts.append("No keys or indexes said for finding the rows.")
    elif not e.queries:
        parts.append("Keys given without the queries they serve.")
    if not e.justified:
        parts.append("The store was not argued from how the data is read and written.")
    elif e.keys and e.queries and not e.tradeoff:
        parts.append("What the store choice costs was not weighed.")
    return " ".join(parts) + " " if parts else ""
