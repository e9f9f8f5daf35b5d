"""convoscope: a keyboard-driven terminal viewer for OpenAI Conversations API conversations."""

__version__ = "0.1.0"
