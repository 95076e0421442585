"""deploy/systemd units run the way systemd would: ExecStart, WorkingDirectory, EnvironmentFile,
KillSignal and Restart=always/RestartSec — with the install paths (/srv/chatkit,
/etc/chatkit/chatkit.env) mapped onto this checkout and the harness's filled-in env file.
User/Group are not applied (the harness runs as whoever starts it).
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import signal
import subprocess
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

INSTALL_DIR = "/srv/chatkit"
ENV_FILE = "/etc/chatkit/chatkit.env"


def parse_unit(path: Path) -> dict[str, str]:
    """The [Service] section's keys (the last value of a repeated key wins)."""
    service: dict[str, str] = {}
    section = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "Service" and "=" in line:
            key, value = line.split("=", 1)
            service[key.strip()] = value.strip()
    return service


def parse_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def fill_env_file(template: Path, target: Path, values: dict[str, str]) -> dict[str, str]:
    """deploy/chatkit.env with the harness's values; every key must be one the app reads."""
    known = set(
        re.findall(r"^([A-Z][A-Z0-9_]*)=", (template.parent.parent / ".env.example").read_text(), re.M)
    )
    filled = parse_env_file(template)
    unknown = sorted(set(filled) - known)
    if unknown:
        raise ValueError(f"{template} sets variables the app does not read: {unknown}")
    filled.update(values)
    target.write_text("".join(f"{key}={value}\n" for key, value in filled.items()))
    return filled


@dataclass
class Unit:
    """One running unit (``instance`` replaces %i), restarted after it dies like Restart=always."""

    path: Path
    project: Path
    env_file: Path
    instance: str = ""
    log: Path | None = None
    process: subprocess.Popen | None = None
    restarts: int = 0
    stopping: bool = False
    _watch: asyncio.Task | None = field(default=None, repr=False)

    def _expand(self, value: str) -> str:
        return value.replace("%i", self.instance).replace(INSTALL_DIR, str(self.project))

    @cached_property
    def service(self) -> dict[str, str]:
        return parse_unit(self.path)

    def command(self) -> list[str]:
        return shlex.split(self._expand(self.service["ExecStart"]))

    def environment(self) -> dict[str, str]:
        assert self.service["EnvironmentFile"] == ENV_FILE, "the units read /etc/chatkit/chatkit.env"
        env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
        env.update(parse_env_file(self.env_file))
        env["CHATKIT_DOTENV"] = "false"  # the checkout's .env is a developer's, not the deploy's
        return env

    def spawn(self) -> None:
        log = open(self.log or os.devnull, "ab")
        self.process = subprocess.Popen(
            self.command(),
            cwd=self._expand(self.service["WorkingDirectory"]),
            env=self.environment(),
            stdout=log,
            stderr=log,
            start_new_session=True,
        )

    def start(self) -> None:
        self.stopping = False
        self.spawn()
        if self.service.get("Restart") == "always":
            self._watch = asyncio.get_running_loop().create_task(self._restart_when_dead())

    async def _restart_when_dead(self) -> None:
        delay = float(self.service.get("RestartSec", "1"))
        while not self.stopping:
            if self.process is not None and self.process.poll() is not None:
                await asyncio.sleep(delay)
                if not self.stopping:
                    self.restarts += 1
                    self.spawn()
            await asyncio.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a crash would: no cleanup at all."""
        if self.process is not None:
            self.process.kill()

    async def stop(self) -> int | None:
        """The unit's KillSignal, then up to TimeoutStopSec before SIGKILL; the exit status."""
        self.stopping = True
        if self._watch is not None:
            self._watch.cancel()
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        sig = getattr(signal, self.service.get("KillSignal", "SIGTERM"))
        self.process.send_signal(sig)
        timeout = float(self.service.get("TimeoutStopSec", "90"))
        loop = asyncio.get_running_loop()
        try:
            return await asyncio.wait_for(loop.run_in_executor(None, self.process.wait), timeout)
        except TimeoutError:
            self.process.kill()
            return await loop.run_in_executor(None, self.process.wait)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None
