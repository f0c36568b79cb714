"""Content negotiation for the pages people print (the card, letters): JSON unless `Accept`
asks for HTML above it; and the headers every page of ours carries."""

from __future__ import annotations

import base64
import hashlib

HTML_MEDIA_TYPE = "text/html"
JSON_MEDIA_TYPE = "application/json"


def _quality(accept: str, media_type: str) -> float:
    """The q-value `accept` gives `media_type`: that of its most specific matching range."""
    kind = media_type.split("/", 1)[0]
    best: tuple[int, float] = (-1, 0.0)
    for item in accept.split(","):
        media_range, *params = (part.strip() for part in item.split(";"))
        media_range = media_range.lower()
        specificity = {media_type: 2, f"{kind}/*": 1, "*/*": 0}.get(media_range)
        if specificity is None or specificity <= best[0]:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        best = (specificity, q)
    return best[1]


def prefers_html(accept: str | None) -> bool:
    """HTML only when asked for above JSON: `*/*`, no header or a tie get JSON."""
    if not accept:
        return False
    html_q = _quality(accept, HTML_MEDIA_TYPE)
    return html_q > 0 and html_q > _quality(accept, JSON_MEDIA_TYPE)


def page_headers(style: str, *, forms_to_us: bool = False) -> dict[str, str]:
    """The security headers of an HTML page of ours, which runs no script and loads nothing:
    only its own inline `style` (allowed by its hash), never framed, no referrer, not sniffed
    (issue 19). `forms_to_us`: its forms may post back here (the status page)."""
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    form = "'self'" if forms_to_us else "'none'"
    return {
        "Content-Security-Policy": f"default-src 'none'; style-src 'sha256-{digest}'; "
        f"form-action {form}; frame-ancestors 'none'; base-uri 'none'",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
    }
