"""`carebridge worker` runs below the web server's CPU priority (outbox/priority.py)."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from carebridge.outbox.management.commands import run_worker
from carebridge.wechat.tests.test_settings import PROD, start_django

AUTOGROUP = Path("/proc/self/autogroup")
linux_autogroup = pytest.mark.skipif(not AUTOGROUP.exists(), reason="Linux autogroup scheduling")

# Run in a child process: a priority once lowered cannot be raised again without privileges.
# A process in no autogroup (the kernel's root group: PID 1's session, where CI's pytest ran)
# reads the file empty; its group is printed as "root".
CHILD = """
import os, sys
from pathlib import Path
if sys.argv[1] == "own-session":
    os.setsid()
from carebridge.outbox.priority import lower_cpu_priority
group = lambda: (Path("/proc/self/autogroup").read_text().split() or ["root"])[-1]
nice_before, group_before = os.nice(0), group()
nice = lower_cpu_priority(int(sys.argv[2]))
print(nice_before, nice, group_before, group())
"""


def _child(session: str, steps: int) -> tuple[int, int, str, str]:
    """The child's nice value before and after, and its autogroup's nice value before and after
    ("root" where it is in no autogroup)."""
    # start_new_session=False: the child shares pytest's session, unless it calls setsid itself.
    out = subprocess.run(
        [sys.executable, "-c", CHILD, session, str(steps)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    before, nice, group_before, group_after = out.split()
    return int(before), int(nice), group_before, group_after


@linux_autogroup
def test_a_worker_with_a_session_of_its_own_lowers_its_group_too():
    before, nice, group_before, group_after = _child("own-session", 10)
    assert nice == min(before + 10, 19)
    assert group_before == "0" and group_after == str(nice)  # a new session's group starts at 0


@linux_autogroup
def test_a_worker_sharing_a_session_leaves_the_group_to_its_neighbours():
    before, nice, group_before, group_after = _child("shared", 10)
    assert nice == min(before + 10, 19) and group_after == group_before


@linux_autogroup
def test_zero_leaves_the_priority_alone():
    before, nice, group_before, group_after = _child("own-session", 0)
    assert nice == before and group_after == group_before == "0"


def test_the_worker_command_lowers_its_priority_by_the_setting(monkeypatch, settings):
    settings.WORKER_NICE = 7
    calls = []
    monkeypatch.setattr(run_worker, "lower_cpu_priority", calls.append)
    monkeypatch.setattr(run_worker, "run_forever", lambda stop: calls.append("ran"))
    monkeypatch.setattr(run_worker.signal, "signal", lambda *args: None)  # pytest's stay
    call_command("run_worker")
    assert calls == [7, "ran"]


@pytest.mark.django_db
def test_draining_once_keeps_the_callers_priority(monkeypatch):
    monkeypatch.setattr(run_worker, "lower_cpu_priority", lambda steps: pytest.fail("lowered"))
    call_command("run_worker", "--once")


@pytest.mark.parametrize("value", ["-1", "20", "ten"])
def test_a_bad_worker_nice_is_refused_at_start(value):
    result = start_django({**PROD, "WORKER_NICE": value})
    assert result.returncode != 0
    assert "WORKER_NICE" in result.stderr
