"""Ingestion throughput, through `manage.py ingest_json` and the REST batch endpoint, against
the raw encode rate of the same embedder.

    .venv/bin/python bench/ingest.py [--documents 400] [--threads N] [--busy K] [--no-rest]

Builds a deterministic bilingual (French/English) product catalogue as JSON Lines, embeds the
very chunks ingestion will produce (their reader text) with the same embedder and batch size
(raw rate), then ingests the catalogue into a fresh store with ``ingest_json`` and again with
``POST /api/vector-stores/{slug}/documents_batch`` (64 documents a request, a uvicorn server
started for the run), and compares chunks per second. Goal: ratio >= 0.9 for both.
``--threads`` sets EMBEDDING_THREADS for every process (0: the default, half the cores);
``--busy K`` runs K processes spinning on the CPU meanwhile (contention).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import setup_django

FR = ["chaise", "table", "lampe", "canapé", "étagère", "bureau", "tapis", "miroir", "coussin", "armoire"]
EN = ["chair", "table", "lamp", "sofa", "shelf", "desk", "rug", "mirror", "cushion", "wardrobe"]
ADJ_FR = ["en chêne massif", "en métal noir", "style scandinave", "pliable", "pour enfants", "d'extérieur"]
ADJ_EN = ["in solid oak", "in black metal", "Scandinavian style", "foldable", "for children", "for outdoors"]


def catalogue(count: int) -> list[dict]:
    rng = random.Random(7)
    items = []
    for n in range(count):
        french = n % 2 == 0
        noun = rng.randrange(len(FR))
        adjective = rng.randrange(len(ADJ_FR))
        name = f"{FR[noun]} {ADJ_FR[adjective]}" if french else f"{EN[noun]} {ADJ_EN[adjective]}"
        items.append(
            {
                "sku": f"SKU-{n:05d}",
                "lang": "fr" if french else "en",
                "name": name,
                "description": (
                    f"{'Une' if french else 'A'} {name} "
                    + (
                        "conçue pour durer, livrée montée, garantie deux ans. "
                        if french
                        else "built to last, delivered assembled, two-year warranty. "
                    )
                    * rng.randint(1, 6)
                ),
                "price": {"amount": round(rng.uniform(9, 900), 2), "currency": "EUR"},
                "dimensions": {"width_cm": rng.randint(20, 200), "height_cm": rng.randint(20, 220)},
                "tags": rng.sample(["promo", "nouveau", "new", "eco", "best-seller", "stock"], k=3),
                "reviews": [
                    {"stars": rng.randint(1, 5), "text": "Très bien" if french else "Great value"}
                    for _ in range(rng.randint(0, 4))
                ],
            }
        )
    return items


def spin(stop: multiprocessing.synchronize.Event) -> None:
    while not stop.is_set():
        sum(range(10_000))


def rest_ingest(items: list[dict], threads: int) -> float:
    """Seconds to post the catalogue in batches of 64 to a freshly started uvicorn server."""
    import httpx
    from chat_turn import free_port
    from common import ROOT

    from accounts.models import User
    from accounts.tokens import token_pair_for

    admin, _ = User.objects.get_or_create(email="bench-admin@example.com", defaults={"is_staff": True})
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    admin.refresh_from_db()
    headers = {"Authorization": f"Bearer {token_pair_for(user=admin).access_token}"}
    port = free_port()
    env = {**os.environ, "EMBEDDING_THREADS": str(threads)} if threads else dict(os.environ)
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "_server.py"), str(port), "1", "uvicorn"],
        cwd=ROOT / "bench",
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/api/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        with httpx.Client(base_url=base, headers=headers, timeout=600) as client:
            warm = client.post(
                "/api/vector-stores/bench-ingest-rest/documents_batch",
                json={"documents": [{"doc_id": "warm-up", "document": {"text": "warm up"}}]},
            )
            warm.raise_for_status()
            started = time.perf_counter()
            for start in range(0, len(items), 64):
                response = client.post(
                    "/api/vector-stores/bench-ingest-rest/documents_batch",
                    json={
                        "documents": [{"doc_id": i["sku"], "document": i} for i in items[start : start + 64]]
                    },
                )
                response.raise_for_status()
            return time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=400)
    parser.add_argument("--threads", type=int, default=0, help="EMBEDDING_THREADS (0: the default)")
    parser.add_argument("--busy", type=int, default=0, help="CPU-spinning processes meanwhile")
    parser.add_argument("--no-rest", action="store_true")
    args = parser.parse_args()
    if args.threads:
        os.environ["EMBEDDING_THREADS"] = str(args.threads)
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from vectorstores.embeddings import embedding_threads, get_embedder
    from vectorstores.ingestion import prepare_document
    from vectorstores.models import VectorStore

    stop = multiprocessing.Event()
    spinners = [multiprocessing.Process(target=spin, args=(stop,), daemon=True) for _ in range(args.busy)]
    for process in spinners:
        process.start()
    items = catalogue(args.documents)
    embedder = get_embedder()
    print(
        f"embedder: {embedder.backend} {embedder.model_id}, {embedding_threads()} thread(s), {args.busy} busy process(es)"
    )
    VectorStore.objects.filter(slug__in=["bench-ingest", "bench-ingest-rest"]).delete()
    store = VectorStore(slug="bench-ingest")
    texts = [
        chunk.content or chunk.text
        for item in items
        for chunk in prepare_document(
            store=store, doc_id=item["sku"], document=item, metadata={}, embedder=embedder
        ).chunks
    ]
    batch = settings.EMBEDDING_BATCH_SIZE
    embedder.embed_passages(texts[:batch])  # warm-up
    started = time.perf_counter()
    for start in range(0, len(texts), batch):
        embedder.embed_passages(texts[start : start + batch])
    raw_seconds = time.perf_counter() - started
    raw_rate = len(texts) / raw_seconds
    print(f"raw encode: {len(texts)} chunks in {raw_seconds:.1f} s = {raw_rate:.1f} chunks/s (batch {batch})")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "catalogue.jsonl"
        path.write_text("\n".join(json.dumps(item, ensure_ascii=False) for item in items))
        started = time.perf_counter()
        call_command("ingest_json", "bench-ingest", str(path), "--id-field", "sku", verbosity=0)
        ingest_seconds = time.perf_counter() - started
    chunks = VectorStore.objects.get(slug="bench-ingest").chunk_count
    ingest_rate = chunks / ingest_seconds
    print(
        f"ingest_json: {args.documents} documents, {chunks} chunks in {ingest_seconds:.1f} s = "
        f"{ingest_rate:.1f} chunks/s; ratio to raw encode {ingest_rate / raw_rate:.2f} (goal >= 0.9)"
    )
    if not args.no_rest:
        rest_seconds = rest_ingest(items, args.threads)
        rest_chunks = VectorStore.objects.get(slug="bench-ingest-rest").chunk_count - 1  # the warm-up
        rest_rate = rest_chunks / rest_seconds
        print(
            f"REST documents_batch (64 a request): {rest_chunks} chunks in {rest_seconds:.1f} s = "
            f"{rest_rate:.1f} chunks/s; ratio to raw encode {rest_rate / raw_rate:.2f} (goal >= 0.9)"
        )
    stop.set()
    for process in spinners:
        process.join()


if __name__ == "__main__":
    main()
