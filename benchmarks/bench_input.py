"""How fast hostile scenario input is refused, and what reading a scenario costs.

Usage: ``python -m benchmarks.bench_input``. Each case is written to a temporary folder and given to
``teamsim validate`` in this process (median of 5, milliseconds) and once in a fresh process (what a
user waits for, interpreter start and imports included). ``peak MB`` is ``ru_maxrss`` of the
children so far (the largest fresh process up to that row). Target (issue 14): every refusal within
a second, one line, exit 2; the alias bomb once took minutes and 3.7 GB, and the FIFO hung.
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOOD = (ROOT / "scenarios" / "workshop_demo.yaml").read_text()
BOMB = "---\n" + "\n".join([f"a: &a [{','.join(['lol'] * 9)}]"]
                           + [f"{b}: &{b} [{', '.join(['*' + a] * 9)}]" for a, b in zip("abcdefgh", "bcdefghi",
                                                                                         strict=True)])
CASES = {
    "valid (workshop_demo)": GOOD,
    "alias bomb (391 bytes)": BOMB,
    "a file just under 1 MB": GOOD + "# " + "x" * 999_000 + "\n",
    "a file just over 1 MB": GOOD + "# " + "x" * 1_000_000 + "\n",
    "100,000-value list": GOOD + "description: [" + ",".join(["1"] * 99_990) + "]\n",
    "600 nested brackets": GOOD + "seed: " + "[" * 600 + "]" * 600 + "\n",
    "5000-digit integer": GOOD.replace("seed: 7", "seed: " + "9" * 5000),
    "24.3M-point sweep": GOOD + "sweep:\n  grid:\n" + "".join(
        f"    market.{k}: [{', '.join(str(4 + i / 100) for i in range(290))}]\n"
        for k in ("job_order_rate", "candidate_rate", "job_order_life_days")),
}


def _in_process(path: Path) -> tuple[float, int, str]:
    from sim.cli import main

    times, code, err = [], 0, ""
    for _ in range(5):
        buf = io.StringIO()
        started = time.perf_counter()
        with contextlib.redirect_stderr(buf), contextlib.redirect_stdout(io.StringIO()):
            code = main(["validate", str(path)])
        times.append(time.perf_counter() - started)
        err = buf.getvalue()
    return statistics.median(times) * 1e3, code, err


def _fresh(path: Path) -> tuple[float, int, float]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "sim", "validate", str(path)], capture_output=True, text=True,
                          timeout=120)
    wall = time.perf_counter() - started
    return wall, proc.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    print(f"{'case':28} {'in-process ms':>14} {'fresh s':>8} {'peak MB':>8} {'exit':>5}  lines")
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in CASES.items():
            path = Path(tmp) / "case.yaml"
            path.write_text(text)
            ms, code, err = _in_process(path)
            wall, fresh_code, peak = _fresh(path)
            lines = len([line for line in err.splitlines() if line.strip()])
            print(f"{name:28} {ms:14.1f} {wall:8.2f} {peak:8.0f} {code:>5}  {lines}")
        fifo = Path(tmp) / "pipe.yaml"
        os.mkfifo(fifo)
        ms, code, err = _in_process(fifo)
        print(f"{'FIFO':28} {ms:14.1f} {'':>8} {'':>8} {code:>5}  {len(err.splitlines())}")


if __name__ == "__main__":
    main()
