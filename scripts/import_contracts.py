"""An import-linter contract type for ``lint-imports`` (see ``[tool.importlinter]`` in pyproject.toml), not a script.

``acyclic_modules``: no import cycle between modules of the ``containers`` packages, counting every import in a
module's source, function-level (deferred) ones included. import-linter's built-in ``acyclic_siblings`` judges
packages as wholes (``bot.analysis`` -> ``bot.cli`` and back counts as a cycle even when no module is on one);
this contract asks the narrower question: can a chain of imports lead from a module back to itself?
"""

from __future__ import annotations

from collections.abc import Iterable

import grimp
from importlinter import Contract, ContractCheck, fields, output


class AcyclicModulesContract(Contract):
    """Fails with one concrete cycle (with line numbers) per strongly connected group of modules."""

    type_name = "acyclic_modules"

    containers = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        modules: set[str] = set()
        for container in self.containers:  # type: ignore[attr-defined]  # import-linter fields are descriptors
            modules |= {container} | graph.find_descendants(container)
        cycles = []
        for group in _strongly_connected(graph, sorted(modules)):
            cycle = _one_cycle(graph, group)
            steps = []
            for importer, imported in zip(cycle, [*cycle[1:], cycle[0]], strict=True):
                lines = sorted(d["line_number"] for d in graph.get_import_details(importer=importer, imported=imported))
                steps.append((importer, imported, lines))
            cycles.append(steps)
        return ContractCheck(kept=not cycles, metadata={"cycles": cycles})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for steps in check.metadata["cycles"]:
            output.print_error(" -> ".join([steps[0][0], *(imported for _, imported, _ in steps)]), bold=True)
            output.new_line()
            for importer, imported, lines in steps:
                output.indent_cursor()
                output.print_error(f"{importer} -> {imported} (l.{', '.join(map(str, lines))})", bold=False)
            output.new_line()


def _strongly_connected(graph: grimp.ImportGraph, modules: Iterable[str]) -> list[list[str]]:
    """Groups of two or more modules that import each other, directly or through one another (Tarjan)."""
    inside = set(modules)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in sorted(inside):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root) & inside)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child) & inside))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def _one_cycle(graph: grimp.ImportGraph, group: list[str]) -> list[str]:
    """The shortest cycle through the first module of ``group`` (every member of it lies on some cycle)."""
    start = group[0]
    best: tuple[str, ...] | None = None
    for imported in sorted(graph.find_modules_directly_imported_by(start) & set(group)):
        back = graph.find_shortest_chain(importer=imported, imported=start)
        if back is not None and (best is None or len(back) < len(best)):
            best = back
    assert best is not None
    return [start, *best[:-1]]
