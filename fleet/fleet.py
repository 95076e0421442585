"""The whole topology: PostgreSQL, Redis, the task worker, N ASGI workers and nginx."""

from __future__ import annotations

import asyncio
import json
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from fleet.services import Nginx, Postgres, Redis, free_port, wait_for_port
from fleet.units import Unit, fill_env_file

PROJECT = Path(__file__).resolve().parent.parent
DEPLOY = PROJECT / "deploy"

USERS_SCRIPT = """
import json, sys
from accounts.models import User
from accounts.tokens import token_pair_for
tokens = []
for n in range(int(sys.argv[1])):
    user, _ = User.objects.get_or_create(email=f"fleet-{n}@example.com")
    tokens.append(token_pair_for(user=user).access_token)
print(json.dumps(tokens))
"""


class Fleet:
    def __init__(self, workers: int, root: Path | None = None) -> None:
        self.root = root or Path(tempfile.mkdtemp(prefix="chatkit-fleet-"))
        self.root.chmod(0o755)  # PostgreSQL runs as another user when the harness is root
        self.postgres = Postgres(self.root)
        self.redis = Redis(self.root)
        self.worker_ports = [free_port() for _ in range(workers)]
        self.env_file = self.root / "chatkit.env"
        self.slow_env_file = self.root / "chatkit-slow.env"
        self.web: list[Unit] = []
        self.tasks: Unit | None = None
        self.nginx = Nginx(self.root, DEPLOY / "nginx" / "chatkit.conf", PROJECT, self.worker_ports)
        self.env: dict[str, str] = {}

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.nginx.port}"

    def worker_base(self, index: int) -> str:
        return f"http://127.0.0.1:{self.worker_ports[index]}"

    # --- start and stop -------------------------------------------------------------------

    def _manage(self, *arguments: str, capture: bool = False) -> str:
        env = Unit(DEPLOY / "systemd" / "chatkit-tasks.service", PROJECT, self.env_file).environment()
        result = subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=PROJECT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        return result.stdout if capture else ""

    async def start(self) -> None:
        self.postgres.init()
        self.postgres.start()
        self.postgres.create_database()
        self.redis.start()
        values = {
            "DATABASE_URL": self.postgres.url,
            "REDIS_URL": self.redis.url,
            "SECRET_KEY": secrets.token_urlsafe(40),
            "JWT_SIGNING_KEY": secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{self.nginx.port}",
            "BEHIND_HTTPS_PROXY": "false",
            "CHATKIT_DATA_DIR": str(self.root / "data"),
            "DATABASE_POOL_SIZE": "20",
            "SHUTDOWN_GRACE_SECONDS": "10",
            "OPENAI_API_KEY": "",
            "LOG_LEVEL": "WARNING",
        }
        self.env = fill_env_file(DEPLOY / "chatkit.env", self.env_file, values)
        fill_env_file(DEPLOY / "chatkit.env", self.slow_env_file, {**values, "OFFLINE_STREAM_DELAY_MS": "40"})
        self._manage("migrate", "--noinput")
        self._manage("collectstatic", "--noinput")
        self.tasks = Unit(
            DEPLOY / "systemd" / "chatkit-tasks.service", PROJECT, self.env_file, log=self.root / "tasks.log"
        )
        self.tasks.start()
        for index, port in enumerate(self.worker_ports):
            unit = Unit(
                DEPLOY / "systemd" / "chatkit-web@.service",
                PROJECT,
                self.env_file,
                instance=str(port),
                log=self.root / f"web-{index}.log",
            )
            unit.start()
            self.web.append(unit)
        for port in self.worker_ports:
            await asyncio.to_thread(wait_for_port, port, 60)
        self.nginx.start()

    async def stop(self) -> None:
        self.nginx.stop()
        for unit in [*self.web, *([self.tasks] if self.tasks else [])]:
            await unit.stop()
        self.redis.stop()
        self.postgres.stop()

    def migrate(self) -> str:
        """``manage.py migrate`` while the workers serve (a deploy's first step): "ok" or the error."""
        try:
            self._manage("migrate", "--noinput")
        except subprocess.CalledProcessError as exc:
            return f"failed: {exc.stderr[-300:]}"
        return "ok"

    def tokens(self, users: int) -> list[str]:
        output = self._manage("shell", "-c", USERS_SCRIPT.replace("sys.argv[1]", str(users)), capture=True)
        return json.loads(output.strip().splitlines()[-1])

    async def health(self, base: str | None = None) -> tuple[int, dict]:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.get(f"{base or self.base}/api/health")
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, {"raw": response.text[:200]}

    async def restart_worker(self, index: int, *, slow: bool) -> None:
        """A deploy of one worker: SIGTERM (graceful), then start it again with an env file."""
        unit = self.web[index]
        await unit.stop()
        unit.env_file = self.slow_env_file if slow else self.env_file
        unit.start()
        await asyncio.to_thread(wait_for_port, self.worker_ports[index], 60)

    def rss_mb(self) -> list[float]:
        import psutil

        sizes = []
        for unit in self.web:
            try:
                sizes.append(psutil.Process(unit.pid).memory_info().rss / 2**20)
            except (psutil.Error, TypeError):
                sizes.append(float("nan"))
        return sizes
