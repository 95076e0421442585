from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vectorstores.models import Document, VectorStore

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "faq.json").write_text(
        json.dumps(
            [
                {"id": "retours", "q": "Politique de retour", "a": "Trente jours."},
                {"id": "mdp", "q": "Password reset", "a": "Use the link."},
            ]
        )
    )
    nested = tmp_path / "more"
    nested.mkdir()
    (nested / "hours.jsonl").write_text(
        '{"id": "hours", "text": "Nine to five."}\n\n{"text": "no id here"}\n'
    )
    (tmp_path / "broken.json").write_text('{\n  "id": "x",\n  "oops"\n}')
    (tmp_path / "ignored.csv").write_text("not,a,supported,type")
    return tmp_path


def test_a_folder_is_ingested_and_the_bad_file_is_named_with_its_line(folder, capsys):
    with pytest.raises(CommandError) as error:
        call_command(
            "ingest_json",
            "demo",
            str(folder),
            "--id-field",
            "id",
            "--metadata",
            "source=faq",
            "--metadata",
            "lang=mixed",
        )

    assert "broken.json: line 4" in str(error.value)
    output = capsys.readouterr()
    assert "Ingested 4 documents, 4 chunks from 2 file(s) into demo" in output.out
    assert "chunks/s" in output.out
    assert "broken.json, line 4: invalid JSON, skipped" in output.err
    assert sorted(Document.objects.values_list("doc_id", flat=True)) == ["hours", "hours-1", "mdp", "retours"]
    assert Document.objects.get(doc_id="mdp").metadata == {"source": "faq", "lang": "mixed"}
    assert not Document.objects.filter(doc_id="x").exists()


def test_plain_progress_lines_when_not_on_a_terminal(folder, capsys):
    call_command("ingest_json", "demo", str(folder / "faq.json"), "--batch-size", "1")

    err = capsys.readouterr().err
    assert "faq.json: 1/2 documents, 1 chunks" in err
    assert "faq.json: 2/2 documents, 2 chunks" in err
    assert sorted(Document.objects.values_list("doc_id", flat=True)) == ["faq-0", "faq-1"]


def test_the_store_title_option_and_reingest(folder):
    call_command("ingest_json", "demo", str(folder / "faq.json"), "--id-field", "id", "--title", "Demo")
    call_command("ingest_json", "demo", str(folder / "faq.json"), "--id-field", "id")

    assert VectorStore.objects.get().title == "Demo"
    assert Document.objects.count() == 2


def test_bad_arguments_are_reported(tmp_path):
    with pytest.raises(CommandError, match="no such file or directory"):
        call_command("ingest_json", "demo", str(tmp_path / "missing"))
    with pytest.raises(CommandError, match="No files to ingest found"):
        call_command("ingest_json", "demo", str(tmp_path))
    with pytest.raises(CommandError, match="key=value"):
        call_command("ingest_json", "demo", str(tmp_path), "--metadata", "novalue")


def test_a_file_with_a_nul_or_deep_nesting_is_skipped_whole(tmp_path):
    (tmp_path / "good.json").write_text('[{"id": "a", "text": "fine"}]')
    (tmp_path / "nul.jsonl").write_text('{"id": "b", "text": "fine"}\n{"id": "c", "text": "bad\\u0000"}\n')
    (tmp_path / "deep.json").write_text('{"x": ' + "[" * 100 + "]" * 100 + "}")

    with pytest.raises(CommandError):
        call_command("ingest_json", "kb", str(tmp_path), "--id-field", "id")

    assert list(Document.objects.values_list("doc_id", flat=True)) == ["a"]
