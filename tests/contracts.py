"""Import contracts that import-linter's own types cannot say, checked by ``make lint`` (``lint-imports``)
on grimp's graph of the portal, its jobs, tenants and forms:

* ``acyclic``: no module imports itself through others (the import graph has no cycle);
* ``feature_pages``: no module imports a feature's pages (``portal.<feature>.views`` and the modules in
  it, ``portal.<feature>.blueprint``) unless it is in that feature: features use each other's services
  and models, never each other's pages.
"""

from __future__ import annotations

from typing import Any

from importlinter import Contract, ContractCheck, fields, output


def strongly_connected(graph: Any, modules: set[str]) -> list[list[str]]:
    """The cycles of the import graph among ``modules``: each group of modules that import one another
    (directly or not), with more than one module in it (Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    counter = 0
    for root in sorted(modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root) & modules)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child) & modules))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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


class AcyclicContract(Contract):
    """No cycle among the modules of the named packages."""

    packages = fields.ListField(subfield=fields.StringField())

    def check(self, graph: Any, verbose: bool) -> ContractCheck:
        modules = {m for package in self.packages for m in graph.find_descendants(package) | {package}}  # type: ignore[attr-defined]
        cycles = strongly_connected(graph, modules)
        return ContractCheck(kept=not cycles, metadata={"cycles": cycles})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for cycle in check.metadata["cycles"]:
            output.print_error(f"These {len(cycle)} modules import one another: {', '.join(cycle)}")
            output.new_line()


class FeaturePagesContract(Contract):
    """Only a feature imports its own pages."""

    features = fields.ListField(subfield=fields.StringField())

    def check(self, graph: Any, verbose: bool) -> ContractCheck:
        trespasses = []
        for feature in self.features:  # type: ignore[attr-defined]
            package = f"portal.{feature}"
            pages = {m for m in graph.modules if m in (f"{package}.views", f"{package}.blueprint") or m.startswith(f"{package}.views.")}
            for page in sorted(pages):
                for importer in sorted(graph.find_modules_that_directly_import(page)):
                    if importer != package and not importer.startswith(f"{package}."):
                        trespasses.append((importer, page))
        return ContractCheck(kept=not trespasses, metadata={"trespasses": trespasses})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, page in check.metadata["trespasses"]:
            output.print_error(f"{importer} imports {page}: use the feature's service or models instead of its pages")
            output.new_line()
