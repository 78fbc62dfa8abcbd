"""The command shim when the cluster dies between the connection and its answer."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _dying_server(path: str) -> threading.Thread:
    """Accepts one connection, reads a little, then resets it (as a killed daemon would)."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)

    def serve():
        conn, _ = listener.accept()
        conn.recv(16)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        conn.close()
        listener.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return thread


def _run_shim(tmp_path: Path, tool: str, *args: str) -> subprocess.CompletedProcess:
    path = str(tmp_path / "sock")
    server = _dying_server(path)
    shim = tmp_path / tool
    shim.write_text(f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(ROOT)!r})\n"
                    "from sim.client import main\nmain()\n")
    shim.chmod(0o755)
    env = dict(os.environ, SIM_SOCKET=path, PATH=f"{tmp_path}:{os.environ['PATH']}")
    done = subprocess.run([str(shim), *args], env=env, capture_output=True, text=True, timeout=30)
    server.join(5)
    return done


def test_a_tool_whose_cluster_dies_says_so_without_a_traceback(tmp_path):
    done = _run_shim(tmp_path, "nslookup", "example.com")
    assert "Traceback" not in done.stderr
    assert done.stderr == "nslookup: the simulated cluster is not running\n"
    assert done.returncode == 1


def test_sleep_falls_back_to_the_real_sleep_when_the_cluster_dies(tmp_path):
    done = _run_shim(tmp_path, "sleep", "0.1")
    assert "Traceback" not in done.stderr
    assert done.returncode == 0
