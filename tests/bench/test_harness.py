"""The benchmark harness's own arithmetic (the measurements themselves run only in `make bench`)."""

from __future__ import annotations

from bench.harness import Result, count, median_of


def run(per_cpu: float) -> Result:
    return Result("row", 10, 1.0, [1.0] * 10, extra={"per_cpu_second": per_cpu})


def test_the_median_repetition_is_reported_with_every_figure_and_the_spread():
    reported = median_of([run(90.0), run(110.0), run(100.0)])
    assert reported.extra["per_cpu_second"] == 100.0
    assert reported.extra["runs"] == [90.0, 110.0, 100.0]
    assert reported.extra["spread"] == 0.2  # (110 - 90) / 100


def test_count_counts_only_the_timed_part():
    prepared = []

    def step():
        prepared.append(sum(range(100)))  # preparation: not counted

        def timed():
            len("x")
            len("y")

        return timed

    result = count("row", step, iterations=4)
    assert result.extra["calls_per_op"] == 3  # timed() itself and its two len() calls
    assert result.extra["sql_per_op"] == 0 and result.extra["commits_per_op"] == 0
    assert len(prepared) == 4
