"""A chunk's full-text vector and term count are computed as the row is written, by a trigger.

The ingestion inserted each chunk and then updated it with its ``tsv`` and ``term_count``. The
update wrote every row a second time: the table held two versions of each chunk until vacuum,
and since ``tsv`` is indexed the update was not HOT, so every chunk also went into the HNSW
graph twice (the dead copy stays in the graph, and in each search's path, until vacuum)."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION kb_chunk_index_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Chunks written before languages existed have none: their vector stays as it was.
    IF NEW.language <> '' THEN
        NEW.tsv := kb_tsvector(NEW.language::regconfig, COALESCE(NULLIF(NEW.content, ''), NEW.text));
        NEW.term_count := COALESCE(
            (SELECT sum(coalesce(array_length(positions, 1), 1)) FROM unnest(NEW.tsv)), 0);
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER chunk_index_text
    BEFORE INSERT OR UPDATE OF content, text, language ON vectorstores_chunk
    FOR EACH ROW EXECUTE FUNCTION kb_chunk_index_text();
"""

REVERSE = """
DROP TRIGGER IF EXISTS chunk_index_text ON vectorstores_chunk;
DROP FUNCTION IF EXISTS kb_chunk_index_text();
"""


class Migration(migrations.Migration):
    dependencies = [("vectorstores", "0008_chunk_context_titles")]

    operations = [migrations.RunSQL(FUNCTION, reverse_sql=REVERSE)]
