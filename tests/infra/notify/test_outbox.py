"""The notification outbox (embedded default and channels without a transport), the router,
the settings and `cedula notify outbox`."""

from __future__ import annotations

import pytest

from infra.config import ConfigError, load_settings
from infra.db import get_db
from infra.notify import (
    ChannelRouter,
    DeliveryFailed,
    OutboxNotifier,
    SmtpNotifier,
    SmtpSettings,
    get_notifier,
    get_outbox,
)
from infra.notify.settings import load
from tests.support.smtp import HOST, Mailbox, closed_port, smtp_server


def message(**kwargs):
    values = dict(channel="email", address="ana@example.org", subject="Código",
                  body="Tu código es 123456.", language="es")
    values.update(kwargs)
    return values


def test_the_embedded_default_writes_every_channel_to_the_outbox(fresh_app):
    notifier, outbox = get_notifier(fresh_app), get_outbox(fresh_app)
    assert notifier is outbox  # no mail server in the embedded default
    sent = [notifier.send(**message()),
            notifier.send(**message(channel="phone", address="+503 7000 0001")),
            notifier.send(**message(channel="postal", address="Calle 1\nSan Salvador"))]
    assert [s.via for s in sent] == ["outbox"] * 3
    found = outbox.messages()
    assert [(m.channel, m.action) for m in found] == [("postal", "post"), ("phone", "read"),
                                                      ("email", "read")]
    assert found[2].body == "Tu código es 123456." and found[2].language == "es"
    assert [m.address for m in outbox.messages(addresses=["ana@example.org"])] == ["ana@example.org"]
    assert outbox.mark_done(int(sent[2].id)) and not outbox.mark_done(int(sent[2].id))
    assert [m.channel for m in outbox.messages(waiting_only=True)] == ["phone", "email"]


def test_production_sends_email_by_smtp_and_posts_letters(fresh_app):
    outbox = OutboxNotifier(get_db(fresh_app), everything_read=False)
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        router = ChannelRouter(email=SmtpNotifier(SmtpSettings(
            host=HOST, port=port, security="none", sender="no-reply@id.example.gov")), outbox=outbox)
        assert router.send(**message()).via == "smtp"
        assert router.send(**message(channel="postal", address="Calle 1\nSan Salvador")).via == "outbox"
        assert router.send(**message(channel="phone", address="+50370000001")).via == "outbox"
    assert len(mailbox.messages) == 1
    assert [(m.channel, m.action) for m in outbox.messages()] == [("phone", "text"), ("postal", "post")]


def test_a_refused_email_writes_nothing(fresh_app):
    outbox = OutboxNotifier(get_db(fresh_app), everything_read=False)
    router = ChannelRouter(email=SmtpNotifier(SmtpSettings(
        host=HOST, port=closed_port(), security="none", sender="no-reply@id.example.gov")),
        outbox=outbox)
    with pytest.raises(DeliveryFailed):
        router.send(**message())
    assert outbox.messages() == []


def _settings(tmp_path, **notify):
    return load_settings({"server": {"data_dir": str(tmp_path)}, "notify": notify}, environ={})


def test_settings(tmp_path):
    assert load(_settings(tmp_path)).smtp is None
    secret = tmp_path / "smtp-password"
    secret.write_text("from-file\n")
    smtp = load(_settings(tmp_path, email="smtp", smtp_host="mail.example.gov",
                          smtp_password_file=str(secret))).smtp
    assert smtp is not None and (smtp.security, smtp.port, smtp.password) == ("starttls", 587, "from-file")
    env = load_settings({"server": {"data_dir": str(tmp_path)},
                         "notify": {"email": "smtp", "smtp_host": "mail.example.gov"}},
                        environ={"CEDULA_NOTIFY_SMTP_PASSWORD": "from-env"})
    assert load(env).smtp.password == "from-env"


@pytest.mark.parametrize(("notify", "expected"), [
    ({"email": "carrier-pigeon"}, "notify.email must be one of outbox, smtp, got 'carrier-pigeon'"),
    ({"email": "smtp"}, "notify.smtp_host must name the mail server when notify.email is \"smtp\""),
    ({"email": "smtp", "smtp_host": "mail.example.gov", "smtp_security": "none"},
     "notify.smtp_security = \"none\" sends mail unencrypted; it is allowed only for a relay on "
     "this machine, not 'mail.example.gov'"),
    ({"email": "smtp", "smtp_host": "mail.example.gov", "smtp_timeout_seconds": 0},
     "notify.smtp_timeout_seconds must be a number of seconds from 0.1 to 300, got 0"),
    ({"email": "smtp", "smtp_host": "mail.example.gov", "smtp_password_file": "/nonexistent/pw"},
     "notify.smtp_password_file: cannot read '/nonexistent/pw'"),
])
def test_bad_settings_stop_the_start(tmp_path, notify, expected):
    with pytest.raises(ConfigError) as info:
        load(_settings(tmp_path, **notify))
    assert str(info.value).startswith(expected)


def test_cli_outbox(app):
    from click.testing import CliRunner

    from idp.cli import Context, cli
    from tests.conftest import empty_tables

    empty_tables(app)
    context = Context(app=app)
    runner = CliRunner()
    assert runner.invoke(cli, ["notify", "outbox"], obj=context).output == "the outbox is empty\n"
    get_outbox(app).send(**message(channel="postal", address="Calle 1\nSan Salvador"))
    result = runner.invoke(cli, ["notify", "outbox"], obj=context)
    assert result.exit_code == 0
    assert "postal to 'Calle 1\\nSan Salvador'  [to print and post]" in result.output
    assert "  | Tu código es 123456." in result.output
    number = get_outbox(app).messages()[0].id
    result = runner.invoke(cli, ["notify", "done", str(number)], obj=context)
    assert result.output == f"message #{number} marked done\n"
    result = runner.invoke(cli, ["notify", "done", str(number)], obj=context)
    assert result.exit_code == 1 and f"no waiting message #{number}" in result.output
    # An id no row can have is "not a valid id", not the driver's OverflowError traceback.
    result = runner.invoke(cli, ["notify", "done", str(2**63)], obj=context)
    assert result.exit_code == 2 and "is not in the range" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    result = runner.invoke(cli, ["notify", "outbox", "--waiting", "--json"], obj=context)
    assert result.output == ""
    empty_tables(app)
