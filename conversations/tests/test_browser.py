"""The pages in a real browser: Debian's Chromium driven by Playwright against daphne.

The server runs in a child process (daphne, the real ASGI stack) on the test database, with
the deterministic BrowserModel and Open-Meteo answered by respx. The ChatKit CDN cannot be
reached here, so the page must switch to the built-in client. Screenshots of every step go to
test-artifacts/browser/ (git-ignored) at desktop and phone widths.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from daphne.testing import DaphneProcess
from django.db import connections

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from core.testing import close_pools, forget_inherited_connections, wait_for_idle_database

pytestmark = pytest.mark.django_db(transaction=True)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
DESKTOP = {"width": 1280, "height": 820}
PHONE = {"width": 390, "height": 844}


def _server_setup() -> None:
    """Runs in the server process: Open-Meteo is answered locally, never over the network."""
    forget_inherited_connections()  # the parent's, still in use by the parent
    import httpx
    import respx

    from tools.tests.conftest import FORECAST, FORECAST_BODY, GEOCODING, LYON

    router = respx.mock(assert_all_called=False)
    router.get(GEOCODING).mock(return_value=httpx.Response(200, json={"results": [LYON]}))
    router.get(FORECAST).mock(return_value=httpx.Response(200, json=FORECAST_BODY))
    router.start()


def _application():
    from django.conf import settings

    from chatkit_site.asgi import build_application

    settings.CHATKIT_LOAD_TIMEOUT_MS = 3000
    return build_application()  # the project's whole stack: static files, /ws/events, /mcp


@contextmanager
def running_server(django_db_blocker, model_factory: Callable[[], object]) -> Iterator[str]:
    """Daphne in a forked child on the test database, answering with model_factory's model."""
    from conversations.engine import agent as agent_module

    original = agent_module.build_model
    agent_module.build_model = model_factory  # inherited by the forked server process
    process = DaphneProcess("localhost", _application, setup=_server_setup)
    with django_db_blocker.unblock():  # the forked server keeps this unblocked state
        connections.close_all()  # the child must open its own connections, not share ours
        close_pools()  # a forked child must not inherit the pool's sockets
        process.start()
    try:
        assert process.ready.wait(timeout=60), "daphne did not start"
        yield f"http://localhost:{process.port.value}"
    finally:
        process.terminate()
        process.join(timeout=15)
        if process.is_alive():  # a server stuck in a request must not hang the suite
            process.kill()
            process.join()
        agent_module.build_model = original


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    from conversations.tests.browser_model import BrowserModel

    with running_server(django_db_blocker, BrowserModel) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package.")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM must still be usable
    # from the tests, for these tests only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    manager = sync_playwright()
    try:
        playwright = manager.start()
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            # /dev/shm is 64 MB in many containers: Chromium's tabs crash there without
            # --disable-dev-shm-usage once screenshots pile up.
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-dev-shm-usage",
            ],
        )
        yield chromium
        # The module's tests are over: a browser or driver that fails to close is reported,
        # not raised, so that it is not counted against the last test.
        _quietly("chromium did not close cleanly", chromium.close)
    finally:
        _quietly("playwright did not stop cleanly", manager.__exit__)
        # Between its calls Playwright marks its loop as this thread's running loop; should it
        # end without clearing that (its driver gone), the next module's Playwright and every
        # later async test would find "another loop running". Teardown must not spread.
        if asyncio._get_running_loop() is not None:
            print("a browser module left an event loop marked running; cleared")
            asyncio._set_running_loop(None)
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _quietly(what: str, close: Callable[[], object]) -> None:
    try:
        close()
    except Exception as error:
        print(f"{what}: {error!r}")


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    yield page
    _quietly("the page's browser context did not close cleanly", context.close)
    # The server may still be answering the page's last requests: let them finish before the
    # transactional test's flush, which would otherwise race them for the tables' locks.
    wait_for_idle_database()


def shoot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}-desktop.png"), full_page=True)
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(150)
    page.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(size)


def log_in(page, server: str, email: str, next_path: str = "/") -> None:
    page.goto(f"{server}{next_path}")
    page.fill("#id_email", email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}{next_path}")


def open_chat(page, server: str) -> None:
    user = UserFactory()
    log_in(page, server, user.email)
    # The notice shows before the built-in client has been imported and started; the page
    # marks <body data-chat="fallback"> only once the client is running, so wait for that.
    page.wait_for_selector("body[data-chat=fallback]", state="attached", timeout=15_000)


def send(page, text: str) -> None:
    page.fill("#fb-input", text)
    page.keyboard.press("Enter")


def last_answer(page) -> str:
    return page.locator(".fb-assistant_message").last.inner_text()


def test_an_anonymous_visitor_is_sent_to_the_login_page(page, server):
    page.goto(f"{server}/")

    assert page.url == f"{server}/login?next=/"
    assert page.locator("h1").inner_text() == "Log in"
    shoot(page, "01-login")


def test_the_fallback_client_appears_and_streams_a_reply(page, server):
    open_chat(page, server)

    notice = page.locator("#fallback-notice").inner_text()
    assert "could not be loaded" in notice
    assert page.evaluate("document.body.dataset.chat") == "fallback"
    # Record every length the answer takes on screen: a streamed answer grows in steps.
    page.evaluate(
        """() => {
        window.answerLengths = [];
        new MutationObserver(() => {
            const answer = document.querySelector('.fb-assistant_message');
            if (answer) window.answerLengths.push(answer.innerText.length);
        }).observe(document.getElementById('fb-items'),
                   {childList: true, subtree: true, characterData: true});
    }"""
    )
    send(page, "hello there")
    page.wait_for_function(
        "() => document.querySelector('.fb-assistant_message')?.innerText.includes('word by word')"
    )

    assert last_answer(page) == "Echo: hello there. This answer is streamed word by word."
    lengths = page.evaluate("window.answerLengths")
    assert len(set(lengths)) >= 4, lengths  # shown piece by piece, not all at once
    shoot(page, "02-streamed-reply")


def test_threads_survive_a_reload_and_a_new_chat_starts_empty(page, server):
    open_chat(page, server)
    send(page, "remember me")
    page.wait_for_function(
        "() => document.querySelector('.fb-assistant_message')?.innerText.includes('word by word')"
    )

    page.reload()
    page.wait_for_selector(".fb-thread >> text=remember me")
    assert page.locator(".fb-item").count() == 0
    page.click(".fb-thread >> text=remember me")
    page.wait_for_selector(".fb-assistant_message")
    assert "Echo: remember me" in last_answer(page)
    shoot(page, "03-thread-reopened")

    page.click("#fb-new")
    assert page.locator(".fb-item").count() == 0
    assert page.locator("#fb-start").is_visible()
    shoot(page, "04-new-chat")


def test_a_get_weather_client_tool_call_is_answered_by_the_browser(page, server):
    open_chat(page, server)

    send(page, "weather in Lyon")

    page.wait_for_function(
        "() => document.querySelector('.fb-assistant_message')?.innerText.includes('7.4')", timeout=20_000
    )
    answer = last_answer(page)
    assert answer.startswith("The weather tool says:")
    assert "Lyon" in answer
    assert "open-meteo" in answer  # the browser's /api/tools/weather answer went back to the model
    shoot(page, "05-weather-client-tool")


def test_a_widget_is_rendered_and_its_action_round_trips(page, server):
    open_chat(page, server)

    send(page, "show me the rating widget")

    page.wait_for_selector(".fb-widget .ck-card >> text=Was this answer helpful?")
    shoot(page, "06-widget")
    page.click(".fb-widget .ck-button >> text=Yes")
    page.wait_for_selector(".fb-widget >> text=Thanks for your feedback!")
    shoot(page, "07-widget-action")


def test_a_running_answer_can_be_stopped(page, server):
    open_chat(page, server)
    send(page, "tell me a long story")
    page.wait_for_function(
        "() => document.querySelector('.fb-assistant_message')?.innerText.includes('word5')"
    )

    page.click("#fb-stop")

    page.wait_for_selector("#fb-error >> text=Stopped.")
    assert "word299" not in last_answer(page)
    assert page.locator("#fb-send").is_visible()


def test_a_file_can_be_attached(page, server, tmp_path):
    open_chat(page, server)
    note = tmp_path / "note.txt"
    note.write_text("attached text")

    page.set_input_files("#fb-file", str(note))
    page.wait_for_selector("#fb-attachments .fb-chip")
    send(page, "read my note")  # right away: the message waits for the upload

    page.wait_for_selector(".fb-user_message >> text=note.txt")
    page.wait_for_function(
        "() => document.querySelector('.fb-assistant_message')?.innerText.includes('word by word')"
    )
    shoot(page, "08-attachment")


def test_a_thread_made_in_one_tab_appears_in_the_other_at_once(browser, server):
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    user = UserFactory()
    first, second = context.new_page(), context.new_page()
    log_in(first, server, user.email)
    second.goto(f"{server}/")  # the same browser: already signed in
    for tab in (first, second):
        tab.wait_for_selector("body[data-chat=fallback]", state="attached", timeout=15_000)
    # The second tab listens on /ws/events (it would poll only every 15 s otherwise).
    second.wait_for_selector("#fallback[data-live=live]", state="attached", timeout=10_000)
    second.wait_for_selector("#fb-thread-list .fb-empty")

    send(first, "hello from the first tab")

    second.wait_for_selector("#fb-thread-list .fb-thread", timeout=5_000)
    context.close()


def test_the_voice_page_shows_a_clean_error_without_a_key(page, server):
    open_chat(page, server)
    page.goto(f"{server}/voice")

    page.click("#voice-toggle")

    page.wait_for_selector("#voice-state[data-state=error]")
    assert page.locator("#voice-message").inner_text() == (
        "Voice is not available on this server: it needs an OpenAI API key."
    )
    shoot(page, "09-voice-error")


def test_the_ui_is_french_for_a_french_browser(browser, server):
    context = browser.new_context(
        viewport=DESKTOP, locale="fr-FR", extra_http_headers={"Accept-Language": "fr"}
    )
    page = context.new_page()
    page.goto(f"{server}/")
    assert page.locator("h1").inner_text() == "Se connecter"
    user = UserFactory()
    page.fill("#id_email", user.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("button[type=submit]")

    page.wait_for_selector("body[data-chat=fallback]", state="attached", timeout=15_000)

    assert "n'a pas pu être chargé" in page.locator("#fallback-notice").inner_text()
    assert page.locator("#fb-send").inner_text() == "Envoyer"
    page.wait_for_selector("#fb-start >> text=Comment puis-je vous aider")
    shoot(page, "10-french")
    context.close()


def test_the_admin_loads_for_an_admin(page, server):
    admin = UserFactory(is_admin=True)
    log_in(page, server, admin.email)

    page.goto(f"{server}/admin/")

    assert page.locator("#site-name").is_visible()
    assert page.locator("a >> text=Widgets").count() >= 1
    shoot(page, "11-admin")
