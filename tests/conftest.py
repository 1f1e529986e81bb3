"""Suite-wide ordering: tests that start Dask or a browser in this process run last.

Dask leaves threads behind in the process that used it (its IO loop, its offload pool), and so does
Playwright's session-wide browser (its asyncio child watcher); a process
running threads spawns its pools' workers instead of forking them (sim.experiment.executors). Run first,
such a test would make every later pool test in the same pytest worker take the spawn path, each worker
importing the model again, which is slower and not the path a command-line batch takes.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "dask_in_process: starts a Dask client in the test process (runs last)")


def _leaves_threads(item: pytest.Item) -> bool:
    return item.get_closest_marker("dask_in_process") is not None or "browser" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_leaves_threads)   # stable: the order is kept otherwise
