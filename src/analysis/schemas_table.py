"""A processed table's schema and its columns: what every table definition in ``schemas_*`` is made of."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str
    meaning: str
    nullable: bool = True


@dataclass(frozen=True)
class TableSchema:
    name: str
    description: str
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def as_frame(self) -> pd.DataFrame:
        """The schema as a table (column, type, meaning) for documentation and the report's method section."""
        return pd.DataFrame(
            [(c.name, c.dtype, c.meaning, c.nullable) for c in self.columns],
            columns=["column", "type", "meaning", "nullable"],
        )
