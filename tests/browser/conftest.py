"""Real headless Chromium against a live provider (SQLite and the in-process store).

The provider runs once per session in a daemon thread, served by werkzeug at
http://localhost:<free port> (localhost is a secure context, so WebAuthn works over http).
Every test starts with empty tables, an empty store and a new browser without passkeys;
`browser.new_device()` gives it a passkey authenticator. When a test fails, a screenshot,
the page source and the browser console are saved and their folder printed.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from selenium import webdriver

from infra.db import get_db
from infra.store import get_store
from tests.browser.agency import Agency, build_pki, register_agency, restore_pki
from tests.browser.chromium import Browser, find_chromium, remove_profile, start_chromium
from tests.conftest import Backend, empty_store, empty_tables, settings_for
from tests.support.civil_register import register_person
from tests.support.national_ids import dui
from tests.support.wsgi import QuietHandler, serving_in_thread

_REPORTS = pytest.StashKey[dict]()


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: Flask


class _InFlight:
    """Requests the live server is still answering. A test may end right after a click whose
    request the server has not finished (Chromium quits, the server goes on): the next test
    waits for it before emptying the tables, or that request's rows would land in its tables."""

    def __init__(self) -> None:
        self._count = 0
        self._changed = threading.Condition()

    def __enter__(self) -> None:
        with self._changed:
            self._count += 1

    def __exit__(self, *_exc) -> None:
        with self._changed:
            self._count -= 1
            self._changed.notify_all()

    def wait_idle(self, seconds: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self._count == 0, timeout=seconds)


_IN_FLIGHT = _InFlight()


class _QuietHandler(QuietHandler):
    def run_wsgi(self) -> None:
        with _IN_FLIGHT:
            super().run_wsgi()


@contextmanager
def serving(build: Callable[[str], Flask], *, name: str) -> Iterator[LiveServer]:
    """The app `build(base_url)` makes, answered by a thread on a free localhost port. The port
    is bound first, so the app's issuer can name the port the browser will use."""
    with serving_in_thread(build, name=name, handler=_QuietHandler) as (base, app):
        try:
            yield LiveServer(base, app)
        finally:
            get_db(app).dispose()
            get_store(app).close()


# The register's one person of its own (a number no browser test enrols: tests.browser.flows counts from
# 4,892,613).
REGISTERED = {"national_id": dui(99_999_990), "given_name": "Registro", "family_name": "Importado",
              "birthdate": "1970-01-01"}

@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    from idp import create_app
    from idp.schema import SCHEMA

    data_dir = tmp_path_factory.mktemp("browser-data")
    database_url = f"sqlite:///{data_dir / 'cedula.db'}"
    SCHEMA.upgrade(database_url)
    with serving(lambda base: create_app(settings_for(
        Backend("embedded", database_url, ""), data_dir,
        server={"issuer": base},
        # Every test signs in from 127.0.0.1; keep the limiter out of the way.
        rate_limit={"attempts": 10_000},
        # A real server: the log's sealer and the back-channel deliveries run on their threads.
        audit={"seal_seconds": 1}, logout={"background": True},
    )), name="live-server") as live:
        yield live


@pytest.fixture
def server(live_server) -> LiveServer:
    """The live server with empty tables and an empty store, and an imported civil register that
    holds one person no test enrols (`REGISTERED`): a deployment whose operator imported its
    register. With none imported, the desk and the citizen's register pages say only that the
    register cannot be checked yet (operator7, impostor14; tested with the Flask client)."""
    _IN_FLIGHT.wait_idle(60)  # the previous test's last requests first (see _InFlight)
    empty_tables(live_server.app)
    empty_store(live_server.app)
    register_person(live_server.app, **REGISTERED)
    return live_server


@pytest.fixture(scope="module")
def pki_rows(live_server):
    """The document PKI (issuing CA, TSA, OCSP, the civil registry's seal), built once a module
    on empty tables; `restore_pki` puts its rows back after `server` empties them."""
    empty_tables(live_server.app)
    empty_store(live_server.app)
    return build_pki(live_server.app)


@pytest.fixture
def agency(server, pki_rows) -> Agency:
    """The document PKI with the civil registry's seal, and the registry as an agency."""
    restore_pki(server.app, pki_rows)
    return register_agency(server.app, server.url)


@pytest.fixture(scope="session")
def chromium_paths() -> tuple[str, str]:
    return find_chromium()


class _Spare:
    """The next test's Chromium, started in a thread while the current test runs: each test
    still gets a new process with a fresh profile that nothing has used, without waiting the
    seconds it takes to start. It only sits on its blank page until it is taken."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._started: tuple[Path, webdriver.Chrome | None] | None = None

    def start(self, paths: tuple[str, str]) -> None:
        def run() -> None:
            profile = Path(tempfile.mkdtemp(prefix="cedula-chromium-"))
            try:
                self._started = (profile, start_chromium(*paths, profile))
            except Exception:  # the test that takes it starts its own, and shows the error
                self._started = (profile, None)

        self._thread = threading.Thread(target=run, name="chromium-spare", daemon=True)
        self._thread.start()

    def take(self) -> tuple[Path, webdriver.Chrome | None] | None:
        if self._thread is None:
            return None
        self._thread.join()
        started, self._thread, self._started = self._started, None, None
        return started

    def discard(self) -> None:
        started = self.take()
        if started is not None:
            profile, driver = started
            if driver is not None:
                driver.quit()
            remove_profile(profile)


@pytest.fixture(scope="package")
def chromium_spare() -> Iterator[_Spare]:
    spare = _Spare()
    yield spare
    spare.discard()  # after the last browser test


def _new_chromium(paths: tuple[str, str], spare: _Spare) -> tuple[Path, webdriver.Chrome]:
    started = spare.take()
    spare.start(paths)  # the next test's, while this one runs
    if started is not None and started[1] is not None:
        return started[0], started[1]
    if started is not None:
        remove_profile(started[0])
    profile = Path(tempfile.mkdtemp(prefix="cedula-chromium-"))
    return profile, start_chromium(*paths, profile)


@pytest.fixture
def browser(request, server, chromium_paths, chromium_spare, tmp_path_factory) -> Iterator[Browser]:
    """A new Chromium (fresh profile, no cookies, no authenticator) on the live server,
    with passkey autofill off (see `Browser.disable_passkey_autofill`)."""
    profile, driver = _new_chromium(chromium_paths, chromium_spare)
    driver.set_page_load_timeout(90)  # a cap, for a loaded machine
    session = Browser(driver, server.url)
    # Tests press the passkey buttons; test_enrol_and_sign_in turns autofill back on for
    # the test of autofill itself.
    session.disable_passkey_autofill()
    try:
        yield session
        reports = request.node.stash.get(_REPORTS, {})
        if any(report.failed for report in reports.values()):
            name = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.name)
            folder = tmp_path_factory.getbasetemp() / "browser-failures" / name
            saved = session.save_evidence(folder)
            print(f"browser evidence for {request.node.nodeid}: {folder}")
            for path in saved:
                print(f"  {path.name}")
    finally:
        driver.quit()
        remove_profile(profile)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="module")
def module_chromium(live_server, chromium_paths, chromium_spare) -> Iterator[Browser]:
    """One Chromium for all the tests of a module that read pages and make no passkey (error
    pages, text, layout): started once, not once a test. Take it through `shared_browser`."""
    profile, driver = _new_chromium(chromium_paths, chromium_spare)
    driver.set_page_load_timeout(90)
    session = Browser(driver, live_server.url)
    session.disable_passkey_autofill()
    try:
        yield session
    finally:
        driver.quit()
        remove_profile(profile)


@pytest.fixture
def shared_browser(module_chromium, server) -> Browser:
    """The module's Chromium on empty tables and store, without cookies, at its usual size."""
    module_chromium.driver.delete_all_cookies()
    module_chromium.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return module_chromium
