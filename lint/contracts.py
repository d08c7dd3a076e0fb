"""import-linter contract types of this project (registered in pyproject.toml).

``private_names``: no module may use another app's private names. An app's
``_name`` is its own business; what another app needs is made public in the
module that owns it (STYLE.md §16: the import rules are checked, not hoped
for). import-linter's graph knows modules, not names, so this contract reads
each module's source (``ast``) and reports

- ``from other_app.module import _name`` (a function, class, constant or
  private submodule), and
- ``module._name`` where ``module`` is bound to a module of another app
  (``from other_app import services`` … ``services._helper()``,
  ``import other_app.services as s`` … ``s._x``).

An "app" is a top-level package (``afterschool``, ``enrollment`` …);
``__dunder__`` names are not private. Inside one app anything goes. Scripts
that are not a package (``bench/*.py``) are checked as importers too.
"""

from __future__ import annotations

import ast
import importlib.machinery
import sys
from dataclasses import dataclass
from pathlib import Path

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


@dataclass(frozen=True, order=True)
class PrivateUse:
    importer: str
    line: int
    imported: str  # "other_app.module._name"


def module_path(module: str) -> Path | None:
    """The source file of ``module`` (a package's ``__init__.py``), found
    without importing anything."""
    root, *rest = module.split(".")
    spec = importlib.machinery.PathFinder.find_spec(root, sys.path)
    if spec is None or not spec.submodule_search_locations:
        return None
    base = Path(next(iter(spec.submodule_search_locations)), *rest)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module name of ``from <node.module> import …``."""
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    if not is_package:
        parts = parts[:-1]
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join([*parts, node.module] if node.module else parts)


def private_uses(module: str, tree: ast.Module, modules: set[str], is_package: bool):
    """Every use in ``tree`` (the source of ``module``) of a private name of
    another app's module; ``modules`` are the modules of the checked apps."""
    app = module.split(".")[0]

    def other_app(name: str) -> bool:
        return name in modules and name.split(".")[0] != app

    # Local names bound to another app's module, and what they stand for.
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    bound[head] = head
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(module, is_package, node)
            for alias in node.names:
                full = f"{source}.{alias.name}"
                if other_app(source) and is_private(alias.name):
                    yield PrivateUse(module, node.lineno, full)
                if full in modules:
                    bound[alias.asname or alias.name] = full
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_private(node.attr):
            target = _dotted(node.value, bound)
            if target is not None and other_app(target):
                yield PrivateUse(module, node.lineno, f"{target}.{node.attr}")


def _dotted(node: ast.expr, bound: dict[str, str]) -> str | None:
    """``a.b.c`` as a module name, when ``a`` is bound to a module."""
    if isinstance(node, ast.Name):
        return bound.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, bound)
        return None if base is None else f"{base}.{node.attr}"
    return None


class PrivateNamesContract(Contract):
    """No module uses a private (``_name``) name of another app's module.

    Options:
        - apps: the top-level packages whose modules are checked, both as
          importers and as owners of the private names.
        - scripts: folders of plain scripts (not packages) checked as
          importers, e.g. ``bench``. (Optional.)
        - ignore_uses: ``importer -> app.module._name`` uses allowed anyway
          (each with a comment saying why). (Optional.)
    """

    type_name = "private_names"

    apps = fields.ListField(subfield=fields.StringField())
    scripts = fields.ListField(subfield=fields.StringField(), required=False)
    ignore_uses = fields.SetField(subfield=fields.StringField(), required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        apps = set(self.apps)  # type: ignore[arg-type]
        modules = {m for m in graph.modules if m.split(".")[0] in apps}
        ignored = {" ".join(u.split()) for u in self.ignore_uses or ()}  # type: ignore[union-attr]
        sources: list[tuple[str, Path]] = []
        for module in sorted(modules):
            path = module_path(module)
            if path is not None:
                sources.append((module, path))
        for folder in self.scripts or ():  # type: ignore[union-attr]
            # A script is its own "app": every checked app is another one.
            sources += [(f"{folder}.{p.stem}", p) for p in sorted(Path(folder).glob("*.py"))]
        found: set[PrivateUse] = set()
        for module, path in sources:
            output.verbose_print(verbose, f"Reading {path}")
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            is_package = path.name == "__init__.py"
            found |= {
                use
                for use in private_uses(module, tree, modules, is_package)
                if f"{use.importer} -> {use.imported}" not in ignored
            }
        return ContractCheck(kept=not found, metadata={"uses": sorted(found)})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for use in check.metadata["uses"]:
            output.print_error(f"{use.importer}:{use.line} uses {use.imported}", bold=False)
        output.new_line()
        output.print("Make the name public in the module that owns it, then import that.")
