"""bench/scaling.py's bookkeeping: which worker answered on which keep-alive connection (the
measurement itself runs only in `make bench`)."""

from __future__ import annotations

import os
import socket

from bench.scaling import owners, per_worker, server_ends

TABLE = """\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 100 1
   1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 201 1
   2: 0100007F:1F90 0100007F:D432 01 00000000:00000000 00:00000000 00000000     0        0 202 1
   3: 0100007F:D431 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 301 1
   4: 0100007F:1F90 0100007F:D433 06 00000000:00000000 00:00000000 00000000     0        0 0 1
"""


def test_server_ends_are_the_established_connections_to_the_port_by_client_port(tmp_path):
    table = tmp_path / "tcp"
    table.write_text(TABLE)
    # the listener (0A), the client's own end (local port D431) and a TIME_WAIT (06) are not
    assert server_ends(0x1F90, str(table)) == {0xD431: 201, 0xD432: 202}


def test_answers_and_connections_are_added_up_per_worker_in_order():
    by_port = {1001: 10, 1002: 20, 1003: 5, 1004: 7}
    owner = {1001: 11, 1002: 22, 1003: 22}  # 1004's owner not found: left out
    assert per_worker(by_port, owner, [11, 22]) == ([10, 25], [1, 2])


def test_the_process_holding_the_server_end_of_a_connection_is_found():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)) as client:
            accepted, _ = listener.accept()
            with accepted:
                client_port = client.getsockname()[1]
                assert owners(port, [os.getpid()]) == {client_port: os.getpid()}
                assert owners(port, [1]) == {}  # init holds no end of it
