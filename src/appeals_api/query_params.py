"""Query parameters a route does not know are refused (422), never silently ignored (API.md).

One dependency on the whole app: each route's own declared query parameters (its dependant
tree, as FastAPI built it) are the only ones it takes, so a misspelled filter (`?stauts=`) or
one the route does not have (`?search=`) answers 422 naming it, rather than every appeal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

# Where a route keeps its declared names once worked out (routes are not hashable).
_KNOWN_ATTR = "_appeals_known_query"


def _aliases(field: Any) -> Iterator[str]:
    """A parameter's name in the query; a Pydantic model of query parameters gives its fields."""
    annotation = getattr(field.field_info, "annotation", None)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, info in annotation.model_fields.items():
            yield info.alias or name
    else:
        yield field.alias


def declared_query(dependant: Dependant) -> frozenset[str]:
    """Every query parameter a route declares, its dependencies' included."""
    names: set[str] = set()
    pending = [dependant]
    while pending:
        current = pending.pop()
        for field in current.query_params:
            names.update(_aliases(field))
        pending.extend(current.dependencies)
    return frozenset(names)


def _known(route: Any) -> frozenset[str] | None:
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return None
    known: frozenset[str] | None = getattr(route, _KNOWN_ATTR, None)
    if known is None:
        known = declared_query(dependant)
        setattr(route, _KNOWN_ATTR, known)
    return known


def _with_nul(request: Request) -> list[dict[str, Any]]:
    """The query and path values holding a NUL character: no field takes one, and PostgreSQL
    refuses it in text (a 500, issue 19)."""
    found = [("query", n, v) for n, v in request.query_params.multi_items() if "\x00" in v]
    found += [("path", n, v) for n, v in request.path_params.items() if "\x00" in str(v)]
    return [
        {
            "type": "string_pattern_mismatch",
            "loc": (where, name),
            "msg": "Contains a NUL character (U+0000), which no value may hold",
            "input": value,
        }
        for where, name, value in found
    ]


async def refuse_unknown_query(request: Request) -> None:
    """422 naming every query parameter the route does not declare (API.md), and every query
    or path value with a NUL character."""
    if nul := _with_nul(request):
        raise RequestValidationError(nul)
    if not request.scope.get("query_string"):
        return
    known = _known(request.scope.get("route"))
    if known is None:
        return
    unknown = sorted({name for name in request.query_params if name not in known})
    if unknown:
        takes = ", ".join(sorted(known)) or "none"
        raise RequestValidationError(
            [
                {
                    "type": "extra_forbidden",
                    "loc": ("query", name),
                    "msg": f"Unknown query parameter; this route takes: {takes} (API.md)",
                    "input": request.query_params.get(name),
                }
                for name in unknown
            ]
        )
