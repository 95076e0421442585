"""PostgreSQL keeps ten times more statistics on ``Chunk.filterable``.

Each chunk's filterable metadata is unique (it holds its document id), so the planner estimates
how many chunks a filter keeps by testing it on the column's histogram: a hundred entries by
default. A filter keeping 1 % of a million chunks then matched no entry or two, and was
estimated at 100 chunks or 20,000 instead of 10,000 depending on the sample. With a thousand
entries about ten match: nearly every such filter is estimated within a factor of two
(tests/test_planner_statistics.py). The search reads the estimate to choose between an exact
scan of the chunks that pass and the HNSW walk, and the planner to choose which index finds a
word's chunks under the filter (``vectorstores.search``). The extra cost is ANALYZE's: a ten
times larger sample of the table, 2.5 s at a million chunks."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("vectorstores", "0009_chunk_index_text_trigger")]

    operations = [
        migrations.RunSQL(
            # Analysed now: a store that exists already would otherwise wait for autovacuum.
            [
                "ALTER TABLE vectorstores_chunk ALTER COLUMN filterable SET STATISTICS 1000",
                "ANALYZE vectorstores_chunk (filterable)",
            ],
            "ALTER TABLE vectorstores_chunk ALTER COLUMN filterable SET STATISTICS -1",
        )
    ]
