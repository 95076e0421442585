"""The tutor example's steps without a language model: rules the offline model follows.

With a model, the tutor's agents write study cards, grade quizzes and call the chart server
themselves. Without one (no key: the offline model), the structured outputs they are asked for
are made here, by rule, so the shipped tutor runs end to end with nothing configured:

- ``study_card``: the passages its instructions carry (``PASSAGES: [...]``) as sections, a
  self-check question per section;
- ``quiz_grade``: the learner's answers (the quiz form's action) against the quiz's key
  (``QUIZ: {...}`` in its instructions), one feedback line per question;
- ``chart``: the data set its instructions carry (``DATA: {...}``), built into a Plotly figure by
  the chart server's own code (``mcphub.chart_server.figure_for``).

Each marker is one line of the step's instructions, followed by JSON (the template's
``tojson``); ``LANG: fr`` or ``LANG: en`` picks the language of what is written.
"""

from __future__ import annotations

import json
import re
from typing import Any

_MARK = re.compile(r"^(PASSAGES|QUIZ|DATA|LANG):\s*(.*)$", re.M)
_PATH = re.compile(r"^[\w.\[\]]+:\s*", re.M)  # a chunk's "text[2]: " path prefixes


def _marks(instructions: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, raw in _MARK.findall(instructions):
        try:
            found[key] = json.loads(raw) if key != "LANG" else raw.strip()
        except json.JSONDecodeError:
            continue
    return found


def _sentences(text: str) -> list[str]:
    lines = [line for line in _PATH.sub("", text).splitlines() if line.strip()]
    parts = re.split(r"(?<=[.!?])\s+", " ".join(lines))
    return [part.strip() for part in parts if len(part.strip()) > 2][:6]


_TITLE = re.compile(r"^title:\s*(.+)$", re.M)


def _heading(passage: dict[str, Any], metadata: dict[str, Any]) -> str:
    """The document's title (its metadata's, else the chunk's own ``title:`` line), else its id."""
    found = _TITLE.search(str(passage.get("text", "")))
    title = metadata.get("title") or (found.group(1).strip() if found else "") or passage.get("doc_id")
    return str(title or "")[:200]


def study_card(marks: dict[str, Any], question: str) -> dict[str, Any] | None:
    passages = [p for p in marks.get("PASSAGES") or [] if isinstance(p, dict)]
    if not passages:
        return None
    fr = marks.get("LANG") == "fr"
    # A bilingual course answers in both languages; the card keeps to the learner's when it can.
    lang = "fr" if fr else "en"
    same = [p for p in passages if isinstance(p.get("metadata"), dict) and p["metadata"].get("lang") == lang]
    sections, questions = [], []
    for passage in (same or passages)[:4]:
        metadata = passage.get("metadata") if isinstance(passage.get("metadata"), dict) else {}
        heading = _heading(passage, metadata)
        bullets = _sentences(_TITLE.sub("", str(passage.get("text", ""))))
        if heading and bullets:
            sections.append({"heading": heading, "bullets": bullets})
            ask = f"Que retenir de « {heading} » ?" if fr else f"What do you remember about “{heading}”?"
            questions.append(ask)
    if not sections:
        return None
    title = re.sub(r"^(fiche|study card|study)\s+(sur|on|about)?\s*", "", question.strip(), flags=re.I)
    return {
        "lang": lang,
        "title": (title or sections[0]["heading"])[:200],
        "sections": sections,
        "questions": questions,
    }


def _answers(question: str) -> dict[str, Any]:
    try:
        action = json.loads(question)
    except json.JSONDecodeError:
        return {}
    payload = action.get("payload") if isinstance(action, dict) else None
    if not isinstance(payload, dict):
        return {}
    # The fields' values sit beside the action's own payload (ChatKit's Form, the fallback client);
    # a client that nests them under one key is read the same way.
    nested = [value for key, value in payload.items() if key in ("form", "values", "formData")]
    flat = {key: value for key, value in payload.items() if key not in ("form", "values", "formData")}
    for values in nested:
        if isinstance(values, dict):
            flat.update(values)
    return flat


def quiz_grade(marks: dict[str, Any], question: str) -> dict[str, Any] | None:
    quiz = marks.get("QUIZ")
    if not isinstance(quiz, dict) or not isinstance(quiz.get("questions"), list):
        return None
    answers = _answers(question)
    fr = marks.get("LANG") == "fr" or quiz.get("lang") == "fr"
    feedback, score = [], 0
    for n, item in enumerate(quiz["questions"], start=1):
        if not isinstance(item, dict):
            continue
        key = item.get("answer")
        if item.get("multiple"):
            expected = {int(k) for k in key} if isinstance(key, list) else set()
            given = {
                j
                for j in range(1, len(item.get("options", [])) + 1)
                if answers.get(f"q{n}_{j}") in (True, "on", "true")
            }
            correct = given == expected
        else:
            correct = str(answers.get(f"q{n}", "")) == str(key)
        score += correct
        explanation = item.get("explanation") or ""
        if not correct and not explanation:
            explanation = "Ce n\u2019est pas la bonne réponse." if fr else "That is not the right answer."
        feedback.append(
            {"question": str(item.get("question", ""))[:500], "correct": correct, "explanation": explanation}
        )
    return {"lang": "fr" if fr else "en", "score": score, "total": len(feedback), "feedback": feedback}


def _tool_answer(text: str) -> dict[str, Any] | None:
    """The chart server's answer as the agent got it: the tool's JSON, or MCP's text content list."""
    try:
        value = json.loads(text)
        if isinstance(value, list) and value and isinstance(value[0], dict) and "text" in value[0]:
            value = json.loads(value[0]["text"])
        if isinstance(value, dict) and value.get("type") == "text" and "text" in value:
            value = json.loads(value["text"])
    except (json.JSONDecodeError, TypeError):
        return None
    return value if isinstance(value, dict) and isinstance(value.get("figure"), dict) else None


def chart(marks: dict[str, Any], question: str) -> dict[str, Any] | None:
    """The chart server's figure when the step called it; else (server not registered, down, or a
    dry run) the same figure made here, so the card still opens offline."""
    from mcphub.chart_server import figure_for

    lang = marks.get("LANG") or "en"
    made = _tool_answer(question)
    if made is not None:
        title, kind = str(made.get("title", ""))[:200], str(made.get("kind") or "bar")
        return {"lang": lang, "title": title, "kind": kind, "figure": made["figure"]}
    data = marks.get("DATA")
    if not isinstance(data, dict):
        return None
    try:
        figure = figure_for(
            title=str(data.get("title", "")),
            kind=str(data.get("kind", "bar")),
            labels=list(data.get("labels", [])),
            series=list(data.get("series", [])),
        )
    except (TypeError, ValueError):
        return None
    title, kind = str(data.get("title", ""))[:200], str(data.get("kind", "bar"))
    return {"lang": lang, "title": title, "kind": kind, "figure": figure}


async def tutor_tool_planner(name: str, instructions: str, tool_names: list[str]) -> tuple[str, dict] | None:
    """Offline, the chart step calls the chart server's make_chart with its data set, as a model would."""
    data = _marks(instructions).get("DATA")
    if name != "chart" or "make_chart" not in tool_names or not isinstance(data, dict):
        return None
    keys = ("title", "kind", "labels", "series")
    return "make_chart", {key: data.get(key) for key in keys if data.get(key) is not None}


RULES = {"study_card": study_card, "quiz_grade": quiz_grade, "chart": chart}


async def tutor_structurer(name: str, instructions: str, question: str) -> dict[str, Any] | None:
    """The offline model's rule for the tutor's structured outputs (None: not one of them)."""
    rule = RULES.get(name)
    return rule(_marks(instructions), question) if rule else None
