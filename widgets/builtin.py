"""Widgets the assistant can show without a library entry: a rating card and a weather card."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from widgets.validation import widget_root

RATE_ACTION = "widget.rate"


def rating_card(question: str | None = None) -> Any:
    def button(label: str, rating: str, style: str) -> dict[str, Any]:
        return {
            "type": "Button",
            "label": label,
            "style": style,
            "onClickAction": {"type": RATE_ACTION, "payload": {"rating": rating}},
        }

    return widget_root(
        {
            "type": "Card",
            "size": "sm",
            "children": [
                {"type": "Text", "value": question or _("Was this answer helpful?"), "weight": "semibold"},
                {
                    "type": "Row",
                    "gap": 2,
                    "children": [
                        button(_("Yes"), "positive", "primary"),
                        button(_("No"), "negative", "secondary"),
                    ],
                },
            ],
        }
    )


def rating_thanks_card(rating: str) -> Any:
    label = _("Helpful") if rating == "positive" else _("Not helpful")
    return widget_root(
        {
            "type": "Card",
            "size": "sm",
            "children": [
                {"type": "Text", "value": _("Thanks for your feedback!"), "weight": "semibold"},
                {
                    "type": "Badge",
                    "label": label,
                    "color": "success" if rating == "positive" else "secondary",
                },
            ],
        }
    )


def weather_card(report: dict[str, Any]) -> Any:
    place = ", ".join(str(part) for part in (report.get("city"), report.get("country")) if part)
    return widget_root(
        {
            "type": "Card",
            "size": "sm",
            "children": [
                {
                    "type": "Row",
                    "gap": 2,
                    "children": [
                        {
                            "type": "Icon",
                            "name": "sun" if report.get("weather_code", 0) in (0, 1) else "cloud",
                        },
                        {"type": "Title", "value": place or _("Weather")},
                    ],
                },
                {
                    "type": "Text",
                    "value": f"{report.get('temperature_celsius', '?')} °C · "
                    f"{report.get('weather_description', '')}",
                },
                {
                    "type": "Caption",
                    "value": _("Wind %(speed)s km/h · %(time)s")
                    % {
                        "speed": report.get("wind_speed_kmh", "?"),
                        "time": report.get("observation_time", ""),
                    },
                },
            ],
        }
    )


BUILTIN: dict[str, Any] = {
    "rating": lambda data: rating_card((data or {}).get("question")),
    "weather": lambda data: weather_card(data or {}),
}
