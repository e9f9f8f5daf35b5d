"""The demo server's JSON responses."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import JSONResponse


class APIResponse(JSONResponse):
    """JSON escaped to ASCII, as a well-behaved server sends it.

    Stored items may hold text that UTF-8 cannot encode raw (a lone surrogate from `"\\ud800"`
    in a created item); escaped, it round-trips instead of failing the response with a 500.
    """

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")
