"""Helpers shared by the build and load benchmarks: sizes, cached synthetic data, machine info."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from bench.generate import generate


def size_of(text: str) -> int:
    """``"100k"`` → 100000, ``"1M"`` → 1000000."""
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def label(n: int) -> str:
    """1000000 → ``"1M"``, 100000 → ``"100k"`` (file names, as bench_validate names them)."""
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    return f"{n // 1_000}k" if n % 1_000 == 0 else str(n)


def synthetic(size: int, work: Path, seed: int = 1) -> tuple[Path, dict]:
    """The synthetic N-Quads of ``size`` lines in ``work`` (generated once) and its sidecar."""
    work.mkdir(parents=True, exist_ok=True)
    nq = work / f"synth-{label(size)}.nq"
    sample = nq.with_name(nq.name + ".sample.json")
    if not nq.exists() or not sample.exists():
        generate(nq, triples=size, seed=seed, sample_out=sample)
    return nq, json.loads(sample.read_text())


def cached_store(nq: Path, directory: Path) -> ox.Store:
    """An on-disk store in ``directory`` holding ``nq`` (bulk-loaded once, reused while the
    file keeps its size)."""
    stamp = directory / "loaded.json"
    fresh = stamp.exists() and json.loads(stamp.read_text())["bytes"] == nq.stat().st_size
    store = ox.Store(str(directory))
    if not fresh:
        store.clear()
        store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
        store.flush()
        stamp.write_text(json.dumps({"bytes": nq.stat().st_size}))
    return store


def median(values: list[float]) -> float:
    """The median, or NaN for no values."""
    return statistics.median(values) if values else float("nan")


@contextmanager
def timed(into: list[float]) -> Iterator[None]:
    """Append the wall seconds of the ``with`` block to ``into``."""
    started = time.perf_counter()
    try:
        yield
    finally:
        into.append(time.perf_counter() - started)


def wrap_timed(obj: object, name: str, into: list[float]) -> None:
    """Make ``obj.name(...)`` append its wall seconds to ``into`` (instance attribute)."""
    method: Callable = getattr(obj, name)

    def wrapper(*args: object, **kwargs: object) -> object:
        with timed(into):
            return method(*args, **kwargs)

    setattr(obj, name, wrapper)


def machine() -> dict[str, str]:
    """Date, CPU, cores, memory, Python and the load average now."""
    def sh(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return "?"
    cpu = "?"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                    if line.startswith("model name")), "?")
    mem = sh(["free", "-g"]).splitlines()
    return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "nproc": sh(["nproc"]),
            "memory": mem[1].split()[1] + " GiB" if len(mem) > 1 else "?",
            "python": platform.python_version(), "cpu": cpu,
            "load": " ".join(f"{x:.1f}" for x in os.getloadavg())}


def header(info: dict[str, str]) -> str:
    """One line describing the machine, for the printed tables."""
    return (f"{info['date']} · {info['cpu']} · {info['nproc']} vCPU · {info['memory']} · "
            f"Python {info['python']} · load average {info['load']}")
