"""`cedula serve` refuses a setup that cannot work, saying what to change."""

from __future__ import annotations

from click.testing import CliRunner

from idp.cli import cli


def test_several_workers_need_redis(tmp_path):
    """A refusal of the settings exited 1, as a runtime failure; settings exit 2."""
    result = CliRunner().invoke(cli, ["serve", "--workers", "2"],
                                env={"CEDULA_DATA_DIR": str(tmp_path), "CEDULA_REDIS_URL": ""})
    assert result.exit_code == 2  # a setting that cannot work (docs/operations.md, Exit status)
    assert "CEDULA_REDIS_URL" in result.output
    assert "--workers 2" in result.output


def test_granian_refuses_max_requests_and_names_the_way_out(tmp_path):
    """server.max_requests is gunicorn's alone: granian cannot replace a worker after N requests."""
    result = CliRunner().invoke(cli, ["serve"], env={"CEDULA_DATA_DIR": str(tmp_path), "CEDULA_REDIS_URL": "",
                                                     "CEDULA_SERVER_MAX_REQUESTS": "100"})
    assert result.exit_code == 2  # a setting that cannot work (docs/operations.md, Exit status)
    assert "--server gunicorn" in result.output and "max_requests = 0" in result.output


def test_a_port_in_use_is_a_runtime_failure_in_one_line(tmp_path):
    """A port another program listens on ended `cedula serve` with granian's traceback (and a
    Rust backtrace); it exits 1 (not a setting: the same port works once it is free), in one line."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--host", "127.0.0.1", "--port", str(port)],
                                    env={"CEDULA_DATA_DIR": str(tmp_path), "CEDULA_REDIS_URL": ""})
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception
    assert f"127.0.0.1:{port} is already in use" in result.output


def test_a_port_another_cedula_serve_listens_on_is_in_use():
    """granian's workers listen with SO_REUSEPORT, and so did the check: a second `cedula serve`
    on the port of a running one (another data folder, another database) started, and the
    kernel shared the new connections between the two deployments. (The check itself: before
    the fix, `cedula serve` went on serving.)"""
    import socket

    import pytest

    from idp.serve import ServeFailed, check_port

    with socket.socket() as granian_worker:
        granian_worker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        granian_worker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        granian_worker.bind(("127.0.0.1", 0))
        granian_worker.listen()
        port = granian_worker.getsockname()[1]
        with pytest.raises(ServeFailed, match=rf"^127\.0\.0\.1:{port} is already in use"):
            check_port("127.0.0.1", port)
    check_port("127.0.0.1", port)  # free again


def test_an_address_this_machine_does_not_have_fails_in_one_line(tmp_path):
    """`--host` (server.host) naming an address of no interface here ended with granian's
    traceback and a Rust backtrace."""
    result = CliRunner().invoke(cli, ["serve", "--host", "192.0.2.1", "--port", "18000"],
                                env={"CEDULA_DATA_DIR": str(tmp_path), "CEDULA_REDIS_URL": ""})
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.output.strip().splitlines()[-1] == (
        "Error: 192.0.2.1 is not an address of this machine: choose one of its addresses (--host, "
        "server.host), 127.0.0.1 for this machine only or 0.0.0.0 for all its interfaces.")


def test_gunicorn_one_worker_snapshots_the_store_on_its_way_out(tmp_path):
    """Gunicorn's worker_exit hook writes the in-process store's last snapshot (clean shutdown)."""
    from types import SimpleNamespace

    from idp.serve_gunicorn import _Gunicorn, _worker_exit
    from infra.config import load_settings
    from infra.store import get_store
    from infra.store.snapshot import FILE_NAME

    settings = load_settings({"server": {"data_dir": str(tmp_path)}, "store": {"redis_url": ""},
                              "database": {"url": f"sqlite:///{tmp_path / 'cedula.db'}"},
                              "audit": {"seal_seconds": 0}, "logout": {"background": False},
                              "notify": {"background": False},
                              "documents": {"archive_renew_hours": 0}})
    server = _Gunicorn(settings, {"workers": 1, "worker_exit": _worker_exit})
    assert server.cfg.worker_exit is _worker_exit
    app = server.load()
    get_store(app).set("session", b"signed-in", 600)
    _worker_exit(None, SimpleNamespace(app=server))
    assert (tmp_path / FILE_NAME).exists()


def _serve_on_a_taken_port(tmp_path):
    import socket

    env = {"CEDULA_DATA_DIR": str(tmp_path), "CEDULA_REDIS_URL": ""}
    assert CliRunner().invoke(cli, ["db", "upgrade"], env=env).exit_code == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        return CliRunner().invoke(cli, ["serve", "--host", "127.0.0.1", "--port", str(taken.getsockname()[1])],
                                  env=env)


def test_serve_says_at_start_that_the_imported_register_is_empty(tmp_path):
    """operator7: with the default `assurance.registry = "imported"` and no `cedula registry
    import`, the registrar desk refuses every enrolment, reclaim and in-person check; nothing
    said so before a registrar met it. `cedula serve` now says it at start, with what to run."""
    result = _serve_on_a_taken_port(tmp_path)
    assert '"logger": "idp.cli", "message": "the imported civil register is empty"' in result.output, result.output
    assert "cedula registry import FILE (UTF-8 CSV with the header national_id,given_name," in result.output


def test_serve_says_nothing_of_a_register_that_holds_people(tmp_path):
    from tests.support.civil_register import register_person

    result = CliRunner().invoke(cli, ["db", "upgrade"], env={"CEDULA_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 0
    from idp import create_app
    from tests.conftest import TEST_MASTER_KEY

    app = create_app({"server": {"data_dir": str(tmp_path)}, "keys": {"master_key": TEST_MASTER_KEY}})
    register_person(app, national_id="04892613-5", given_name="Ana María", family_name="López Pérez",
                    birthdate="1990-05-17")
    result = _serve_on_a_taken_port(tmp_path)
    assert result.exit_code == 1 and "is already in use" in result.output
    assert "civil register is empty" not in result.output
