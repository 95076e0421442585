"""Chunks carry the metadata filters match (their own merged under their document's), and keep
their embedding in the row.

``filterable`` makes a metadata filter one GIN-indexed condition on the chunk, checked during the
HNSW walk without joining documents. ``STORAGE MAIN`` on the embedding: pgvector declares its
type ``EXTERNAL``, so a row over ~2 kB (a 384-d vector is 1.5 kB, plus the texts) had its
vector moved to the TOAST table and every exact distance (rescoring candidates, filtered
search) paid a second lookup. With ``MAIN`` the texts are compressed or moved first. It applies
to rows written from now on (re-ingested or re-indexed chunks).
"""

import django.contrib.postgres.indexes
from django.db import migrations, models

BACKFILL = """
UPDATE vectorstores_chunk c SET filterable = c.metadata || d.metadata
  FROM vectorstores_document d WHERE d.id = c.document_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("vectorstores", "0006_store_embedder_change"),
    ]

    operations = [
        migrations.AddField(
            model_name="chunk",
            name="filterable",
            field=models.JSONField(blank=True, default=dict, verbose_name="filterable metadata"),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RemoveIndex(
            model_name="chunk",
            name="chunk_metadata_gin",
        ),
        migrations.AddIndex(
            model_name="chunk",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["filterable"], name="chunk_filterable_gin", opclasses=["jsonb_path_ops"]
            ),
        ),
        migrations.RunSQL(
            "ALTER TABLE vectorstores_chunk ALTER COLUMN embedding SET STORAGE MAIN",
            "ALTER TABLE vectorstores_chunk ALTER COLUMN embedding SET STORAGE EXTERNAL",
        ),
    ]
