"""Chunks get the text a reader reads (``content``) and each document its language; the SQL
functions that fold accents out of the full-text index; stores written before are marked for
re-indexing (vectorstores.tasks.store_reindex runs it in the background)."""

import unicodedata

from django.db import migrations, models


def _folding() -> tuple[str, str]:
    """Latin letters with diacritics → their base letter (the pairs of translate())."""
    source, target = [], []
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = unicodedata.normalize("NFKD", char)[0]
        if base != char and base.isascii() and base.isalpha():
            source.append(char)
            target.append(base)
    return "".join(source), "".join(target)


FROM, TO = _folding()

FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION kb_fold(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT replace(replace(replace(replace(replace(translate(t, '{FROM}', '{TO}'),
         'œ', 'oe'), 'Œ', 'OE'), 'æ', 'ae'), 'Æ', 'AE'), 'ß', 'ss')
$$;

-- to_tsvector, then accents folded out of each lexeme (positions kept, for BM25's term counts):
-- stemming and stop words still see the accented words.
CREATE OR REPLACE FUNCTION kb_tsvector(config regconfig, t text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT COALESCE(string_agg(
           '''' || replace(replace(kb_fold(v.lexeme), '\\', '\\\\'), '''', '''''') || ''''
             || COALESCE(':' || array_to_string(v.positions, ','), ''), ' '), '')::tsvector
    FROM unnest(to_tsvector(config, t)) AS v
$$;
"""


def mark_stores_for_reindex(apps, schema_editor):
    VectorStore = apps.get_model("vectorstores", "VectorStore")
    VectorStore.objects.filter(chunk_count__gt=0).update(index_version=1)
    # Their chunks were indexed with the store's one configuration.
    for store in VectorStore.objects.filter(chunk_count__gt=0):
        config = (store.metadata or {}).get("text_search_config") or "simple"
        VectorStore.objects.filter(pk=store.pk).update(text_configs=[config])


class Migration(migrations.Migration):
    dependencies = [("vectorstores", "0004_store_read_access_document_owner")]

    operations = [
        migrations.RunSQL(
            FUNCTIONS,
            reverse_sql="DROP FUNCTION IF EXISTS kb_tsvector(regconfig, text); DROP FUNCTION IF EXISTS kb_fold(text);",
        ),
        migrations.AddField(
            model_name="chunk",
            name="content",
            field=models.TextField(blank=True, default="", verbose_name="content"),
        ),
        migrations.AddField(
            model_name="chunk",
            name="language",
            field=models.CharField(blank=True, default="", max_length=63, verbose_name="language"),
        ),
        migrations.AddField(
            model_name="document",
            name="language",
            field=models.CharField(blank=True, default="", max_length=63, verbose_name="language"),
        ),
        migrations.AddField(
            model_name="vectorstore",
            name="text_configs",
            field=models.JSONField(blank=True, default=list, verbose_name="text search configurations"),
        ),
        migrations.AddField(
            model_name="vectorstore",
            name="index_version",
            field=models.PositiveSmallIntegerField(default=2, verbose_name="index version"),
        ),
        migrations.AddField(
            model_name="vectorstore",
            name="reindex_done",
            field=models.PositiveIntegerField(default=0, verbose_name="documents re-indexed"),
        ),
        migrations.RunPython(mark_stores_for_reindex, migrations.RunPython.noop),
    ]
