"""Packets: a ZIP of chosen documents for a program, board or employer, with an index, logged.

`plan_packet` checks every document (a missing or altered one stops the packet: nothing is sent
half-complete) and gives each a safe, unique name inside the ZIP. `write_packet` writes the ZIP
through a temporary file and an atomic rename with index.txt (always) and index.pdf (when the
GUI drew one; core never imports Qt), then records what was sent to whom and when in `packets`.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .backup import zip_time
from .db import inserted_id, transaction
from .vault import (
    OK,
    STATE_LABELS,
    Document,
    Vault,
    VaultError,
    effective_expiry,
    profile_step_expiries,
    unique_names,
)
from .wording import iso_dates, plural

INDEX_TXT = "index.txt"
INDEX_PDF = "index.pdf"


class PacketError(Exception):
    """The packet cannot be made; the message is for the user."""


@dataclass(frozen=True)
class PacketEntry:
    document: Document
    name_in_zip: str
    step_title: str
    item: str = ""  # what the document is of, named to a person ("PALS card"; else the step's name)
    expires: dt.date | None = None  # the document's own expiry, else its step's (a card's last valid day)

    @property
    def expiry_from_step(self) -> bool:
        return self.expires is not None and self.document.expires is None


@dataclass
class PacketPlan:
    profile_id: int
    profile_name: str
    recipient: str
    purpose: str
    today: dt.date
    entries: list[PacketEntry] = field(default_factory=list)
    note: str = ""

    @property
    def total_bytes(self) -> int:
        return sum(e.document.size for e in self.entries)

    def index_lines(self) -> list[str]:
        lines = [
            f"Documents of {self.profile_name}",
            f"For: {self.recipient}",
        ]
        if self.purpose:
            lines.append(f"Purpose: {self.purpose}")
        lines.append(f"Date: {self.today.isoformat()}")
        if self.note:
            lines.append(f"Note: {self.note}")
        lines += ["", f"{plural(len(self.entries), 'document')}:", ""]
        for i, e in enumerate(self.entries, 1):
            d = e.document
            lines.append(f"{i}. {e.name_in_zip}")
            if d.original_name != e.name_in_zip:
                lines.append(f"   Original name: {d.original_name}")
            if e.item and e.item != e.step_title:
                lines.append(f"   Document of: {e.item}")
            lines.append(f"   Step: {e.step_title}")
            lines.append(f"   Type: {d.mime}; size: {d.size:,} bytes")
            if e.expires:
                lines.append(f"   Expires: {e.expires.isoformat()}"
                             + (f" (the {e.item}'s last valid day)" if e.expiry_from_step else ""))
            lines.append(f"   SHA-256: {d.sha256}")
        lines += ["", "Made with CertPath (offline)."]
        return lines

    def index_text(self) -> str:
        return "\r\n".join(self.index_lines()) + "\r\n"


def _step_title(step_id: str) -> str:
    from .engine import step_name

    return step_name(step_id)


def plan_packet(store, vault: Vault, profile_id: int, document_ids: list[int], recipient: str, today: dt.date,
                *, purpose: str = "", note: str = "") -> PacketPlan:
    recipient = recipient.strip()
    if not recipient:
        raise PacketError("say who the packet is for (a program, a board, an employer)")
    if not document_ids:
        raise PacketError("choose at least one document")
    profile = store.profile(profile_id)
    docs: list[Document] = []
    problems: list[str] = []
    for did in dict.fromkeys(document_ids):  # keep order, drop repeats
        try:
            d = vault.get(did)
        except VaultError as e:
            raise PacketError(str(e)) from None
        if d.profile_id != profile_id:
            raise PacketError(f"document {did} belongs to another profile")
        state = vault.verify(d)
        if state != OK:
            problems.append(f"“{d.original_name}”: {STATE_LABELS[state].lower()}")
        docs.append(d)
    if problems:
        raise PacketError("These documents cannot be sent; attach them again first:\n" + "\n".join(problems))
    reserved = [INDEX_TXT, INDEX_PDF]
    names = unique_names(reserved + [d.original_name for d in docs])[len(reserved):]
    from .engine import step_item

    expiries = profile_step_expiries(store, profile_id, today)
    entries = [PacketEntry(d, n, _step_title(d.step_id), step_item(d.step_id),
                           effective_expiry(d, expiries)[0])
               for d, n in zip(docs, names, strict=True)]
    return PacketPlan(profile_id, profile["name"], recipient, purpose.strip(), today, entries, note.strip())


@iso_dates()  # the packet and its index are files: ISO dates
def write_packet(store, vault: Vault, plan: PacketPlan, out_path: str | os.PathLike[str], *,
                 index_pdf: bytes | None = None, progress=None) -> int:
    """Write the ZIP to `out_path` (temp file + fsync + rename) and log it. Returns the log id.

    `progress(done, total)` is called after each document, when given.
    """
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".packet-", suffix=".zip", dir=out.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as z:
                stamp = zip_time(plan.today)  # ZIP has no year before 1980 (a reset clock)
                z.writestr(zipfile.ZipInfo(INDEX_TXT, stamp), plan.index_text().encode("utf-8"),
                           compress_type=zipfile.ZIP_DEFLATED)
                if index_pdf is not None:
                    z.writestr(zipfile.ZipInfo(INDEX_PDF, stamp), index_pdf, compress_type=zipfile.ZIP_DEFLATED)
                for i, e in enumerate(plan.entries, 1):
                    src = vault.path_of(e.document)
                    info = zipfile.ZipInfo(e.name_in_zip, stamp)  # names are stored as UTF-8 (flag set)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    try:
                        with src.open("rb") as r, z.open(info, "w") as w:
                            for chunk in iter(functools.partial(r.read, 1024 * 1024), b""):
                                w.write(chunk)
                    except OSError as err:
                        raise PacketError(f"“{e.document.original_name}” could not be read from the vault: "
                                          f"{err.strerror or err}") from None
                    if progress is not None:
                        progress(i, len(plan.entries))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    with transaction(store.db):
        cur = store.db.execute(
            "INSERT INTO packets (profile_id, recipient, purpose, document_ids, file_name, sent_at, note) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [plan.profile_id, plan.recipient, plan.purpose, json.dumps([e.document.id for e in plan.entries]),
             out.name, plan.today.isoformat(), plan.note])
    return inserted_id(cur)


def packet_log(store, profile_id: int) -> list[dict]:
    rows = store.db.execute(
        "SELECT id, recipient, purpose, document_ids, file_name, sent_at, note FROM packets "
        "WHERE profile_id = ? ORDER BY sent_at DESC, id DESC", [profile_id]).fetchall()
    return [{"id": r[0], "recipient": r[1], "purpose": r[2], "document_ids": json.loads(r[3]), "file_name": r[4],
             "sent_at": r[5], "note": r[6]} for r in rows]
