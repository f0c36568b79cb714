"""One app, reached from several client addresses (the direct peer each request comes from)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager

import httpx

from appeals_api.clock import FrozenClock
from appeals_api.config import Settings
from appeals_api.main import create_app

Peer = Callable[[str], httpx.AsyncClient]


@asynccontextmanager
async def app_peers(
    settings: Settings, clock: FrozenClock, **overrides: object
) -> AsyncIterator[Peer]:
    """`peer("203.0.113.7")` is a client whose requests come from that address."""
    app = create_app(settings.model_copy(update=overrides), clock)
    async with app.router.lifespan_context(app), AsyncExitStack() as stack:
        clients: dict[str, httpx.AsyncClient] = {}

        def peer(address: str) -> httpx.AsyncClient:
            if address not in clients:
                transport = httpx.ASGITransport(app=app, client=(address, 40000))
                client = httpx.AsyncClient(transport=transport, base_url="http://test")
                clients[address] = client
                stack.push_async_callback(client.aclose)
            return clients[address]

        yield peer
