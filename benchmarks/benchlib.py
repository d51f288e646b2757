"""Shared helpers of the benchmark scripts (not a test module)."""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FROZEN = ROOT / "dist" / "CertPath" / ("CertPath.exe" if sys.platform == "win32" else "CertPath")
TODAY = dt.date(2026, 11, 21)

# A bare PySide6 window that quits after its first paint: the floor any Qt app starts from.
BARE_WINDOW = """\
import os, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

def peak_rss_kb():
    try:  # Linux: the peak resident set so far (the same line gui/benchhooks.py prints)
        with open("/proc/self/status") as f:
            return next(int(x.split()[1]) for x in f if x.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return -1

class FirstPaintQuit(QObject):
    done = False
    def eventFilter(self, obj, ev):
        if not self.done and ev.type() == QEvent.Type.Paint:
            self.done = True
            if os.environ.get("CERTPATH_PAINT_STAMP"):
                print(f"first-paint {time.time():.6f} {peak_rss_kb()} {time.process_time():.6f}", file=sys.stderr)
            QTimer.singleShot(0, app.quit)
        return False

app = QApplication(sys.argv[:1])
win = QMainWindow()
win.setWindowTitle("hello")
win.resize(1100, 720)
f = FirstPaintQuit()
win.installEventFilter(f)
win.show()
sys.exit(app.exec())
"""


# The bare window frozen with build.spec's own trimming (HELLO=1): the like-for-like floor of the
# frozen app, as the source bare window is the floor of the source start-up. Built once (a minute
# or two) into build/bench-hello and kept while build.spec, the window's script, PyInstaller,
# PySide6 and the interpreter are the same (bench_startup.py, bench_bundle_size.py).
HELLO_BUILD = ROOT / "build" / "bench-hello"


def _hello_key() -> str:
    import hashlib
    from importlib.metadata import version

    h = hashlib.blake2b(digest_size=16)
    for part in ((ROOT / "build.spec").read_bytes(), BARE_WINDOW.encode(), version("pyinstaller").encode(),
                 version("PySide6-Essentials").encode(), sys.version.encode()):
        h.update(len(part).to_bytes(8, "little") + part)
    return h.hexdigest()


def frozen_bare(build: bool = True) -> Path | None:
    """The frozen bare window's executable (build/bench-hello/dist/hello/hello), built with
    `build.spec` HELLO=1 when missing or made from other inputs; None when it is not there and
    `build` is false."""
    folder = HELLO_BUILD / "dist" / "hello"
    exe = folder / ("hello.exe" if sys.platform == "win32" else "hello")
    stamp = HELLO_BUILD / "inputs.key"
    key = _hello_key()
    if exe.exists() and stamp.exists() and stamp.read_text().strip() == key:
        return exe
    if not build:
        return None
    print(f"building the frozen bare window (build.spec HELLO=1) into {HELLO_BUILD.relative_to(ROOT)} ...",
          file=sys.stderr, flush=True)
    HELLO_BUILD.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)
    script = HELLO_BUILD / "hello.py"
    script.write_text(BARE_WINDOW, encoding="utf-8")
    e = dict(os.environ, HELLO="1", HELLO_SCRIPT=str(script))
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "ERROR",
                    "--distpath", str(HELLO_BUILD / "dist"), "--workpath", str(HELLO_BUILD / "work"),
                    str(ROOT / "build.spec")], env=e, check=True, cwd=ROOT)
    stamp.write_text(key + "\n")
    return exe


def env() -> dict[str, str]:
    e = dict(os.environ)
    e.setdefault("QT_QPA_PLATFORM", "offscreen")
    e["PYTHONPATH"] = str(ROOT)
    # An installed app has its .pyc files; a shell with PYTHONDONTWRITEBYTECODE=1 would make every
    # run recompile every module and time the compiler instead of the app.
    e.pop("PYTHONDONTWRITEBYTECODE", None)
    return e


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        kb = int(next(x for x in Path("/proc/meminfo").read_text().splitlines()
                      if x.startswith("MemTotal")).split()[1])
        ram = f", {kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration):
        pass
    qt = ""
    try:
        import PySide6

        qt = f", PySide6 {PySide6.__version__}"
    except ImportError:
        pass
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs ({cpu}){ram}, "
            f"Python {platform.python_version()}{qt}, QT_QPA_PLATFORM={env()['QT_QPA_PLATFORM']}")


def bare_script(tmp: Path) -> Path:
    p = tmp / "bare_window.py"
    p.write_text(BARE_WINDOW, encoding="utf-8")
    return p


def demo_data_dir(tmp: Path, root: Path = ROOT, name: str = "data") -> Path:
    """A data folder holding the two demo profiles, made once in a subprocess (as a user would have)
    by the code of the checkout at `root` (an older checkout needs a file of its own: it refuses
    one a newer CertPath has migrated, and says so in a dialog that waits for an answer)."""
    d = tmp / name
    code = ("import datetime as dt, sys; from gui.shell import open_session; "
            f"s = open_session(sys.argv[1], dt.date({TODAY.year}, {TODAY.month}, {TODAY.day}), demo=True); "
            "s.store.db.close()")
    e = env()
    e["PYTHONPATH"] = str(root)
    subprocess.run([sys.executable, "-c", code, str(d)], check=True, env=e, cwd=root)
    return d


def app_cmd(data_dir: Path, frozen: bool = False) -> list[str]:
    args = ["--data-dir", str(data_dir), "--today", TODAY.isoformat(), "--exit-after-paint"]
    if frozen:
        return [str(FROZEN), *args]
    return [sys.executable, "-m", "gui", *args]


def time_run(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ms = (time.perf_counter() - t0) * 1000
    if r.returncode != 0:
        raise SystemExit(f"{cmd} failed ({r.returncode}): {r.stderr.decode(errors='replace')[-2000:]}")
    return ms


def time_to_paint(cmd: list[str]) -> float:
    """Process start -> the first paint of its main window (the stamp the window prints)."""
    e = env()
    e["CERTPATH_PAINT_STAMP"] = "1"
    t0 = time.time()
    r = subprocess.run(cmd, env=e, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise SystemExit(f"{cmd} failed ({r.returncode}): {r.stderr.decode(errors='replace')[-2000:]}")
    for line in r.stderr.decode(errors="replace").splitlines():
        if line.startswith("first-paint "):
            return (float(line.split()[1]) - t0) * 1000
    raise SystemExit(f"{cmd} printed no first-paint stamp")


@dataclass(frozen=True)
class StartRun:
    """One child process: start -> first paint (ms), peak RSS up to that paint (MB; Linux's VmHWM
    read by the child at the paint, None elsewhere) and peak RSS of the whole process (MB, from
    os.wait4: it includes what runs after the paint and the tear-down)."""

    paint_ms: float
    exit_ms: float  # start -> the process has exited (includes the tear-down)
    rss_at_paint_mb: float | None
    rss_peak_mb: float
    cpu_ms: float  # user + system CPU time of the whole process (os.wait4; NaN without it)
    cpu_at_paint_ms: float | None  # the CPU time the child had used at its first paint


START_TIMEOUT_S = 120  # a start-up that has not painted and exited by then is stuck


def start_run(cmd: list[str]) -> StartRun:
    e = env()
    e["CERTPATH_PAINT_STAMP"] = "1"
    t0 = time.time()
    p = subprocess.Popen(cmd, env=e, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # a start-up that never paints (a dialog waiting offscreen for an answer) must not hang the bench:
    # killed after START_TIMEOUT_S (a timer, so that os.wait4 below still reaps the child itself)
    stopped = threading.Event()

    def stop() -> None:
        stopped.set()
        p.kill()

    killer = threading.Timer(START_TIMEOUT_S, stop)
    killer.start()
    err = p.stderr.read() if p.stderr else b""
    if hasattr(os, "wait4"):
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        kb = usage.ru_maxrss / 1024 if sys.platform == "darwin" else usage.ru_maxrss  # macOS: bytes
        cpu = (usage.ru_utime + usage.ru_stime) * 1000
    else:  # Windows: no rusage of one child
        p.wait()
        kb = cpu = float("nan")
    exit_ms = (time.time() - t0) * 1000
    killer.cancel()
    text = err.decode(errors="replace")
    if stopped.is_set():
        raise SystemExit(f"{cmd} did not paint and exit within {START_TIMEOUT_S} s and was stopped (a dialog "
                         "waiting for an answer? e.g. an older checkout given a data file a newer CertPath "
                         f"migrated). Its last output: {text[-1000:]}")
    if p.returncode != 0:
        raise SystemExit(f"{cmd} failed ({p.returncode}): {text[-2000:]}")
    for line in text.splitlines():
        if line.startswith("first-paint "):
            parts = line.split()
            hwm = int(parts[2]) if len(parts) > 2 else -1
            cpu_paint = float(parts[3]) * 1000 if len(parts) > 3 else None
            return StartRun((float(parts[1]) - t0) * 1000, exit_ms, hwm / 1024 if hwm > 0 else None, kb / 1024,
                            cpu, cpu_paint)
    raise SystemExit(f"{cmd} printed no first-paint stamp")


def side_by_side(cmds: dict[str, list[str]], runs: int, measure=time_run) -> dict[str, list[float]]:
    """Interleaved runs (one of each per round, after one warm-up each) so drift hits all alike."""
    for cmd in cmds.values():
        measure(cmd)
    out: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(runs):
        for k, cmd in cmds.items():
            out[k].append(measure(cmd))
    return out


def med(xs: list[float]) -> float:
    return statistics.median(xs)


def verdict(ratio: float, target: float) -> str:
    return "OK" if ratio <= target else f"MISSED (by {ratio - target:.2f}x)"


def tmpdir() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="certpath-bench-")
