"""Help ▸ User guide (F1): the offline guide in a window of its own, with its contents and Ctrl+F.

The text is `core.guide` (resources/guide/<language>/guide.html, with the step and status tables
filled in from the registry). F1 opens it on the section of the step in view (the step page or the
navigator's selection); elsewhere on its first page. The window is not modal: the user reads it
beside the step they are filling in.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QShortcut, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core import guide as core_guide

from . import theme

_ANCHOR_ROLE = Qt.ItemDataRole.UserRole


class GuideWindow(QDialog):
    def __init__(self, parent: QWidget | None = None, language: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guideWindow")
        self.setWindowTitle("CertPath user guide")
        self.setModal(False)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        glyphs = {s: sym for s, (sym, _l, _d) in theme.STATUS_STYLE.items()}
        try:
            text = core_guide.load(language or QLocale().name(), glyphs)
        except OSError as e:  # a damaged installation: say so in the window, never a traceback
            text = (f"<h1>The user guide could not be read</h1><p>{e}</p><p>Reinstalling CertPath "
                    "brings it back; your data is not affected.</p>")
        self.html = text
        self.current_anchor: str | None = None

        self.contents = QTreeWidget()
        self.contents.setObjectName("guideContents")
        self.contents.setHeaderHidden(True)
        self.contents.setAccessibleName("Contents")
        self.contents.setMinimumWidth(220)
        parent_item: QTreeWidgetItem | None = None
        for sec in core_guide.sections(text):
            item = QTreeWidgetItem([sec.title])
            item.setData(0, _ANCHOR_ROLE, sec.anchor)
            item.setToolTip(0, sec.title)
            if sec.level == 2 or parent_item is None:
                self.contents.addTopLevelItem(item)
                parent_item = item
            else:
                parent_item.addChild(item)
        self.contents.currentItemChanged.connect(self._contents_chosen)

        self.browser = QTextBrowser()
        self.browser.setObjectName("guideText")
        self.browser.setAccessibleName("User guide")
        self.browser.setOpenExternalLinks(False)
        self.browser.setOpenLinks(True)  # #anchors inside the guide; nothing is ever fetched
        self.browser.document().setDefaultStyleSheet(
            "h1 { font-size: x-large; } h2 { font-size: large; margin-top: 18px; } "
            "h3 { margin-top: 12px; } td, th { padding: 3px 6px; } code { font-family: monospace; }")
        self.browser.setHtml(text)

        split = QSplitter()
        split.addWidget(self.contents)
        split.addWidget(self.browser)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([290, 710])
        split.setChildrenCollapsible(False)

        # the find bar: Ctrl+F, Enter for the next hit, Shift+Enter for the one before, Escape closes it
        self.find_bar = QWidget()
        bar = QHBoxLayout(self.find_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        find_label = QLabel("&Find:")
        self.find_edit = QLineEdit()
        self.find_edit.setObjectName("guideFind")
        self.find_edit.setAccessibleName("Find in the guide")
        self.find_edit.setPlaceholderText("a word or phrase; Enter finds the next")
        self.find_edit.setClearButtonEnabled(True)
        find_label.setBuddy(self.find_edit)
        self.find_edit.returnPressed.connect(self.find_next)
        self.find_edit.textEdited.connect(lambda _t: self.find_next(from_start=True))
        prev = QPushButton("&Previous")
        prev.clicked.connect(lambda: self.find_next(backward=True))
        nxt = QPushButton("&Next")
        nxt.clicked.connect(lambda: self.find_next())
        for b in (prev, nxt):
            b.setAutoDefault(False)  # Enter in the find box finds the next hit, never "clicks" Previous
        self.find_status = QLabel()
        self.find_status.setObjectName("guideFindStatus")
        bar.addWidget(find_label)
        bar.addWidget(self.find_edit, 1)
        bar.addWidget(prev)
        bar.addWidget(nxt)
        bar.addWidget(self.find_status)

        lay = QVBoxLayout(self)
        lay.addWidget(self.find_bar)
        lay.addWidget(split, 1)
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.activated.connect(self.start_find)
        back = QShortcut(QKeySequence("Shift+Return"), self.find_edit)
        back.activated.connect(lambda: self.find_next(backward=True))
        self.resize(1000, 700)

    # -- navigation -----------------------------------------------------------------------------
    def show_anchor(self, anchor: str | None) -> bool:
        """Scroll to `anchor` and select it in the contents; False (first page) if it is not there."""
        if not anchor or anchor not in core_guide.anchors(self.html):
            self.current_anchor = None
            self.browser.verticalScrollBar().setValue(0)
            return False
        self.browser.scrollToAnchor(anchor)
        # and once more when the window has its size (the first show lays the text out again)
        QTimer.singleShot(0, lambda: self.browser.scrollToAnchor(anchor) if self.current_anchor == anchor else None)
        item = self._item_for(anchor)
        if item is not None:
            self.contents.blockSignals(True)
            self.contents.setCurrentItem(item)
            self.contents.scrollToItem(item)
            self.contents.blockSignals(False)
        self.current_anchor = anchor
        return True

    def show_step(self, key: str | None) -> bool:
        """The section of a step (or of a journey, for a track's key)."""
        if not key:
            return self.show_anchor(None)
        return self.show_anchor(core_guide.track_anchor(key) if _is_track(key) else core_guide.step_anchor(key))

    def _item_for(self, anchor: str) -> QTreeWidgetItem | None:
        stack = [self.contents.topLevelItem(i) for i in range(self.contents.topLevelItemCount())]
        while stack:
            item = stack.pop(0)
            if item is None:
                continue
            if item.data(0, _ANCHOR_ROLE) == anchor:
                return item
            stack += [item.child(i) for i in range(item.childCount())]
        return None

    def _contents_chosen(self, item: QTreeWidgetItem | None, _prev=None) -> None:
        if item is not None:
            self.browser.scrollToAnchor(item.data(0, _ANCHOR_ROLE))
            self.current_anchor = item.data(0, _ANCHOR_ROLE)

    # -- find -----------------------------------------------------------------------------------
    def start_find(self) -> None:
        self.find_edit.setFocus()
        self.find_edit.selectAll()

    def find_next(self, backward: bool = False, from_start: bool = False) -> bool:
        word = self.find_edit.text()
        if not word:
            self.find_status.clear()
            return False
        flags = QTextDocument.FindFlag.FindBackward if backward else QTextDocument.FindFlag(0)
        if from_start:
            cur = self.browser.textCursor()
            cur.movePosition(cur.MoveOperation.Start)
            self.browser.setTextCursor(cur)
        found = self.browser.find(word, flags)
        if not found:  # wrap around once
            cur = self.browser.textCursor()
            cur.movePosition(cur.MoveOperation.End if backward else cur.MoveOperation.Start)
            self.browser.setTextCursor(cur)
            found = self.browser.find(word, flags)
        self.find_status.setText("" if found else "Not found")
        self.find_status.setStyleSheet("" if found else f"color: {theme.error_color()};")
        return found

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if event.key() == Qt.Key.Key_Escape and self.find_edit.hasFocus() and self.find_edit.text():
            self.find_edit.clear()  # the first Escape clears the search, the next closes the window
            self.find_status.clear()
            return
        super().keyPressEvent(event)


def open_guide(window, step_id: str | None = None) -> GuideWindow:
    """Show the guide (one per main window), on `step_id`'s section when given."""
    win = getattr(window, "_guide_window", None)
    if win is None:
        win = GuideWindow(window)
        window._guide_window = win
    win.show_step(step_id)
    win.show()
    win.raise_()
    win.activateWindow()
    return win


def _context_step(window) -> str | None:
    """The step (or journey) the user is looking at: the step page in view, else the navigator's
    selection; None on the other tabs' own content (the guide opens on its first page)."""
    tabs = window.tabs
    page = window.current_page()
    if page is not None and tabs.currentWidget() is page:
        return page.key
    if window.navigator.hasFocus():
        return window.navigator.current_key()
    return None


def _is_track(key: str) -> bool:
    from core.engine import is_track

    return is_track(key)


def add_menu(window, menu: QMenu) -> QAction:
    """Help ▸ User guide (F1, on the current step's section). The main window makes this action
    itself (gui.main_window.add_guide_action) so that this module is imported only when the guide
    is opened, not before the first paint."""
    from .main_window import add_guide_action

    return add_guide_action(window, menu)
