"""The ephemeral store contract, on the in-process store and on Redis."""

from __future__ import annotations

import threading
import time

import pytest

from infra.store import RedisStore
from tests.support.parts import store_for
from tests.support.redis_faults import lose_the_next_reply


@pytest.fixture(params=["memory", "redis"])
def store(request):
    yield from store_for(request.param, "store-test")


def test_set_get_delete(store):
    store.set("a", b"1", 10)
    assert store.get("a") == b"1"
    store.delete("a")
    assert store.get("a") is None


def test_values_expire(store):
    store.set("short", b"x", 0.05)
    time.sleep(0.1)
    assert store.get("short") is None


def test_add_only_if_absent(store):
    assert store.add("jti", b"1", 10) is True
    assert store.add("jti", b"2", 10) is False
    assert store.get("jti") == b"1"


def test_take_is_single_use_even_under_concurrency(store):
    store.set("challenge", b"c", 10)
    results = []
    threads = [threading.Thread(target=lambda: results.append(store.take("challenge"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(b"c") == 1
    assert store.take("challenge") is None


def test_take_and_mark_leaves_a_mark_naming_a_field_of_what_was_taken(store):
    store.set("code", b'{"grant_id": "g-1", "other": 2}', 10)
    assert store.take_and_mark("code", "mark", "grant_id", 10) == b'{"grant_id": "g-1", "other": 2}'
    assert store.get("code") is None
    assert store.get("mark") == b"g-1"
    store.set("mark", b"kept", 10)
    assert store.take_and_mark("code", "mark", "grant_id", 10) is None  # nothing taken: no mark
    assert store.get("mark") == b"kept"


def test_take_and_mark_is_single_use_even_under_concurrency(store):
    store.set("code", b'{"grant_id": "g-2"}', 10)
    results = []
    threads = [threading.Thread(target=lambda: results.append(store.take_and_mark("code", "mark", "grant_id", 10)))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(b'{"grant_id": "g-2"}') == 1 and results.count(None) == 7
    assert store.get("mark") == b"g-2"


def test_take_and_read_takes_marks_and_reads_what_the_value_names(store):
    store.set("code", b'{"grant_id": "g-1", "sid": "s-1"}', 10)
    store.set("gen", b"7", 10)
    store.set("index:s-1", b"ref-1", 10)
    store.set("record:ref-1", b"the record", 10)
    assert store.take_and_read("code", "mark", "grant_id", 10, read=["gen", "absent"], follow="sid",
                               chain=["index:", "record:"]) == (
        b'{"grant_id": "g-1", "sid": "s-1"}', [b"7", None, b"ref-1", b"the record"])
    assert store.get("code") is None and store.get("mark") == b"g-1"
    # Once taken, nothing is taken, marked or read.
    store.delete("mark")
    assert store.take_and_read("code", "mark", "grant_id", 10, read=["gen"], follow="sid",
                               chain=["index:", "record:"]) == (None, [])
    assert store.get("mark") is None


def test_take_and_read_with_a_guard_takes_only_while_it_holds(store):
    """`TakeGuard` (issue 16): the code is taken, marked and read only if the guard's key
    holds what was expected (absent: `absent`) and no refusal group is entirely set."""
    from infra.store import GuardRefused, TakeGuard

    value = b'{"grant_id": "g-1", "sid": "s-1"}'
    guard = TakeGuard("gen", b"7", b"0", (("blocked",), ("spread", "failed")))

    def untouched():
        assert store.get("code") == value and store.get("mark") is None

    store.set("code", value, 10)
    store.set("index:s-1", b"ref-1", 10)
    for refusal in (["blocked"], ["spread", "failed"], ["blocked", "spread"]):
        store.set("gen", b"7", 10)
        for name in refusal:
            store.set(name, b"1", 10)
        with pytest.raises(GuardRefused):
            store.take_and_read("code", "mark", "grant_id", 10, read=["gen"], follow="sid", chain=["index:"],
                                guard=guard)
        untouched()
        store.delete(*refusal)
    store.set("gen", b"8", 10)  # another generation
    with pytest.raises(GuardRefused):
        store.take_and_read("code", "mark", "grant_id", 10, read=["gen"], guard=guard)
    untouched()
    store.delete("gen")  # absent reads as "0", not "7"
    with pytest.raises(GuardRefused):
        store.take_and_read("code", "mark", "grant_id", 10, read=["gen"], guard=guard)
    untouched()
    assert store.take_and_read("code", "mark", "grant_id", 10, read=["gen"], follow="sid", chain=["index:"],
                               guard=TakeGuard("gen", b"0", b"0", (("blocked",), ("spread", "failed")))) == (
        value, [None, b"ref-1"])
    store.set("gen", b"7", 10)
    store.set("spread", b"1", 10)  # one key of a group of two: not refused
    store.set("code", value, 10)
    assert store.take_and_read("code", "mark", "grant_id", 10, read=["gen"], guard=guard) == (value, [b"7"])
    assert store.get("code") is None and store.get("mark") == b"g-1"
    # nothing to take: (None, []) as without a guard, and no mark
    store.delete("mark")
    assert store.take_and_read("code", "mark", "grant_id", 10, read=["gen"], guard=guard) == (None, [])
    assert store.get("mark") is None


def test_take_and_read_stops_a_chain_at_its_first_absent_link(store):
    store.set("index:s-2", b"ref-gone", 10)
    store.set("record:", b"not this", 10)  # an absent link is never read as an empty name
    for value, expected in [(b'{"grant_id": "g", "sid": "s-2"}', [b"ref-gone", None]),
                            (b'{"grant_id": "g", "sid": "s-none"}', [None, None]),
                            (b'{"grant_id": "g", "sid": null}', [None, None]),
                            (b'{"grant_id": "g"}', [None, None])]:
        store.set("code", value, 10)
        assert store.take_and_read("code", "mark", "grant_id", 10, follow="sid",
                                   chain=["index:", "record:"]) == (value, expected)
    store.set("code", b'{"grant_id": "g"}', 10)
    assert store.take_and_read("code", "mark", "grant_id", 10) == (b'{"grant_id": "g"}', [])


def test_take_and_read_is_single_use_even_under_concurrency(store):
    store.set("code", b'{"grant_id": "g-2", "sid": "s"}', 10)
    results: list[tuple[bytes | None, list[bytes | None]]] = []
    threads = [threading.Thread(target=lambda: results.append(store.take_and_read(
        "code", "mark", "grant_id", 10, read=["gen"], follow="sid", chain=["index:"]))) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [value for value, _read in results if value is not None] == [b'{"grant_id": "g-2", "sid": "s"}']
    assert sorted(len(read) for _value, read in results) == [0] * 15 + [2]
    assert store.get("mark") == b"g-2"


def test_a_prefetched_store_takes_and_reads_from_the_store(store):
    from infra.store.prefetched import Prefetched

    store.set("code", b'{"grant_id": "g"}', 10)
    store.set("gen", b"1", 10)
    prefetched = Prefetched(store, {"code": b"stale", "mark": None, "gen": b"0"})
    assert prefetched.take_and_read("code", "mark", "grant_id", 10, read=["gen"]) == (b'{"grant_id": "g"}', [b"1"])
    assert prefetched.get("code") is None and prefetched.get("mark") == b"g"


def test_incr_counts_within_a_window(store):
    assert [store.incr("rl", 10) for _ in range(3)] == [1, 2, 3]
    store.set("other", b"", 0.05)
    assert store.incr("rl-short", 0.05) == 1
    time.sleep(0.1)
    assert store.incr("rl-short", 0.05) == 1


def test_expire_extends_a_key(store):
    # A busy machine can hold the test up between set() and expire() for longer than the first
    # time to live: then the key is gone before it could be extended, which proves nothing
    # either way, and the attempt is made again (not failed).
    for _ in range(50):
        store.delete("session")
        started = time.monotonic()
        store.set("session", b"s", 0.5)
        store.expire("session", 10)
        if time.monotonic() - started < 0.4:
            break
    else:
        pytest.fail("set() and expire() were never called within 0.4 s of each other")
    time.sleep(0.6)
    assert store.get("session") == b"s"


def test_sets(store):
    store.set_add("idx", "a", 10)
    store.set_add("idx", "b", 10)
    store.set_remove("idx", "a")
    assert store.set_members("idx") == {"b"}
    assert store.set_members("missing") == set()


def test_set_add_answers_the_size_of_the_set(store):
    """Constant time: the caller learns the size without reading the members (session cap)."""
    assert store.set_add("sized", "a", 10) == 1
    assert store.set_add("sized", "b", 10) == 2
    assert store.set_add("sized", "b", 10) == 2  # a member already there
    store.set_remove("sized", "a")
    assert store.set_add("sized", "c", 10) == 2
    members = store.set_members("sized")
    members.add("not stored")  # readers get a copy: changing it changes nothing stored
    assert store.set_members("sized") == {"b", "c"}


def test_delayed_queue_hands_each_item_to_one_caller(store):
    now = time.time()
    store.schedule("q", "late", now + 60)
    store.schedule("q", "first", now - 2)
    store.schedule("q", "second", now - 1)
    assert store.due("q", now) == ["first", "second"]
    assert store.due("q", now) == []
    assert store.due("q", now + 61) == ["late"]


def test_ping(store):
    store.ping()


def test_unreachable_redis_raises_store_error():
    from infra.store import StoreError

    dead = RedisStore("redis://127.0.0.1:1/0")
    with pytest.raises(StoreError):
        dead.ping()


def test_set_many_sets_each_key_with_the_time_to_live(store):
    store.set_many({"one": b"1", "two": b"2"}, 10)
    assert (store.get("one"), store.get("two")) == (b"1", b"2")
    store.set_many({"one": b"3", "two": b"4"}, 0.05)
    time.sleep(0.1)
    assert (store.get("one"), store.get("two")) == (None, None)
    store.set_many({}, 10)  # nothing to do


def test_get_many_reads_keys_in_order(store):
    store.set("m1", b"1", 10)
    store.set("m3", b"3", 10)
    assert store.get_many(["m1", "m2", "m3"]) == [b"1", None, b"3"]
    assert store.get_many([]) == []


def test_a_prefetched_store_answers_what_was_read_and_asks_the_store_for_the_rest(store):
    from infra.store.prefetched import Prefetched

    store.set("read", b"then", 10)
    store.set("other", b"o", 10)
    prefetched = Prefetched(store, dict(zip(["read", "absent"], store.get_many(["read", "absent"]), strict=True)))
    store.set("read", b"now", 10)  # what was read is what the request saw
    store.set("absent", b"now", 10)
    assert prefetched.get("read") == b"then" and prefetched.get("absent") is None
    assert prefetched.get("other") == b"o"
    assert prefetched.shared is store.shared
    prefetched.set("read", b"written", 10)  # a write goes to the store and is read back from it
    assert prefetched.get("read") == b"written" == store.get("read")
    prefetched.delete("absent")
    assert prefetched.get("absent") is None and store.get("absent") is None
    assert prefetched.add("absent", b"a", 10) and prefetched.take("absent") == b"a"


@pytest.fixture
def redis_store(store):
    if not isinstance(store, RedisStore):
        pytest.skip("Redis connections only")
    return store


def test_a_read_on_a_lost_connection_is_retried_on_a_new_one(redis_store):
    import socket

    redis_store.set("kept", b"v", 10)
    assert redis_store.get("kept") == b"v"
    mine = redis_store._mine().connection  # the connection this thread's commands use
    mine._sock.shutdown(socket.SHUT_RDWR)  # the server went away under it
    assert redis_store.get("kept") == b"v"
    redis_store._mine().connection._sock.shutdown(socket.SHUT_RDWR)
    assert redis_store.get_many(["kept", "absent"]) == [b"v", None]
    pool = redis_store._client.connection_pool  # pipelines check a pooled connection out
    connection = pool.get_connection()
    connection._sock.shutdown(socket.SHUT_RDWR)
    pool.release(connection)
    redis_store.set_many({"a": b"1", "b": b"2"}, 10)
    assert redis_store.get_many(["a", "b"]) == [b"1", b"2"]


def test_a_command_sent_once_is_sent_on_a_new_connection_when_the_server_closed_the_old(redis_store):
    """take, take_and_mark, add, incr and due are never sent twice, yet a connection the server
    closed while it was idle (a restart) is found out before the command is sent."""
    import socket

    redis_store.set("once", b"v", 10)
    assert redis_store.add("jti", b"1", 10) is True  # this thread's connection for them, made
    redis_store._local.once.connection._sock.shutdown(socket.SHUT_RDWR)
    assert redis_store.take("once") == b"v"
    redis_store._local.once.connection._sock.shutdown(socket.SHUT_RDWR)
    assert redis_store.incr("count", 10) == 1


def test_each_thread_reads_on_its_own_connection(redis_store):
    redis_store.set("kept", b"v", 10)
    assert redis_store.get("kept") == b"v"
    seen: list[object] = []

    def other() -> None:
        assert redis_store.get("kept") == b"v"
        seen.append(redis_store._mine().connection)

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert seen and seen[0] is not redis_store._mine().connection
    assert redis_store._mine() is redis_store._mine()  # kept by the thread between commands


def test_a_forked_child_does_not_use_its_parents_connection(redis_store):
    import os

    redis_store.set("kept", b"v", 10)
    redis_store.add("added", b"v", 10)  # the connection for commands sent once, held too
    parents = redis_store._mine()
    child = os.fork()
    if child == 0:  # the child process: its own connections, never the parent's sockets
        try:
            fine = (redis_store._mine() is not parents and redis_store.get("kept") == b"v"
                    and redis_store.take("added") == b"v")
        except BaseException:
            fine = False
        os._exit(0 if fine else 1)
    for _ in range(300):  # at most 30 s
        done, status = os.waitpid(child, os.WNOHANG)
        if done:
            break
        time.sleep(0.1)
    else:
        os.kill(child, 9)
        os.waitpid(child, 0)
        pytest.fail("the forked child did not finish within 30 s")
    assert os.waitstatus_to_exitcode(status) == 0
    assert redis_store._mine() is parents and redis_store.get("added") is None


def test_an_error_answer_to_a_read_is_a_store_error_and_the_connection_serves_on(redis_store):
    from infra.store import StoreError

    redis_store.set_add("a-set", "member", 10)
    with pytest.raises(StoreError):
        redis_store.get("a-set")  # WRONGTYPE
    redis_store.set("kept", b"v", 10)
    assert redis_store.get("kept") == b"v" and redis_store.get_many(["kept"]) == [b"v"]


def test_reads_on_an_unreachable_redis_raise_store_error():
    from infra.store import StoreError
    from infra.store.redis import RedisOptions

    dead = RedisStore("redis://127.0.0.1:1/0", options=RedisOptions(connect_timeout_seconds=0.5, retries=0))
    with pytest.raises(StoreError):
        dead.get("x")
    with pytest.raises(StoreError):
        dead.get_many(["x", "y"])


def test_take_and_mark_loads_its_script_on_a_server_that_does_not_know_it(redis_store):
    redis_store._take_and_mark.sha = "0" * 40  # as after SCRIPT FLUSH or a failover to a new primary
    redis_store.set("code", b'{"grant_id": "g-3"}', 10)
    assert redis_store.take_and_mark("code", "mark", "grant_id", 10) == b'{"grant_id": "g-3"}'
    assert redis_store.get("mark") == b"g-3" and redis_store.get("code") is None


@pytest.mark.parametrize("warm", [False, True])
def test_take_and_read_loads_its_script_on_a_server_that_does_not_know_it(redis_store, warm):
    if warm:  # this thread's connection for commands sent once is made (the quick path)
        assert redis_store.take_and_read("warm", "warm-mark", "grant_id", 10) == (None, [])
    redis_store._take_and_read.sha = "0" * 40  # as after SCRIPT FLUSH or a failover to a new primary
    redis_store.set("code", b'{"grant_id": "g-4"}', 10)
    assert redis_store.take_and_read("code", "mark", "grant_id", 10, read=["x"]) == (b'{"grant_id": "g-4"}', [None])
    assert redis_store.get("mark") == b"g-4" and redis_store.get("code") is None


def test_take_and_read_on_a_connection_the_server_closed_is_sent_on_a_new_one(redis_store):
    import socket

    assert redis_store.take_and_read("warm", "warm-mark", "grant_id", 10) == (None, [])
    redis_store._local.once.connection._sock.shutdown(socket.SHUT_RDWR)  # closed while idle
    redis_store.set("code", b'{"grant_id": "g-7"}', 10)
    assert redis_store.take_and_read("code", "mark", "grant_id", 10) == (b'{"grant_id": "g-7"}', [])


def test_take_and_read_that_fails_takes_nothing(redis_store):
    """Everything is read before anything is written: an error (here a key of the wrong type)
    leaves the value where it was, and the request can be answered 503 and tried again."""
    from infra.store import StoreError

    redis_store.set("code", b'{"grant_id": "g-5", "sid": "s"}', 10)
    redis_store.set_add("index:s", "a set, not a string", 10)
    with pytest.raises(StoreError):
        redis_store.take_and_read("code", "mark", "grant_id", 10, follow="sid", chain=["index:"])
    assert redis_store.get("code") == b'{"grant_id": "g-5", "sid": "s"}' and redis_store.get("mark") is None


def test_take_and_read_whose_reply_was_lost_is_not_sent_again(redis_store, monkeypatch):
    """As `take_and_mark` (tests/security/test_store_replies_lost.py): a reply lost after the
    server ran it is a StoreError (503), never a second attempt that finds the code gone."""
    from infra.store import StoreError

    redis_store.set("code", b'{"grant_id": "g-6"}', 10)
    redis_store.take_and_read("warm", "warm-mark", "grant_id", 10)  # the script loaded
    lost = lose_the_next_reply(monkeypatch)
    with pytest.raises(StoreError):
        redis_store.take_and_read("code", "mark", "grant_id", 10)
    assert lost[0] and redis_store.get("mark") == b"g-6"  # run once, by the attempt whose reply was lost


def test_compare_and_set_sets_every_key_only_if_each_holds_what_was_expected(store):
    store.set("rec", b"r1", 10)
    store.set("idx", b"ref", 10)
    assert store.compare_and_set({"rec": (b"r1", b"r2"), "idx": (b"ref", b"ref")}, 10) is True
    assert store.get_many(["rec", "idx"]) == [b"r2", b"ref"]
    # One key changed since it was read: nothing is written, not even the keys that match.
    assert store.compare_and_set({"rec": (b"r2", b"r3"), "idx": (b"other", b"new")}, 10) is False
    assert store.get_many(["rec", "idx"]) == [b"r2", b"ref"]
    # An absent key holds nothing: never created by a compare_and_set.
    store.delete("rec")
    assert store.compare_and_set({"rec": (b"r2", b"r3"), "idx": (b"ref", b"ref")}, 10) is False
    assert store.get_many(["rec", "idx"]) == [None, b"ref"]
    assert store.compare_and_set({}, 10) is True  # nothing to compare, nothing done


def test_compare_and_set_gives_the_keys_its_time_to_live(store):
    store.set("rec", b"r1", 10)
    assert store.compare_and_set({"rec": (b"r1", b"r2")}, 0.05) is True
    time.sleep(0.1)
    assert store.get("rec") is None


def test_compare_and_set_finds_nothing_in_an_expired_key(store):
    store.set("rec", b"r1", 0.05)
    time.sleep(0.1)
    assert store.compare_and_set({"rec": (b"r1", b"r2")}, 10) is False
    assert store.get("rec") is None


def test_compare_and_set_finds_a_set_unequal_to_any_value(store):
    store.set_add("members", "a", 10)
    store.set("rec", b"r1", 10)
    assert store.compare_and_set({"rec": (b"r1", b"r2"), "members": (b"a", b"b")}, 10) is False
    assert store.get("rec") == b"r1" and store.set_members("members") == {"a"}


def test_compare_and_set_lets_one_of_concurrent_writers_win(store):
    store.set("rec", b"start", 10)
    store.set("idx", b"ref", 10)
    results: dict[int, bool] = {}
    barrier = threading.Barrier(8)

    def write(n: int) -> None:
        barrier.wait(60)
        results[n] = store.compare_and_set({"rec": (b"start", b"w%d" % n), "idx": (b"ref", b"ref")}, 10)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [n for n, won in results.items() if won]
    assert len(results) == 8 and len(winners) == 1
    assert store.get("rec") == b"w%d" % winners[0]


def test_compare_and_set_does_not_undo_a_concurrent_delete(store):
    """The SSO session's refresh racing its end: whichever comes second, the key stays gone."""
    stop = threading.Event()

    def ending() -> None:
        while not stop.is_set():
            store.delete("rec")

    store.set("rec", b"r1", 10)
    thread = threading.Thread(target=ending)
    thread.start()
    try:
        for _ in range(200):
            store.compare_and_set({"rec": (b"r1", b"r1")}, 10)
    finally:
        stop.set()
        thread.join()
    assert store.get("rec") is None


def test_a_prefetched_store_compares_and_sets_on_the_store(store):
    from infra.store.prefetched import Prefetched

    store.set("rec", b"r1", 10)
    prefetched = Prefetched(store, {"rec": b"r1"})
    assert prefetched.compare_and_set({"rec": (b"r1", b"r2")}, 10) is True
    assert prefetched.get("rec") == b"r2" == store.get("rec")  # read back from the store


def test_compare_and_set_loads_its_script_on_a_server_that_does_not_know_it(redis_store):
    redis_store.set("rec", b"r1", 10)
    redis_store._client.script_flush()
    assert redis_store.compare_and_set({"rec": (b"r1", b"r2")}, 10) is True
    assert redis_store.get("rec") == b"r2"


def test_compare_and_set_whose_reply_was_lost_is_sent_again_and_changes_nothing(redis_store, monkeypatch):
    """Unlike `take`: a repeat after a lost reply finds the new values and writes nothing."""
    redis_store.set("rec", b"r1", 10)
    redis_store.compare_and_set({"warm": (b"x", b"y")}, 10)  # the script loaded
    lost = lose_the_next_reply(monkeypatch)
    assert redis_store.compare_and_set({"rec": (b"r1", b"r2")}, 10) is False  # the repeat's answer
    assert lost[0] and redis_store.get("rec") == b"r2"  # written once, by the attempt whose reply was lost
