"""`assess` against hand labels on real public repositories (tests/assess/corpus): the issue's
bar, checked on every run, with the confusion tables printed (`pytest -s` shows them).

Two parts. Calibration: repositories whose misses rules may be chosen from (410: the first 37,
the 15 that were held out until a fresh batch replaced them, the later calibration batches, and
the 17 of the third held-out batch, the 8 of the fifth, sixth and seventh, the 16 of the eighth,
the 12 of the ninth, the 16 of the tenth, the 19 of the eleventh, the 28 of the twelfth, the 29
of the thirteenth and the 30 of the fourteenth to nineteenth, which joined once their misses
had been examined). Held out (`heldout: true`): repositories labelled by reading each one and
committed before assess ever ran on them, never used to choose a rule, in batches
(`heldout_batch`: today the 11 of the fourth and the 30 of the twentieth)"""

from __future__ import annotations

import pytest

from tests.assess.corpus.accuracy import DIMENSIONS, facts_path, load_labels, measure

# the calibration part: regression floors at the 410-repository calibration part after the
# classes fixed from the nineteenth batch (test_defect_classes_twentieth_*.py: the round that
# examined the nineteenth, named for the batch it prepared) and two label corrections:
# 3115/3280 = 95.0 % exact, 1436/1580 = 90.9 % above 0, tracking 362/410 = 88.3 %, 35 too high
# = 1.1 %, 130 too low, within +-1 3229/3280, overall 406/410. When the nineteenth joined it was
# 3086/3280, 1408/1578, tracking 354/410, 42 too high, 152 too low; the 380 before it had
# 2874/3040, 1310/1456, tracking 335/380, 34 too high after the eighteenth's classes.
OVERALL_EXACT = 0.9
DIMENSION_WITHIN_ONE = 0.98
DIMENSION_EXACT = 0.94
ABOVE_ZERO_EXACT = 0.9  # exact on the cells a careful reader rated above 0
PER_DIMENSION_EXACT = 0.88
# the held-out part: whatever is `heldout: true` - today the fourth batch (11) and the
# twentieth (30), labelled before it was measured and measured once (with the scanner of the
# round that examined the nineteenth): alone 218/240 = 90.8 % exact, 88/103 = 85.4 % above 0,
# pipelines 22/30 = 73.3 % (tracking 28/30), 12/240 = 5.0 % too high, within +-1 235/240; with
# the fourth, 302/328 = 92.1 % exact, 108/126 = 85.7 % above 0, pipelines 32/41 = 78.0 %,
# 13/328 = 4.0 % too high, within +-1 323/328 = 98.5 %: issue 23's exact, above-0 and
# per-dimension floors met, the over-score floor not. Earlier fresh batches joined the
# calibration part once measured: the nineteenth alone 88.3 % exact, 80.3 % above 0, tracking
# 63.3 %, 3.3 % too high (with the fourth 90.2 %, 81.4 %, tracking 70.7 %, 2.7 %); the
# eighteenth 83.3 %, 78.9 %, tracking 56.7 %, 6.2 % (with the fourth 86.6 %, 80.0 %, 65.9 %,
# 4.9 %); the seventeenth 79.2 %, 63.7 %, deployment 56.7 %, 7.1 %; the sixteenth 79.2 %,
# 66.4 %, pipelines 66.7 %, 4.6 %; the fifteenth 84.2 %, 76.9 %, tracking 70.0 %, 5.4 %; the
# fourteenth 80.4 %, 68.3 %, tracking 56.7 %, 4.6 %. Issue 23's floors: dimensions exact >= 85 %,
# exact on cells above 0 >= 80 %, every dimension >= 75 %, over-scores <= 2 %. The fourth batch
# (first measured 94 %, 83 %, deployment 82 %, 1.1 %; with today's scanner 84/88, 20/23, 10/11,
# 1/88) meets all four; they are enforced on it, which says as much about that batch (mostly
# level 0-1 repositories) as about the scanner. The floors below are the held-out part as
# measured. docs/assess.md has the figures per batch.
HELDOUT_REPOS = 41
HELDOUT_WITHIN_ONE = 0.98
HELDOUT_EXACT_MEASURED = 0.92
HELDOUT_ABOVE_ZERO_MEASURED = 0.85
HELDOUT_WEAKEST_DIMENSION_MEASURED = 0.78
HELDOUT_OVER_MEASURED = 0.04
ISSUE_FLOORS = {"exact": 0.85, "above_zero": 0.8, "weakest_dimension": 0.75, "over": 0.02}


def test_labels_are_complete_and_consistent():
    labels = load_labels()
    assert len(labels) >= 50
    for name, entry in labels.items():
        assert set(entry["levels"]) == set(DIMENSIONS), name
        for dimension, (level, why) in entry["levels"].items():
            assert level in (0, 1, 2, 3) and why.strip(), (name, dimension)
        # the overall level is the minimum over dimensions, as assess computes it
        assert entry["overall"] == min(v[0] for v in entry["levels"].values()), name
        assert len(entry["commit"]) == 40 and facts_path(name).is_file(), name


@pytest.fixture(scope="module")
def calibration():
    return measure(heldout=False)


def test_accuracy_on_the_calibration_repositories_meets_the_bar(calibration):
    print()
    print(measure().table())
    print("calibration:")
    print(calibration.table())
    print("held out (labelled before assess ran on them, never tuned on):")
    print(measure(heldout=True).table())
    assert calibration.overall_rate >= OVERALL_EXACT, calibration.table()
    assert calibration.within_one_rate >= DIMENSION_WITHIN_ONE, calibration.table()
    assert calibration.exact_rate >= DIMENSION_EXACT, calibration.table()
    assert calibration.above_zero_rate >= ABOVE_ZERO_EXACT, calibration.table()


@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_no_dimension_is_mostly_wrong(calibration, dimension):
    # a rubric that is right on average can still be useless in one dimension
    assert calibration.per_dimension.get(dimension, 0) / calibration.repos >= PER_DIMENSION_EXACT, (
        calibration.table()
    )


def test_held_out_repositories_meet_the_floors_they_meet():
    heldout = measure(heldout=True)
    assert heldout.repos >= HELDOUT_REPOS, heldout.table()
    assert heldout.within_one_rate >= HELDOUT_WITHIN_ONE, heldout.table()
    assert heldout.exact_rate >= HELDOUT_EXACT_MEASURED, heldout.table()
    assert heldout.above_zero_rate >= HELDOUT_ABOVE_ZERO_MEASURED, heldout.table()
    assert heldout.over_rate <= HELDOUT_OVER_MEASURED, heldout.table()
    assert heldout.weakest_dimension_rate >= HELDOUT_WEAKEST_DIMENSION_MEASURED, heldout.table()


def test_the_fourth_held_out_batch_meets_issue_23s_floors():
    batch = measure(heldout=True, batch=4)
    assert batch.repos == 11, batch.table()
    assert batch.exact_rate >= ISSUE_FLOORS["exact"], batch.table()
    assert batch.above_zero_rate >= ISSUE_FLOORS["above_zero"], batch.table()
    assert batch.weakest_dimension_rate >= ISSUE_FLOORS["weakest_dimension"], batch.table()
    assert batch.over_rate <= ISSUE_FLOORS["over"], batch.table()


def test_the_held_out_part_meets_issue_23s_exact_above_zero_and_per_dimension_floors():
    # the three of the four floors the held-out part (the fourth and twentieth batches) met when
    # measured: 92.1 % exact, 85.7 % above 0, every dimension >= 75 % (pipelines 32/41); the
    # over-score floor (13/328 = 4.0 % too high) it did not
    heldout = measure(heldout=True)
    assert heldout.exact_rate >= ISSUE_FLOORS["exact"], heldout.table()
    assert heldout.above_zero_rate >= ISSUE_FLOORS["above_zero"], heldout.table()
    assert heldout.weakest_dimension_rate >= ISSUE_FLOORS["weakest_dimension"], heldout.table()


def test_the_twentieth_held_out_batch_alone_meets_the_exact_and_above_zero_floors():
    # as measured, 218/240 and 88/103 (its weakest dimension, pipelines 22/30, is under 75 %)
    batch = measure(heldout=True, batch=20)
    assert batch.repos == 30, batch.table()
    assert batch.exact_rate >= ISSUE_FLOORS["exact"], batch.table()
    assert batch.above_zero_rate >= ISSUE_FLOORS["above_zero"], batch.table()
