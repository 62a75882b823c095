"""Debian's Chromium for the browser tests: its flags on this machine (no network)."""

from __future__ import annotations

#: headless Chromium as root with no background traffic (the machine's network is closed)
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
