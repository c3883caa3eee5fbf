"""``concord demo`` (``make demo``) starts the web server and the worker together; Ctrl-C stops both."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from concord.conftest import TEST_PII_KEY

pytestmark = pytest.mark.slow


def test_the_demo_starts_the_server_and_the_worker_and_ctrl_c_stops_both(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "CONCORD_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
           "CONCORD_PII_KEY": TEST_PII_KEY, "CONCORD_CLOCK": "2026-12-07T10:00:00+08:00"}
    log = (tmp_path / "demo.log").open("w")
    demo = subprocess.Popen([str(Path(sys.executable).parent / "concord"), "demo", "--debtors", "12",
                             "--engine-days", "1", "--addr", f"127.0.0.1:{port}"], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        worker_pid = None
        while time.monotonic() < deadline and worker_pid is None:
            time.sleep(0.5)
            found = subprocess.run(["pgrep", "-P", str(demo.pid), "-f", "concord.cli worker"], capture_output=True,
                                   text=True).stdout.split()
            served = False
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                served = True
            except OSError:
                pass
            if found and served:
                worker_pid = int(found[0])
        assert worker_pid, (tmp_path / "demo.log").read_text()[-2000:]
        os.killpg(demo.pid, signal.SIGINT)  # what Ctrl-C in the terminal does: the whole foreground group
        assert demo.wait(timeout=60) is not None
        time.sleep(0.5)
        assert subprocess.run(["ps", "-p", str(worker_pid), "-o", "stat="], capture_output=True,
                              text=True).stdout.strip() in ("", "Z")  # gone (or a zombie of a gone parent)
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
