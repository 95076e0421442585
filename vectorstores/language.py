"""Which language a document is in, for its full-text index.

Each document is indexed with the PostgreSQL text search configuration of its language: the
``language`` given in its metadata (``"fr"``, ``"en"`` or a configuration's name), else the
store's, else the one detected here among ``KB_LANGUAGES`` (default English and French), else
``simple`` (no stemming, no stop words). Detection counts each candidate language's stop words
in the text (PostgreSQL's own Snowball lists: a word is a stop word of a configuration when that
configuration indexes nothing for it) and picks the language with the most, if they make up a
real share of the words; short or foreign texts stay ``simple``. In a document whose language
was detected, each chunk whose own text is clearly in another of those languages is indexed in
it (``chunk_configs``): the English sections of a page translated in part are English.

A store whose metadata names a ``text_search_config`` keeps using that one configuration for all
its documents, as before.

Every configuration folds accents after stemming (``kb_tsvector``, a SQL function of migration
0005): "répertoire" and "repertoire" are the same lexeme, in documents and in queries, without
PostgreSQL's ``unaccent`` extension (not every server has it).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection

SIMPLE = "simple"
ALIASES = {
    "en": "english",
    "fr": "french",
    "de": "german",
    "es": "spanish",
    "it": "italian",
    "pt": "portuguese",
}
# Below this share of stop words among a text's words, no language is claimed (≈ 30-50 % in prose).
MIN_STOP_WORD_SHARE = 0.08
MIN_STOP_WORDS = 2
SAMPLE_CHARS = 4000


def configured_languages() -> list[str]:
    return list(settings.KB_LANGUAGES)


def config_for(name: Any) -> str | None:
    """A language name or code as an installed configuration's name, or None."""
    if not isinstance(name, str) or not name.strip():
        return None
    wanted = ALIASES.get(name.strip().lower(), name.strip().lower())
    with connection.cursor() as cursor:
        cursor.execute("SELECT cfgname FROM pg_ts_config WHERE cfgname = %s", [wanted])
        row = cursor.fetchone()
    return row[0] if row else None


def detect(text: str, *, candidates: list[str] | None = None, min_stop_words: int = MIN_STOP_WORDS) -> str:
    """The configuration among ``candidates`` (KB_LANGUAGES) whose stop words ``text`` uses most,
    or ``simple``."""
    return detect_each([text], candidates=candidates, min_stop_words=min_stop_words)[0]


def detect_each(
    texts: list[str], *, candidates: list[str] | None = None, min_stop_words: int = MIN_STOP_WORDS
) -> list[str]:
    """``detect`` for each of ``texts``, in one query."""
    candidates = configured_languages() if candidates is None else candidates
    samples = [text[:SAMPLE_CHARS] for text in texts]
    if not candidates or not any(sample.strip() for sample in samples):
        return [SIMPLE] * len(texts)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH words AS (
                SELECT t.n, w
                  FROM unnest(%s::text[]) WITH ORDINALITY AS t(sample, n),
                       regexp_split_to_table(lower(t.sample), '[^[:alpha:]]+') AS w
                 WHERE w <> ''
            )
            SELECT w.n, c.cfg,
                   count(*) FILTER (WHERE to_tsvector(c.cfg::regconfig, w.w) = ''::tsvector),
                   count(*)
              FROM words w CROSS JOIN unnest(%s::text[]) AS c(cfg)
             GROUP BY w.n, c.cfg
             ORDER BY w.n, 3 DESC, c.cfg
            """,
            [samples, candidates],
        )
        rows = cursor.fetchall()
    counts: dict[int, list[tuple[str, int, int]]] = {}
    for n, config, stop_words, words in rows:
        counts.setdefault(n - 1, []).append((config, stop_words, words))
    return [_verdict(counts.get(index, []), min_stop_words) for index in range(len(texts))]


def _verdict(counts: list[tuple[str, int, int]], min_stop_words: int) -> str:
    """The language with the most stop words, best first in ``counts``, if they are enough."""
    if not counts:
        return SIMPLE
    best, stop_words, words = counts[0]
    runner_up = counts[1][1] if len(counts) > 1 else 0
    if stop_words < min_stop_words or stop_words < MIN_STOP_WORD_SHARE * words or stop_words == runner_up:
        return SIMPLE
    return best


# A chunk of a document whose language was detected is indexed in another language only when
# it holds at least this many of that language's stop words (a code sample's "the" and "of" in a
# French page do not make it English).
CHUNK_MIN_STOP_WORDS = 3


def given_config(*, store: Any, metadata: dict[str, Any]) -> str | None:
    """The configuration the store or the document's metadata names, if any."""
    forced = (store.metadata or {}).get("text_search_config")
    if forced:
        return str(forced)
    return config_for(metadata.get("language")) or config_for((store.metadata or {}).get("language"))


def chunk_configs(*, document: str, contents: list[str]) -> list[str]:
    """Each chunk's configuration in a document whose language was detected, not given: its
    own language when its text says so (a manual page translated only in part, a bilingual
    FAQ), else the document's."""
    found = detect_each(contents, min_stop_words=CHUNK_MIN_STOP_WORDS)
    return [document if config == SIMPLE else config for config in found]
