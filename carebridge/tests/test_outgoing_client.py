"""One HTTP client per process for the calls to WeChat: shared by threads, anew after a fork."""

import threading

from carebridge.lib import http


def test_every_call_and_thread_of_a_process_share_one_client():
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(http.outgoing())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(client) for client in seen + [http.outgoing()]}) == 1


def test_a_forked_process_makes_its_own(monkeypatch):
    parent = http.outgoing()
    monkeypatch.setattr(http.os, "getpid", lambda: -1)  # as a child after fork sees it
    child = http.outgoing()
    assert child is not parent
    assert http.outgoing() is child


def test_closing_it_makes_the_next_call_start_a_new_one():
    before = http.outgoing()
    http.close_outgoing()
    assert before.is_closed
    assert http.outgoing() is not before
