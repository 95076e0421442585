"""The intake example completed in the chat page, in a real browser (the built-in client)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from conversations.tests.test_browser import browser, open_chat, page, send, server, shoot  # noqa: F401
from workflows.models import WorkflowRun

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for_answer(page, text: str) -> None:  # noqa: F811
    page.wait_for_function(
        "text => [...document.querySelectorAll('.fb-assistant_message')]"
        ".some(node => node.innerText.includes(text))",
        arg=text,
        timeout=20_000,
    )


def test_the_intake_workflow_completes_in_the_chat_page(page, server):  # noqa: F811
    call_command("load_workflow_examples", "--chatkit", "intake", stdout=StringIO())
    open_chat(page, server)

    send(page, "Hello, I need help")
    wait_for_answer(page, "what is your name?")
    send(page, "Ada Lovelace")
    wait_for_answer(page, "Thank you, Ada Lovelace")
    send(page, "ada@example.com")
    wait_for_answer(page, "We will write to ada@example.com")

    page.wait_for_selector(".ck-widget >> text=Email: ada@example.com")
    shoot(page, "20-intake-complete")
    send(page, "one more thing")
    page.wait_for_selector("#fb-error:not([hidden])")
    assert "closed" in page.locator("#fb-error").inner_text()
    assert WorkflowRun.objects.filter(status="completed").count() == 3
