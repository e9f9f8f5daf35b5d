"""Renderers: turn an item into lines (filled by the detail-pane issue)."""
