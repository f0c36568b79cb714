"""Read models from rows: a schema's fields are written once, in the schema, not copied by hand."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def from_row(model: type[M], row: object, **derived: Any) -> M:
    """`model` from the attributes of `row` (an ORM object, a result row, a dataclass) named
    like its fields, except those given in `derived`, which the caller works out itself.
    Like `model.model_validate(row, from_attributes=True)`, for a schema that is not all
    columns (a date in Tashkent, a value withheld)."""
    values = {name: getattr(row, name) for name in model.model_fields if name not in derived}
    return model.model_validate({**values, **derived}, by_name=True)
