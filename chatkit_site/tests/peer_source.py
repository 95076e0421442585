"""A database of the replaced system, built for real in the test PostgreSQL (a second database).

The tables are the ones ``import_peer`` reads, as the replaced system's SQLAlchemy models create
them (backend/app/models.py there); the rows are what its services write (its password hash, its
widget library as documents of the store ``chatkit-widgets``, its ChatKit store's JSON payloads).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from django.db import connection
from psycopg import sql

SCHEMA = """
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE users (
    id serial PRIMARY KEY, email varchar(320) UNIQUE NOT NULL, password_hash varchar(512) NOT NULL,
    is_admin boolean NOT NULL DEFAULT false, is_lti boolean NOT NULL DEFAULT false,
    display_name varchar(255), created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE available_models (
    id serial PRIMARY KEY, name varchar(128) UNIQUE NOT NULL, display_name varchar(128),
    description varchar(512), provider_id varchar(128), provider_slug varchar(64),
    supports_reasoning boolean NOT NULL DEFAULT false, created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE voice_settings (
    id serial PRIMARY KEY, instructions text NOT NULL, model varchar(128) NOT NULL,
    provider_id varchar(128), provider_slug varchar(64), voice varchar(64) NOT NULL,
    prompt_id varchar(128), prompt_version varchar(64), prompt_variables jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE json_vector_stores (
    id serial PRIMARY KEY, slug varchar(128) UNIQUE NOT NULL, title varchar(256), description text,
    metadata_json jsonb NOT NULL DEFAULT '{}', created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE json_documents (
    id serial PRIMARY KEY, store_id integer NOT NULL REFERENCES json_vector_stores(id)
        ON DELETE CASCADE,
    doc_id varchar(255) NOT NULL, raw_document jsonb NOT NULL, linearized_text text NOT NULL,
    metadata_json jsonb NOT NULL DEFAULT '{}', created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(), UNIQUE (store_id, doc_id));
CREATE TABLE json_chunks (
    id serial PRIMARY KEY, store_id integer NOT NULL REFERENCES json_vector_stores(id)
        ON DELETE CASCADE,
    document_id integer NOT NULL REFERENCES json_documents(id) ON DELETE CASCADE,
    doc_id varchar(255) NOT NULL, chunk_index integer NOT NULL, raw_chunk jsonb NOT NULL,
    linearized_text text NOT NULL, embedding vector(768) NOT NULL,
    metadata_json jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE workflows (
    id serial PRIMARY KEY, slug varchar(128) UNIQUE NOT NULL, display_name varchar(128) NOT NULL,
    description varchar(512), owner_id integer REFERENCES users(id) ON DELETE SET NULL,
    active_version_id integer, is_chatkit_default boolean NOT NULL DEFAULT false,
    lti_enabled boolean NOT NULL DEFAULT false, lti_show_sidebar boolean NOT NULL DEFAULT true,
    lti_show_header boolean NOT NULL DEFAULT true, lti_enable_history boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE workflow_definitions (
    id serial PRIMARY KEY, workflow_id integer NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
    name varchar(128), version integer NOT NULL DEFAULT 1, is_active boolean NOT NULL DEFAULT true,
    sip_account_id integer, created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(), UNIQUE (workflow_id, version));
ALTER TABLE workflows ADD FOREIGN KEY (active_version_id)
    REFERENCES workflow_definitions(id) ON DELETE SET NULL;
CREATE TABLE workflow_steps (
    id serial PRIMARY KEY, definition_id integer NOT NULL REFERENCES workflow_definitions(id)
        ON DELETE CASCADE,
    slug varchar(128) NOT NULL, kind varchar(32) NOT NULL DEFAULT 'agent', display_name varchar(128),
    agent_key varchar(128), parent_slug varchar(128), position integer NOT NULL,
    is_enabled boolean NOT NULL DEFAULT true, parameters jsonb NOT NULL DEFAULT '{}',
    ui_metadata jsonb NOT NULL DEFAULT '{}', created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(), UNIQUE (definition_id, slug));
CREATE TABLE workflow_transitions (
    id serial PRIMARY KEY, definition_id integer NOT NULL REFERENCES workflow_definitions(id)
        ON DELETE CASCADE,
    source_step_id integer NOT NULL REFERENCES workflow_steps(id) ON DELETE CASCADE,
    target_step_id integer NOT NULL REFERENCES workflow_steps(id) ON DELETE CASCADE,
    condition varchar(64), ui_metadata jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE chat_threads (
    id varchar(64) PRIMARY KEY, owner_id varchar(255) NOT NULL, created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL, payload jsonb NOT NULL, title varchar(512),
    status varchar(32) DEFAULT 'active', workflow_slug varchar(128), workflow_definition_id varchar(128));
CREATE TABLE chat_thread_items (
    id varchar(64) PRIMARY KEY, thread_id varchar(64) NOT NULL REFERENCES chat_threads(id)
        ON DELETE CASCADE,
    owner_id varchar(255) NOT NULL, created_at timestamptz NOT NULL, payload jsonb NOT NULL);
"""

PASSWORDS = {
    "ada@example.org": "old-admin-pass-1",
    "bob@example.org": "bobs old secret",
    "cy@example.org": "c-y-2020!",
}
WIDGET_DEFINITION = {"type": "Card", "children": [{"type": "Text", "value": "Hello {{ name }}"}]}


def peer_hash(password: str, salt: str) -> str:
    """The replaced system's hash_password (its backend/app/security.py)."""
    return f"{salt}${hashlib.pbkdf2_hmac('sha256', password.encode(), salt.encode(), 390000).hex()}"


@contextmanager
def source_database() -> Iterator[str]:
    """A fresh database on the test PostgreSQL with the replaced system's tables; its conninfo."""
    connection.ensure_connection()
    params = connection.get_connection_params()
    server = {key: params[key] for key in ("host", "port", "user") if params.get(key)}
    name = f"peer_source_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conninfo = psycopg.conninfo.make_conninfo(dbname=name, **server)
    try:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(SCHEMA)
        yield conninfo
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _insert(conn: psycopg.Connection, table: str, **values: Any) -> Any:
    columns = list(values)
    row = conn.execute(
        sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING id").format(
            sql.Identifier(table),
            sql.SQL(", ").join(map(sql.Identifier, columns)),
            sql.SQL(", ").join(sql.Placeholder() * len(columns)),
        ),
        [json.dumps(v) if isinstance(v, dict | list) else v for v in values.values()],
    ).fetchone()
    return row[0]


def node(slug: str, kind: str, parameters: dict | None = None, **extra: Any) -> dict[str, Any]:
    return {"slug": slug, "kind": kind, "parameters": parameters or {}, **extra}


def fill(conninfo: str, *, documents_per_store: int = 200) -> dict[str, Any]:
    """3 users (one admin), 2 models, voice settings, 3 widgets, 2 stores of documents, 2 workflows
    of 3 versions (the first runs the chat) and 5 threads."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        users = {}
        for i, (email, password) in enumerate(PASSWORDS.items()):
            users[email] = _insert(
                conn,
                "users",
                email=email,
                password_hash=peer_hash(password, uuid.uuid4().hex),
                is_admin=i == 0,
            )
        _insert(
            conn, "available_models", name="gpt-4.1-mini", display_name="GPT 4.1 mini", provider_slug="openai"
        )
        _insert(
            conn,
            "available_models",
            name="llama3",
            display_name=None,
            description=None,
            provider_slug="ollama",
        )
        _insert(conn, "voice_settings", instructions="Parle lentement.", model="gpt-realtime", voice="verse")

        widgets = _insert(
            conn,
            "json_vector_stores",
            slug="chatkit-widgets",
            title="Bibliothèque de widgets",
            metadata_json={"scope": "widget_library"},
        )
        for slug in ("greeting", "banner", "farewell"):
            raw = {"slug": slug, "title": slug.title(), "description": None, "definition": WIDGET_DEFINITION}
            _insert(
                conn,
                "json_documents",
                store_id=widgets,
                doc_id=slug,
                raw_document=raw,
                linearized_text=slug,
                metadata_json={"slug": slug},
            )
        for slug, topic in (("guides", "guide"), ("faq", "question")):
            store = _insert(
                conn, "json_vector_stores", slug=slug, title=f"The {slug}", metadata_json={"team": "ops"}
            )
            for n in range(documents_per_store):
                raw = {"title": f"{topic} {n}", "text": f"Answer {n} of the {slug}: code word {slug}{n}zeta."}
                _insert(
                    conn,
                    "json_documents",
                    store_id=store,
                    doc_id=f"{slug}-{n}",
                    raw_document=raw,
                    linearized_text=raw["text"],
                    metadata_json={"n": n},
                )

        flows = {}
        for index, slug in enumerate(("support", "helpdesk")):
            flow = _insert(
                conn, "workflows", slug=slug, display_name=slug.title(), is_chatkit_default=index == 0
            )
            definitions = []
            for version in (1, 2, 3):
                definition = _insert(
                    conn,
                    "workflow_definitions",
                    workflow_id=flow,
                    version=version,
                    name=f"{slug} release {version}",
                    is_active=version == 3,
                )
                _steps(conn, definition, version)
                definitions.append(definition)
            conn.execute("UPDATE workflows SET active_version_id = %s WHERE id = %s", [definitions[-1], flow])
            flows[slug] = definitions

        start = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
        for n in range(5):
            owner = list(users.values())[n % 3]
            thread_id = f"thr_peer{n}"
            when = start + timedelta(days=n)
            payload = {
                "id": thread_id,
                "title": f"Old chat {n}",
                "created_at": when.isoformat(),
                "status": {"type": "active"},
                "metadata": {"workflow": {"slug": "support"}},
            }
            _insert(
                conn,
                "chat_threads",
                id=thread_id,
                owner_id=str(owner) if n else f"user:{owner}",
                created_at=when,
                updated_at=when + timedelta(minutes=5),
                payload=payload,
                title=f"Old chat {n}",
            )
            for k, item in enumerate(_items(thread_id, when, n)):
                _insert(
                    conn,
                    "chat_thread_items",
                    id=item["id"],
                    thread_id=thread_id,
                    owner_id=str(owner),
                    created_at=when + timedelta(seconds=k),
                    payload=item,
                )
    return {"users": users}


def _steps(conn: psycopg.Connection, definition: int, version: int) -> None:
    """start → agent (searches the guides) → end; version 3 adds a state step and a condition."""
    agent = {
        "model": "gpt-4.1-mini",
        "instructions": f"Answer from the guides (release {version}).",
        "model_settings": {"include_chat_history": True, "max_output_tokens": 400},
        "tools": [{"type": "file_search", "file_search": {"vector_store_slug": "guides"}}],
    }
    steps = [node("start", "start"), node("answer", "agent", agent, display_name="Answer")]
    edges = [("start", "answer", None)]
    if version == 3:
        steps += [
            node("count", "state", {"state": [{"target": "state.turns", "expression": "1"}]}),
            node("check", "condition", {"mode": "truthy", "path": "turns"}),
        ]
        edges += [
            ("answer", "count", None),
            ("count", "check", None),
            ("check", "end", "true"),
            ("check", "end", "false"),
        ]
    else:
        edges.append(("answer", "end", None))
    steps.append(node("end", "end"))
    ids = {}
    for position, step in enumerate(steps):
        ids[step["slug"]] = _insert(
            conn,
            "workflow_steps",
            definition_id=definition,
            slug=step["slug"],
            kind=step["kind"],
            display_name=step.get("display_name"),
            position=position,
            parameters=step["parameters"],
            ui_metadata={"position": {"x": position * 200, "y": 0}},
        )
    for source, target, condition in edges:
        _insert(
            conn,
            "workflow_transitions",
            definition_id=definition,
            source_step_id=ids[source],
            target_step_id=ids[target],
            condition=condition,
        )


def _items(thread_id: str, when: datetime, n: int) -> list[dict[str, Any]]:
    user = {
        "id": f"msg_u{n}",
        "thread_id": thread_id,
        "created_at": when.isoformat(),
        "type": "user_message",
        "content": [{"type": "input_text", "text": f"Question {n}"}],
        "attachments": [],
        "inference_options": {},
    }
    answer = {
        "id": f"msg_a{n}",
        "thread_id": thread_id,
        "created_at": (when + timedelta(seconds=1)).isoformat(),
        "type": "assistant_message",
        "content": [{"type": "output_text", "text": f"Answer {n}", "annotations": []}],
    }
    return [user, answer]
