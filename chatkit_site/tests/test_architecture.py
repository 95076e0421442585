"""The layout holds: core ← feature apps ← chatkit_site, and no module imports itself in a circle.

The layers are import-linter's contract in pyproject.toml (``lint-imports``); cycles are found
here with grimp (import-linter's graph), between every pair of modules of the project — a lazy
import inside a function counts as much as one at the top. Tests and migrations are left out:
tests drive the whole project.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "chatkit_site", "core", "accounts", "conversations", "events", "mcphub", "tasks", "tools",
    "vectorstores", "voice", "widgets", "workflows",
)  # fmt: skip


def _counted(module: str) -> bool:
    return ".tests" not in module and ".migrations" not in module


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every group of modules that import each other in a circle (Tarjan's strongly connected
    components of more than one module, or a module importing itself)."""
    modules = sorted(module for module in graph.modules if _counted(module))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0

    for root in modules:
        if root in index:
            continue
        # Iterative depth-first search: (module, its remaining successors).
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            module, successors = work[-1]
            advanced = False
            for successor in successors:
                if not _counted(successor) or successor not in graph.modules:
                    continue
                if successor not in index:
                    index[successor] = low[successor] = counter
                    counter += 1
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.find_modules_directly_imported_by(successor)))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[module] = min(low[module], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1 or module in graph.find_modules_directly_imported_by(module):
                    cycles.append(sorted(component))
    return cycles


def test_the_layers_hold_core_below_the_apps_below_the_project():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "2 kept, 0 broken" in result.stdout


def test_no_module_of_the_project_is_part_of_an_import_cycle():
    sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)

    assert import_cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle_it_is_shown():
    graph = grimp.ImportGraph()
    for module in ("app.models", "app.services", "app.tasks", "app.selectors"):
        graph.add_module(module)
    graph.add_import(importer="app.models", imported="app.services")
    graph.add_import(importer="app.services", imported="app.tasks")
    graph.add_import(importer="app.tasks", imported="app.models")
    graph.add_import(importer="app.selectors", imported="app.models")

    assert import_cycles(graph) == [["app.models", "app.services", "app.tasks"]]
