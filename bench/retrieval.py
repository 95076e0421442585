"""Retrieval quality on a labelled bilingual set: Debian's manual pages, in English and French.

    sudo apt-get install manpages-fr     # once: the French pages (Debian's manpages-l10n)
    .venv/bin/python bench/retrieval.py [--pairs 300] [--max-chars 1500] [--modes hybrid,dense,keyword] [--rest]

The set (built once into var/bench/manpages-*.json): every manual page that Debian ships in both
languages on this machine (the English page from the package that owns the command, the French
translation from ``manpages-fr``), the first ``--pairs`` in name order. Each page becomes one
JSON document — ``{"name", "sections": [{"title", "text"}, …]}``, its NAME section removed — and
one query: the page's own one-line description from that NAME section ("ls - list directory
contents" → "list directory contents"; "Afficher le contenu de répertoires"), written by the
page's authors and translators, not here. A query's one relevant document is its own page in its
own language; the other language's page is a distractor like any other.

Documents go through the project's own ingestion into the store ``bench-retrieval`` (rebuilt when
the chunk text or the store's settings change); queries through the same search the REST API
runs. Prints nDCG@10, Recall@10, Recall@50 and MRR@10 per language and per mode, and the search
latency; ``--rest`` asks the same queries through the REST API as well (the same ranks are
expected), timed as a client sees them, query embedding included. About a quarter of Debian's French pages are translated only in part (whole sections
left in English); each mode also reports the English/French gap over the pairs whose French page
is translated throughout, so that what the set lacks is not read as what the search lacks.
Passage embeddings are cached in var/bench/ by (model, text), so only changed texts are
embedded again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import statistics
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from common import ROOT, percentile, setup_django

MAN = Path("/usr/share/man")
CACHE = ROOT / "var" / "bench"
STORE = "bench-retrieval"
SECTIONS = ("man1", "man5", "man7", "man8")
CONFIGS = {"en": "english", "fr": "french"}
MODES = {"hybrid": (0.5, 0.5), "dense": (1.0, 0.0), "keyword": (0.0, 1.0)}


def render(path: Path) -> str:
    """A manual page as plain text (man's own renderer, no hyphenation or justification)."""
    result = subprocess.run(
        ["man", "-E", "UTF-8", "--nh", "--nj", "-l", str(path)],
        capture_output=True,
        env={**os.environ, "MANWIDTH": "2000", "MAN_KEEP_FORMATTING": "0", "LANG": "C.UTF-8"},
        timeout=30,
    )
    text = result.stdout.decode("utf-8", errors="replace")
    return re.sub(r".\x08", "", text)  # overstrike (bold, underline) left by the renderer


def parse(text: str) -> tuple[str, list[dict[str, str]]]:
    """(description from NAME, the other sections) of a rendered page."""
    sections: list[dict[str, str]] = []
    for line in text.splitlines():
        if line and not line[0].isspace() and line.strip() == line.strip().upper() and len(line) < 60:
            sections.append({"title": line.strip(), "text": ""})
        elif sections and line.strip():
            sections[-1]["text"] += (" " if sections[-1]["text"] else "") + line.strip()
    if len(sections) < 2 or " - " not in sections[0]["text"]:
        return "", []
    description = sections[0]["text"].split(" - ", 1)[1].strip()
    return description, [s for s in sections[1:] if s["text"]]


def build_set(pairs: int, max_chars: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    cache = CACHE / f"manpages-{pairs}-{max_chars}.json"
    if cache.exists():
        data = json.loads(cache.read_text())
        return data["documents"], data["queries"]
    french = sorted(
        path
        for section in SECTIONS
        for path in (MAN / "fr" / section).glob("*.gz")
        if (MAN / section / path.name).exists()
    )
    if not french:
        raise SystemExit("No French manual pages: sudo apt-get install manpages-fr")
    documents: list[dict[str, Any]] = []
    queries: list[dict[str, Any]] = []
    for fr_path in french:
        if len(queries) >= 2 * pairs:
            break
        page = fr_path.name.removesuffix(".gz")
        parsed = {}
        for language, path in (("en", MAN / fr_path.parent.name / fr_path.name), ("fr", fr_path)):
            description, sections = parse(render(path))
            if len(description.split()) < 2 or not sections:
                break
            kept, size = [], 0
            for section in sections:
                if size >= max_chars:
                    break
                kept.append({"title": section["title"], "text": section["text"][: max_chars - size]})
                size += len(kept[-1]["text"])
            parsed[language] = (description, kept)
        if len(parsed) < 2:
            continue
        for language, (description, kept) in parsed.items():
            doc_id = f"{language}/{page}"
            documents.append(
                {"doc_id": doc_id, "language": language, "document": {"name": page, "sections": kept}}
            )
            queries.append({"query": description, "language": language, "relevant": doc_id})
    CACHE.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps({"documents": documents, "queries": queries}, ensure_ascii=False))
    return documents, queries


class CachedEmbedder:
    """The active embedder, with passage vectors kept on disk by (model, text)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.path = CACHE / f"vectors-{hashlib.sha1(inner.model_id.encode()).hexdigest()[:10]}.npz"
        self.vectors: dict[str, np.ndarray] = {}
        if self.path.exists():
            with np.load(self.path) as saved:
                self.vectors = dict(zip(saved["keys"].tolist(), saved["vectors"], strict=True))
        self.encoded = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        keys = [hashlib.sha1(text.encode()).hexdigest() for text in texts]
        missing = [text for key, text in zip(keys, texts, strict=True) if key not in self.vectors]
        if missing:
            fresh = self.inner.embed_passages(missing)
            self.encoded += len(missing)
            for text, vector in zip(missing, fresh, strict=True):
                self.vectors[hashlib.sha1(text.encode()).hexdigest()] = vector
        return np.stack([self.vectors[key] for key in keys]) if keys else np.zeros((0, self.inner.dimensions))

    def save(self) -> None:
        keys = list(self.vectors)
        np.savez(self.path, keys=np.array(keys), vectors=np.stack([self.vectors[k] for k in keys]))


def ingest(
    documents: list[dict[str, Any]], embedder: CachedEmbedder, *, given_language: bool = True
) -> float:
    """Into a fresh store; each document's language given in its metadata, or left to detection."""
    from vectorstores.ingestion import documents_ingest
    from vectorstores.models import VectorStore

    VectorStore.objects.filter(slug=STORE).delete()
    started = time.perf_counter()
    documents_ingest(
        store_slug=STORE,
        documents=(
            (d["doc_id"], d["document"], {"language": d["language"]} if given_language else {})
            for d in documents
        ),
    )
    embedder.save()
    return time.perf_counter() - started


def ndcg_at_10(rank: int | None) -> float:
    return 1 / math.log2(rank + 1) if rank is not None and rank <= 10 else 0.0


def weights_for(mode: str, hybrid_weight: float) -> tuple[float, float]:
    """(dense, sparse) weights of a mode; hybrid's from ``--dense-weight``."""
    return (hybrid_weight, 1 - hybrid_weight) if mode == "hybrid" else MODES[mode]


def record(per_language: dict[str, list[int | None]], query: dict[str, Any], doc_ids: list[str]) -> None:
    """The rank of the query's relevant document among the results' documents (best chunk first)."""
    ranked = list(dict.fromkeys(doc_ids))
    rank = ranked.index(query["relevant"]) + 1 if query["relevant"] in ranked else None
    per_language.setdefault(query["language"], []).append(rank)
    per_language.setdefault("all", []).append(rank)


def evaluate(
    queries: list[dict[str, Any]],
    mode: str,
    fusion: str,
    hybrid_weight: float,
    language_bonus: float | None,
    same_document_penalty: float | None,
    proximity_weight: float | None = None,
) -> dict[str, Any]:
    from vectorstores.embeddings import get_embedder
    from vectorstores.models import VectorStore
    from vectorstores.search import hybrid_search

    store = VectorStore.objects.get(slug=STORE)
    dense_weight, sparse_weight = weights_for(mode, hybrid_weight)
    embedder = get_embedder()
    per_language: dict[str, list[int | None]] = {}
    latencies = []
    positions: list[int | None] = []  # the relevant document's first chunk among the first ten results
    options = {} if language_bonus is None else {"language_bonus": language_bonus}
    if same_document_penalty is not None:
        options["same_document_penalty"] = same_document_penalty
    if proximity_weight is not None:
        options["proximity_weight"] = proximity_weight
    for query in queries:
        vector = embedder.embed_query(query["query"])
        started = time.perf_counter()
        hits = hybrid_search(
            store=store, query=query["query"], query_vector=vector, top_k=50,
            dense_weight=dense_weight, sparse_weight=sparse_weight, fusion=fusion,
            **options,
        )  # fmt: skip
        latencies.append(time.perf_counter() - started)
        chunks = [hit.doc_id for hit in hits[:10]]
        positions.append(chunks.index(query["relevant"]) + 1 if query["relevant"] in chunks else None)
        record(per_language, query, [hit.doc_id for hit in hits])
    return {"ranks": per_language, "latencies": latencies, "positions": positions}


def evaluate_rest(queries: list[dict[str, Any]], mode: str, hybrid_weight: float) -> dict[str, Any]:
    """The same queries through ``POST /api/vector-stores/{slug}/search_json``, as a client sees
    them: each timed from request to parsed answer, its query embedded inside the request (the
    query cache is emptied first). Ranks must match the direct calls'."""
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    from vectorstores.embeddings import get_embedder
    from vectorstores.models import VectorStore

    dense_weight, sparse_weight = weights_for(mode, hybrid_weight)
    VectorStore.objects.filter(slug=STORE).update(read_access=VectorStore.ReadAccess.USERS)
    user = get_user_model().objects.filter(email="bench-retrieval@example.com").first()
    client = APIClient()
    client.force_authenticate(
        user or get_user_model().objects.create_user(email="bench-retrieval@example.com", password=None)
    )
    inner = getattr(get_embedder(), "inner", get_embedder())
    inner.__dict__.pop("_queries", None)
    per_language: dict[str, list[int | None]] = {}
    latencies = []
    for query in queries:
        body = {
            "query": query["query"],
            "top_k": 50,
            "dense_weight": dense_weight,
            "sparse_weight": sparse_weight,
        }
        started = time.perf_counter()
        response = client.post(f"/api/vector-stores/{STORE}/search_json", body, format="json")
        hits = response.json()
        latencies.append(time.perf_counter() - started)
        assert response.status_code == 200, hits
        record(per_language, query, [hit["doc_id"] for hit in hits])
    return {"ranks": per_language, "latencies": latencies}


def plain_bm25(documents: list[dict[str, Any]], queries: list[dict[str, Any]]) -> dict[str, list[int | None]]:
    """A textbook BM25 (k1 1.2, b 0.75) with Snowball stemming, outside the project: each text is
    lower-cased, split on non-letters, stemmed in its own language (``pip install
    snowballstemmer``), whole documents as the unit. The keyword side's baseline."""
    import snowballstemmer

    stemmers = {"en": snowballstemmer.stemmer("english"), "fr": snowballstemmer.stemmer("french")}

    def terms(text: str, language: str) -> list[str]:
        return stemmers[language].stemWords(re.findall(r"[^\W\d_]+", text.lower()))

    def text_of(value: Any) -> str:
        if isinstance(value, dict):
            return " ".join(text_of(v) for v in value.values())
        if isinstance(value, list):
            return " ".join(text_of(v) for v in value)
        return str(value)

    bags = [Counter(terms(text_of(d["document"]), d["language"])) for d in documents]
    lengths = [sum(bag.values()) for bag in bags]
    average = sum(lengths) / len(lengths)
    df: Counter[str] = Counter(term for bag in bags for term in bag)
    total = len(documents)
    ranks: dict[str, list[int | None]] = {}
    for query in queries:
        scores = []
        for index, bag in enumerate(bags):
            score = 0.0
            for term in set(terms(query["query"], query["language"])):
                if term in bag:
                    idf = math.log(1 + (total - df[term] + 0.5) / (df[term] + 0.5))
                    tf = bag[term]
                    score += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * lengths[index] / average))
            scores.append(score)
        order = sorted(range(total), key=lambda i: -scores[i])[:50]
        ranked = [documents[i]["doc_id"] for i in order if scores[i] > 0]
        rank = ranked.index(query["relevant"]) + 1 if query["relevant"] in ranked else None
        ranks.setdefault(query["language"], []).append(rank)
        ranks.setdefault("all", []).append(rank)
    return ranks


def untranslated(documents: list[dict[str, Any]]) -> set[str]:
    """The pages whose French translation is partial: more than 5 % of the French page's text
    is in sections whose stop words are English (the project's own detection). Their French
    queries must find a page that is partly English; the language gap is reported without them
    too."""
    from vectorstores.language import detect

    partial = set()
    for document in documents:
        if document["language"] != "fr":
            continue
        sections = document["document"]["sections"]
        english = sum(
            len(s["text"])
            for s in sections
            if detect(s["text"], candidates=["english", "french"]) == "english"
        )
        if english > 0.05 * max(sum(len(s["text"]) for s in sections), 1):
            partial.add(document["doc_id"].split("/", 1)[1])
    return partial


def translated_gap(
    queries: list[dict[str, Any]], ranks: dict[str, list[int | None]], partial: set[str]
) -> str:
    """English and French nDCG@10 over the pages translated throughout only."""
    means = {}
    for language in ("en", "fr"):
        asked = [q for q in queries if q["language"] == language]
        kept = [
            ndcg_at_10(rank)
            for query, rank in zip(asked, ranks[language], strict=True)
            if query["relevant"].split("/", 1)[1] not in partial
        ]
        means[language] = (statistics.mean(kept), len(kept))
    (en, count), (fr, _) = means["en"], means["fr"]
    return f"pages translated throughout ({count} pairs): en {en:.3f}, fr {fr:.3f}, gap {en - fr:+.3f}"


def paired(a: list[int | None], b: list[int | None], rounds: int = 2000) -> str:
    """Mean nDCG@10 difference b - a over the same queries, with a 95 % paired bootstrap interval."""
    import random

    diffs = [ndcg_at_10(y) - ndcg_at_10(x) for x, y in zip(a, b, strict=True)]
    rng = random.Random(0)
    means = sorted(statistics.mean(rng.choices(diffs, k=len(diffs))) for _ in range(rounds))
    return f"{statistics.mean(diffs):+.3f} [{means[int(0.025 * rounds)]:+.3f}, {means[int(0.975 * rounds)]:+.3f}]"


def figures(ranks: list[int | None]) -> str:
    ndcg = statistics.mean(ndcg_at_10(r) for r in ranks)
    r10 = statistics.mean(1.0 if r is not None and r <= 10 else 0.0 for r in ranks)
    r50 = statistics.mean(1.0 if r is not None else 0.0 for r in ranks)
    mrr = statistics.mean(1 / r if r is not None and r <= 10 else 0.0 for r in ranks)
    return f"{ndcg:.3f} | {r10:.3f} | {r50:.3f} | {mrr:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=300)
    parser.add_argument("--max-chars", type=int, default=1500)
    parser.add_argument("--modes", default="hybrid,dense,keyword")
    parser.add_argument("--fusion", default="weighted", help="weighted, weighted_minmax or rrf")
    parser.add_argument("--dense-weight", type=float, default=0.5, help="hybrid: the dense side's weight")
    parser.add_argument("--language-bonus", type=float, help="the search's LANGUAGE_BONUS instead")
    parser.add_argument(
        "--same-document-penalty", type=float, help="the search's SAME_DOCUMENT_PENALTY instead"
    )
    parser.add_argument("--proximity-weight", type=float, help="the search's PROXIMITY_WEIGHT instead")
    parser.add_argument("--keep", action="store_true", help="search the store as it is, no re-ingest")
    parser.add_argument(
        "--rest", action="store_true", help="also ask each mode's queries through the REST API, timed"
    )
    parser.add_argument("--save", help="keep each query's rank under this name (var/bench/ranks-NAME.json)")
    parser.add_argument("--compare", help="a saved name: print the paired nDCG@10 difference against it")
    parser.add_argument("--no-baseline", dest="baseline", action="store_false", help="skip the plain BM25")
    parser.add_argument(
        "--detect-language",
        action="store_true",
        help="give documents no language: the ingestion detects each one's (as for REST clients that do not say)",
    )
    args = parser.parse_args()

    setup_django()
    from vectorstores.embeddings import get_embedder, set_embedder

    documents, queries = build_set(args.pairs, args.max_chars)
    embedder = CachedEmbedder(get_embedder())
    set_embedder(embedder)
    from vectorstores.models import VectorStore

    kept = args.keep and VectorStore.objects.filter(slug=STORE).exists()
    took = 0.0 if kept else ingest(documents, embedder, given_language=not args.detect_language)
    store = VectorStore.objects.get(slug=STORE)
    print(
        f"{len(documents)} documents ({len(queries)} queries, "
        f"{sum(q['language'] == 'fr' for q in queries)} French), {store.chunk_count} chunks; "
        f"ingested in {took:.1f} s ({embedder.encoded} passages embedded, the rest cached)"
    )
    indexed = dict(store.documents.values_list("doc_id", "language"))
    wrong = [d["doc_id"] for d in documents if indexed[d["doc_id"]] != CONFIGS[d["language"]]]
    print(f"documents indexed in another language than their page's: {len(wrong)} {wrong[:8]}")
    print("| mode | language | nDCG@10 | Recall@10 | Recall@50 | MRR@10 |\n|---|---|---|---|---|---|")
    if args.baseline:
        baseline = plain_bm25(documents, queries)
        for language in ("all", "en", "fr"):
            print(f"| plain BM25 + Snowball (outside) | {language} | {figures(baseline[language])} |")
    partial = untranslated(documents)
    saved: dict[str, Any] = {}
    earlier = json.loads((CACHE / f"ranks-{args.compare}.json").read_text()) if args.compare else {}
    for mode in args.modes.split(","):
        result = evaluate(
            queries,
            mode,
            args.fusion,
            args.dense_weight,
            args.language_bonus,
            args.same_document_penalty,
            args.proximity_weight,
        )
        saved[mode] = result["ranks"]
        for language in ("all", "en", "fr"):
            print(f"| {mode} | {language} | {figures(result['ranks'][language])} |")
        if mode in earlier:
            for language in ("all", "en", "fr"):
                change = paired(earlier[mode][language], result["ranks"][language])
                print(f"|  | {language}: nDCG@10 vs {args.compare} {change} | | | | |")
        print(f"|  | {translated_gap(queries, result['ranks'], partial)} | | | | |")
        chunk_ndcg = statistics.mean(ndcg_at_10(position) for position in result["positions"])
        print(f"|  | nDCG@10 counting the ten first chunks, not documents: {chunk_ndcg:.3f} | | | | |")
        latencies = result["latencies"]
        print(
            f"|  | search p50 {percentile(latencies, 50) * 1000:.1f} ms, "
            f"p95 {percentile(latencies, 95) * 1000:.1f} ms (query embedding excluded) | | | | |"
        )
        if args.rest:
            rest = evaluate_rest(queries, mode, args.dense_weight)
            same = sum(a == b for a, b in zip(rest["ranks"]["all"], result["ranks"]["all"], strict=True))
            print(
                f"|  | over REST: nDCG@10 {figures(rest['ranks']['all']).split(' | ')[0]}, same rank for "
                f"{same}/{len(queries)} queries; p50 {percentile(rest['latencies'], 50) * 1000:.1f} ms, "
                f"p95 {percentile(rest['latencies'], 95) * 1000:.1f} ms (query embedding included) | | | | |"
            )
    if args.save:
        (CACHE / f"ranks-{args.save}.json").write_text(json.dumps(saved))


if __name__ == "__main__":
    main()
