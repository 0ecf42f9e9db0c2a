"""Where the case store lives on disk."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

HOME_VARIABLE = "SCREENING_HOME"
"""The environment variable that overrides the store's directory."""

DATABASE_NAME = "cases.sqlite3"
"""The file name of the embedded store inside its directory."""


def default_home(environ: Mapping[str, str] | None = None, *, platform: str | None = None) -> Path:
    """The directory of the case store.

    ``$SCREENING_HOME`` when set, otherwise ``screening`` inside the user's data directory:
    ``$XDG_DATA_HOME`` or ``~/.local/share`` on Linux and other Unix systems,
    ``~/Library/Application Support`` on macOS, ``%APPDATA%`` on Windows. Nothing is created.

    Args:
        environ: The environment to read; ``os.environ`` when omitted.
        platform: A ``sys.platform`` value; the running platform when omitted.

    Returns:
        An absolute path.
    """
    env = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    override = env.get(HOME_VARIABLE, "").strip()
    if override:
        return Path(override).expanduser().absolute()
    home = Path(env.get("HOME") or Path.home())
    if platform == "darwin":
        base = home / "Library" / "Application Support"
    elif platform.startswith(("win", "cygwin")):
        appdata = env.get("APPDATA", "")
        base = Path(appdata) if appdata else home / "AppData" / "Roaming"
    else:
        xdg = env.get("XDG_DATA_HOME", "")
        # The XDG spec says relative values are invalid and must be ignored.
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".local" / "share"
    return (base / "screening").absolute()
