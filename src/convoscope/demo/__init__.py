"""A faithful Conversations API server for demos and tests (independent of the client code)."""

from convoscope.demo.app import create_app
from convoscope.demo.faults import Faults
from convoscope.demo.serve import serve_forever, serve_in_background

__all__ = ["Faults", "create_app", "serve_forever", "serve_in_background"]
