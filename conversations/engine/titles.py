"""Thread titles: a few words from the first message, or from the model when one is set."""

from __future__ import annotations

import logging

from agents import Agent, Runner
from agents.models.interface import Model
from django.utils.translation import gettext

logger = logging.getLogger("chatkit.conversations")

MAX_TITLE_CHARS = 60


def title_from_text(text: str) -> str:
    words = " ".join(text.split())
    if not words:
        return gettext("New chat")
    if len(words) <= MAX_TITLE_CHARS:
        return words
    cut = words[:MAX_TITLE_CHARS].rsplit(" ", 1)[0]
    return f"{cut}…"


async def title_for(first_message: str, model: Model | None) -> str:
    if model is None:
        return title_from_text(first_message)
    agent = Agent(
        name="Title writer",
        instructions="Write a title of at most six words for a chat that starts with the user's message. "
        "Answer with the title only, in the message's language, without quotes.",
        model=model,
    )
    try:
        result = await Runner.run(agent, first_message[:2000])
        title = str(result.final_output).strip().strip('"')
        return title_from_text(title) if title else title_from_text(first_message)
    except Exception:
        logger.warning("Title generation failed; using the first message", exc_info=True)
        return title_from_text(first_message)
