"""Races in tests: threads that start together and are all waited for."""

import threading

from django.db import connections

JOIN_SECONDS = 60  # a deadline, never a sleep


def run_together(target, args_list: list[tuple]) -> list:
    """Run ``target(*args)`` once per ``args_list`` item, each in its own thread, all released
    at once by a barrier; return their results (in finishing order). Each thread closes its
    database connections; a thread still running after JOIN_SECONDS fails the test."""
    start = threading.Barrier(len(args_list), timeout=JOIN_SECONDS)
    results = []

    def run(*args):
        start.wait()
        try:
            results.append(target(*args))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=args) for args in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    assert len(results) == len(args_list), "a thread raised"
    return results
