"""Embedded PostgreSQL and Redis for development and tests, and the `make run` supervisor."""

from appeals_api.devstack.postgres import EmbeddedPostgres
from appeals_api.devstack.processes import free_port, port_is_free
from appeals_api.devstack.redis import EmbeddedRedis
from appeals_api.devstack.supervisor import repo_root

__all__ = ["EmbeddedPostgres", "EmbeddedRedis", "free_port", "port_is_free", "repo_root"]
