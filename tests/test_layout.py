"""The house rules that keep the code navigable, checked by reading the source (``ast``).

- no import cycle among the modules of ``graph``, ``matching`` and ``service``
  (every import counts: lazy ones inside functions and ``TYPE_CHECKING`` ones too);
- no private module or name (``_x``) imported from outside the package that owns it;
- the third-party packages imported are the ones ``pyproject.toml`` declares, and the
  declared ones are imported (tools and packages for announced work excepted below);
- no module over 400 lines.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("graph", "matching", "service")
FIRST_PARTY = {*PACKAGES, "ontologies", "tests", "bench"}
MAX_LINES = 400
# declared, but not imported by the code: developer tools, and packages for work announced in the issues
NOT_IMPORTED = {
    "ruff": "linter",
    "mypy": "type checker",
    "networkx": "the network analytics (peers, partners, gaps)",
    "fastapi": "the HTTP API",
    "uvicorn": "the HTTP API",
    "oxigraph": "the Oxigraph server binary tests/remote runs as a real SPARQL endpoint",
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources(*tops: str) -> dict[str, Path]:
    return {_module_name(p): p for top in tops for p in sorted((ROOT / top).rglob("*.py"))}


MODULES = _sources(*PACKAGES)


def _package_of(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _imports(module: str, path: Path) -> list[tuple[str, str | None, int]]:
    """``(module imported, name imported from it or None, line)`` for every import in the file."""
    out: list[tuple[str, str | None, int]] = []
    package = _package_of(module, path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, None, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            out += [(base, a.name, node.lineno) for a in node.names]
    return out


def _targets(imported: str, name: str | None) -> str | None:
    """The first-party module an import loads (a submodule when ``name`` is one)."""
    if name is not None and f"{imported}.{name}" in MODULES:
        return f"{imported}.{name}"
    return imported if imported in MODULES else None


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles() -> None:
    edges: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        targets = {_targets(imported, name) for imported, name, _ in _imports(module, path)}
        edges[module] = {t for t in targets if t is not None and t != module}
    assert _cycles(edges) == []


def _private(part: str) -> bool:
    return part.startswith("_") and not part.startswith("__")


def test_no_private_name_imported_across_packages() -> None:
    bad = []
    for module, path in MODULES.items():
        importer = _package_of(module, path)
        for imported, name, line in _imports(module, path):
            if imported.split(".")[0] not in PACKAGES:
                continue
            parts = imported.split(".") + ([name] if name else [])
            for i, part in enumerate(parts):
                owner = ".".join(parts[:i])
                # a private module or name belongs to its package and that package's subpackages
                if _private(part) and not (importer == owner or importer.startswith(owner + ".")):
                    bad.append(f"{path.relative_to(ROOT)}:{line} imports {'.'.join(parts[: i + 1])}")
    assert bad == []


def _requirement_name(spec: str) -> str:
    return re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0].strip().lower().replace("_", "-")


def test_declared_dependencies_are_the_imported_ones() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(project["dependencies"]) + [s for extra in project["optional-dependencies"].values() for s in extra]
    declared = {_requirement_name(s) for s in specs}
    distributions = packages_distributions()
    imported: dict[str, str] = {}
    for module, path in _sources(*FIRST_PARTY).items():
        for name, _, line in _imports(module, path):
            top = name.split(".")[0]
            if not top or top in FIRST_PARTY or top in sys.stdlib_module_names:
                continue
            for dist in distributions.get(top, [top]):
                imported.setdefault(dist.lower().replace("_", "-"), f"{path.relative_to(ROOT)}:{line}")
    undeclared = {d: where for d, where in imported.items() if d not in declared}
    assert undeclared == {}, "imported but not declared in pyproject.toml"
    unused = declared - set(imported) - set(NOT_IMPORTED)
    assert unused == set(), "declared in pyproject.toml but never imported"


def test_no_module_over_the_line_limit() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in _sources(*FIRST_PARTY).values()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
