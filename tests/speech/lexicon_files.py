"""Lexicon files written as a user edits them."""

import json
import os
from pathlib import Path


def write(path: Path, entries: dict[str, str]) -> None:
    path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    # Make every write visible as a change, however fast the test runs.
    stamp = path.stat().st_mtime_ns + 1_000_000_000
    os.utime(path, ns=(stamp, stamp))
