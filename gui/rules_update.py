"""File ▸ Update rules…: install a signed rule pack (core/rulepacks.py) after showing what changed
and what it changes for each profile; Help ▸ Go back to the bundled rules; the dashboard's line
when the rules in use are stale. All the work is core's; this module only shows it.

A pack that cannot be installed (not signed by a trusted key, a byte changed, older than the one
in use, made for another app version, malformed, oversized) opens the same dialog with one
sentence saying why and only Close: nothing is changed.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from core.datefmt import iso_dates
from core.rulepacks import (
    DATE_FIELDS,
    Pack,
    PackRefused,
    ProfileImpact,
    RuleChange,
    diff_rules,
    diff_text,
    field_text,
    impact,
    impact_text,
    install_pack,
    mark_staleness_shown,
    pack_version_key,
    read_pack,
    staleness_notice,
    state_in_use,
    use_bundled,
)

from . import theme
from .dates_display import show_date

log = logging.getLogger("certpath.rules_update")

_FIELD = {"status": "status", "due": "due date", "expires": "expiry"}


def _date(d: dt.date | None) -> str:
    return show_date(d) if d else "?"


def _value(v, key: str | None = None) -> str:
    """A record's field for the dialog: a date in the display format (core.rulepacks.field_text),
    a long value cut short."""
    import json

    if key in DATE_FIELDS and v is not None:
        return field_text(key, v)
    if isinstance(v, dict | list):
        text = json.dumps(v, ensure_ascii=False)
        return text if len(text) <= 160 else text[:157] + "…"
    return "(none)" if v is None else str(v)


def changes_html(changes: list[RuleChange]) -> str:
    if not changes:
        return "<p>No rule record changes.</p>"
    parts = []
    for c in changes:
        rec = c.new or c.old or {}
        rid = html.escape(c.id)
        srcs = ", ".join(html.escape(s["url"]) + f" ({html.escape(s['tier'])})" for s in rec.get("sources", []))
        if c.change == "added":
            parts.append(f"<p><b>Added</b> {rid}: {html.escape(_value(rec.get('value')))}<br>"
                         f"{html.escape(rec.get('statement', ''))}<br>"
                         f"<small>Sources: {srcs}; checked {html.escape(field_text('checked', rec.get('checked')))}; "
                         f"confidence {html.escape(str(rec.get('confidence')))}</small></p>")
        elif c.change == "removed":
            parts.append(f"<p><b>Removed</b> {rid} (was {html.escape(_value(rec.get('value')))})</p>")
        else:
            rows = "".join(f"<li>{html.escape(k)}: {html.escape(_value((c.old or {}).get(k), k))} → "
                           f"{html.escape(_value((c.new or {}).get(k), k))}</li>" for k in c.fields
                           if k != "sources")
            if "sources" in c.fields:
                rows += f"<li>sources now: {srcs}</li>"
            parts.append(f"<p><b>Changed</b> {rid}</p><ul>{rows}</ul>")
    return "".join(parts)


def impact_html(impacts: list[ProfileImpact]) -> str:
    if not impacts:
        return "<p>There are no profiles in this data file.</p>"
    parts = []
    for imp in impacts:
        parts.append(f"<h3>{html.escape(imp.name)}</h3>")
        if imp.error:
            parts.append(f"<p>This profile {html.escape(imp.error)}.</p>")
        if not imp.moves and not imp.error:
            parts.append("<p>No step's status, due date or expiry changes.</p>")
        if imp.moves:
            parts.append("<ul>" + "".join(
                f"<li>{html.escape(m.title)}: {_FIELD[m.field]} {html.escape(m.value_text(m.old))} → "
                f"<b>{html.escape(m.value_text(m.new))}</b></li>" for m in imp.moves) + "</ul>")
        for o in imp.overrides:
            if o.removed:
                said = "is kept, but the new rules no longer have this rule"
            elif not o.still_fits:
                said = "is kept, but it no longer fits the rule's value and is not used; check it on the step page"
            elif o.agrees:
                said = f"is kept; the new rule now agrees with it ({html.escape(_value(o.new_published))})"
            else:
                said = (f"is kept ({html.escape(_value(o.value))}); the new rule says "
                        f"{html.escape(_value(o.new_published))}")
            parts.append(f"<p>Your own value for {html.escape(o.rule)} {said}.</p>")
    return "".join(parts)


class RulesUpdateDialog(QDialog):
    """The update dialog for one pack file: refused (one sentence, Close) or what changed, what it
    changes for you, Install / Export report… / Cancel."""

    def __init__(self, session, path: str | Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.path = Path(path)
        self.pack: Pack | None = None
        self.installed = False
        self.report = ""
        self.setWindowTitle("Update rules")
        self.setObjectName("rulesUpdateDialog")
        self.resize(900, 640)
        lay = self._layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setObjectName("updateSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.summary)
        self.refusal = QLabel()
        self.refusal.setObjectName("updateRefusal")
        self.refusal.setWordWrap(True)
        self.refusal.setStyleSheet(f"color: {theme.error_color()};")
        self.refusal.setVisible(False)
        lay.addWidget(self.refusal)
        self.tabs = QTabWidget()
        self.changes = QTextBrowser()
        self.changes.setObjectName("updateChanges")
        self.changes.setAccessibleName("What changed")
        self.yours = QTextBrowser()
        self.yours.setObjectName("updateImpact")
        self.yours.setAccessibleName("What this changes for you")
        for w in (self.changes, self.yours):
            w.setOpenLinks(False)
            w.setTabChangesFocus(True)
        lay.addWidget(self.tabs, 1)
        self.buttons = QDialogButtonBox()
        self.install_button = QPushButton("&Install")
        self.install_button.setObjectName("installButton")
        self.export_button = QPushButton("&Export report…")
        self.export_button.setObjectName("exportButton")
        self.buttons.addButton(self.install_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.install_button.clicked.connect(self.install)
        self.export_button.clicked.connect(self.export)
        self.cancel_button.clicked.connect(self.reject)
        lay.addWidget(self.buttons)
        self._load()

    # -- reading the pack --------------------------------------------------------------------------
    def _refuse(self, why: str) -> None:
        self.pack = None
        self.summary.setText(f"<b>Update rules from {html.escape(self.path.name)}</b>")
        self.refusal.setText(f"This rule pack cannot be installed: {why} Nothing was changed.")
        self.refusal.setVisible(True)
        self.tabs.setVisible(False)
        self.install_button.setVisible(False)
        self.export_button.setVisible(False)
        self.cancel_button.setText("Close")
        self.cancel_button.setFocus()
        self._layout.setStretchFactor(self.tabs, 0)
        self._layout.insertStretch(2, 1)
        self.resize(640, 200)

    def _load(self) -> None:
        current = state_in_use().pack
        try:
            pack = read_pack(self.path)
        except PackRefused as e:
            self._refuse(str(e))
            return
        if pack_version_key(pack.info.version) <= pack_version_key(current.info.version):
            self._refuse(f"it is rule pack {pack.info.version}, " + (
                "the one already in use." if pack.info.version == current.info.version
                else f"older than the one in use ({current.info.version})."))
            return
        self.pack = pack
        changes = diff_rules(current.rules, pack.rules)
        try:
            impacts = impact(self.session.store, self.session.today, current.rules, pack.rules)
        except Exception as e:  # the data file could not be read: say it, still allow Cancel
            log.exception("impact of a rule pack")
            impacts = []
            self.yours.setPlainText(f"CertPath could not read your profiles ({type(e).__name__}).")
        n_moves = sum(len(i.moves) for i in impacts)
        self.summary.setText(
            f"<b>Rule pack {html.escape(pack.info.version)}</b>, made {_date(pack.info.made)}, signed by a "
            f"key CertPath trusts ({html.escape(pack.info.key)}). It replaces the {html.escape(current.info.label)}."
            f"<br>Rule records that change: {len(changes)}; changes to your steps: {n_moves}. Your own values "
            "are kept.")
        self.changes.setHtml(changes_html(changes))
        if impacts or not self.yours.toPlainText():
            self.yours.setHtml(impact_html(impacts))
        self.tabs.addTab(self.changes, f"What &changed ({len(changes)})")
        self.tabs.addTab(self.yours, f"What this changes for &you ({n_moves})")
        with iso_dates():  # the exported report is a file: ISO dates whatever the dialog shows
            self.report = (f"CertPath rule update: {pack.info.label} replaces the {current.info.label}\n"
                           f"as of {self.session.today.isoformat()}\n\n== What changed ==\n"
                           + diff_text(changes) + "\n== What this changes for you ==\n" + impact_text(impacts))
        self.install_button.setDefault(True)

    # -- actions ------------------------------------------------------------------------------------
    def install(self) -> bool:
        if self.pack is None:
            return False
        try:
            install_pack(self.session.paths, self.path, now=self.session.now())
        except (PackRefused, OSError) as e:
            self._refuse(str(e))
            return False
        self.installed = True
        self.accept()
        return True

    def export_to(self, path: str | Path) -> None:
        from core.exports import write_atomic

        write_atomic(str(path), self.report.encode("utf-8"))

    def export(self) -> None:
        name = f"certpath-rules-update-{self.pack.info.version if self.pack else ''}.txt"
        path, _ = QFileDialog.getSaveFileName(self, "Export the update report", str(Path.home() / name),
                                              "Text (*.txt)")
        if not path:
            return
        try:
            self.export_to(path)
        except OSError as e:
            self.refusal.setText(f"The report could not be written: {e.strerror or e}")
            self.refusal.setVisible(True)


# -- the hooks into the main window (an extension, gui/extensions.py) ---------------------------------
def update_rules(window, path: str | None = None) -> RulesUpdateDialog | None:
    if path is None:
        path, _ = QFileDialog.getOpenFileName(window, "Update rules: open a rule pack", str(Path.home()),
                                              "CertPath rule packs (*.cprules);;All files (*)")
        if not path:
            return None
    dlg = RulesUpdateDialog(window.session, path, window)
    dlg.accepted.connect(lambda: _after_change(window, f"Rule pack {dlg.pack.info.version} installed."
                                                       if dlg.pack else ""))
    dlg.open()
    window._rules_update_dialog = dlg
    return dlg


def _after_change(window, message: str) -> None:
    window.refresh()
    if message:
        window.statusBar().showMessage(message, 10_000)
    sync_actions(window)


def go_back_to_bundled(window) -> bool:
    try:
        use_bundled(window.session.paths, now=window.session.now())
    except (PackRefused, OSError) as e:
        window.statusBar().showMessage(str(e), 10_000)
        return False
    _after_change(window, "CertPath now uses its bundled rules; installing the pack again brings it back.")
    return True


def sync_actions(window) -> None:
    act = getattr(window, "act_bundled_rules", None)
    if act is not None:
        act.setEnabled(state_in_use().pack.info.origin == "installed")


def staleness_label(window) -> QLabel | None:
    """The dashboard's non-modal line when the rules are stale (at most once a week)."""
    s = window.session
    try:
        text = staleness_notice(s.store, state_in_use().pack.rules, s.today)
        if text is None:
            return None
        mark_staleness_shown(s.store, s.today)
    except Exception:  # a locked data file: no notice this time, never an error box
        log.exception("staleness notice")
        return None
    label = QLabel(html.escape(text) + "  <a href='dismiss'>Dismiss</a>")
    label.setObjectName("rulesStalenessNotice")
    label.setWordWrap(True)
    label.setAccessibleName("Your rules may be out of date")
    label.setStyleSheet(f"color: {theme.muted_color()};")
    label.linkActivated.connect(lambda _l: label.setVisible(False))
    body = window.dashboard.widget()
    if body is not None and body.layout() is not None:
        body.layout().insertWidget(0, label)
    return label


def attach(window) -> None:
    window.act_update_rules = QAction("&Update rules…", window)
    window.act_update_rules.triggered.connect(lambda: update_rules(window))
    window.act_update_rules.setStatusTip("Install a signed rule pack: see what changes before anything is changed")
    window.add_file_actions(window.act_update_rules, group="rules")
    window.act_bundled_rules = QAction("Go back to the &bundled rules", window)
    window.act_bundled_rules.triggered.connect(lambda: go_back_to_bundled(window))
    help_menu = window.menu_help
    after = getattr(window, "act_disclaimer", None)
    if after is not None and after in help_menu.actions():
        help_menu.insertAction(after, window.act_bundled_rules)
    else:
        help_menu.addAction(window.act_bundled_rules)
    sync_actions(window)
    window.rules_staleness_label = staleness_label(window)
