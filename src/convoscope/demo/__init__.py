"""A faithful Conversations API server for demos and tests (independent of the client code).

The exports load on first use: `convoscope --demo` serves the app in-process and needs neither
uvicorn nor the server runner (PEP 562).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from convoscope.demo.app import create_app
    from convoscope.demo.faults import Faults
    from convoscope.demo.serve import serve_forever, serve_in_background

_EXPORTS = {
    "create_app": "convoscope.demo.app",
    "Faults": "convoscope.demo.faults",
    "serve_forever": "convoscope.demo.serve",
    "serve_in_background": "convoscope.demo.serve",
}

__all__ = ["Faults", "create_app", "serve_forever", "serve_in_background"]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
