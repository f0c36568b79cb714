"""What every HTML page of ours must be: sealed by its headers (issue 19; R-8.1, R-8.2)."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx


def assert_sealed(r: httpx.Response) -> None:
    """The page runs no script, loads nothing, is never framed, and its one inline <style> is
    the one its Content-Security-Policy admits by hash (no style attribute, which the policy
    would block and the printed page would lose)."""
    assert r.headers["content-type"].startswith("text/html"), r.headers["content-type"]
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp, csp
    assert "script-src" not in csp and "unsafe-inline" not in csp, csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    styles = re.findall(r"<style>(.*?)</style>", r.text, re.S)
    assert len(styles) == 1, f"{len(styles)} <style> elements"
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in csp, csp
    assert "<script" not in r.text.lower() and " style=" not in r.text
