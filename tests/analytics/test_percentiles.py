"""Nearest-rank percentiles read off a histogram agree with ranking every value (the SQL side groups by 0.1 s)."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from helpdesk.analytics.sql import nearest_rank, nearest_rank_counted


@pytest.mark.parametrize("seed", range(20))
def test_histogram_percentiles_equal_ranking_every_value(seed: int) -> None:
    rng = random.Random(seed)
    values = [round(rng.lognormvariate(2.5, 0.6), 1) for _ in range(rng.randint(1, 400))]
    counted = sorted(Counter(values).items())
    for tenths in (1, 5, 9, 10):
        assert nearest_rank_counted(counted, tenths) == nearest_rank(values, tenths)


def test_small_histograms_pick_the_nearest_rank() -> None:
    assert nearest_rank_counted([(3.0, 1)], 9) == 3.0
    assert nearest_rank_counted([(1.0, 5), (2.0, 5)], 5) == 1.0  # rank 5 of 10 is the last 1.0
    assert nearest_rank_counted([(1.0, 5), (2.0, 6)], 5) == 2.0  # rank 6 of 11
    assert nearest_rank_counted([(1.0, 9), (7.5, 1)], 9) == 1.0
    assert nearest_rank_counted([(1.0, 8), (7.5, 2)], 9) == 7.5
    assert nearest_rank_counted([], 5) is None
