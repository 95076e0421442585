"""deploy/: the units and environment as the harness reads them, and the README's account of them."""

from __future__ import annotations

import re
from pathlib import Path

from fleet.services import Nginx
from fleet.units import Unit, fill_env_file, parse_env_file, parse_unit

PROJECT = Path(__file__).resolve().parent.parent.parent
DEPLOY = PROJECT / "deploy"


def test_the_web_unit_runs_the_production_server_on_its_instance_port(tmp_path):
    env = tmp_path / "chatkit.env"
    env.write_text("DATABASE_URL=postgresql://x/y\n")
    unit = Unit(DEPLOY / "systemd" / "chatkit-web@.service", PROJECT, env, instance="8123")
    command = unit.command()
    assert command[:3] == [str(PROJECT / ".venv/bin/python"), "-m", "chatkit_site.serve"]
    assert "8123" in command
    assert unit.environment()["DATABASE_URL"] == "postgresql://x/y"
    assert parse_unit(unit.path)["Restart"] == "always"


def test_the_environment_file_sets_only_settings_the_app_reads(tmp_path):
    filled = fill_env_file(DEPLOY / "chatkit.env", tmp_path / "env", {"REDIS_URL": "redis://elsewhere"})
    assert filled["REDIS_URL"] == "redis://elsewhere"
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "JWT_SIGNING_KEY", "ALLOWED_HOSTS"} <= set(filled)


def test_nginx_gets_one_upstream_line_per_worker(tmp_path):
    nginx = Nginx(tmp_path, DEPLOY / "nginx" / "chatkit.conf", PROJECT, [9001, 9002])
    config = nginx.site_config()
    assert re.findall(r"server 127\.0\.0\.1:(\d+)", config) == ["9001", "9002"]
    assert f"listen 127.0.0.1:{nginx.port};" in config
    assert "/srv/chatkit" not in config


def test_the_readme_production_section_names_every_deploy_file_and_variable():
    readme = (PROJECT / "README.md").read_text()
    section = readme[readme.index("## Production") :]
    section = section[: section.index("\n## ", 4)] if "\n## " in section[4:] else section
    for path in sorted(DEPLOY.rglob("*")):
        if path.is_file():
            assert str(path.relative_to(PROJECT)) in section, path
    for name in parse_env_file(DEPLOY / "chatkit.env"):
        assert name in section, name
    assert "make scale-test" in section
