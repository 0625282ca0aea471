"""`make test` (`--dist loadgroup`) keeps a module whose tests share a module-scoped fixture on
one worker, so that the fixture (a live server, a SoftHSM2 token, a fresh install) is set up
once, not once on each worker that got one of its tests (tests/conftest.py)."""

from __future__ import annotations

import os

import pytest

MODULE = "tests/test_xdist_groups.py"


@pytest.fixture(scope="module")
def shared() -> object:
    return object()


def _group(request) -> tuple[str, ...] | None:
    marker = request.node.get_closest_marker("xdist_group")
    return None if marker is None else tuple(marker.args)


def test_a_test_that_uses_a_module_fixture_runs_with_its_module(request, shared):
    assert _group(request) == (MODULE,)
    if os.environ.get("PYTEST_XDIST_WORKER") and getattr(request.config.option, "loadgroup", False):
        # What pytest-xdist schedules by: the group in the test's id (`make test`). Marks added
        # after xdist's own collection hook ran are never seen by it.
        assert request.node.nodeid.endswith(f"@{MODULE}"), request.node.nodeid


def test_every_test_of_such_a_module_runs_with_it(request):
    assert _group(request) == (MODULE,)


def test_a_test_of_function_fixtures_only_is_spread_like_any_other():
    from types import SimpleNamespace

    from tests.conftest import _shares_a_module_fixture

    def item(*scopes: str) -> SimpleNamespace:
        defined = {f"f{n}": [SimpleNamespace(scope=scope)] for n, scope in enumerate(scopes)}
        return SimpleNamespace(_fixtureinfo=SimpleNamespace(name2fixturedefs=defined))

    assert not _shares_a_module_fixture(item("function", "session"))
    assert _shares_a_module_fixture(item("function", "module"))
