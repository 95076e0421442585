"""Hybrid search in one SQL statement: HNSW vector candidates + BM25 full-text candidates.

Scoring (documented in the README):

* ``dense_score`` = cosine similarity ``1 - (embedding <=> query)``.
* ``bm25_score`` = Σ over query terms t of
  ``idf(t) · tf·(k1+1) / (tf + k1·(1 - b + b·len/avglen))`` with
  ``idf(t) = ln(1 + (N - df + 0.5)/(df + 0.5))``, k1 = 0.9, b = 0.4; tf is the term's count in
  the chunk's tsvector, len the chunk's term count, N and avglen the store's chunk count and
  mean length, df from the per-store term table (kept up to date on ingest), plus
  ``PROXIMITY_WEIGHT · idf·(k1+1)`` of the rarer word for each two neighbouring query words
  found within ``PROXIMITY_WINDOW`` positions of each other in the chunk.
* ``score`` = dense_weight · dense_norm + sparse_weight · bm25_norm where
  dense_norm = (dense - min)/(max - min) over the candidates (1 when they are all equal), and
  bm25_norm = bm25 / Σ_t idf(t)·(k1+1), the score a chunk would get by containing every query
  term (absent terms included). A chunk that only shares a stop word with the question thus
  gets a small sparse score, not the full weight, even in a small store.
* Each chunk loses ``SAME_DOCUMENT_PENALTY`` for every better chunk of its document: the list
  spreads over documents (their order by best chunk unchanged), and ``score`` is that value.
* The query is read in each language the store's documents are in (their text search
  configurations, ``vectorstores.language``), and each chunk is scored with the reading in its
  own language only: its terms, their IDF, its normalisation.

Candidates are bounded so that frequent words cannot make a query scan half the store: the
vector side over-fetches from the HNSW index (iterative scan, so filters do not starve it),
the text side takes at most ``SPARSE_PER_TERM`` matches for each of the rarest query terms
(words in more than ``COMMON_SHARE`` of the chunks bring none: their first matches are arbitrary).
Metadata filters are applied inside both candidate queries: a chunk passes when its metadata
merged under its document's metadata (document keys win, ``Chunk.filterable``) contains every
filter pair. A filter that leaves few chunks is answered by an exact scan of those chunks; a
broad one by the HNSW walk checking the filter as it goes (iterative scan).
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection, transaction

from vectorstores.language import SIMPLE, detect
from vectorstores.models import VectorStore
from vectorstores.planner import EXACT_FILTER_MAX, estimated_rows

# The values Anserini uses for passage collections; against the textbook 1.2/0.75 on
# bench/retrieval.py: keyword +0.007 nDCG@10 (English +0.011), hybrid +0.005, positive in every
# mode and language though each 95 % interval still reaches below zero. Chunks are short
# passages: length matters less to them than to whole documents.
K1 = 0.9
B = 0.4
SPARSE_TERMS = 4
SPARSE_PER_TERM = 100
# A word in more than this share of a store's chunks seeds no text candidates once it has more
# matches than SPARSE_PER_TERM: the hundred read would be the first in the table, not the best
# (BM25 cannot order them without reading all), and reading them cost ~3 ms a word at a million
# chunks (bench/search.py). The word still scores every candidate the other words and the
# vectors bring.
COMMON_SHARE = 0.1
DENSE_MIN_CANDIDATES = 40
# hnsw.ef_search floor, measured with bench/search.py on vectors shaped like real embeddings:
# recall@10 0.988 at 100k chunks and 0.967 at a million with 200 (0.977 with 400, for ~3 ms more
# per query and twice the index pages to keep in memory).
EF_SEARCH_MIN = 200
# Added to the score of a chunk in the language the question is asked in, when the store holds
# several: the French page before its English twin for a French question, all else equal.
LANGUAGE_BONUS = 0.05

# Taken off the score of each chunk for every better chunk of the same document before it: a
# document's second passage comes after the best passages of other documents that score within
# this much of it. The order of documents by their best chunk is unchanged; ten results name
# more documents (bench/retrieval.py, counting a document at the position of its first chunk in
# the top ten: hybrid nDCG@10 0.745 -> 0.751).
SAME_DOCUMENT_PENALTY = 0.1

# Two neighbouring words of the question found within PROXIMITY_WINDOW positions of each other in
# a chunk (either order) add PROXIMITY_WEIGHT of the rarer one's full BM25 weight to its text
# score. bench/retrieval.py (600 queries), paired against no proximity: hybrid +0.008
# [+0.004, +0.014], keyword +0.007; the same phrase in the same order only, +0.006 and +0.008;
# weight 0.5 +0.006 hybrid (keyword +0.011), 1.0 -0.002; window 1 +0.001, 5 +0.006; every pair
# of words rather than neighbours +0.006.
PROXIMITY_WEIGHT = 0.25
PROXIMITY_WINDOW = 3
# A long question's strongest pairs only, in each reading: each is checked on every candidate.
PROXIMITY_PAIRS = 8

# How the two scores make one (bench/retrieval.py measures them; "weighted" is the default).
FUSIONS = {
    "weighted": "%(dw)s * n.dense_norm + %(sw)s * n.bm25_norm",
    "weighted_minmax": (
        "%(dw)s * n.dense_norm + %(sw)s * COALESCE((n.bm25_score - min(n.bm25_score) OVER ())"
        " / NULLIF(max(n.bm25_score) OVER () - min(n.bm25_score) OVER (), 0), 0)"
    ),
    "rrf": (
        "%(dw)s / (60.0 + n.dense_rank)"
        " + CASE WHEN n.bm25_score > 0 THEN %(sw)s / (60.0 + n.bm25_rank) ELSE 0 END"
    ),
}


@dataclass(frozen=True)
class SearchHit:
    doc_id: str
    chunk_index: int
    text: str
    metadata: dict[str, Any]
    document_metadata: dict[str, Any]
    dense_score: float
    bm25_score: float
    score: float


def ef_search_for(dense_limit: int) -> int:
    return max(EF_SEARCH_MIN, 2 * dense_limit)


def vector_literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{float(x):.7g}" for x in vector) + "]"


@dataclass(frozen=True)
class QueryTerm:
    config: str  # the text search configuration it was parsed in
    lexeme: str
    idf: float
    df: int
    positions: tuple[int, ...] = ()  # where it stands in the query (stop words counted)


def _query_terms(store: VectorStore, query: str) -> list[QueryTerm]:
    """The query parsed in each configuration the store's documents are indexed with (their
    languages), accents folded as in the index, with IDF and document frequency. A chunk is
    scored with the terms of its own configuration only: an English chunk with the English
    reading of the query, a French one with the French reading."""
    configs = list(dict.fromkeys(store.text_configs or [])) or [store.text_search_config]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.cfg, t.lexeme, t.positions, COALESCE(s.df, 0)
              FROM unnest(%s::text[]) AS c(cfg)
             CROSS JOIN LATERAL unnest(kb_tsvector(c.cfg::regconfig, %s)) AS t
              LEFT JOIN vectorstores_term s ON s.store_id = %s AND s.term = t.lexeme
             ORDER BY 1, 2
            """,
            [configs, query, store.pk],
        )
        rows = cursor.fetchall()
    total = max(store.chunk_count, 1)
    return [
        QueryTerm(
            config=config,
            lexeme=lexeme,
            idf=math.log(1 + (total - df + 0.5) / (df + 0.5)),
            df=df,
            positions=tuple(positions or ()),
        )
        for config, lexeme, positions, df in rows
    ]


@dataclass(frozen=True)
class QueryPair:
    config: str
    near: str  # a tsquery: the two lexemes within PROXIMITY_WINDOW positions, in either order
    weight: float


def _query_pairs(terms: list[QueryTerm]) -> list[QueryPair]:
    """Each two neighbouring words of each reading of the query (at most PROXIMITY_WINDOW apart,
    stop words keeping their place as in the index), to be looked for near each other in a
    chunk, weighed by the rarer word's IDF. "list directory contents" is nearer "lists the
    contents of a directory" than a page where "list" and "contents" meet only far apart."""
    idf = {(term.config, term.lexeme): term.idf for term in terms}
    words = sorted((term.config, at, term.lexeme) for term in terms for at in term.positions)
    pairs: dict[str, dict[str, float]] = {}  # reading -> near query -> weight
    for (config, at, first), (same, then, second) in itertools.pairwise(words):
        if config != same or first == second or then - at > PROXIMITY_WINDOW:
            continue
        a, b = sorted((_quoted(first), _quoted(second)))
        distances = range(1, PROXIMITY_WINDOW + 1)
        near = " | ".join(f"{x} <{d}> {y}" for x, y in ((a, b), (b, a)) for d in distances)
        weight = min(idf[(config, first)], idf[(config, second)])
        reading = pairs.setdefault(config, {})
        reading[near] = max(weight, reading.get(near, 0.0))
    return [
        QueryPair(config=config, near=near, weight=weight)
        for config, reading in pairs.items()
        for near, weight in sorted(reading.items(), key=lambda item: -item[1])[:PROXIMITY_PAIRS]
    ]


def _quoted(lexeme: str) -> str:
    """A lexeme as a tsquery operand, taken as it is (the query was already normalised)."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _query_config(store: VectorStore, query: str) -> str:
    """The language the question is asked in, among the store's (its stop words: "le", "the"),
    or ``simple`` when it does not say (a store in one language, a query of keywords)."""
    configs = [config for config in store.text_configs or [] if config != SIMPLE]
    if len(configs) < 2:
        return SIMPLE
    return detect(query, candidates=configs, min_stop_words=1)


def _seeds(terms: list[QueryTerm], *, chunk_count: int, skip_common: bool = True) -> list[str]:
    """The rarest matching lexemes of each reading of the query, common words left out unless
    ``skip_common`` is false (no vector candidates: the text alone must bring them): where the
    text candidates come from."""
    common = max(SPARSE_PER_TERM, COMMON_SHARE * chunk_count) if skip_common else math.inf
    seeds: dict[str, None] = {}
    for config in dict.fromkeys(term.config for term in terms):
        present = sorted((t for t in terms if t.config == config and 0 < t.df <= common), key=lambda t: t.df)
        seeds.update((t.lexeme, None) for t in present[:SPARSE_TERMS])
    return list(seeds)


def _passing_estimate(store: VectorStore, filters: dict[str, Any]) -> int:
    """How many chunks pass ``filters``, as PostgreSQL estimates it from its statistics on
    ``filterable`` (a millisecond; counting would read them all). A small store: all of them.

    The store is named inside the containment (every chunk's filterable metadata holds its
    store's slug) rather than as ``store_id = …``: the planner multiplies the selectivities of
    two conditions as if they were independent, so a store holding a third of the table had
    its filters estimated at a third of the truth (test_planner_statistics)."""
    if store.chunk_count <= EXACT_FILTER_MAX:
        return store.chunk_count
    within = json.dumps({"store": store.slug, **filters})
    return min(
        estimated_rows("SELECT 1 FROM vectorstores_chunk WHERE filterable @> %s::jsonb", [within]),
        store.chunk_count,
    )


def hybrid_search(
    *,
    store: VectorStore,
    query: str,
    query_vector: np.ndarray | None,
    top_k: int = 5,
    metadata_filters: dict[str, Any] | None = None,
    dense_weight: float = 0.5,
    sparse_weight: float = 0.5,
    fusion: str = "weighted",
    language_bonus: float = LANGUAGE_BONUS,
    same_document_penalty: float = SAME_DOCUMENT_PENALTY,
    proximity_weight: float = PROXIMITY_WEIGHT,
) -> list[SearchHit]:
    with transaction.atomic():  # a savepoint: a failing config must not break the caller's transaction
        terms = _query_terms(store, query)
        pairs = _query_pairs(terms) if proximity_weight else []
        query_config = _query_config(store, query) if language_bonus else SIMPLE
    seeds = _seeds(terms, chunk_count=store.chunk_count, skip_common=query_vector is not None)
    dense_limit = max(DENSE_MIN_CANDIDATES, 4 * top_k)
    avg_len = (store.total_terms / store.chunk_count) if store.chunk_count else 1.0
    # Chunks written before languages existed have none: they were indexed in this one.
    fallback_config = (list(store.text_configs or []) or [store.text_search_config])[0]

    filters = json.dumps(metadata_filters) if metadata_filters else None
    few = bool(metadata_filters) and _passing_estimate(store, metadata_filters) <= EXACT_FILTER_MAX
    if few:  # found through the GIN index on filterable, then compared one by one
        filter_sql = "AND c.filterable @> %(filters)s::jsonb"
    elif filters:  # checked on each chunk the HNSW walk or the text index yields ("IS TRUE": not
        # through the GIN index, whose bitmap of half the store costs more than the walk)
        filter_sql = "AND (c.filterable @> %(filters)s::jsonb) IS TRUE"
    else:
        filter_sql = ""
    params: dict[str, Any] = {
        "store": store.pk,
        "vec": vector_literal(query_vector) if query_vector is not None else None,
        "dense_limit": dense_limit,
        "per_term": SPARSE_PER_TERM,
        "configs": [t.config for t in terms],
        "terms": [t.lexeme for t in terms],
        "idfs": [t.idf for t in terms],
        "fallback": fallback_config,
        "k1": K1,
        "b": B,
        "avg_len": max(avg_len, 1e-9),
        "dw": dense_weight,
        "sw": sparse_weight,
        "top_k": top_k,
        "filters": filters,
        "query_cfg": query_config,
        "same_doc": same_document_penalty,
        "lb": language_bonus if query_config != SIMPLE else 0.0,
        "pair_cfgs": [pair.config for pair in pairs],
        "nears": [pair.near for pair in pairs],
        "pair_weights": [proximity_weight * pair.weight * (K1 + 1) for pair in pairs],
    }
    sparse_parts = []
    frequency = {term.lexeme: term.df for term in terms}
    # Reading 100·N/df rows (~3 µs each) costs less than a df-entry bitmap (~0.17 µs an entry)
    # once df > ~40·√N; PostgreSQL's estimate of how many chunks pass is too coarse to use here.
    scan_above = 40 * math.sqrt(max(store.chunk_count, 1))
    for position, lexeme in enumerate(seeds):
        params[f"t{position}"] = lexeme
        match = f"c.tsv @@ quote_literal(%(t{position})s)::tsquery"
        if few and frequency[lexeme] > scan_above:
            # A frequent word: read the filter's chunks and check the word (the first hundred
            # come after ~100·N/df rows) rather than build the word's bitmap to intersect
            # (60 ms for a word in a third of a million chunks; bench/search.py).
            match = f"({match}) IS TRUE"
        sparse_parts.append(
            f"(SELECT c.id FROM vectorstores_chunk c WHERE c.store_id = %(store)s "
            f"AND {match} {filter_sql} LIMIT %(per_term)s)"
        )
    sparse_sql = " UNION ".join(sparse_parts) if sparse_parts else "SELECT NULL::bigint AS id WHERE false"

    # No query vector (the store is moving to another embedder): the full text alone.
    # With few chunks passing, "+ 0" keeps the planner off the HNSW index: an exact scan of them.
    exact = " + 0" if few else ""
    dense_sql = (
        f"""SELECT c.id FROM vectorstores_chunk c
             WHERE c.store_id = %(store)s {filter_sql}
             ORDER BY (c.embedding <=> %(vec)s::vector){exact}
             LIMIT %(dense_limit)s"""
        if query_vector is not None
        else "SELECT NULL::bigint AS id WHERE false"
    )
    dense_score = "1 - (c.embedding <=> %(vec)s::vector)" if query_vector is not None else "0::float8"
    sql = f"""
        WITH dense AS ({dense_sql}),
        sparse AS ({sparse_sql}),
        candidates AS (SELECT id FROM dense UNION SELECT id FROM sparse),
        idf AS (
            SELECT * FROM unnest(%(configs)s::text[], %(terms)s::text[], %(idfs)s::float8[])
                       AS i(cfg, term, weight)
        ),
        pairs AS (
            SELECT cfg, near::tsquery AS near, weight
              FROM unnest(%(pair_cfgs)s::text[], %(nears)s::text[], %(pair_weights)s::float8[])
                   AS p(cfg, near, weight)
        ),
        best AS (SELECT cfg, sum(weight) * (%(k1)s + 1) AS possible FROM idf GROUP BY cfg),
        scored AS MATERIALIZED (
            SELECT c.id, c.doc_id, c.chunk_index, c.document_id,
                   COALESCE(NULLIF(c.language, ''), %(fallback)s) AS cfg,
                   {dense_score} AS dense_score,
                   COALESCE((
                       SELECT sum(i.weight * (tf.n * (%(k1)s + 1))
                                  / (tf.n + %(k1)s * (1 - %(b)s + %(b)s * c.term_count / %(avg_len)s)))
                         -- only the query's lexemes, picked in C (weight A) rather than joined
                         -- from every lexeme of the chunk: a tenth of a query on long chunks
                         FROM unnest(ts_filter(setweight(setweight(c.tsv, 'D'), 'A', %(terms)s::text[]),
                                               '{{a}}')) AS u
                         JOIN idf i ON i.term = u.lexeme
                                   AND i.cfg = COALESCE(NULLIF(c.language, ''), %(fallback)s)
                         CROSS JOIN LATERAL (SELECT coalesce(array_length(u.positions, 1), 1)::float8 AS n) tf
                   ), 0) + COALESCE((
                       SELECT sum(p.weight) FROM pairs p
                        WHERE p.cfg = COALESCE(NULLIF(c.language, ''), %(fallback)s) AND c.tsv @@ p.near
                   ), 0) AS bm25_score
              FROM candidates JOIN vectorstores_chunk c ON c.id = candidates.id
        ),
        normalised AS (
            SELECT s.*,
                   COALESCE((s.dense_score - min(s.dense_score) OVER ())
                            / NULLIF(max(s.dense_score) OVER () - min(s.dense_score) OVER (), 0), 1)
                     AS dense_norm,
                   s.bm25_score / COALESCE(NULLIF(b.possible, 0), 1) AS bm25_norm,
                   row_number() OVER (ORDER BY s.dense_score DESC) AS dense_rank,
                   row_number() OVER (ORDER BY s.bm25_score DESC) AS bm25_rank
              FROM scored s LEFT JOIN best b ON b.cfg = s.cfg
        ),
        fused AS (
            SELECT n.*, {FUSIONS[fusion]} + CASE WHEN n.cfg = %(query_cfg)s THEN %(lb)s ELSE 0 END AS score
              FROM normalised n
        ),
        spread AS (
            SELECT f.*,
                   f.score - %(same_doc)s * (row_number() OVER (
                       PARTITION BY f.document_id
                       ORDER BY f.score DESC, f.dense_score DESC, f.chunk_index) - 1) AS ranked_score
              FROM fused f
        )
        SELECT s.doc_id, s.chunk_index, c.text, c.metadata, d.metadata, s.dense_score, s.bm25_score,
               s.ranked_score
          FROM spread s
          JOIN vectorstores_chunk c ON c.id = s.id
          JOIN vectorstores_document d ON d.id = s.document_id
         ORDER BY s.ranked_score DESC, s.dense_score DESC, s.doc_id, s.chunk_index
         LIMIT %(top_k)s
    """
    with transaction.atomic(), connection.cursor() as cursor:
        # SET LOCAL: the index search settings apply to this query's transaction only.
        cursor.execute("SET LOCAL hnsw.ef_search = %s", [ef_search_for(dense_limit)])
        cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        SearchHit(
            doc_id=row[0],
            chunk_index=row[1],
            text=row[2],
            metadata=_json(row[3]),
            document_metadata=_json(row[4]),
            dense_score=float(row[5]),
            bm25_score=float(row[6]),
            score=float(row[7]),
        )
        for row in rows
    ]


def _json(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else json.loads(value)
