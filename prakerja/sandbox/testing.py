"""Start the sandbox as a subprocess for tests, and talk to it."""

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent.parent


class SandboxProcess:
    def __init__(self, process: subprocess.Popen, http_port: int, smtp_port: int):
        self.process = process
        self.url = f"http://127.0.0.1:{http_port}"
        self.smtp_port = smtp_port

    def outbox(self, to: str | None = None) -> list[dict]:
        params = {"to": to} if to else {}
        return httpx.get(f"{self.url}/outbox.json", params=params, timeout=10).raise_for_status().json()

    def clear(self) -> None:
        httpx.delete(f"{self.url}/outbox", timeout=10).raise_for_status()

    def fault(self, target: str, mode: str, count: int = 1, delay: float | None = None) -> None:
        body = {"target": target, "mode": mode, "count": count}
        if delay is not None:
            body["delay"] = delay
        httpx.post(f"{self.url}/control/faults", json=body, timeout=10).raise_for_status()

    def faults(self, target: str | None = None) -> list[dict]:
        """Injected faults not yet consumed (each with ``remaining``)."""
        params = {"target": target} if target else {}
        return httpx.get(f"{self.url}/control/faults", params=params, timeout=10).raise_for_status().json()

    def people(self, limit: int = 20) -> list[dict]:
        """Residents of the sandbox civil registry, the demo identities first."""
        return httpx.get(f"{self.url}/dukcapil/people.json", params={"limit": limit},
                         timeout=10).raise_for_status().json()

    def clear_faults(self) -> None:
        httpx.delete(f"{self.url}/control/faults", timeout=10).raise_for_status()

    def stop(self) -> int:
        """Terminate the sandbox and return its exit code (0 when it shut down cleanly)."""
        self.process.terminate()
        try:
            return self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def start_sandbox(db_path, timeout: float = 30.0) -> SandboxProcess:
    env = {"SANDBOX_FAMILIES": "200", **os.environ, "SANDBOX_DB": str(db_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # stderr goes to a file: an unread pipe would block the sandbox once full.
    log_path = Path(f"{db_path}.log")
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "prakerja.sandbox", "--port", "0", "--smtp-port", "0"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log, text=True,
        )
    ready: list[str] = []

    def read():
        # Keep draining stdout after READY so the sandbox never blocks on it.
        for line in process.stdout:
            if line.startswith("SANDBOX READY"):
                ready.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    while not ready and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if not ready:
        process.kill()
        process.wait()
        raise RuntimeError(f"the sandbox did not start: {log_path.read_text()[-2000:]}")
    match = re.search(r"http=(\d+) smtp=(\d+)", ready[0])
    return SandboxProcess(process, int(match.group(1)), int(match.group(2)))
