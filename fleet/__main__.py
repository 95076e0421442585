"""``python -m fleet [--workers 3] [--users 200] [--turns 5] [--json report.json] [--phases load,...]``

Prints the figures and every check's verdict; exits 1 when a check failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from fleet.fleet import Fleet
from fleet.scenario import PHASES, scenario


def _print(report: dict[str, Any]) -> None:
    print(
        f"fleet: {report['workers']} workers behind nginx, {report['users']} users x {report['turns']} turns"
    )
    print(f"  nginx: static {report['nginx']['static']}, health {report['nginx']['health']}, "
          f"redis {report['nginx']['redis']}")  # fmt: skip
    if "load" in report:
        _print_load(report)
    for name in ("events", "sigkill", "graceful", "database", "redis"):
        if name in report:
            verdict = "OK" if report[name]["ok"] else "FAILED"
            print(f"  {name}: {verdict} {json.dumps(report[name], default=str)}")
    print(f"  RSS MB per worker at the end: {report['rss_mb_after']}")
    print("fleet: OK" if report["ok"] else "fleet: FAILED")


def _print_load(report: dict[str, Any]) -> None:
    load = report["load"]
    for label, key in (("1 user", "one_user"), (f"{report['users']} users", "all_users")):
        f = load[key]
        print(
            f"  {label:>10}: {f['turns']} turns, {f['errors']} errors, {f['turns_per_second']} turns/s, "
            f"TTFB p50 {f['ttfb_ms_p50']} ms p95 {f['ttfb_ms_p95']} ms, "
            f"turn p50 {f['turn_ms_p50']} ms p95 {f['turn_ms_p95']} ms"
        )
    print(
        f"  threads checked: {load['threads']}, lost or duplicated items: {load['lost_or_duplicated_count']}"
    )
    for sample in load["error_samples"]:
        print(f"    error: {sample}")
    for problem in load["lost_or_duplicated"]:
        print(f"    problem: {problem}")
    print(f"  RSS MB per worker: before {report['rss_mb_before']}, after load {report['rss_mb_after_load']}")


async def main(arguments: argparse.Namespace) -> int:
    for binary in ("redis-server", "nginx"):
        if not (shutil.which(binary) or Path(f"/usr/sbin/{binary}").exists()):
            print(f"fleet: {binary} is missing (make scale-test installs it)", file=sys.stderr)
            return 2
    fleet = Fleet(arguments.workers)
    try:
        await fleet.start()
        report = await scenario(fleet, arguments.users, arguments.turns, tuple(arguments.phases.split(",")))
    finally:
        await fleet.stop()
    if arguments.json:
        Path(arguments.json).write_text(json.dumps(report, indent=2, default=str))
    _print(report)
    if not arguments.keep:
        shutil.rmtree(fleet.root, ignore_errors=True)
    else:
        print(f"fleet: logs and data kept in {fleet.root}")
    return 0 if report["ok"] else 1


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m fleet")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--json", help="write the full report here")
    parser.add_argument(
        "--phases",
        default=",".join(PHASES),
        help=f"comma-separated, in order (default: all: {','.join(PHASES)})",
    )
    parser.add_argument("--keep", action="store_true", help="keep logs and data (printed at the end)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse(sys.argv[1:]))))
