"""The agent's server-side get_weather tool (CHATKIT_WEATHER_TOOL=server)."""

from __future__ import annotations

import json

from agents import RunContextWrapper, function_tool
from chatkit.agents import AgentContext

from tools.weather import WeatherError, weather_lookup


@function_tool(
    name_override="get_weather",
    description_override=(
        "Get the current weather for a city (and optionally its country); it is shown as a card."
    ),
)
async def get_weather_server(
    ctx: RunContextWrapper[AgentContext], city: str, country: str | None = None
) -> str:
    try:
        report = await weather_lookup(city, country)
    except WeatherError as exc:
        return f"The weather could not be looked up: {exc}"
    from widgets.builtin import weather_card

    await ctx.context.stream_widget(weather_card(report))
    return json.dumps(report, ensure_ascii=False)
