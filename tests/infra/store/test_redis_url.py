"""`CEDULA_REDIS_URL` names one Redis server or Redis Sentinel's sentinels and service."""

from __future__ import annotations

import pytest

from infra.config import ConfigError
from infra.store.redis import SentinelUrl


def test_sentinel_url_with_every_part():
    url = SentinelUrl.parse("redis+sentinel://:s3cret@10.0.0.1:26379,10.0.0.2:26380,[::1]:26381"
                            "/cedula-main/2?sentinel_password=other")
    assert url == SentinelUrl(sentinels=(("10.0.0.1", 26379), ("10.0.0.2", 26380), ("::1", 26381)),
                              service="cedula-main", db=2, username=None, password="s3cret",
                              sentinel_password="other")


def test_sentinel_url_database_defaults_to_0():
    assert SentinelUrl.parse("redis+sentinel://h:26379/mymaster").db == 0


@pytest.mark.parametrize(("url", "message"), [
    ("redis+sentinel://h:26379/", "names the monitored service"),
    ("redis+sentinel://h/mymaster", "sentinel address 'h' must be host:port"),
    ("redis+sentinel://h:26379/mymaster/zero", "the database must be a number, got 'zero'"),
])
def test_bad_sentinel_urls_say_what_is_wrong(url, message):
    with pytest.raises(ValueError, match=message):
        SentinelUrl.parse(url)


def test_a_bad_sentinel_url_stops_the_start(tmp_path):
    from idp import create_app

    with pytest.raises(ConfigError, match=r"store.redis_url \(CEDULA_REDIS_URL\): sentinel address"):
        create_app({"server": {"issuer": "http://localhost", "data_dir": str(tmp_path)},
                    "store": {"redis_url": "redis+sentinel://nohost/mymaster"}})
