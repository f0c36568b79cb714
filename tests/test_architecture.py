"""Issue 12: the structure the code promises, checked on the source itself.

- One writer of "an appeal changed": only `appeals/journal.py` writes history rows and outbox
  events (STYLE.md: one writer per fact).
- The domains form a DAG: no package imports one that imports it back (ARCHITECTURE.md).
- No module grows past the size a newcomer reads in one sitting (STYLE.md: ~400 lines).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "appeals_api"
JOURNAL = SRC / "appeals" / "journal.py"
# Writing an appeal's history or an event, by SQL or by the ORM.
WRITES = re.compile(
    r"INSERT\s+INTO\s+(appeal_history|events)\b"
    r"|[^ ]AppealHistory\(|insert\(Event\)|events_service\.emit"
)


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_only_the_journal_writes_an_appeals_history_and_events():
    offenders = []
    for path in _modules():
        if path in (JOURNAL, SRC / "events" / "service.py"):
            continue  # the journal, and the outbox's own writer that only the journal calls
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if WRITES.search(line):
                offenders.append(f"{path.relative_to(SRC)}:{number}: {line.strip()}")
    assert offenders == []
    callers = [
        p.relative_to(SRC)
        for p in _modules()
        if "events_service.emit" in p.read_text() and p != JOURNAL
    ]
    assert callers == []


def _domain_of(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "appeals_api":
        return None
    return parts[1]


def _domain_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in _modules():
        rel = path.relative_to(SRC)
        if len(rel.parts) < 2:
            continue  # a flat module: plumbing or wiring, not a domain
        domain = rel.parts[0]
        for node in ast.walk(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            for target in targets:
                other = _domain_of(target)
                if other and other != domain and (SRC / other).is_dir():
                    graph.setdefault(domain, set()).add(other)
    return graph


def test_the_domains_import_each_other_in_one_direction_only():
    graph = _domain_graph()
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt in path:
                cycles.append(" -> ".join([*path[path.index(nxt) :], nxt]))
            elif len(path) < 12:
                visit(nxt, [*path, nxt])

    for start in sorted(graph):
        visit(start, [start])
    assert cycles == []
    assert "appeals" not in graph.get("calendar", set())  # the calendar knows no appeals
    assert "directum" not in graph.get("appeals", set())  # DIRECTUM is wired in, not called


def test_no_module_is_over_400_lines():
    long = {
        str(p.relative_to(SRC)): n
        for p in _modules()
        if (n := len(p.read_text().splitlines())) > 400
    }
    assert long == {}


def test_test_modules_share_code_only_through_tests_helpers():
    """A test module imports nothing of another test module or of conftest: what tests share is
    in tests/helpers/, so each module runs alone, in any order, on any xdist worker."""
    tests = Path(__file__).parent
    wrong: list[str] = []
    for path in sorted(tests.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                if name.startswith("tests") and not name.startswith("tests.helpers"):
                    wrong.append(f"{path.relative_to(tests)}: {name}")
    assert wrong == []
