"""Hybrid search latency at 100k or a million chunks (query embedding excluded), ANN recall@10,
filtered search, halfvec against vector, and the disk a million chunks take.

    .venv/bin/python bench/search.py [--chunks 1000000] [--queries 200] [--rebuild] [--halfvec]

``--halfvec`` also builds an HNSW index over ``embedding::halfvec(384)`` (half the bytes per
vector) and compares its recall@10 and latency with the ``vector`` index, dense side only, on the
same rows, so the storage decision rests on a measurement.

The corpus is synthetic and deterministic, shaped like real embeddings: the mean and covariance
of this server's embedder over ~800 real passages (Debian's English and French manual pages, as
bench/retrieval.py reads them; computed once, kept in var/bench/) define 200 cluster centres
(70 % of the variance) and the spread around them (30 %). Real embeddings are anisotropic and
low in intrinsic dimension; isotropic noise in 384 dimensions (what this bench drew before)
is a worst case no embedder produces, and made recall look much lower than it is (0.775 at
ef_search 200). Texts mix French and English words with a Zipf distribution so that frequent
words ("de", "the") match more than half of the chunks. Data is bulk-loaded with COPY and the
HNSW index is rebuilt afterwards, as one would for a large import. Recall@10 compares the HNSW
candidates (with the settings the search uses, and other ef_search values) with an exact scan.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time

import numpy as np
from common import ROOT, setup_django, summary

SLUG = "bench-search"
DIM = 384
CLUSTERS = 200
WORDS = (
    "de la le et les des en un une du est pour que dans qui sur avec par au plus the of and to in is "
    "for that with on as by at from this be are or was"
).split()
RARE = [f"mot{n}" for n in range(3000)] + [f"word{n}" for n in range(3000)]


def zipf_text(rng: random.Random, length: int) -> str:
    out = []
    for _ in range(length):
        if rng.random() < 0.55:
            out.append(WORDS[min(int(rng.paretovariate(1.2)) - 1, len(WORDS) - 1)])
        else:
            out.append(rng.choice(RARE))
    return " ".join(out)


STATISTICS = ROOT / "var" / "bench" / "embedding-statistics.json"
CENTRE_SHARE = 0.7  # of the real variance between cluster centres; the rest within clusters


def real_statistics(passages: int = 800) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance of real passage embeddings by this server's embedder (cached)."""
    if STATISTICS.exists():
        data = json.loads(STATISTICS.read_text())
        return np.array(data["mean"]), np.array(data["covariance"])
    from retrieval import build_set

    from vectorstores.embeddings import get_embedder

    documents, _ = build_set(300, 1500)
    texts = [
        f"{section['title']}: {section['text']}"
        for document in documents
        for section in document["document"]["sections"]
    ]
    texts = random.Random(5).sample(texts, min(passages, len(texts)))
    started = time.perf_counter()
    vectors = get_embedder().embed_passages(texts)
    print(f"embedded {len(texts)} real passages in {time.perf_counter() - started:.0f} s")
    mean, covariance = vectors.mean(axis=0), np.cov(vectors, rowvar=False)
    STATISTICS.parent.mkdir(parents=True, exist_ok=True)
    STATISTICS.write_text(json.dumps({"mean": mean.tolist(), "covariance": covariance.tolist()}))
    return mean, covariance


class VectorModel:
    """Draws vectors around cluster centres with the real embeddings' mean and covariance."""

    def __init__(self) -> None:
        mean, covariance = real_statistics()
        self.factor = np.linalg.cholesky(covariance + 1e-6 * np.eye(len(mean)))
        generator = np.random.default_rng(1)
        self.centres = mean + np.sqrt(CENTRE_SHARE) * generator.normal(size=(CLUSTERS, DIM)) @ self.factor.T

    def draw(self, generator: np.random.Generator, cluster_of: np.ndarray) -> np.ndarray:
        spread = np.sqrt(1 - CENTRE_SHARE) * generator.normal(size=(len(cluster_of), DIM)) @ self.factor.T
        vectors = self.centres[cluster_of] + spread
        return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def build(chunks: int) -> None:
    from django.db import connection

    from vectorstores.models import VectorStore

    VectorStore.objects.filter(slug=SLUG).delete()
    store = VectorStore.objects.create(
        slug=SLUG, title="bench", embedding_model="bench", text_configs=["simple"]
    )
    rng = random.Random(3)
    generator = np.random.default_rng(2)
    model = VectorModel()
    docs = chunks // 10
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS chunk_embedding_hnsw")
        cursor.execute("DROP INDEX IF EXISTS bench_chunk_embedding_halfvec_hnsw")
        cursor.execute(
            "INSERT INTO vectorstores_document (store_id, doc_id, document, text, metadata, chunk_count, "
            "created_at, updated_at, language) SELECT %s, 'doc-' || n, '{}'::jsonb, '', "
            "jsonb_build_object('lang', CASE WHEN n %% 2 = 0 THEN 'fr' ELSE 'en' END, 'topic', 't' || (n %% 100)), "
            "10, now(), now(), 'simple' "
            "FROM generate_series(0, %s - 1) n",
            [store.pk, docs],
        )
        cursor.execute("SELECT doc_id, id FROM vectorstores_document WHERE store_id = %s", [store.pk])
        doc_pk = dict(cursor.fetchall())
        raw = cursor.cursor
        with raw.copy(
            "COPY vectorstores_chunk (store_id, document_id, doc_id, chunk_index, text, content, language, "
            "source, embedding, metadata, filterable, term_count, created_at, updated_at) FROM STDIN"
        ) as copy:
            for n in range(chunks):
                if n % 10_000 == 0:
                    block = model.draw(generator, np.arange(n, n + 10_000) % CLUSTERS)
                doc = f"doc-{n // 10}"
                literal = "[" + ",".join(f"{x:.5f}" for x in block[n % 10_000]) + "]"
                metadata = {"doc_id": doc, "store": SLUG, "chunk_index": n % 10}
                filterable = {
                    **metadata,
                    "lang": "fr" if (n // 10) % 2 == 0 else "en",
                    "topic": f"t{(n // 10) % 100}",
                }
                copy.write_row(
                    (
                        store.pk,
                        doc_pk[doc],
                        doc,
                        n % 10,
                        text := zipf_text(rng, 40),
                        text,
                        "simple",
                        "{}",
                        literal,
                        json.dumps(metadata),
                        json.dumps(filterable),
                        0,
                        "now",
                        "now",
                    )
                )
        print(f"loaded {chunks} chunks in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        # Each row's tsv and term_count were computed as COPY wrote it (the chunk trigger).
        cursor.execute(
            "INSERT INTO vectorstores_term (store_id, term, df) SELECT %s, lexeme, count(*) "
            "FROM vectorstores_chunk c, unnest(tsvector_to_array(c.tsv)) lexeme WHERE c.store_id = %s "
            "GROUP BY lexeme",
            [store.pk, store.pk],
        )
        cursor.execute(
            "UPDATE vectorstores_vectorstore SET chunk_count = %s, total_terms = "
            "(SELECT sum(term_count) FROM vectorstores_chunk WHERE store_id = %s) WHERE id = %s",
            [chunks, store.pk, store.pk],
        )
        print(f"term statistics in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        # The whole graph fits in memory at a million 384-d vectors (~2 GB): a build that spills
        # to disk is several times slower.
        cursor.execute("SET maintenance_work_mem = '4GB'")
        cursor.execute("SET max_parallel_maintenance_workers = 2")
        cursor.execute(
            "CREATE INDEX chunk_embedding_hnsw ON vectorstores_chunk USING hnsw (embedding vector_cosine_ops) "
            "WITH (m = 16, ef_construction = 64)"
        )
        print(f"HNSW index built in {time.perf_counter() - started:.0f} s")


def vacuum() -> None:
    from django.db import connection

    # A million fresh rows: without this, autovacuum (and hint-bit writes) run during the timings.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE vectorstores_chunk")
        cursor.execute("VACUUM ANALYZE vectorstores_term")


def queries(count: int) -> list[tuple[str, np.ndarray, str]]:
    rng = random.Random(11)
    vectors = VectorModel().draw(
        np.random.default_rng(12), np.array([rng.randrange(CLUSTERS) for _ in range(count)])
    )
    out = []
    for n, vector in enumerate(vectors):
        if n % 2 == 0:
            text, kind = " ".join(rng.sample(WORDS[:6], 3)), "frequent"
        else:
            text, kind = f"{rng.choice(RARE)} {rng.choice(WORDS[:3])} {rng.choice(RARE)}", "mixed"
        out.append((text, vector, kind))
    return out


def ann_ids(
    sql: str, literal: str, store_pk: int, *, exact: bool = False, ef_search: int | None = None
) -> tuple[set[int], float]:
    from django.db import connection, transaction

    from vectorstores.search import DENSE_MIN_CANDIDATES, ef_search_for

    with transaction.atomic(), connection.cursor() as cursor:
        if exact:
            cursor.execute("SET LOCAL enable_indexscan = off")
        else:
            cursor.execute(
                "SET LOCAL hnsw.ef_search = %s", [ef_search or ef_search_for(DENSE_MIN_CANDIDATES)]
            )
            cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
        started = time.perf_counter()
        cursor.execute(sql, [store_pk, literal])
        ids = {row[0] for row in cursor.fetchall()}
        return ids, time.perf_counter() - started


VECTOR_SQL = (
    "SELECT id FROM vectorstores_chunk WHERE store_id = %s ORDER BY embedding <=> %s::vector LIMIT 10"
)
HALFVEC_SQL = (
    f"SELECT id FROM vectorstores_chunk WHERE store_id = %s "
    f"ORDER BY embedding::halfvec({DIM}) <=> %s::halfvec({DIM}) LIMIT 10"
)


_EXACT: dict[str, set[int]] = {}


def recall_at_10(
    store_pk: int, vectors: list[np.ndarray], *, sql: str = VECTOR_SQL, ef_search: int | None = None
) -> tuple[float, list[float]]:
    """Recall@10 of the ANN index that ``sql`` uses against an exact scan (float32), and its timings."""
    from vectorstores.search import vector_literal

    hits, timings = [], []
    for vector in vectors:
        literal = vector_literal(vector)
        approximate, elapsed = ann_ids(sql, literal, store_pk, ef_search=ef_search)
        if literal not in _EXACT:
            _EXACT[literal] = ann_ids(VECTOR_SQL, literal, store_pk, exact=True)[0]
        hits.append(len(approximate & _EXACT[literal]) / 10)
        timings.append(elapsed)
    return statistics.mean(hits), timings


def halfvec_index() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'bench_chunk_embedding_halfvec_hnsw'")
        if cursor.fetchone():
            return
        started = time.perf_counter()
        cursor.execute("SET maintenance_work_mem = '4GB'")
        cursor.execute("SET max_parallel_maintenance_workers = 2")
        cursor.execute(
            f"CREATE INDEX bench_chunk_embedding_halfvec_hnsw ON vectorstores_chunk "
            f"USING hnsw ((embedding::halfvec({DIM})) halfvec_cosine_ops) WITH (m = 16, ef_construction = 64)"
        )
        print(f"halfvec HNSW index built in {time.perf_counter() - started:.0f} s")


def disk_report(chunks: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c "
            "WHERE c.relname = 'vectorstores_chunk' OR c.oid IN "
            "(SELECT indexrelid FROM pg_index WHERE indrelid = 'vectorstores_chunk'::regclass) "
            "ORDER BY 2 DESC"
        )
        rows = cursor.fetchall()
        cursor.execute("SELECT pg_total_relation_size('vectorstores_chunk')")
        total = cursor.fetchone()[0]
    scale = 1_000_000 / max(chunks, 1)
    print("disk (all stores' chunks; per million chunks of this store's shape):")
    for name, size in rows:
        print(f"  {name:45s} {size / 2**20:9.0f} MiB  ({size * scale / 2**30:.2f} GiB per million)")
    print(
        f"  {'total with TOAST':45s} {total / 2**20:9.0f} MiB  ({total * scale / 2**30:.2f} GiB per million)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--halfvec", action="store_true", help="compare a halfvec HNSW index")
    parser.add_argument(
        "--ef-search", type=int, nargs="*", default=[100, 200, 800], help="other ef_search values to measure"
    )
    args = parser.parse_args()
    setup_django()
    from vectorstores.models import VectorStore
    from vectorstores.search import hybrid_search

    store = VectorStore.objects.filter(slug=SLUG).first()
    if args.rebuild or store is None or store.chunk_count != args.chunks:
        build(args.chunks)
        vacuum()
    store = VectorStore.objects.get(slug=SLUG)
    workload = queries(args.queries)
    for text, vector, _ in workload[:20]:  # warm the caches
        hybrid_search(store=store, query=text, query_vector=vector, top_k=10)
    timings: dict[str, list[float]] = {"frequent": [], "mixed": []}
    for text, vector, kind in workload:
        started = time.perf_counter()
        hits = hybrid_search(store=store, query=text, query_vector=vector, top_k=10)
        timings[kind].append(time.perf_counter() - started)
        assert len(hits) == 10
    filtered: dict[str, list[float]] = {"half the chunks (lang)": [], "1 % of the chunks (topic)": []}
    short = {"half the chunks (lang)": 0, "1 % of the chunks (topic)": 0}
    for n, (text, vector, _) in enumerate(workload[:100]):
        for label, filters in (
            ("half the chunks (lang)", {"lang": "fr"}),
            ("1 % of the chunks (topic)", {"topic": f"t{n % 100}"}),
        ):
            started = time.perf_counter()
            hits = hybrid_search(
                store=store, query=text, query_vector=vector, top_k=10, metadata_filters=filters
            )
            filtered[label].append(time.perf_counter() - started)
            short[label] += len(hits) < 10
    print(f"store: {store.chunk_count} chunks")
    print(summary("hybrid search, all queries", timings["frequent"] + timings["mixed"]))
    print(summary("hybrid search, frequent-word queries", timings["frequent"]))
    print(summary("hybrid search, rare+frequent queries", timings["mixed"]))
    for label, values in filtered.items():
        print(
            summary(f"hybrid search filtered to {label}", values) + f"  (fewer than 10 hits: {short[label]})"
        )
    vectors = [v for _, v, _ in workload[:100]]
    recall, dense = recall_at_10(store.pk, vectors)
    print(f"ANN recall@10 vs exact search (vector, the search's ef_search): {recall:.3f}")
    print(summary("dense top-10 (vector index)", dense))
    for ef_search in args.ef_search:
        recall, dense = recall_at_10(store.pk, vectors, ef_search=ef_search)
        print(f"  ef_search {ef_search}: recall@10 {recall:.3f}; " + summary("dense top-10", dense))
    if args.halfvec:
        halfvec_index()
        recall, dense = recall_at_10(store.pk, vectors, sql=HALFVEC_SQL)
        print(f"ANN recall@10 vs exact float32 search (halfvec index): {recall:.3f}")
        print(summary("dense top-10 (halfvec index)", dense))
    disk_report(store.chunk_count)


if __name__ == "__main__":
    main()
