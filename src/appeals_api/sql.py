"""Hand-written statements for the plain asyncpg pool: named parameters numbered once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class Params:
    """Named parameters numbered in order of first use: `p("x")` is `$n` every time."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def __call__(self, name: str, cast: str | None = None) -> str:
        if name not in self.names:
            self.names.append(name)
        ref = f"${self.names.index(name) + 1}"
        return f"{ref}::{cast}" if cast else ref


@dataclass(frozen=True)
class Statement:
    sql: str
    names: tuple[str, ...]

    def args(self, values: dict[str, Any]) -> list[Any]:
        return [values[name] for name in self.names]
