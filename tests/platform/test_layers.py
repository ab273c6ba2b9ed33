"""Issue 15: the apps stand on each other in one order, and no import goes in a circle.

An app may import its own modules and apps in lower layers, never a higher
one (function-level imports count too: they are still a dependency). The
only circle allowed is a services module with its own tasks module (a
service enqueues its task, the task calls the service).
"""

import ast
import collections
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "prakerja"
LAYERS = [  # lowest first; apps in one layer do not import each other
    {"core"},
    {"audit"},
    {"notifications"},
    {"programme", "regions", "civil", "ledger"},
    {"accounts"},
    {"registry"},
    {"waves"},
    {"induction"},
    {"cards"},
    {"selection"},
    {"catalog"},
    {"learning"},
    {"partners"},  # its API answers for the domains below it
    {"complaints"},  # tickets for people, and for events of the domains below (receivers)
    {"stats"},  # daily aggregates over every domain
    {"backoffice"},  # the operators' home: what needs doing, from every domain
    {"retention"},  # PRV-8: anonymises across the domains below
    {"mydata"},
    {"web"},
    {"demo"},
    {"sandbox"},  # its own process: a stand-in for the outside world
]
LAYER = {app: n for n, apps in enumerate(LAYERS) for app in apps}
PROJECT_MODULES = {"env", "logging", "cache", "settings", "urls", "wsgi", "gunicorn"}


def modules():
    found = {}
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts).removesuffix(".__init__")
        found[name] = path
    return found


def imports(path, known):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                yield candidate if candidate in known else node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_every_app_has_a_layer():
    apps = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert apps - set(LAYER) == set(), "give the new app a layer in this test"


def test_no_app_imports_a_higher_one():
    known = modules()
    wrong = []
    for name, path in known.items():
        app = name.split(".")[1] if "." in name else ""
        if app not in LAYER:
            continue
        for target in imports(path, known):
            if not target.startswith("prakerja."):
                continue
            other = target.split(".")[1]
            if other == app or other in PROJECT_MODULES:
                continue
            if LAYER[other] >= LAYER[app]:
                wrong.append(f"{path.relative_to(ROOT.parent)}: {app} imports {target}")
    assert wrong == []


def test_no_import_circle_but_a_service_and_its_tasks():
    known = modules()
    graph = collections.defaultdict(set)
    for name, path in known.items():
        graph[name] = {t for t in imports(path, known) if t in known and t != name}
    circles = [c for c in _strongly_connected(graph) if len(c) > 1]
    allowed = [c for c in circles if len(c) == 2 and _service_and_tasks(*sorted(c))]
    assert [sorted(c) for c in circles if c not in allowed] == []


def _service_and_tasks(a: str, b: str) -> bool:
    app_a, app_b = a.split(".")[1], b.split(".")[1]
    return app_a == app_b and {a.rsplit(".", 1)[-1] == "tasks", b.rsplit(".", 1)[-1] == "tasks"} == {True, False} \
        and ("services" in a or "services" in b)


def _strongly_connected(graph):
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.add(top)
                if top == node:
                    break
            found.append(component)

    for node in list(graph):
        if node not in index:
            visit(node)
    return found
