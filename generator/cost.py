"""What a stage or an episode cost: wall and CPU time, peak memory, energy and CO₂.

Energy is measured where the machine exposes a counter: RAPL (Linux powercap) for the
CPU packages, NVML's energy counter for NVIDIA GPUs. Without RAPL, the CPU's energy is
estimated from the process's CPU time at a stated power per busy core, and the report
says which. CO₂ is the energy times a country's grid mix (`CAUSERIE_GRID`: a code of
`GRID_G_PER_KWH` or grams per kWh).
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import asdict, dataclass
from pathlib import Path

# Life-cycle carbon intensity of electricity generation in 2023, gCO₂e/kWh (Ember, via Our World in
# Data, "Carbon intensity of electricity generation"). Others: CAUSERIE_GRID=<grams per kWh>.
GRID_G_PER_KWH = {"FR": 56, "DE": 381, "BE": 138, "AT": 111, "DK": 152, "FI": 79, "NO": 30, "CA": 170,
                  "CN": 582, "IN": 713, "WORLD": 481}
DEFAULT_GRID = "FR"
# Watts a busy logical core draws, for the estimate without RAPL: a 120 W desktop CPU of 16 threads.
# CAUSERIE_CPU_WATTS sets your own (a laptop core draws less, a server core about as much).
DEFAULT_CPU_WATTS = 7.5
RAPL = Path("/sys/class/powercap")


def _rapl_packages(root: Path = RAPL) -> list[Path]:
    """The package-level counters (intel-rapl:0, …) that this user may read."""
    found = []
    for domain in sorted(root.glob("intel-rapl:*")):
        if domain.name.count(":") == 1 and os.access(domain / "energy_uj", os.R_OK):
            found.append(domain)
    return found


def _read_uj(domain: Path) -> int | None:
    try:
        return int((domain / "energy_uj").read_text())
    except (OSError, ValueError):
        return None


def _rapl_range(domain: Path) -> int:
    try:
        return int((domain / "max_energy_range_uj").read_text())
    except (OSError, ValueError):
        return 2**32


class _NVML:
    """NVIDIA's management library, when a driver and `nvidia-ml-py` are present."""

    def __init__(self) -> None:
        self.handles: list = []
        try:
            import pynvml

            pynvml.nvmlInit()
            self.handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(pynvml.nvmlDeviceGetCount())]
            self._nvml = pynvml
        except Exception:       # no driver, no GPU, no library: nothing to measure
            self.handles = []

    def millijoules(self) -> int | None:
        if not self.handles:
            return None
        try:
            return sum(int(self._nvml.nvmlDeviceGetTotalEnergyConsumption(h)) for h in self.handles)
        except Exception:       # a GPU older than Volta has no energy counter
            return None


def grid_intensity(choice: str | None = None) -> tuple[str, float]:
    """(the mix's name, gCO₂e per kWh) from a country code or a number; unknown codes fall back to the default."""
    choice = (choice or os.environ.get("CAUSERIE_GRID") or DEFAULT_GRID).strip()
    try:
        return f"{float(choice):g} g/kWh", float(choice)
    except ValueError:
        code = choice.upper()
        if code not in GRID_G_PER_KWH:
            code = DEFAULT_GRID
        return code, float(GRID_G_PER_KWH[code])


def cpu_watts() -> float:
    try:
        return float(os.environ.get("CAUSERIE_CPU_WATTS", DEFAULT_CPU_WATTS))
    except ValueError:
        return DEFAULT_CPU_WATTS


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)   # ffmpeg and other helpers, once waited for
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Cost:
    wall_s: float
    cpu_s: float
    cpu_wh: float
    cpu_energy: str             # "rapl" (the packages' counters: other programs' share included) or "estimate …"
    gpu_wh: float | None        # None: no GPU counter
    total_wh: float
    grid: str
    grid_g_per_kwh: float
    co2_g: float
    peak_rss_mb: float

    def as_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


class Meter:
    """Started before a piece of work, read after it: `with Meter() as m: …; m.cost`."""

    def __init__(self, grid: str | None = None, nvml: _NVML | None = None, rapl_root: Path = RAPL) -> None:
        self.grid = grid
        self._nvml = nvml if nvml is not None else _NVML()
        self._rapl = _rapl_packages(rapl_root)
        self.cost: Cost | None = None
        self.start()

    def start(self) -> None:
        self._wall = time.perf_counter()
        self._cpu = _cpu_seconds()
        self._uj = [_read_uj(d) for d in self._rapl]
        self._mj = self._nvml.millijoules()

    def stop(self) -> Cost:
        wall = time.perf_counter() - self._wall
        cpu = _cpu_seconds() - self._cpu
        joules = None
        if self._rapl and None not in self._uj:
            ends = [_read_uj(d) for d in self._rapl]
            if None not in ends:
                # A counter wraps at max_energy_range_uj.
                joules = sum((e - s) % _rapl_range(d) for d, s, e in zip(self._rapl, self._uj, ends)) / 1e6
        if joules is not None:
            cpu_wh, how = joules / 3600, "rapl"
        else:
            watts = cpu_watts()
            cpu_wh, how = cpu * watts / 3600, f"estimate: {watts:g} W per busy core × CPU time"
        mj = self._nvml.millijoules()
        gpu_wh = (mj - self._mj) / 3.6e6 if mj is not None and self._mj is not None else None
        total = cpu_wh + (gpu_wh or 0.0)
        grid, intensity = grid_intensity(self.grid)
        self.cost = Cost(wall, cpu, cpu_wh, how, gpu_wh, total, grid, intensity, total / 1000 * intensity,
                         peak_rss_mb())
        return self.cost

    def __enter__(self) -> "Meter":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
