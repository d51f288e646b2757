"""gui/history_import_ui.py: File ▸ Import ▸ Card history / Exam attempts CSV: a preview with each
row's problems, nothing written on Cancel, the valid rows in one transaction, one evaluation after."""

from PySide6.QtCore import QTimer

from gui.history_import_ui import import_history

ATTEMPTS = ("Exam,Test date,Result,Score,Result date\n"
            "Step 1,2021-05-10,pass,,2021-06-01\n"
            "Step 4,2026-01-01,pass,,\n"
            "USMLE Step 2 CK,2025-06-15,Passed,241,2025-07-01\n")
CARDS = ("Card,Issued,Body,eCard code\n"
         "PALS,2025-03-10,AHA,255123456789\n"
         "PALS,2023-03-08,AHA,\n"
         "CPR,2024-01-01,AHA,\n")


def _run(win, qtbot, kind, path, answer):
    """Open the import of `path`; `answer(dialog)` runs once the preview is up."""
    seen = {}

    def act():
        dlg = win.history_import_dialog
        seen["rows"] = [[dlg.table.item(r, c).text() for c in range(4)] for r in range(dlg.table.rowCount())]
        seen["summary"] = dlg.summary.text()
        seen["button"] = dlg.import_button.text()
        answer(dlg)

    QTimer.singleShot(0, act)
    done = import_history(win, kind, str(path))
    return done, seen


def test_the_file_menu_has_the_two_imports(img_window):
    menu = img_window.import_menu
    assert menu.menuAction() in img_window.menu_file.actions()
    assert [a.text().replace("&", "") for a in menu.actions()] == ["Card history CSV…", "Exam attempts CSV…"]


def test_attempts_cancel_writes_nothing_import_writes_the_valid_rows(img_window, qtbot, tmp_path):
    win = img_window
    store, pid = win.session.store, win.session.profile_id
    path = tmp_path / "attempts.csv"
    path.write_text(ATTEMPTS, encoding="utf-8")
    before = store.document(pid)
    done, seen = _run(win, qtbot, "attempts", path, lambda d: d.reject())
    assert done is False and store.document(pid) == before
    by_row = {r[0]: r for r in seen["rows"]}
    assert "not a USMLE exam" in by_row["3"][3] and by_row["3"][2] == "✕ Not imported"
    assert by_row["2"][2] == "Add" and by_row["2"][3] == "✓ OK"
    assert "2 of 3 rows can be imported; 1 row with problems will be left out." in seen["summary"]
    assert seen["button"] == "&Import 2 attempts"

    evaluations = []
    win.journeys.journey_changed.connect(lambda j: evaluations.append(j))
    done, _ = _run(win, qtbot, "attempts", path, lambda d: d.import_button.click())
    assert done is True
    facts = store.document(pid)["facts"]
    assert facts["usmle.step1"]["attempts"] == [{"date": "2021-05-10", "result": "pass", "result_date": "2021-06-01"}]
    assert facts["usmle.step2ck"]["attempts"][0]["score"] == 241
    assert len(evaluations) == 1
    assert win.journeys.journey.step("usmle.step1").status == "done"
    assert "Imported 2 rows" in win.statusBar().currentMessage()


def test_card_history_adds_the_journey_and_keeps_the_older_card(img_window, qtbot, tmp_path):
    win = img_window
    store, pid = win.session.store, win.session.profile_id
    path = tmp_path / "cards.csv"
    path.write_text(CARDS, encoding="utf-8")
    done, seen = _run(win, qtbot, "cards", path, lambda d: d.import_button.click())
    assert done is True
    assert any("'CPR' is not a card" in r[3] for r in seen["rows"])
    assert any("adds the PALS journey" in r[3] for r in seen["rows"])
    doc = store.document(pid)
    assert "pals" in doc["tracks"]
    assert doc["facts"]["pals.card"]["issue_date"] == "2025-03-10"
    assert [c["issue_date"] for c in doc["facts"]["pals.card"]["past_cards"]] == ["2023-03-08"]
    assert "pals" in [t.track for t in win.journeys.journey.tracks]


def test_a_file_that_is_not_a_csv_of_that_kind_imports_nothing(img_window, qtbot, tmp_path):
    win = img_window
    path = tmp_path / "wrong.csv"
    path.write_text("Name,Role\nAna,nurse_picu\n", encoding="utf-8")
    before = win.session.store.document(win.session.profile_id)
    done, seen = _run(win, qtbot, "attempts", path, lambda d: d.reject())
    dlg = win.history_import_dialog
    assert done is False and not dlg.import_button.isEnabled()
    assert "nothing can be imported" in seen["summary"].lower()
    assert win.session.store.document(win.session.profile_id) == before
