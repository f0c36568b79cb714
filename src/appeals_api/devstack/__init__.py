"""Embedded PostgreSQL and Redis for development and tests, and the `make run` supervisor."""

from appeals_api.devstack.servers import EmbeddedPostgres, EmbeddedRedis, free_port, port_is_free
from appeals_api.devstack.supervisor import repo_root

__all__ = ["EmbeddedPostgres", "EmbeddedRedis", "free_port", "port_is_free", "repo_root"]
