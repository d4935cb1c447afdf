"""Checks, before the suite runs, that PostgreSQL and Redis answer. A missing service is a failure with a
message saying how to start it, never a skip (``make services-check``)."""

from __future__ import annotations

import os
import socket
import sys

SERVICES = {
    "PostgreSQL": ("127.0.0.1", 5432, "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"),
    "Redis": ("127.0.0.1", 6379, "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no"),
}


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=3):
            return True
    except OSError:
        return False


def main() -> int:
    missing = [(name, hint) for name, (host, port, hint) in SERVICES.items() if not reachable(host, port)]
    for name, hint in missing:
        print(f"{name} is not answering on its port. Start it with:\n    {hint}", file=sys.stderr)
    if missing:
        print("The test suite needs PostgreSQL and Redis" + (" (CI=true)" if os.environ.get("CI") == "true" else "") + ".", file=sys.stderr)
        return 1
    print("PostgreSQL and Redis are answering.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
