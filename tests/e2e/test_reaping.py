"""Orphans that land on tend are reaped at once."""
import signal
import time

from harness import SLOWDOWN, Tend, wait_for

# The service forks 1000 children; each forks a grandchild and exits at once, so
# the grandchild is orphaned to PID 1 (tend) and exits shortly after.
ORPHAN_STORM = r"""
import os, sys, time
for i in range(1000):
    pid = os.fork()
    if pid == 0:
        if os.fork() == 0:
            time.sleep(0.05)
            os._exit(0)
        os._exit(0)
    os.waitpid(pid, 0)
open(sys.argv[1], "w").write(str(time.time()))
time.sleep(1000)
"""


def test_a_thousand_orphans_leave_no_zombie_within_one_second():
    with Tend("""
        services:
          storm:
            command: [/usr/bin/python3, $DIR/storm.py, $DIR/storm-done]
    """, files={"storm.py": ORPHAN_STORM}) as t:
        wait_for(lambda: t.read("storm-done"), timeout=60, what="the orphan storm to finish")
        done = time.monotonic()
        # The last grandchildren exit 50ms after the storm's end; within one second
        # of that, the namespace must hold no zombie at all.
        wait_for(lambda: not t.zombies() and len(t.processes()) == 1, timeout=1.05,
                 what="every orphan to be reaped")
        assert time.monotonic() - done < 1.05 * SLOWDOWN
        t.signal(signal.SIGTERM)
        assert t.wait() == 0
        assert "(1000 orphans reaped)" in t.log


def test_a_service_restarted_many_times_leaves_no_zombie():
    with Tend("""
        services:
          flap:
            command: [sh, -c, 'echo x >> $DIR/starts; sleep 0.05']
            restart: always
            min_uptime: 0
            max_restarts: -1
            backoff: {initial: 0, max: 0}
    """) as t:
        wait_for(lambda: t.read("starts").count("x") >= 50, timeout=20, what="50 restarts")
        assert t.zombies() == []
        t.signal(signal.SIGTERM)
        assert t.wait() == 0
