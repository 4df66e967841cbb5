"""The README's first command works as written: `make run` serves the dashboard with demo data.

(`make test`, the second, is what CI runs on a fresh clone.)
"""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_readme_shows_the_two_commands_first():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split()[:2] for line in first_block.strip().splitlines()] == [
        ["make", "run"], ["make", "test"]]


@pytest.mark.skipif(not (ROOT / "Makefile").exists(), reason="no Makefile")
def test_make_run_serves_the_dashboard_with_demo_data(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMPACT_")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'warehouse.sqlite'}", PYTHONUNBUFFERED="1")
    log = open(tmp_path / "make-run.log", "w+")
    process = subprocess.Popen(["make", "run", f"PORT={port}"], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        body = None
        deadline = time.time() + 240
        while time.time() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    body = response.read().decode("utf-8")
                    break
            except OSError:
                time.sleep(1)
        log.seek(0)
        output = log.read()
        assert body is not None, f"the dashboard did not answer; make run said:\n{output[-3000:]}"
        assert "Latitudes Impact" in body
        assert f"http://127.0.0.1:{port}/" in output
        assert "demo" in output.lower()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
