"""`make loadtest`'s command line (the load itself runs only in `make loadtest`, never here)."""

from __future__ import annotations

import pytest

from bench.loadtest import CONFIGURATIONS, arguments


def test_no_configuration_named_means_all_four():
    assert arguments([]).configurations == list(CONFIGURATIONS) == ["sqlite-1", "sqlite-2", "pg-1", "pg-2"]


def test_configurations_named_are_run_in_that_order():
    assert arguments(["pg-2", "sqlite-1", "--seconds", "10"]).configurations == ["pg-2", "sqlite-1"]


@pytest.mark.parametrize("argv", [["bogus"], ["--seconds", "2"], ["--users", "65"]])
def test_bad_arguments_are_refused(argv, capsys):
    with pytest.raises(SystemExit) as stopped:
        arguments(argv)
    assert stopped.value.code == 2
    assert "error:" in capsys.readouterr().err
