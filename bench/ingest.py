"""Ingestion throughput of `manage.py ingest_json` against the raw encode rate of its embedder.

    .venv/bin/python bench/ingest.py [--documents 400]

Builds a deterministic bilingual (French/English) product catalogue as JSON Lines, embeds the
very chunks ingestion will produce with the same embedder and batch size (raw rate), then runs
``ingest_json`` into a fresh store and compares chunks per second. Goal: ratio >= 0.9.
"""

from __future__ import annotations

import argparse
import json
import random
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=400)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from vectorstores.embeddings import get_embedder
    from vectorstores.models import VectorStore
    from vectorstores.services import prepare_document

    items = catalogue(args.documents)
    embedder = get_embedder()
    print(f"embedder: {embedder.backend} {embedder.model_id}")
    VectorStore.objects.filter(slug="bench-ingest").delete()
    store = VectorStore(slug="bench-ingest")
    texts = [
        chunk.text
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
        call_command(
            "ingest_json",
            "bench-ingest",
            str(path),
            "--id-field",
            "sku",
            "--batch-size",
            str(batch),
            verbosity=0,
        )
        ingest_seconds = time.perf_counter() - started
    chunks = VectorStore.objects.get(slug="bench-ingest").chunk_count
    ingest_rate = chunks / ingest_seconds
    print(
        f"ingest_json: {args.documents} documents, {chunks} chunks in {ingest_seconds:.1f} s = "
        f"{ingest_rate:.1f} chunks/s"
    )
    print(f"ratio ingest / raw encode: {ingest_rate / raw_rate:.2f} (goal >= 0.9)")


if __name__ == "__main__":
    main()
