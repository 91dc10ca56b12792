"""Issue 24: the layers hold, read from the source: no app imports another app's API package,
nothing inside an app points up into its API, ``core`` sits below the apps, no import cycle, and
the emulator imports nothing of ours."""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OURS = ("config", "core", "orgs", "pronunciations", "sync", "webhooks")
APPS = ("orgs", "pronunciations", "sync", "webhooks")
Graph = dict[str, set[str]]


def _modules() -> dict[str, Path]:
    """Our modules by dotted name (a package by its ``__init__``), migrations aside."""
    found = {}
    for top in OURS:
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _imported(name: str, path: Path) -> Iterator[str]:
    """What the module imports anywhere (lazy imports in functions too): a module when the
    import names one (``from sync.client import codes``), else the package it imports from."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parents = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parents + ([node.module] if node.module else []))
            for alias in node.names:
                yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base


def _graph() -> Graph:
    return {
        name: {target for target in _imported(name, path) if target != name}
        for name, path in MODULES.items()
    }


GRAPH = _graph()


def _edges() -> Iterator[tuple[str, str]]:
    for name, targets in GRAPH.items():
        for target in targets:
            yield name, target


def _app_and_package(name: str) -> tuple[str, str]:
    parts = name.split(".")
    return parts[0], parts[1] if len(parts) > 1 else ""


def _cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start] & graph.keys())))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child] & graph.keys()))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def test_no_app_imports_another_apps_api_package() -> None:
    """Issue 24: sync imported pronunciations' API (its helpers, serializers, exceptions);
    what apps share lives in ``core``."""
    crossing = [
        (name, target)
        for name, target in _edges()
        if _app_and_package(name)[0] in APPS
        and _app_and_package(target)[0] in APPS
        and _app_and_package(target)[0] != _app_and_package(name)[0]
        and _app_and_package(target)[1] == "api"
    ]

    assert crossing == []


def test_nothing_inside_an_app_imports_its_own_api_package() -> None:
    """Issue 24: the import job (``transfer/jobs.py``) imported ``api.exceptions``: an arrow up
    from the app's services into its views' layer."""
    upward = [
        (name, target)
        for name, target in _edges()
        if _app_and_package(name)[0] in APPS
        and _app_and_package(target)[0] == _app_and_package(name)[0]
        and _app_and_package(target)[1] == "api"
        and _app_and_package(name)[1] != "api"
    ]

    assert upward == []


def test_core_sits_below_the_apps() -> None:
    """Issue 24: the shared layer imports Django and ``orgs`` (who calls), never the apps that
    use it."""
    above = [
        (name, target)
        for name, target in _edges()
        if name.split(".")[0] == "core"
        and target.split(".")[0] in ("config", "pronunciations", "sync", "webhooks")
    ]

    assert above == []


def test_no_module_imports_itself_back() -> None:
    """Issue 24: two cycles stood here (``pronunciations/tasks.py`` and ``transfer/jobs.py``
    behind a lazy import; ``validation/__init__.py`` and the submodules it re-exported)."""
    assert _cycles(GRAPH) == []


def test_the_cycle_check_sees_a_cycle() -> None:
    """The check above finds a cycle through a lazy import, as the one it replaced was."""
    graph = {**GRAPH, "pronunciations.transfer.jobs": {"pronunciations.tasks"}}

    assert ["pronunciations.tasks", "pronunciations.transfer.jobs"] in _cycles(graph)


def test_the_emulator_imports_nothing_of_ours() -> None:
    """The emulator stands for SLNG: it shares no code with the apps it answers."""
    ours = [
        (name, target)
        for name, target in _edges()
        if name.startswith("sync.emulator")
        and target.split(".")[0] in (*OURS, "tests", "bench")
        and not target.startswith("sync.emulator")
    ]

    assert ours == []
