"""Duplicate and repeat suggestions measured (issue 15, R-2.3): `appeals-api seed --plant`
plants known duplicates and repeats — the applicant in the other script, misspelt, the phone in
another format or left out, the text in the other script of Uzbek or with a line added — and
decoys (the same applicant on another matter; a namesake elsewhere on the same matter) among
generated appeals; the suggestions find the pairs and leave the decoys, both at 0.9 or more."""

from __future__ import annotations

from datetime import date

import pytest

from appeals_api.db import make_engine, make_pool
from appeals_api.stats import seed
from appeals_api.stats.seed_similar import evaluate, other_script

pytestmark = pytest.mark.slow


def test_R_2_3_the_generator_writes_a_name_in_the_other_script():
    assert other_script("Toshmatov") == "Тошматов"
    assert other_script("Каримов") == "Karimov"
    assert other_script("Yo'ldosheva") == "Йўлдошева"


async def test_R_2_3_planted_duplicates_and_repeats_are_found_with_precision_and_recall(settings):
    engine = make_engine(settings)
    try:
        result = await seed.seed(
            engine, settings, count=6000, years=(2026, 2026), seed=15, today=date(2026, 11, 30),
            plant=500,
        )  # fmt: skip
    finally:
        await engine.dispose()
    pool = await make_pool(settings)
    try:
        figures = await evaluate(pool, settings, result.planted)
    finally:
        await pool.close()
    print(figures, figures.precision, figures.recall)
    kinds = {p.kind for p in result.planted}
    assert kinds == {"duplicate", "repeat", "other_matter", "namesake"}
    assert figures.pairs >= 250
    assert figures.precision >= 0.9 and figures.recall >= 0.9, figures
    assert figures.relations_right >= 0.9 * figures.found, figures
