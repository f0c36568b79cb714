"""The reader of a request as the reading service sees it."""

from __future__ import annotations

from fastapi import Request

from appeals_api.appeals.reading.service import Viewer
from appeals_api.auth.roles import Principal
from appeals_api.state import state_of


def viewer_of(request: Request, principal: Principal) -> Viewer:
    """The caller reading appeals now, on this app's clock, time zone and dispatch status."""
    state = state_of(request)
    return Viewer(principal, state.clock(), state.settings.tz, state.dispatch_status)
