"""Settings: defaults, environment overrides, validation that says what to change."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

from infra.config import DEFAULT_RESOURCE, ConfigError, load_settings, read_section


def test_defaults_are_the_embedded_setup(tmp_path):
    settings = load_settings({"server": {"data_dir": str(tmp_path)}}, environ={})
    assert settings.issuer == "http://localhost:8000"
    assert settings.rp_id == "localhost"
    assert settings.origin == "http://localhost:8000"
    assert settings.secure is False
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'cedula.db'}"
    assert settings.redis_url == ""


def test_short_and_long_environment_names():
    settings = load_settings(environ={
        "CEDULA_ISSUER": "https://id.example.gov/",
        "CEDULA_REDIS_URL": "redis://cache:6379/0",
        "CEDULA_SESSION_IDLE_SECONDS": "900",
        "CEDULA_METRICS_ENABLED": "false",
        "CEDULA_I18N_LANGUAGES": "en,es",
    })
    assert settings.issuer == "https://id.example.gov"
    assert settings.secure is True
    assert settings.rp_id == "id.example.gov"
    assert settings.redis_url == "redis://cache:6379/0"
    assert settings["session"]["idle_seconds"] == 900
    assert settings["metrics"]["enabled"] is False
    assert settings["i18n"]["languages"] == ["en", "es"]


def test_wrong_types_in_the_environment_are_named():
    with pytest.raises(ConfigError, match="CEDULA_SESSION_IDLE_SECONDS must be a whole number"):
        load_settings(environ={"CEDULA_SESSION_IDLE_SECONDS": "soon"})


@pytest.mark.parametrize("issuer,fragment", [
    ("id.example.gov", "absolute"),
    ("http://id.example.gov", "https"),
    ("https://id.example.gov/?x=1", "query"),
])
def test_bad_issuers_are_refused(issuer, fragment):
    with pytest.raises(ConfigError, match=fragment):
        load_settings(environ={"CEDULA_ISSUER": issuer})


REPOSITORY = Path(__file__).resolve().parents[2]


def test_the_shipped_defaults_are_the_documented_copy():
    """The package reads its own copy (an installed wheel has no config/ folder); config/default.toml
    is what operators read. They must never drift apart."""
    package, name = DEFAULT_RESOURCE
    shipped = files(package).joinpath(name).read_text(encoding="utf-8")
    assert shipped == (REPOSITORY / "config" / "default.toml").read_text(encoding="utf-8"), (
        f"{package}/{name} differs from config/default.toml: copy config/default.toml over it")


def test_every_default_setting_is_documented():
    lines = (REPOSITORY / "config" / "default.toml").read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if "=" in line and not line.lstrip().startswith("#") and not line.startswith("["):
            above = lines[index - 1].strip()
            assert above.startswith("#") or "=" in above, f"undocumented setting: {line}"


def test_a_section_reads_each_kind_of_setting():
    section = read_section({"demo": {"count": 3, "wait": 0.5, "on": True, "mode": "b", "name": "x",
                                     "blank": None}}, "demo")
    assert section.whole("count") == 3 and section.whole("count", minimum=3, maximum=3) == 3
    assert section.number("wait", minimum=0.1) == 0.5 and section.number("count", minimum=0) == 3.0
    assert section.flag("on") is True
    assert section.choice("mode", ("a", "b")) == "b"
    assert section.text("name") == "x" and section.text("blank") == "" and section.text("missing") == ""
    assert read_section({}, "absent").text("anything") == ""


@pytest.mark.parametrize(("read", "message"), [
    (lambda s: s.whole("count", minimum=4), "demo.count must be a whole number >= 4, got 3"),
    (lambda s: s.whole("count", minimum=1, maximum=2, unit="seconds"),
     "demo.count must be a whole number of seconds from 1 to 2, got 3"),
    (lambda s: s.whole("on"), "demo.on must be a whole number >= 1, got True"),
    (lambda s: s.whole("wait"), "demo.wait must be a whole number >= 1, got 0.5"),
    (lambda s: s.whole("missing"), "demo.missing must be a whole number >= 1, got None"),
    (lambda s: s.number("wait", minimum=1, unit="seconds"), "demo.wait must be a number of seconds >= 1, got 0.5"),
    (lambda s: s.number("on", minimum=0), "demo.on must be a number >= 0, got True"),
    (lambda s: s.number("mode", minimum=0, maximum=30), "demo.mode must be a number from 0 to 30, got 'b'"),
    (lambda s: s.flag("count"), "demo.count must be true or false, got 3"),
    (lambda s: s.choice("mode", ("x", "y")), "demo.mode must be one of x, y, got 'b'"),
])
def test_a_section_names_the_setting_it_refuses(read, message):
    section = read_section({"demo": {"count": 3, "wait": 0.5, "on": True, "mode": "b"}}, "demo")
    with pytest.raises(ConfigError) as info:
        read(section)
    assert str(info.value) == message


def test_a_section_raises_the_error_family_it_is_given():
    class PackageError(Exception):
        pass

    with pytest.raises(PackageError, match=r"^demo\.count must be a whole number >= 5, got 3$"):
        read_section({"demo": {"count": 3}}, "demo", error=PackageError).whole("count", minimum=5)


@pytest.mark.parametrize("environ,message", [
    ({"CEDULA_SERVER_PORT": "99999999"}, "server.port must be a whole number from 1 to 65535, got 99999999"),
    ({"CEDULA_SERVER_PORT": "0"}, "server.port must be"),
    ({"CEDULA_SERVER_WORKERS": "0"}, "server.workers must be a whole number from 1 to 256"),
    ({"CEDULA_SERVER_THREADS": "100000"}, "server.threads must be"),
    ({"CEDULA_SERVER_WORKER_TIMEOUT": "-1"}, "server.worker_timeout must be a number of seconds (0: never) from 0 "
                                             "to 86400, got -1"),
    ({"CEDULA_SERVER_WORKER_TIMEOUT": "1000000000000000"}, "server.worker_timeout must be a number of seconds"),
    ({"CEDULA_SERVER_MAX_BODY_BYTES": "0"}, "server.max_body_bytes must be"),
    ({"CEDULA_SERVER_PROXY_HOPS": "-1"}, "server.proxy_hops must be"),
    ({"CEDULA_SERVER_RETRY_AFTER_SECONDS": "0"}, "server.retry_after_seconds must be"),
    ({"CEDULA_SERVER_HOST": ""}, "server.host must be an address to bind"),
])
def test_server_settings_that_cannot_work_are_refused_at_load(environ, message):
    """Before: a port of 99999999 reached the WSGI server and ended `cedula serve` with an
    OverflowError traceback; a port of "abc" in CEDULA_CONFIG with a ValueError."""
    with pytest.raises(ConfigError) as info:
        load_settings(environ=environ)
    assert str(info.value).startswith(message)


def test_server_settings_from_a_file_are_typed(tmp_path):
    config = tmp_path / "cedula.toml"
    config.write_text('[server]\nport = "abc"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(environ={"CEDULA_CONFIG": str(config)})
    assert str(info.value) == (f"server.port must be a whole number from 1 to 65535, got 'abc' "
                               f"(set in CEDULA_CONFIG file {config})")
    config.write_text("[server]\nport = 8443\nworkers = 2\nworker_timeout = 0\n", encoding="utf-8")
    server = load_settings(environ={"CEDULA_CONFIG": str(config)}).server
    assert (server.port, server.workers, server.worker_timeout, server.host) == (8443, 2, 0.0, "127.0.0.1")


def test_a_refused_value_says_which_variable_set_it():
    """(The file's case: `test_server_settings_from_a_file_are_typed`.)"""
    with pytest.raises(ConfigError, match=r"\(set in the environment variable CEDULA_ISSUER\)$"):
        load_settings(environ={"CEDULA_ISSUER": "ftp://x"})


@pytest.mark.parametrize(("text", "named"), [
    ("[sesion]\nidle_seconds = 900\n", "[sesion] is not a setting"),
    ("[session]\nidle_secs = 900\n", "[session] idle_secs is not a setting"),
    ("issuer = 'https://id.example.gov'\n", "issuer is not a setting"),
])
def test_a_misspelt_setting_in_the_file_is_refused_not_ignored(tmp_path, text, named):
    settings_file = tmp_path / "cedula.toml"
    settings_file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_settings(environ={"CEDULA_CONFIG": str(settings_file)})
    assert str(refused.value).startswith(f"{settings_file}: {named}")
    assert "config/default.toml" in str(refused.value)


def test_free_form_tables_and_the_production_example_are_accepted(tmp_path):
    settings_file = tmp_path / "cedula.toml"
    settings_file.write_text('[consent.legal_bases]\n"a1b2c3d4" = "Ley 1, art. 2"\n', encoding="utf-8")
    loaded = load_settings(environ={"CEDULA_CONFIG": str(settings_file)})
    assert loaded["consent"]["legal_bases"] == {"a1b2c3d4": "Ley 1, art. 2"}
    example = Path(__file__).resolve().parents[2] / "config" / "production.example.toml"
    assert load_settings(environ={"CEDULA_CONFIG": str(example)}).issuer.startswith("https://")


def test_a_setting_a_component_refuses_stops_a_command_with_where_it_was_set(tmp_path):
    """`audit.seal_seconds` is read by its component when the app is built: `cedula ...` and
    `cedula serve` (before any worker starts) end with the message and the file, exit 2."""
    from click.testing import CliRunner

    from idp.cli import Context, cli

    settings_file = tmp_path / "cedula.toml"
    settings_file.write_text(f'[server]\ndata_dir = "{tmp_path}"\n[audit]\nseal_seconds = -1\n', encoding="utf-8")
    settings = load_settings(environ={"CEDULA_CONFIG": str(settings_file)})
    for command in (["operators", "list"], ["serve", "--port", "1"]):
        result = CliRunner().invoke(cli, command, obj=Context(settings=settings))
        assert result.exit_code == 2, (command, result.output)  # a configuration error
        assert isinstance(result.exception, SystemExit)
        assert result.output.strip() == (f"Error: audit.seal_seconds must be 0 (no sealing thread) or between 0.05 "
                                         f"and 3600, got -1 (set in CEDULA_CONFIG file {settings_file})")


@pytest.mark.parametrize(("text", "message"), [
    ('[session]\nidle_seconds = "abc"\n', "session.idle_seconds must be a number, got 'abc'"),
    ('[session]\nidle_seconds = "900"\n', "session.idle_seconds must be a number, got '900'"),
    ("[session]\nidle_seconds = true\n", "session.idle_seconds must be a number, got True"),
    ('[audit]\nseal_seconds = "2"\n', "audit.seal_seconds must be a number, got '2'"),
    ('[metrics]\nenabled = "no"\n', "metrics.enabled must be true or false, got 'no'"),
    ('[session]\nidle_seconds = [900]\n', "session.idle_seconds must be a number, got [900]"),
])
def test_a_value_of_the_wrong_type_in_the_file_is_refused_with_its_name_and_file(tmp_path, text, message):
    """`idle_seconds = "abc"` in the file passed the load and stopped every command (`cedula
    keys list`, `cedula serve`'s workers) with a ValueError traceback from the component."""
    settings_file = tmp_path / "cedula.toml"
    settings_file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_settings(environ={"CEDULA_CONFIG": str(settings_file)})
    assert str(refused.value).startswith(f"{message} (set in CEDULA_CONFIG file {settings_file})")


def test_values_the_file_may_write_either_way_are_taken(tmp_path):
    settings_file = tmp_path / "cedula.toml"
    settings_file.write_text("[session]\nidle_seconds = 900\n[server]\nworker_timeout = 2.5\n"
                             "[keys]\npkcs11_pin = 1234\n", encoding="utf-8")
    loaded = load_settings(environ={"CEDULA_CONFIG": str(settings_file)})
    assert loaded["session"]["idle_seconds"] == 900 and loaded.server.worker_timeout == 2.5


def test_a_misspelt_variable_of_a_known_section_is_refused_not_ignored():
    """`CEDULA_SESSION_IDLE_SECS=900` was ignored without a word: sessions kept the default."""
    with pytest.raises(ConfigError) as refused:
        load_settings(environ={"CEDULA_SESSION_IDLE_SECS": "900"})
    assert str(refused.value).startswith("the environment variable CEDULA_SESSION_IDLE_SECS is not a setting of "
                                         "Cédula (misspelt CEDULA_SESSION_IDLE_SECONDS?)")
    with pytest.raises(ConfigError, match="CEDULA_SERVER_WORKER is not a setting"):
        load_settings(environ={"CEDULA_SERVER_WORKER": "2"})


def test_variables_that_are_not_settings_of_a_section_are_left_alone():
    loaded = load_settings(environ={"CEDULA_CONFIG": "", "CEDULA_TEST_POSTGRES_URL": "x",
                                    "CEDULA_SERVE_HEARTBEATS": "/x",
                                    "CEDULA_PKCS11_PIN": "1234", "CEDULA_KEYS_PKCS11_PIN": "1234",
                                    "CEDULA_ISSUER": "https://id.example.gov", "CEDULA_BENCH_SERVER": "granian"})
    assert loaded["keys"]["pkcs11_pin"] == "1234"


@pytest.mark.parametrize(("url", "found"), [
    ("zz-nonsense", "no scheme://"),
    ("/srv/cedula/cedula.db", "no scheme://"),
    ("mysql://cedula:s3cret@db/cedula", "the scheme 'mysql'"),
    ("postgresq+psycopg://cedula:s3cret@db/cedula", "the scheme 'postgresq+psycopg'"),
])
def test_a_database_url_no_engine_can_open_is_refused_at_load_without_its_password(url, found):
    """It stopped every command with SQLAlchemy's ArgumentError (or a missing MySQLdb) traceback."""
    with pytest.raises(ConfigError) as refused:
        load_settings(environ={"CEDULA_DATABASE_URL": url})
    message = str(refused.value)
    assert message.startswith("database.url must be empty")
    assert found in message and "s3cret" not in message
    assert message.endswith("(set in the environment variable CEDULA_DATABASE_URL)")


@pytest.mark.parametrize("url", ["", "sqlite:///x.db", "sqlite://", "postgresql://u@h/d", "postgres://u@h/d",
                                 "postgresql+psycopg://u:p@h:5433/d?sslmode=require"])
def test_the_database_urls_the_engine_opens_are_accepted(url):
    assert load_settings(environ={"CEDULA_DATABASE_URL": url})["database"]["url"] == url


@pytest.mark.parametrize(("text", "message"), [
    ("[documents]\nmax_bytes = -1\n", "documents.max_bytes must be a whole number >= 1024, got -1"),
    ("[verify]\nattempts = 0\n", "verify.attempts must be a whole number >= 1, got 0"),
    ('[jwks]\nalgorithms = ["HS256"]\n', "jwks.algorithms: 'HS256' is not one of ES256, RS256"),
    ('[i18n]\ntimezone = "Mars/Olympus"\n', "i18n.timezone must be an IANA time zone name: unknown time zone "
                                            "'Mars/Olympus'"),
    ('[i18n]\nlanguages = ["xx-nope"]\n', "i18n.languages must name languages Babel has data for"),
    ("[i18n]\nlanguages = []\n", "i18n.languages must list one language code or more"),
    ("[jwks]\nrsa_bits = 1024\n", "jwks.rsa_bits must be one of 2048, 3072, got 1024"),
    ("[jwks]\nprepublish_seconds = 1e15\n", "jwks.prepublish_seconds must be a whole number of seconds from 0 to"),
    ("[jwks]\nmax_token_seconds = 1000000000000000\n", "jwks.max_token_seconds must be a whole number of seconds"),
    ("[ocsp]\nvalidity_seconds = 1000000000000000\n", "ocsp.validity_seconds must be a whole number of seconds"),
    ('[pki]\nalgorithm = "EC-P521"\n', "pki.algorithm must be one of EC-P256, EC-P384, RSA-2048, RSA-3072"),
    ('[pki]\nend_entity_algorithm = "ed25519"\n', "pki.end_entity_algorithm must be one of EC-P256"),
    ("[pki]\nroot_days = 1e15\n", "pki.root_days must be a whole number of days from 1 to 36600"),
    ("[pki]\nseal_days = -1\n", "pki.seal_days must be a whole number of days from 1 to 36600, got -1"),
    ("[pki]\ncrl_hours = 0\n", "pki.crl_hours must be a whole number of hours from 1 to"),
    ('[pki]\ncountry = "Salvador"\n', "pki.country must be an ISO 3166 country code of two capital letters (e.g. "
                                        "SV), got 'Salvador'"),
    ('[pki]\ncountry = "sv"\n', "pki.country must be an ISO 3166 country code of two capital letters"),
    ("[session]\nidle_seconds = -5\n", "session.idle_seconds must be a whole number of seconds from 60 to"),
    ("[session]\nabsolute_seconds = 0\n", "session.absolute_seconds must be a whole number of seconds from 60 to"),
    ("[session]\nmax_per_citizen = 0\n", "session.max_per_citizen must be a whole number from 1 to 1000000, got 0"),
    ('[session]\ncookie_name = "a b;c"\n', "session.cookie_name must be a cookie name of letters, digits, '-' and "
                                           "'_' (RFC 6265 section 4.1.1), got 'a b;c'"),
    ('[session]\ncookie_name = ""\n', "session.cookie_name must be a cookie name"),
    ('[pki]\norganization = ""\n', "pki.organization must be the organisation's name, 1 to 64 characters, got ''"),
    ("[jwks]\nalgorithms = []\n", "jwks.algorithms must list one algorithm or more"),
    ("[tsa]\nhash_algorithms = []\n", "tsa.hash_algorithms must list one or more of sha256, sha384, sha512"),
    ("[tsa]\naccuracy_seconds = 1e15\n", "tsa.accuracy_seconds must be a whole number of seconds from 1 to 3600"),
    ("[webauthn]\nchallenge_seconds = 1000000000000000\n", "webauthn.challenge_seconds must be a whole number"),
    ("[webauthn]\ntimeout_ms = 0\n", "webauthn.timeout_ms must be a whole number of milliseconds"),
    ('[tsa]\npolicy_oid = "policy-1"\n', "tsa.policy_oid must be an object identifier in dotted form"),
    ('[enrolment]\nnational_id_scheme = "xx-id"\n', "enrolment.national_id_scheme: unknown national identity"),
    ("[webauthn]\nalgorithms = []\n", "webauthn.algorithms must list one COSE algorithm or more"),
    ("[documents]\ncitizen_certificate_minutes = 1000000000000000\n",
     "documents.citizen_certificate_minutes must be a whole number from 1 to"),
    ("[documents]\narchive_renew_before_days = 1000000000000000\n",
     "documents.archive_renew_before_days must be a whole number from 1 to"),
    ("[recovery]\ncodes = 0\n", "recovery.codes must be a whole number from 1 to 100, got 0"),
    ("[recovery]\nsession_seconds = -7\n", "recovery.session_seconds must be a whole number of seconds from 60 to "
                                            "86400, got -7"),
    ("[enrolment]\nminimum_age = -7\n", "enrolment.minimum_age must be a whole number of years from 0 to 120"),
    ("[enrolment]\nminimum_age = 1000000000000000\n", "enrolment.minimum_age must be a whole number of years"),
    ("[webauthn]\nmax_body_bytes = 0\n", "webauthn.max_body_bytes must be a whole number of bytes from 1024 to "
                                         "1048576, got 0"),
    ("[notify]\nsmtp_port = 70000\n", "notify.smtp_port must be a whole number from 1 to 65535, got 70000"),
    ("[notify]\nsmtp_timeout_seconds = -7\n", "notify.smtp_timeout_seconds must be a number of seconds from 0.1 "
                                              "to 300, got -7"),
    ("[keys]\nrefresh_seconds = -7\n", "keys.refresh_seconds must be a number of seconds from 0 to 3600, got -7"),
    ("[oidc]\naccess_token_seconds = 1000000000000000\n",
     "oidc.access_token_seconds must be a whole number of seconds from "),
    ("[oidc]\nid_token_seconds = 1000000000000000\n",
     "oidc.id_token_seconds must be a whole number of seconds from "),
    ("[oidc]\nrefresh_token_seconds = 1000000000000000\n",
     "oidc.refresh_token_seconds must be a whole number of seconds from "),
    ("[oidc]\ngrant_seconds = 1000000000000000\n",
     "oidc.grant_seconds must be a whole number of seconds from "),
    ("[oidc]\ncode_seconds = 1000000000000000\n",
     "oidc.code_seconds must be a whole number of seconds from "),
    ("[oidc]\ncode_replay_seconds = 1000000000000000\n",
     "oidc.code_replay_seconds must be a whole number of seconds from "),
    ("[oidc]\ninteraction_seconds = 1000000000000000\n",
     "oidc.interaction_seconds must be a whole number of seconds from "),
    ("[oidc]\nassertion_max_seconds = 1000000000000000\n",
     "oidc.assertion_max_seconds must be a whole number of seconds from "),
    ("[oidc]\nleeway_seconds = 1000000000000000\n",
     "oidc.leeway_seconds must be a whole number of seconds from "),
    ("[oidc]\njwks_uri_cache_seconds = 1000000000000000\n",
     "oidc.jwks_uri_cache_seconds must be a whole number of seconds from "),
    ("[oidc]\nclient_cache_seconds = 1000000000000000\n",
     "oidc.client_cache_seconds must be a whole number of seconds from "),
    ("[oidc]\nstate_cache_seconds = 1000000000000000\n",
     "oidc.state_cache_seconds must be a whole number of seconds from "),
    ("[oidc]\nclient_auth_window_seconds = 1000000000000000\n",
     "oidc.client_auth_window_seconds must be a whole number of seconds from "),
    ("[oidc]\npar_seconds = 1000000000000000\n",
     "oidc.par_seconds must be a whole number of seconds from "),
    ("[oidc]\ndpop_proof_seconds = 1000000000000000\n",
     "oidc.dpop_proof_seconds must be a whole number of seconds from "),
    ("[oidc]\ndpop_nonce_seconds = 1000000000000000\n",
     "oidc.dpop_nonce_seconds must be a whole number of seconds from "),
    ("[logout]\ntoken_seconds = 1000000000000000\n",
     "logout.token_seconds must be a whole number of seconds from "),
    ("[logout]\nretry_seconds = 1000000000000000\n",
     "logout.retry_seconds must be a whole number of seconds from "),
    ("[logout]\nretry_max_seconds = 1000000000000000\n",
     "logout.retry_max_seconds must be a whole number of seconds from "),
    ("[logout]\ndelivery_seconds = 1000000000000000\n",
     "logout.delivery_seconds must be a number of seconds from "),
    ("[logout]\npoll_seconds = 1000000000000000\n",
     "logout.poll_seconds must be a number of seconds from "),
    ("[logout]\nconfirm_seconds = 1000000000000000\n",
     "logout.confirm_seconds must be a whole number of seconds from "),
    ("[consent]\nlifetime_seconds = 1000000000000000\n",
     "consent.lifetime_seconds must be a whole number of seconds from "),
    ("[assurance]\nmds_retry_seconds = 1000000000000000\n",
     "assurance.mds_retry_seconds must be a whole number of seconds from "),
    ("[assurance]\nmds_timeout_seconds = 1000000000000000\n",
     "assurance.mds_timeout_seconds must be a whole number of seconds from "),
    ("[assurance]\nbinding_seconds = 1000000000000000\n",
     "assurance.binding_seconds must be a whole number of seconds from "),
    ("[assurance]\ncode_seconds = 1000000000000000\n",
     "assurance.code_seconds must be a whole number of seconds from "),
    ("[assurance]\npostal_code_seconds = 1000000000000000\n",
     "assurance.postal_code_seconds must be a whole number of seconds from "),
    ("[assurance]\ncode_window_seconds = 1000000000000000\n",
     "assurance.code_window_seconds must be a whole number of seconds from "),
    ("[wallet]\nstatus_list_seconds = 1000000000000000\n",
     "wallet.status_list_seconds must be a whole number of seconds from "),
    ("[wallet]\nstatus_list_ttl_seconds = 1000000000000000\n",
     "wallet.status_list_ttl_seconds must be a whole number of seconds from "),
    ("[audit]\ncheckpoint_seconds = 1000000000000000\n",
     "audit.checkpoint_seconds must be a whole number of seconds from "),
    ("[notify]\nretry_after_seconds = -7\n", "notify.retry_after_seconds must be a whole number of seconds from 1 "
                                           "to 3600, got -7"),
    ("[notify]\nretry_after_seconds = 1000000000000000\n", "notify.retry_after_seconds must be a whole number of "),
    ("[documents]\ncache_seconds = 1000000000000000\n",
     "documents.cache_seconds must be a whole number of seconds from 0 to "),
    ("[documents]\nconfirm_seconds = 1000000000000000\n",
     "documents.confirm_seconds must be a whole number of seconds from 30 to "),
    ('[oidc]\nacr_high = "loa high"\n', "oidc.acr_high must be an absolute URI without spaces (RFC 3986 section "
                                     "4.3), e.g. http://eidas.europa.eu/LoA/high, got 'loa high'"),
    ('[oidc]\nacr_low = "low"\n', "oidc.acr_low must be an absolute URI without spaces"),
    ('[notify]\nsender = "no-reply"\n', "notify.sender must be an e-mail address (user@host or Name <user@host>), "
                                        "got 'no-reply'"),
    ('[notify]\nsender = "a@x.example, b@y.example"\n', "notify.sender must be an e-mail address"),
    ('[notify]\nsmtp_host = "mail.example.gov:25"\n', "notify.smtp_host must be a host name or IP address (no "
                                                      "port: notify.smtp_port), got 'mail.example.gov:25'"),
    ('[organisation]\nemail = "ayuda"\n', "organisation.email must be an e-mail address (user@host), got 'ayuda'"),
    ('[organisation]\nprivacy_email = "dpo@x.example, b@y.example"\n',
     "organisation.privacy_email must be an e-mail address"),
    ('[organisation]\naccessibility_email = "a11y at x.example"\n', "organisation.accessibility_email must be an"),
    ("[consent]\npage_size = 1000000000000000\n",
     "consent.page_size must be a whole number from 1 to 1000, got 1000000000000000"),
    ("[logout]\nconcurrency = 1000000000000000\n",
     "logout.concurrency must be a whole number from 1 to 1024, got 1000000000000000"),
    ("[verify]\ntime_budget_seconds = 1000000000000000\n",
     "verify.time_budget_seconds must be a number of seconds from 0.1 to 600, got 1000000000000000"),
    ("[verify]\nwindow_seconds = 1000000000000000\n", "verify.window_seconds must be a whole number of seconds from"),
    ("[verify]\nreports_window_seconds = 1000000000000000\n",
     "verify.reports_window_seconds must be a whole number of seconds"),
    ("[verify]\nmax_upload_bytes = 1000000000000000\n",
     "verify.max_upload_bytes must be a whole number of bytes from 1 to 1073741824"),
    ("[verify]\nmax_concurrent = 1000000000000000\n", "verify.max_concurrent must be a whole number from 1 to 1024"),
    ("[outbound]\nmax_bytes = 1000000000000000\n",
     "outbound.max_bytes must be a whole number of bytes from 1024 to 1073741824, got 1000000000000000"),
    ("[indicators]\nmax_days = 1000000000000000\n",
     "indicators.max_days must be a whole number of days from 1 to 3660, got 1000000000000000"),
    ("[assurance]\ncode_attempts = 1000000000000000\n",
     "assurance.code_attempts must be a whole number from 1 to 100, got 1000000000000000"),
    ("[assurance]\ncode_sends = 1000000000000000\n", "assurance.code_sends must be a whole number from 1 to 100"),
    ("[assurance]\nnational_id_attempts = 1000000000000000\n",
     "assurance.national_id_attempts must be a whole number from 1 to 100"),
    ("[assurance]\nnational_id_daily_sends = 1000000000000000\n",
     "assurance.national_id_daily_sends must be a whole number from 1 to 100"),
    ("[logout]\nmax_attempts = 1000000000000000\n",
     "logout.max_attempts must be a whole number from 1 to 100, got 1000000000000000"),
    ("[session]\nmax_per_citizen = 1000000000000000\n",
     "session.max_per_citizen must be a whole number from 1 to 1000000, got 1000000000000000"),
    ("[documents]\narchive_renew_hours = 1000000000000000\n",
     "documents.archive_renew_hours must be a whole number of hours from 0 to 87840, got 1000000000000000"),
])
def test_a_components_own_settings_error_stops_a_command_with_one_line_and_where_it_was_set(tmp_path, text,
                                                                                            message):
    """A component's settings error of its own family (`DocumentSettingsError`, the key store's
    `InvalidRequest`, ...) ended `cedula ...` with a traceback and left `cedula serve` to its
    workers; [i18n] with a ValueError, or not at all (no language: every page failed)."""
    from click.testing import CliRunner

    from idp.cli import Context, cli

    settings_file = tmp_path / "cedula.toml"
    settings_file.write_text(f'[server]\ndata_dir = "{tmp_path}"\n{text}', encoding="utf-8")
    settings = load_settings(environ={"CEDULA_CONFIG": str(settings_file)})
    section = text.split("]")[0].lstrip("[")
    for command in (["operators", "list"], ["serve", "--port", "1"]):
        result = CliRunner().invoke(cli, command, obj=Context(settings=settings))
        assert result.exit_code == 2, (command, result.output)  # a configuration error
        assert isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
        assert result.output.strip().endswith(f"(set in CEDULA_CONFIG file {settings_file})")
        assert f"Error: {section}." in result.output
        assert message in result.output


def test_a_setting_given_by_its_short_and_long_variables_differently_is_refused():
    """CEDULA_STORE_REDIS_URL (empty) silently won over CEDULA_REDIS_URL: the in-process store ran."""
    with pytest.raises(ConfigError, match=r"^store\.redis_url is set twice, differently: by the environment "
                                          r"variables CEDULA_REDIS_URL and CEDULA_STORE_REDIS_URL"):
        load_settings(environ={"CEDULA_REDIS_URL": "redis://127.0.0.1:6379/0", "CEDULA_STORE_REDIS_URL": ""})
    same = {"CEDULA_ISSUER": "https://id.example.gov", "CEDULA_SERVER_ISSUER": "https://id.example.gov"}
    assert load_settings(environ=same).issuer == "https://id.example.gov"


@pytest.mark.parametrize("environ", [{"CEDULA_CONFIG": "/nonexistent/cedula.toml"}, {"CEDULA_SERVER_PORT": "abc"}])
def test_a_refused_setting_does_not_hide_a_commands_help(environ):
    """`cedula keys rotate --help` read the settings first and printed only their error (exit 1);
    the command itself still stops at it."""
    from click.testing import CliRunner

    from idp.cli import cli

    for args in (["keys", "rotate", "--help"], ["db", "-h"], ["serve", "--help"]):
        shown = CliRunner().invoke(cli, args, env=environ)
        assert shown.exit_code == 0, (args, shown.output)
        assert "Usage:" in shown.output
    refused = CliRunner().invoke(cli, ["keys", "rotate"], env=environ)
    assert refused.exit_code == 2
    assert "Usage:" not in refused.output
    assert next(iter(environ)) in refused.output


@pytest.mark.parametrize(("environ", "message"), [
    ({"CEDULA_LOGGING_LEVEL": "LOUD"}, "logging.level must be one of DEBUG, INFO, WARNING, ERROR, got 'LOUD'"),
    ({"CEDULA_LOGGING_FORMAT": "xml"}, "logging.format must be one of json, text, got 'xml'"),
])
def test_a_logging_setting_that_cannot_work_stops_a_command_with_one_line(environ, message):
    """Before: CEDULA_LOGGING_LEVEL=LOUD ended every command with logging's ValueError traceback
    (exit 1), and CEDULA_LOGGING_FORMAT=xml was taken silently as text (a log collector waiting
    for JSON lines got key=value ones)."""
    from click.testing import CliRunner

    from idp.cli import cli

    with pytest.raises(ConfigError) as info:
        load_settings(environ=environ)
    assert str(info.value) == f"{message} (set in the environment variable {next(iter(environ))})"
    refused = CliRunner().invoke(cli, ["operators", "list"], env=environ)
    assert refused.exit_code == 2, refused.output
    assert "Traceback" not in refused.output and len(refused.output.strip().splitlines()) == 1
    assert message in refused.output


def test_the_logging_level_is_taken_in_any_case():
    assert load_settings(environ={"CEDULA_LOGGING_LEVEL": "warning"})["logging"]["level"] == "warning"


@pytest.mark.parametrize(("environ", "message"), [
    ({"CEDULA_DATABASE_POOL_SIZE": "-7"}, "database.pool_size must be a whole number from 1 to 1000, got -7"),
    ({"CEDULA_DATABASE_POOL_OVERFLOW": "-1"}, "database.pool_overflow must be a whole number from 0 to 1000"),
    ({"CEDULA_DATABASE_POOL_TIMEOUT_SECONDS": "-7"}, "database.pool_timeout_seconds must be a number of seconds"),
    ({"CEDULA_DATABASE_CONNECT_TIMEOUT_SECONDS": "0"},
     "database.connect_timeout_seconds must be a whole number of seconds from 1 to 600, got 0"),
    ({"CEDULA_DATABASE_POOL_RECYCLE_SECONDS": "-7"}, "database.pool_recycle_seconds must be"),
    ({"CEDULA_STORE_TIMEOUT_SECONDS": "-7"}, "store.timeout_seconds must be a number of seconds from 0.1 to 600"),
    ({"CEDULA_STORE_CONNECT_TIMEOUT_SECONDS": "0"}, "store.connect_timeout_seconds must be a number of seconds"),
    ({"CEDULA_STORE_RETRIES": "-1"}, "store.retries must be a whole number from 0 to 100, got -1"),
    ({"CEDULA_STORE_SNAPSHOT_INTERVAL_SECONDS": "0"}, "store.snapshot_interval_seconds must be a number of seconds"),
    ({"CEDULA_STORE_KEY_PREFIX": ""}, "store.key_prefix must be 1 to 64 letters, digits, ':', '.', '_' or '-', "
                                      "got ''"),
    ({"CEDULA_STORE_KEY_PREFIX": "cedula*"}, "store.key_prefix must be 1 to 64 letters, digits"),
    ({"CEDULA_RATE_LIMIT_ATTEMPTS": "0"}, "rate_limit.attempts must be a whole number >= 1, got 0"),
    ({"CEDULA_RATE_LIMIT_WINDOW_SECONDS": "-7"},
     "rate_limit.window_seconds must be a whole number of seconds from 1 to"),
    ({"CEDULA_RATE_LIMIT_CHALLENGES": "-7"}, "rate_limit.challenges must be a whole number >= 1, got -7"),
    ({"CEDULA_RATE_LIMIT_DOCUMENTS_API": "0"}, "rate_limit.documents_api must be a whole number >= 1, got 0"),
    ({"CEDULA_RATE_LIMIT_DOCUMENTS_TEMPLATES": "-1"}, "rate_limit.documents_templates must be a whole number >= 1"),
    ({"CEDULA_SECURITY_HSTS_SECONDS": "-7"}, "security.hsts_seconds must be a whole number of seconds from 0 to"),
    ({"CEDULA_SECURITY_HSTS_SECONDS": "1000000000000000"}, "security.hsts_seconds must be a whole number of seconds"),
    ({"CEDULA_DEMO_REGISTRY_PORT": "70000"}, "demo.registry_port must be a whole number from 1 to 65535, got 70000"),
    ({"CEDULA_DEMO_TAX_PORT": "0"}, "demo.tax_port must be a whole number from 1 to 65535, got 0"),
])
def test_bounds_that_cannot_work_are_refused_at_load(environ, message):
    """Before: taken as they were; `CEDULA_STORE_TIMEOUT_SECONDS=-7` made every request that
    needs Redis a 500 ('Timeout value out of range'), a connect timeout of 0 waited for ever;
    `CEDULA_RATE_LIMIT_WINDOW_SECONDS=-7` switched the rate limits off, `CEDULA_RATE_LIMIT_ATTEMPTS=0`
    refused every enrolment, `CEDULA_SECURITY_HSTS_SECONDS=-7` sent a max-age browsers ignore."""
    with pytest.raises(ConfigError) as info:
        load_settings(environ=environ)
    assert str(info.value).startswith(message)
    assert str(info.value).endswith(f"(set in the environment variable {next(iter(environ))})")


@pytest.mark.parametrize(("text", "message"), [
    ("[store]\ntimeout_seconds = nan\n", "store.timeout_seconds must be a number of seconds from 0.1 to 600, got nan"),
    ("[database]\npool_timeout_seconds = nan\n", "database.pool_timeout_seconds must be a number of seconds"),
    ("[store]\nsnapshot_interval_seconds = nan\n", "store.snapshot_interval_seconds must be a number of seconds"),
    ("[server]\nworker_timeout = nan\n", "server.worker_timeout must be a number of seconds (0: never)"),
])
def test_review17_a_number_that_is_not_a_number_is_refused_at_load(tmp_path, text, message):
    """TOML writes `nan`, and NaN compares false with every bound: `Section.number` took it,
    so `[store] timeout_seconds = nan` started and every request that needs Redis failed
    (socket.settimeout: 'Invalid value NaN')."""
    settings_file = tmp_path / "cedula.toml"
    settings_file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(environ={"CEDULA_CONFIG": str(settings_file)})
    assert str(info.value).startswith(message)


def test_review17_a_section_refuses_infinity_without_an_upper_bound():
    with pytest.raises(ConfigError, match=r"^x\.wait must be a number >= 0, got inf$"):
        read_section({"x": {"wait": float("inf")}}, "x").number("wait", minimum=0)
