"""Checks the package's shape from its source alone (the standard library's ast: no torch needed).

    cd native-models/build && python3 -m agx_build.tools.check_imports

- layering: lib/ imports only lib/ and config; stages/ also stages/; tools/ and build_all also stages/
  and lib/; nothing imports tools/ or build_all;
- no import cycles between the package's modules;
- every import of the package is at the top of its module (a function-local import can hide a cycle);
- nothing touches sys.path (the package is found as a package: python -m from native-models/build).
Prints one line per problem and exits 1 if there is any; otherwise prints a summary line.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
ROOT = PACKAGE.name  # agx_build

# layer of a module -> the layers it may import
ALLOWED = {
    "config": {"config"},
    "lib": {"config", "lib"},
    "stages": {"config", "lib", "stages"},
    "tools": {"config", "lib", "stages", "tools"},
    "build_all": {"config", "lib", "stages"},
    "package": {"config"},  # agx_build/__init__.py
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "package"
    return parts[1] if parts[1] in ALLOWED else "package"


def imported_modules(tree: ast.Module, module: str, is_package: bool, known: set[str]) -> list[tuple[str, int, bool]]:
    """(imported package module, line, at module top level) for every import of the package."""
    top = {id(node) for node in tree.body}
    out = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            # "from agx_build.lib import world" imports the module agx_build.lib.world
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        for name in names:
            if name == ROOT or name.startswith(ROOT + "."):
                while name not in known and "." in name:
                    name = name.rsplit(".", 1)[0]
                out.append((name, node.lineno, id(node) in top))
    return out


def touches_sys_path(tree: ast.Module) -> list[int]:
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr == "path"
            and isinstance(node.value, ast.Name) and node.value.id == "sys"]


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                return stack[stack.index(n):] + [n]
            if n not in state and (c := visit(n)):
                return c
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state and (c := visit(m)):
            return c
    return None


def check() -> list[str]:
    files = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "__pycache__" not in p.parts}
    known = set(files)
    graph: dict[str, set[str]] = {m: set() for m in files}
    problems = []
    for module, path in files.items():
        tree = ast.parse(path.read_text(), str(path))
        rel = path.relative_to(PACKAGE.parent)
        for line in touches_sys_path(tree):
            problems.append(f"{rel}:{line}: touches sys.path")
        for target, line, at_top in imported_modules(tree, module, path.name == "__init__.py", known):
            if target == module or module.startswith(target + ".") or target == ROOT:
                continue  # a module's own package (its __init__) is not a dependency edge worth checking
            graph[module].add(target)
            if not at_top:
                problems.append(f"{rel}:{line}: imports {target} inside a function or block")
            if layer(target) not in ALLOWED[layer(module)]:
                problems.append(f"{rel}:{line}: {layer(module)} may not import {layer(target)} ({target})")
    cycle = find_cycle(graph)
    if cycle:
        problems.append("import cycle: " + " -> ".join(cycle))
    return problems


def main() -> None:
    problems = check()
    for p in problems:
        print(p)
    if problems:
        sys.exit(1)
    print(f"{ROOT}: layering, no cycles, top-level imports, no sys.path: ok")


if __name__ == "__main__":
    main()
