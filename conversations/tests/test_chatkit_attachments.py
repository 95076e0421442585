"""Two-phase attachments: attachments.create/delete, upload, preview, and what the model sees."""

from __future__ import annotations

from pathlib import Path

import pytest
from agents.testing import assistant_message
from django.core.files.uploadedfile import SimpleUploadedFile

from conversations.models import Attachment
from conversations.tests.helpers import events_of, post, user_input

pytestmark = pytest.mark.django_db

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000105"
    "7c2b0e0a0000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def create_attachment(client, name: str, mime: str, size: int) -> dict:
    response = post(
        client, {"type": "attachments.create", "params": {"name": name, "size": size, "mime_type": mime}}
    )
    assert response.status_code == 200, response.content
    return response.json()


def upload(client, attachment: dict, data: bytes, mime: str):
    path = attachment["upload_descriptor"]["url"].removeprefix("http://testserver")
    return client.post(path, {"file": SimpleUploadedFile(attachment["name"], data, content_type=mime)})


def test_attachments_create_returns_an_upload_descriptor(alice_client, alice):
    attachment = create_attachment(alice_client, "notes.txt", "text/plain", 5)

    assert attachment["type"] == "file"
    assert attachment["id"].startswith("atc_")
    assert attachment["upload_descriptor"] == {
        "url": f"http://testserver/api/chatkit/attachments/{attachment['id']}/upload",
        "method": "POST",
        "headers": {},
    }
    assert Attachment.objects.get(id=attachment["id"]).owner == alice


def test_images_get_a_preview_url(alice_client):
    attachment = create_attachment(alice_client, "dot.png", "image/png", len(PNG))

    assert attachment["type"] == "image"
    assert (
        attachment["preview_url"] == f"http://testserver/api/chatkit/attachments/{attachment['id']}/preview"
    )


def test_an_oversized_file_is_refused_with_413(alice_client):
    response = post(
        alice_client,
        {
            "type": "attachments.create",
            "params": {"name": "big.pdf", "size": 10 * 1024 * 1024 + 1, "mime_type": "application/pdf"},
        },
    )

    assert response.status_code == 413
    assert response.json()["detail"] == "Files may be at most 10 MB."
    assert not Attachment.objects.exists()


def test_an_unaccepted_type_is_refused_with_400(alice_client):
    response = post(
        alice_client,
        {
            "type": "attachments.create",
            "params": {"name": "run.exe", "size": 10, "mime_type": "application/x-msdownload"},
        },
    )

    assert response.status_code == 400
    assert "not accepted" in response.json()["detail"]


def test_upload_then_preview_serves_the_file_to_its_owner_only(alice_client, bob_client):
    attachment = create_attachment(alice_client, "dot.png", "image/png", len(PNG))

    uploaded = upload(alice_client, attachment, PNG, "image/png")
    preview = alice_client.get(f"/api/chatkit/attachments/{attachment['id']}/preview")
    foreign = bob_client.get(f"/api/chatkit/attachments/{attachment['id']}/preview")
    foreign_upload = upload(bob_client, attachment, PNG, "image/png")

    assert uploaded.status_code == 200
    assert uploaded.json()["upload_descriptor"] is None
    assert preview.status_code == 200
    assert preview["Content-Type"] == "image/png"
    assert b"".join(preview.streaming_content) == PNG
    assert foreign.status_code == 404
    assert foreign_upload.status_code == 404


def test_upload_with_put_and_a_raw_body(alice_client):
    attachment = create_attachment(alice_client, "notes.txt", "text/plain", 5)
    path = f"/api/chatkit/attachments/{attachment['id']}/upload"

    response = alice_client.put(path, data=b"hello", content_type="text/plain")

    assert response.status_code == 200
    assert Attachment.objects.get(id=attachment["id"]).file.read() == b"hello"


def test_an_upload_larger_than_the_limit_is_413(alice_client, settings):
    settings.CHATKIT_MAX_UPLOAD_BYTES = 10
    attachment = create_attachment(alice_client, "notes.txt", "text/plain", 5)

    response = upload(alice_client, attachment, b"x" * 11, "text/plain")

    assert response.status_code == 413
    assert not Attachment.objects.get(id=attachment["id"]).file


def test_upload_needs_a_token(api_client, alice_client):
    attachment = create_attachment(alice_client, "notes.txt", "text/plain", 5)

    response = upload(api_client, attachment, b"hello", "text/plain")

    assert response.status_code == 401


def test_the_model_gets_images_as_image_input_and_text_files_as_text(alice_client, scripted):
    image = create_attachment(alice_client, "dot.png", "image/png", len(PNG))
    upload(alice_client, image, PNG, "image/png")
    text = create_attachment(alice_client, "notes.txt", "text/plain", 11)
    upload(alice_client, text, b"remember me", "text/plain")
    scripted.enqueue([assistant_message("I see a dot and your notes.")])

    thread_id, _ = create_thread_with_attachments(alice_client, [image["id"], text["id"]])

    content = scripted.last_call.input[-1]["content"]
    assert content[0] == {"type": "input_text", "text": "look at these"}
    assert content[1]["type"] == "input_image"
    assert content[1]["image_url"].startswith("data:image/png;base64,")
    assert content[2] == {"type": "input_text", "text": "Attached file notes.txt:\nremember me"}
    assert set(Attachment.objects.values_list("thread_id", flat=True)) == {thread_id}


def create_thread_with_attachments(client, attachment_ids: list[str]):
    events = events_of(
        post(
            client,
            {"type": "threads.create", "params": {"input": user_input("look at these", attachment_ids)}},
        )
    )
    thread_id = next(e["thread"]["id"] for e in events if e["type"] == "thread.created")
    return thread_id, events


def test_more_than_four_attachments_in_a_message_is_400(alice_client):
    ids = [create_attachment(alice_client, f"{n}.txt", "text/plain", 1)["id"] for n in range(5)]

    response = post(alice_client, {"type": "threads.create", "params": {"input": user_input("hi", ids)}})

    assert response.status_code == 400
    assert response.json()["detail"] == "A message may carry at most 4 attachments."


def test_attachments_delete_removes_the_record_and_the_file(alice_client, media_root):
    attachment = create_attachment(alice_client, "notes.txt", "text/plain", 5)
    upload(alice_client, attachment, b"hello", "text/plain")
    stored = Path(Attachment.objects.get(id=attachment["id"]).file.path)
    assert stored.exists()

    response = post(
        alice_client, {"type": "attachments.delete", "params": {"attachment_id": attachment["id"]}}
    )

    assert response.status_code == 200
    assert not Attachment.objects.filter(id=attachment["id"]).exists()
    assert not stored.exists()


def test_deleting_a_thread_deletes_its_attachment_files(
    alice_client, scripted, django_capture_on_commit_callbacks
):
    attachment = create_attachment(alice_client, "notes.txt", "text/plain", 5)
    upload(alice_client, attachment, b"hello", "text/plain")
    stored = Path(Attachment.objects.get(id=attachment["id"]).file.path)
    scripted.enqueue([assistant_message("ok")])
    thread_id, _ = create_thread_with_attachments(alice_client, [attachment["id"]])

    with django_capture_on_commit_callbacks(execute=True):
        post(alice_client, {"type": "threads.delete", "params": {"thread_id": thread_id}})

    assert not Attachment.objects.exists()
    assert not stored.exists()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'


def test_an_svg_is_served_as_a_download_that_cannot_run_script(alice_client, settings):
    settings.CHATKIT_UPLOAD_TYPES = ["image/*"]
    attachment = create_attachment(alice_client, "logo.svg", "image/svg+xml", len(SVG))
    upload(alice_client, attachment, SVG, "image/svg+xml")

    preview = alice_client.get(f"/api/chatkit/attachments/{attachment['id']}/preview")

    assert preview.status_code == 200
    assert preview["Content-Disposition"].startswith("attachment;")
    assert preview["Content-Type"] == "application/octet-stream"
    assert "sandbox" in preview["Content-Security-Policy"]
    assert preview["X-Content-Type-Options"] == "nosniff"


def test_raster_images_stay_inline_with_an_encoded_file_name(alice_client):
    attachment = create_attachment(alice_client, 'photo "été".png', "image/png", len(PNG))
    upload(alice_client, attachment, PNG, "image/png")

    preview = alice_client.get(f"/api/chatkit/attachments/{attachment['id']}/preview")

    assert preview["Content-Disposition"].startswith("inline;")
    assert "filename*=utf-8''photo%20%22%C3%A9t%C3%A9%22.png" in preview["Content-Disposition"]
    stored = Attachment.objects.get(id=attachment["id"]).file.name
    assert stored.endswith("/photo__été_.png")


@pytest.mark.django_db(transaction=True)
def test_a_new_thread_with_attachments_commits_them_with_it(alice_client, scripted):
    # Committed for real (foreign keys are checked at commit): the attachments of a new
    # thread's first message are written in the thread's own transaction, after the thread.
    text = create_attachment(alice_client, "notes.txt", "text/plain", 11)
    upload(alice_client, text, b"remember me", "text/plain")
    scripted.enqueue([assistant_message("Noted.")])

    thread_id, events = create_thread_with_attachments(alice_client, [text["id"]])

    assert not [event for event in events if event["type"] == "error"]
    assert Attachment.objects.get(id=text["id"]).thread_id == thread_id
