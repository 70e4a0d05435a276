"""dashboard/parallel.py: calls beside the caller, results and errors where they are asked for."""

from __future__ import annotations

import threading

import pytest

from dashboard import parallel


def test_together_returns_results_in_the_order_given():
    assert parallel.together(lambda: 1, lambda: 2, lambda: 3) == [1, 2, 3]


def test_started_runs_beside_the_caller_and_gives_its_result():
    began, release = threading.Event(), threading.Event()

    def slow(value):
        began.set()
        assert release.wait(5)
        return value * 2

    future = parallel.started(slow, 21)
    assert began.wait(5)  # running while the caller goes on
    assert not future.done()
    release.set()
    assert future.result(timeout=5) == 42


def test_started_raises_the_calls_error_where_its_result_is_asked_for():
    def failing():
        raise ValueError("bad input")

    future = parallel.started(failing)
    with pytest.raises(ValueError, match="bad input"):
        future.result(timeout=5)
