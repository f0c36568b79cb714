"""Small-cell suppression for published tables (R-10.2): no count can point at a person.

Primary suppression withholds every count below the threshold. A withheld count could still be
worked out by subtraction where it is the only unknown of a published sum (a breakdown adds up
to the total; reviewed = satisfied + explained + not_satisfied), so complementary suppression
withholds, for each such sum, the smallest other count, until no sum has exactly one unknown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

Cell = tuple[str, str]  # (row, counter)
# A published identity: the first cell equals the sum of the others.
Identity = tuple[Cell, Sequence[Cell]]


def withheld(
    values: Mapping[Cell, int], identities: Sequence[Identity], *, min_cell: int
) -> set[Cell]:
    """The cells to publish as null: those below `min_cell`, plus their complements."""
    hidden = {cell for cell, value in values.items() if value < min_cell}
    changed = True
    while changed:  # every pass only adds cells, so this ends
        changed = False
        for total, parts in identities:
            unknown = [c for c in (total, *parts) if c in hidden]
            if len(unknown) != 1:
                continue
            candidates = [c for c in parts if c not in hidden] or [total]
            hidden.add(min(candidates, key=lambda c: (values[c], c)))
            changed = True
    return hidden
