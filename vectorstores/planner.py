"""Keeping PostgreSQL's idea of a store's size close to the truth after ingest.

Search plans depend on how many chunks the planner believes a store has: believing a store
holds a handful, it reads all of the store's chunks once per query word instead of intersecting
the word's full-text index entries with the store's (bench/retrieval.py, 3,372 chunks beside a
store of a million: search p50 44 ms before ANALYZE, 23 ms after). Autovacuum re-analyses a
table once a tenth of it has changed, which for a small store sharing the table with a large one
may be never. So after each ingest the planner's estimate for the store is compared with the
store's real count (an EXPLAIN, about a millisecond) and the table's ``store_id`` statistics
are refreshed when they are far off.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import connection

# Re-analyse once the store holds more than this many times the chunks the planner believes,
# and at least STALE_MIN_CHUNKS more (below that, any plan is fast).
STALE_FACTOR = 2.0
STALE_MIN_CHUNKS = 200
# A filter that leaves at most this many chunks is searched exactly over those chunks (found
# through the GIN index on ``Chunk.filterable``) instead of through the HNSW graph: at a million
# chunks, a filter keeping 1 % made the graph walk visit thousands of tuples to find the 40 that
# pass (bench/search.py). Here because the statistics refresh needs it too (vectorstores.search).
EXACT_FILTER_MAX = 50_000


def estimated_rows(sql: str, params: list[Any]) -> int:
    """How many rows PostgreSQL expects ``sql`` to return, from its statistics (no rows read)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def store_chunk_estimate(*, store_id: int) -> int:
    """How many chunks the planner believes ``store_id`` has."""
    return estimated_rows("SELECT 1 FROM vectorstores_chunk WHERE store_id = %s", [store_id])


def store_statistics_refresh(*, store_id: int, chunk_count: int) -> bool:
    """ANALYZE the chunk table's ``store_id`` column when the planner's estimate for the store is
    stale, and its ``filterable`` column too when the store is large enough for searches to plan
    by how many chunks a filter keeps; returns whether it did."""
    estimate = store_chunk_estimate(store_id=store_id)
    if chunk_count <= max(STALE_FACTOR * estimate, estimate + STALE_MIN_CHUNKS):
        return False
    # Only the columns plans need: the sample is read either way, store_id's statistics are
    # cheap. filterable's (1,000 histogram entries, migration 0010) take a sample ten times
    # larger, ~2.5 s beside a million chunks; a store of at most EXACT_FILTER_MAX chunks never
    # asks for that estimate (every filter is answered by an exact scan), and a larger one gets
    # here once each time it doubles. Without it, a new large store's filter values are absent
    # from the histogram until autovacuum, each filter is believed to keep a handful of chunks,
    # and a filter keeping half of the store is answered by comparing every chunk it keeps.
    columns = "store_id, filterable" if chunk_count > EXACT_FILTER_MAX else "store_id"
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE vectorstores_chunk ({columns})")
    return True
