"""The suite runs in several pytest-xdist workers (make test), and each collects the tests
itself: a test id made from something that changes between two collections (the time, as
gzip's header holds it, or a set's order under another hash seed) makes the workers' lists
differ and the whole run fail before any test runs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _collected(hash_seed: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "-p", "no:xdist", "tests"],
        capture_output=True, text=True, check=False, cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"},  # (-n ...)
             "PYTHONHASHSEED": hash_seed},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return [line for line in done.stdout.splitlines() if "::" in line]


@pytest.mark.slow
def test_two_collections_a_second_apart_under_other_hash_seeds_list_the_same_tests():
    first = _collected("1")
    time.sleep(1.1)  # a test id holding the current second differs now
    second = _collected("2")
    assert len(first) > 2000
    assert first == second
