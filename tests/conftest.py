import os
import sys
from pathlib import Path

# Must run before pytest-qt's qapp fixture creates the QApplication. setdefault lets a developer
# run `QT_QPA_PLATFORM=xcb pytest` to watch the windows.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt  # noqa: E402
import inspect  # noqa: E402
import re  # noqa: E402

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TODAY = dt.date(2026, 11, 21)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """No test may touch the developer's real data folder: point every default somewhere private."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("CERTPATH_DATA_DIR", raising=False)
    monkeypatch.setenv("CERTPATH_CACHE_DIR", str(home / "cache"))  # the rules' parse cache
    monkeypatch.delenv("CERTPATH_TRUST_KEYS", raising=False)
    qtcore = sys.modules.get("PySide6.QtCore")
    if qtcore is not None:  # the GUI's dates in one known locale, whatever the machine's (gui/dates_display.py)
        qtcore.QLocale.setDefault(qtcore.QLocale("en_GB"))
    yield home
    dd = sys.modules.get("gui.dates_display")
    if dd is not None:  # a window installed the GUI's date format: core's ISO back for the next test
        dd.uninstall()
    from core.rulepacks import deactivate

    deactivate()  # a command run in-process switched to its data folder's rules: back to the bundled ones


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def data_dir(tmp_path):
    d = tmp_path / "data"
    return d


@pytest.fixture
def store(data_dir):
    from core.db import open_database
    from core.paths import data_paths
    from core.store import Store

    paths = data_paths(data_dir).ensure()
    db = open_database(paths.db)
    yield Store(db)
    db.close()


@pytest.fixture
def no_modal(monkeypatch):
    """An ordinary input error must never open a message box."""
    from PySide6.QtWidgets import QMessageBox

    def boom(*_a, **_k):
        raise AssertionError("a modal box was opened for an ordinary input error")

    for name in ("critical", "warning", "information", "question"):
        monkeypatch.setattr(QMessageBox, name, boom)


@pytest.fixture
def shown_window(qtbot):
    """`shown_window(session)`: the main window on `session`, shown at 1280x800; closed (and the
    session's database with it) when the test ends."""
    from gui.main_window import MainWindow

    opened = []

    def make(session):
        w = MainWindow(session)
        qtbot.addWidget(w)
        w.resize(1280, 800)
        w.show()
        opened.append((w, session))
        return w

    yield make
    for w, session in opened:
        w.close()
        session.store.db.close()



@pytest.fixture
def demo_session(data_dir, today):
    """A session on the demo profiles, the default one chosen; its database closed at the end."""
    from gui.shell import load_demo, open_session

    s = open_session(data_dir, today, demo=False)
    load_demo(s.store, today)
    s.choose_default_profile()
    yield s
    s.store.db.close()


@pytest.fixture
def img_window(qtbot, data_dir, today, shown_window):
    """The main window on one new IMG profile ("Amara"), shown."""
    from gui.shell import open_session

    session = open_session(data_dir, today, demo=False)
    pid = session.store.create_profile("Amara", "img_physician", ["img"], {})
    session.switch(pid)
    return shown_window(session)


_QT_FIXTURES = {"qtbot", "qapp", "shown_window", "no_modal", "demo_session", "img_window"}
_QT_IMPORT = re.compile(r"^\s*(from|import) (gui|PySide6)\b", re.MULTILINE)


def _uses_qt(item) -> bool:
    """A test needs Qt when it asks for a Qt fixture or its module imports the GUI or PySide6."""
    if _QT_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    fn = getattr(item, "function", None)
    if fn is not None:
        try:
            src = inspect.getsource(fn)
        except (OSError, TypeError):
            src = ""
        if _QT_IMPORT.search(src):  # imports the GUI or Qt inside the test
            return True
    mod = getattr(item, "module", None)
    if mod is None:
        return False
    return any(
        getattr(v, "__module__", "") and str(getattr(v, "__module__", "")).split(".")[0] in ("gui", "PySide6")
        or getattr(v, "__name__", "").split(".")[0] in ("gui", "PySide6")
        for v in vars(mod).values()
    )


def pytest_collection_modifyitems(config, items):
    """Tests that need Qt get the `gui` marker (as qutebrowser's conftest does), so
    `./dev test -m "not gui"` runs the pure core alone."""
    for item in items:
        if _uses_qt(item):
            item.add_marker(pytest.mark.gui)


def pytest_configure(config):
    config.addinivalue_line("markers", "gui: needs Qt (added automatically by tests/conftest.py)")


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_teardown(item):
    """While pytest-qt closes a test's widgets, a question box ("Discard this new profile?") has
    nobody to answer it: it returns at once as "Keep editing" instead of waiting forever (a test
    that left typing in a wizard once hung the whole run). Registered after pytest-qt's own
    teardown wrapper, so this one is outermost and covers its widget closing."""
    qtw = sys.modules.get("PySide6.QtWidgets")
    if qtw is None:
        yield
        return
    box = qtw.QMessageBox
    real = box.exec
    box.exec = lambda self, *a, **k: 0  # no button clicked: the caller keeps the typing
    try:
        yield
    finally:
        box.exec = real
