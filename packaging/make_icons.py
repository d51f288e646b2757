"""Draw the CertPath icon with QPainter and write resources/icons/certpath.{png,ico,icns}.

    .venv/bin/python packaging/make_icons.py

The motif: a winding path (the journey) ending in a check mark, white on a teal rounded square.
The generated files are committed; run this again only when the design changes. Output is
deterministic for a given Qt version.

ICO and ICNS containers are written here from PNG images (both formats allow PNG payloads:
ICO since Windows Vista, ICNS types ic07..ic10 since macOS 10.5/10.7), so the result does not
depend on which Qt image plugins are installed.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPainterPath, QPen  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "resources" / "icons"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS OSType -> pixel size (PNG payloads): 128, 256, 512, 1024 (512@2x)
ICNS_TYPES = ((b"ic07", 128), (b"ic08", 256), (b"ic09", 512), (b"ic10", 1024))


def draw(size: int) -> QImage:
    img = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(size / 100.0, size / 100.0)  # draw on a 100x100 canvas
    # background: rounded square, teal
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#0f766e"))
    p.drawRoundedRect(QRectF(4, 4, 92, 92), 20, 20)
    # the path: an S-curve from bottom-left up towards the check mark, with milestone dots
    road = QPainterPath(QPointF(18, 82))
    road.cubicTo(QPointF(40, 82), QPointF(22, 56), QPointF(44, 54))
    road.cubicTo(QPointF(58, 53), QPointF(50, 36), QPointF(56, 30))
    pen = QPen(QColor(255, 255, 255, 150), 6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(road)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#ffffff"))
    for x, y in ((18, 82), (44, 54)):
        p.drawEllipse(QPointF(x, y), 5.5, 5.5)
    # the check mark at the end of the path
    check = QPainterPath(QPointF(50, 28))
    check.lineTo(QPointF(62, 40))
    check.lineTo(QPointF(84, 16))
    p.setPen(QPen(QColor("#facc15"), 9, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                  Qt.PenJoinStyle.RoundJoin))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(check)
    p.end()
    return img


def png_bytes(img: QImage) -> bytes:
    ba = QByteArray()
    buf = QBuffer(ba)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not img.save(buf, "PNG"):
        raise RuntimeError("PNG encoding failed")
    buf.close()
    return bytes(ba)


def ico_container(pngs: dict[int, bytes]) -> bytes:
    """ICONDIR + ICONDIRENTRYs + PNG payloads (width/height byte 0 means 256)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))  # reserved, type 1 = icon, count
    offset = 6 + 16 * len(sizes)
    entries, blobs = b"", b""
    for s in sizes:
        data = pngs[s]
        entries += struct.pack("<BBBBHHII", s % 256, s % 256, 0, 0, 1, 32, len(data), offset)
        blobs += data
        offset += len(data)
    return header + entries + blobs


def icns_container(pngs: dict[bytes, bytes]) -> bytes:
    """'icns' + total length, then (OSType, length incl. 8-byte header, PNG) per entry; big-endian."""
    body = b"".join(t + struct.pack(">I", len(d) + 8) + d for t, d in pngs.items())
    return b"icns" + struct.pack(">I", len(body) + 8) + body


def main() -> int:
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # fonts/raster need a Gui app
    OUT.mkdir(parents=True, exist_ok=True)
    pngs = {s: png_bytes(draw(s)) for s in PNG_SIZES}
    (OUT / "certpath.png").write_bytes(pngs[256])  # window icon (Linux, and the .desktop file)
    for s in (16, 32, 48, 512):
        (OUT / f"certpath-{s}.png").write_bytes(pngs[s])
    (OUT / "certpath.ico").write_bytes(ico_container({s: pngs[s] for s in ICO_SIZES}))
    (OUT / "certpath.icns").write_bytes(icns_container({t: pngs[s] for t, s in ICNS_TYPES}))
    for f in sorted(OUT.iterdir()):
        print(f"{f.relative_to(OUT.parent.parent)}  {f.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
