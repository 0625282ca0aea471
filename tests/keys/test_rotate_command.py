"""`cedula keys rotate` run twice (cron, a retry, two operators at once) is safe: the second
run finds the next keys published and says so, exit 0, rotating nothing more."""

from __future__ import annotations

from tests.support.cli import cedula


def test_rotating_twice_rotates_once(service, fresh_app):
    first = cedula(fresh_app, "keys", "rotate")
    assert first.exit_code == 0, first.output
    assert first.output.count(" published; signs from ") == 2
    before = [key.kid for key in service.keyring.keys()]
    second = cedula(fresh_app, "keys", "rotate")
    assert second.exit_code == 0, second.output
    assert second.output.startswith("nothing rotated: the next ") and "rotate again after that" in second.output
    service.keyring.invalidate()
    assert [key.kid for key in service.keyring.keys()] == before


def test_renewing_if_due_twice_renews_only_what_is_due(service, fresh_app):
    before = service.pki.material().tsa.serial
    idle = cedula(fresh_app, "pki", "renew", "tsa", "--if-due")
    assert idle.exit_code == 0, idle.output
    assert idle.output.startswith("tsa is not due (valid until ") and "nothing renewed" in idle.output
    service.invalidate()
    assert service.pki.material().tsa.serial == before
    forced = cedula(fresh_app, "pki", "renew", "tsa")
    assert forced.exit_code == 0 and forced.output.startswith("tsa renewed: serial ")
