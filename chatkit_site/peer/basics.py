"""Users (with their passwords), the model registry, voice settings and widget templates."""

from __future__ import annotations

import base64
import re
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from accounts.models import User, normalize_email
from chatkit_site.peer.report import Report
from chatkit_site.peer.source import Source
from voice.models import VoiceSettings
from widgets.models import WidgetTemplate
from widgets.services import InvalidWidget, definition_check, widget_create
from workflows.models import AvailableModel

# The replaced system: hashlib.pbkdf2_hmac("sha256", password, salt.encode(), 390000), stored
# "<salt>$<hex digest>" (its backend/app/security.py).
PEER_ITERATIONS = 390_000
_PEER_HASH = re.compile(r"^([^$]+)\$([0-9a-fA-F]{64})$")
WIDGET_STORE = "chatkit-widgets"
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


def password_from_peer(stored: str | None) -> str | None:
    """The same hash in Django's ``pbkdf2_sha256$<iterations>$<salt>$<base64 digest>`` form, so
    the old password keeps working (Django re-hashes it at the next login); None if unrecognised."""
    match = _PEER_HASH.match(stored or "")
    if match is None:
        return None
    salt, digest = match.groups()
    encoded = base64.b64encode(bytes.fromhex(digest)).decode("ascii")
    return f"pbkdf2_sha256${PEER_ITERATIONS}${salt}${encoded}"


def users_import(source: Source, report: Report) -> dict[int, int]:
    """Users by email; returns the source id → user id of everyone who is here afterwards."""
    tally = report.tally("users")
    mapping: dict[int, int] = {}
    for row in source.rows("SELECT id, email, password_hash, is_admin, is_lti FROM users ORDER BY id"):
        tally.found += 1
        email = normalize_email(str(row["email"] or "").strip())
        existing = User.objects.filter(email__iexact=email).first()
        if existing is not None:
            tally.present += 1
            mapping[row["id"]] = existing.pk
            continue
        password = password_from_peer(row["password_hash"])
        if password is None:
            tally.notes.append(
                f"{email}: the password hash is not one this importer knows; they must reset it"
            )
        tally.new += 1
        if report.dry_run:
            mapping[row["id"]] = -row["id"]  # stands for the user a real run would create
            continue
        user = User(email=email, password=password or make_password(None))
        user.is_admin = bool(row["is_admin"])
        user.save()
        mapping[row["id"]] = user.pk
    if any(row["is_lti"] for row in source.rows("SELECT is_lti FROM users WHERE is_lti")):
        tally.notes.append("LTI users were imported as ordinary users (this project has no LTI launch)")
    return mapping


def models_import(source: Source, report: Report) -> None:
    tally = report.tally("models")
    if not source.has("available_models"):
        return
    for row in source.rows("SELECT * FROM available_models ORDER BY id"):
        tally.found += 1
        if AvailableModel.objects.filter(name=row["name"]).exists():
            tally.present += 1
            continue
        provider = (row.get("provider_slug") or "openai").strip().lower()
        tally.new += 1
        if provider != "openai":
            tally.notes.append(
                f"{row['name']}: provider {provider!r} imported as an OpenAI-compatible server; "
                "its URL and key are encrypted in the source: enter them in the admin"
            )
        if report.dry_run:
            continue
        AvailableModel.objects.create(
            name=row["name"],
            display_name=(row.get("display_name") or "")[:200],
            description=row.get("description") or "",
            provider=AvailableModel.Provider.OPENAI
            if provider == "openai"
            else AvailableModel.Provider.COMPATIBLE,
            supports_reasoning=bool(row.get("supports_reasoning")),
        )


def voice_import(source: Source, report: Report) -> None:
    tally = report.tally("voice settings")
    if not source.has("voice_settings"):
        return
    rows = source.rows("SELECT * FROM voice_settings ORDER BY updated_at DESC NULLS LAST, id DESC LIMIT 1")
    if not rows:
        return
    row = rows[0]
    tally.found = 1
    current = VoiceSettings.current()
    wanted = {
        "model": (row.get("model") or "")[:100],
        "instructions": row.get("instructions") or "",
        "voice": (row.get("voice") or "")[:50],
        "prompt_id": row.get("prompt_id") or None,
        "prompt_version": row.get("prompt_version") or None,
        "prompt_variables": row.get("prompt_variables") or None,
    }
    if current.pk is not None and any(getattr(current, name) for name in ("model", "instructions", "voice")):
        same = all(getattr(current, name) == value for name, value in wanted.items())
        if same:
            tally.present = 1
        else:
            tally.skip("voice settings", "this server already has its own; they were left as they are")
        return
    if row.get("provider_slug") or row.get("provider_id"):
        tally.notes.append(
            "the voice provider choice is not carried (this project speaks to OpenAI Realtime)"
        )
    tally.new = 1
    if not report.dry_run:
        for name, value in wanted.items():
            setattr(current, name, value)
        try:
            current.full_clean(exclude=["updated_by"])
        except DjangoValidationError as exc:
            tally.new = 0
            tally.skip("voice settings", "; ".join(exc.messages))
            return
        current.save()


def widgets_import(source: Source, report: Report) -> None:
    """Its widget library is the documents of its store ``chatkit-widgets``."""
    tally = report.tally("widgets")
    sql = """
        SELECT d.doc_id, d.raw_document FROM json_documents d
          JOIN json_vector_stores s ON s.id = d.store_id
         WHERE s.slug = %s ORDER BY d.id
    """
    for row in source.rows(sql, (WIDGET_STORE,)):
        tally.found += 1
        raw: Any = row["raw_document"] if isinstance(row["raw_document"], dict) else {}
        slug = str(raw.get("slug") or row["doc_id"])
        existing = WidgetTemplate.objects.filter(slug=slug).first()
        definition = raw.get("definition")
        if existing is not None:
            if _same_definition(existing.definition, definition):
                tally.present += 1
            else:
                tally.skip(slug, "a different widget with this slug is already here; it was left as it is")
            continue
        if not _SLUG.match(slug) or len(slug) > 100:
            tally.skip(slug, "not a valid slug here (letters, digits, - and _; at most 100)")
            continue
        try:
            definition_check(definition)
        except InvalidWidget as exc:
            tally.skip(slug, f"its definition is not valid here: {'; '.join(exc.errors)[:300]}")
            continue
        tally.new += 1
        if not report.dry_run:
            with transaction.atomic():
                widget_create(
                    slug=slug,
                    definition=definition,
                    title=raw.get("title"),
                    description=raw.get("description"),
                )


def _same_definition(ours: Any, theirs: Any) -> bool:
    try:
        return ours == definition_check(theirs).normalized
    except InvalidWidget:
        return False
