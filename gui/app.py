"""Entry point: `certpath` / `python -m gui`.

Options are parsed before Qt is imported, so `--version` and `--help` are instant and a bad
option never opens a window.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import sys
from pathlib import Path

from core import __version__


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="certpath",
        description="CertPath: an offline planner for the IMG road to US practice and for PALS and "
        "companion cards. Your data stays on this computer.",
    )
    ap.add_argument("--version", action="version", version=f"CertPath {__version__}")
    ap.add_argument("--data-dir", metavar="DIR",
                    help="use this data folder (also $CERTPATH_DATA_DIR); default: the user data folder")
    ap.add_argument("--demo", action="store_true",
                    help="open the bundled demo profiles in a throwaway folder (never your own data)")
    ap.add_argument("--screenshot", metavar="FILE.png",
                    help="paint the main window, save it to FILE.png and exit")
    ap.add_argument("--page", metavar="STEP_ID", help="open this step's page first (with --screenshot)")
    ap.add_argument("--size", metavar="WxH", default=None, help="window size for --screenshot (e.g. 1280x800)")
    ap.add_argument("--dark", action="store_true", help="force the dark palette (for screenshots)")
    ap.add_argument("--today", metavar="YYYY-MM-DD", help=argparse.SUPPRESS)  # tests and screenshots
    ap.add_argument("--report", metavar="FILE.pdf",
                    help="write the status report of the current profile (or the demo's) to FILE.pdf and exit")
    ap.add_argument("--self-test", action="store_true",
                    help="check this installation in a temporary folder (database, demo profiles, window, "
                    "PDF report, calendar export) and exit; your own data is never touched")
    ap.add_argument("--offscreen", action="store_true",
                    help="with --self-test: build and paint the window offscreen instead of opening it on "
                    "the screen (a machine without a display, or to check everything but the real window)")
    ap.add_argument("--exit-after-paint", action="store_true", help=argparse.SUPPRESS)  # benchmarks
    return ap


def parse_today(value: str | None) -> dt.date:
    if value:
        return dt.date.fromisoformat(value)
    return dt.date.today()  # the GUI reads the clock here, once, and passes `today` down


def make_demo_dir() -> Path:
    import tempfile  # --demo only

    return Path(tempfile.mkdtemp(prefix="certpath-demo-"))


def _use_code_cache() -> None:
    """The methods the dataclasses generate, compiled at the first start and kept (core/codecache.py:
    ~45 ms of every start before the window's first paint); gui.shell.run saves what was new."""
    from core import cache_dir, codecache

    try:
        codecache.install(cache_dir() / codecache.FILE_NAME)
    except (OSError, RuntimeError):  # no home folder to keep a cache in: compile as usual
        pass


_gc_held = False


def hold_gc() -> None:
    """No cyclic garbage collection until the window's first paint. Start-up makes tens of thousands
    of objects that live on (modules, classes, enum members, the widgets' wrappers), and the
    collector walked them again and again before the paint (61 young and 5 older collections:
    32 M instructions, ~8-15 ms of CPU); the bare PySide6 window makes a fraction of them.
    Reference counting still frees everything else at once; `resume_gc` turns the collector back
    on right after the paint (MainWindow.call_after_first_paint), before a dialog the user works
    in (the first-run wizard, the recovery choice), and when start-up ends any other way."""
    global _gc_held
    if gc.isenabled():
        gc.disable()
        _gc_held = True


def resume_gc(*, freeze: bool = False) -> None:
    """The collector as it was before `hold_gc` (a no-op when start-up did not hold it).

    `freeze` (the running app's first paint): what is alive then (modules, classes, rules, the
    window and its wrappers: all of it lives as long as the app) is first moved to the collector's
    permanent generation (`gc.freeze`), so no later collection walks it again. Measured on a
    500-profile file with the Team view open: a full collection 33-44 ms -> 3-6 ms (the stall
    that came about once in seven Team opens), and the first collection after the paint (8-12
    ms over everything start-up made) is gone. What start-up left as cyclic garbage (~60 objects)
    stays. Only where the process is the app: a test calling `main` in-process would freeze the
    garbage of the tests before it."""
    global _gc_held
    if _gc_held:
        _gc_held = False
        if freeze:
            gc.freeze()
        gc.enable()


def _preload_core() -> None:
    """Import the pure-Python modules start-up needs before PySide6 is imported: once PySide6
    is loaded, its `__feature__` import hook inspects the source of every module imported after
    it (measured: ~15 ms for ours from source). A frozen app has no source, so it is no slower.
    Each of these is needed before the first paint anyway (the data folder's lock, log, recovery
    check and rule pack; the profile document with its programs; the dashboard's words)."""
    import core.engine
    import core.engine.cards
    import core.engine.img
    import core.instance_lock
    import core.journey_view
    import core.logs
    import core.programs
    import core.recovery
    import core.roles
    import core.rulepacks
    import core.store
    import core.wording  # noqa: F401


def _skip_feature_scan() -> None:
    """Import PySide6 (the package: its `__feature__` import hook) and tell that hook, for every
    module already loaded and every module of core/ and gui/, what reading its source would tell it.

    After each import statement the hook asks whether the imported module "uses PySide" (so that
    `from __feature__ import snake_case` could switch it) by reading the module's whole source
    with `inspect.getsource` and looking for "PySide6" in it: ~55 modules before the first paint,
    25 M instructions of the source start-up (callgrind). CertPath selects no feature anywhere
    (a test checks it), so for every module the answer changes nothing: the frozen app, whose
    modules have no source, has always run with every module marked "ignore" (-1), and that is
    what is written here, beforehand. With another PySide6, whose hook keeps no such table, nothing
    is done and it reads the sources as before."""
    import PySide6  # noqa: F401  (the package only; QtCore and the rest are imported just after)

    known = getattr(sys.modules.get("__feature__"), "pyside_feature_dict", None)
    if not isinstance(known, dict):
        return
    names = set(sys.modules)
    for pkg in ("core", "gui"):  # the source tree (a frozen app has no .py files to list)
        top = sys.modules[pkg].__file__
        if not top:
            continue
        base = os.path.dirname(top)
        for folder, dirs, files in os.walk(base):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            prefix = pkg + folder[len(base):].replace(os.sep, ".")
            for f in files:
                if f.endswith(".py"):
                    names.add(prefix if f == "__init__.py" else f"{prefix}.{f[:-3]}")
    for name in names:
        if not name.startswith(("PySide6", "shiboken6")):
            known.setdefault(name, -1)


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    if args.offscreen and not args.self_test:
        ap.error("--offscreen goes with --self-test (for the app itself set QT_QPA_PLATFORM=offscreen)")
    try:
        today = parse_today(args.today)
    except ValueError:
        print(f"certpath: --today: '{args.today}' is not a date (YYYY-MM-DD)", file=sys.stderr)
        return 2
    if args.self_test:  # before anything else can touch a data folder
        from .selftest import run_self_test

        return run_self_test(today, offscreen=args.offscreen)
    demo_dir = None
    if args.demo:
        demo_dir = make_demo_dir()
        data_dir = demo_dir
    else:
        data_dir = args.data_dir
    hold_gc()  # until the first paint (resumed in `finally` if start-up ends another way)
    _use_code_cache()
    _preload_core()
    _skip_feature_scan()
    if args.exit_after_paint:
        from .benchhooks import install

        install()
    try:
        if args.report:  # no window: the PDF only
            from .report import run_report

            return run_report(args.report, data_dir=data_dir, today=today, demo=args.demo)
        from .shell import run

        return run(args, data_dir=data_dir, today=today, demo=args.demo)
    finally:
        resume_gc()
        if demo_dir is not None:
            import shutil

            shutil.rmtree(demo_dir, ignore_errors=True)


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUTF8", "1")
    sys.exit(main())
