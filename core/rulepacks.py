"""Signed rule packs: the rules travel without a new build, and the app stays offline.

A pack (`certpath-rules-2026.12.1.cprules`) is a ZIP holding the `resources/rules/` tree under
`rules/`, a `manifest.json` (pack version, made date, the app versions it is for, the SHA-256 and
size of every file) and `manifest.sig` (an Ed25519 signature of manifest.json's exact bytes, by a
key the app trusts: the project's public keys in resources/keys/, plus any named in
$CERTPATH_TRUST_KEYS or --trust). The bundled rules are pack version "0" of the release and are
loaded by the same code (`rules_from_files`) as an installed pack. An installed pack lives in the
data folder (`rulepacks/current.cprules`, the one before it `rulepacks/previous.cprules`) and is
verified again every time it is loaded. See docs/rules-format.md.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__, resources_dir
from .datefmt import date_text
from .rules import COMPILED_NAME, RuleDataError, RuleSet, read_rule_files, rules_from_files
from .wording import plural

if TYPE_CHECKING:
    import zipfile

# base64, hashlib, io and zipfile are imported where a pack is built or read: start-up with the
# bundled rules needs none of them (hashlib alone would load OpenSSL's libcrypto, ~3 MB resident).

PACK_FORMAT = "certpath-rulepack/1"
PACK_SUFFIX = ".cprules"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
RULES_PREFIX = "rules/"
TRUST_ENV_VAR = "CERTPATH_TRUST_KEYS"  # extra public key files (os.pathsep-separated), for tests
BUNDLED_VERSION = "0"

# Defences (as for the archive restore): a pack is small text.
MAX_PACK_BYTES = 8 * 1024 * 1024
MAX_ENTRIES = 1_000
MAX_MEMBER_BYTES = 2 * 1024 * 1024
MAX_TOTAL_BYTES = 32 * 1024 * 1024
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed per member; TOML compresses ~5x
_RULE_MEMBER = re.compile(r"rules/(?:[a-z0-9_-]+/)*[a-z0-9_-]+\.toml")
_VERSION = re.compile(r"(20\d\d)\.(\d{1,2})\.(\d{1,3})(?:\.(\d{1,3}))?")
_APP_VERSION = re.compile(r"\d+(?:\.\d+){0,3}")


class PackRefused(Exception):
    """A pack cannot be used: the message is one sentence for the user; nothing was changed."""


# -- versions ---------------------------------------------------------------------------------------
def pack_version_key(v: str) -> tuple[int, ...]:
    """A comparable key of a pack version: "0" (the bundled rules) or calendar-style YYYY.MM.N[.N]."""
    if v == BUNDLED_VERSION:
        return (0,)
    m = _VERSION.fullmatch(v)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"{v!r} is not a pack version (calendar-style YYYY.MM.N, e.g. 2026.12.1)")
    return tuple(int(g) for g in m.groups() if g is not None)


def app_version_key(v: str) -> tuple[int, ...]:
    if not _APP_VERSION.fullmatch(v):
        raise ValueError(f"{v!r} is not an app version (e.g. 0.1.0)")
    parts = [int(x) for x in v.split(".")]
    return tuple(parts + [0] * (4 - len(parts)))


def default_app_range(version: str = __version__) -> tuple[str, str]:
    """This version up to (not including) the next minor release: the rule value shapes and the
    engine agree within one minor series."""
    major, minor = (list(app_version_key(version)) + [0, 0])[:2]
    return version, f"{major}.{minor + 1}.0"


def default_pack_version(today: dt.date) -> str:
    return f"{today.year}.{today.month}.{today.day}"


# -- keys ---------------------------------------------------------------------------------------------
# Checking a signature (what every user does: install or load a pack) is core/ed25519.py, pure
# Python (RFC 8032). Making keys and signing packs are maintainer commands and use the
# `cryptography` package, which is a dev dependency (requirements-dev.lock), not in the frozen app.
def _crypto():
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError as e:  # the frozen app or a runtime-only install; say it instead of a traceback
        raise PackRefused("Making keys and signing rule packs needs the 'cryptography' package, which is "
                          f"not installed ({e}); it comes with the dev tools (requirements-dev.lock). "
                          "Checking a pack does not need it.") from None
    return ed25519, serialization


def public_key_raw(public_pem: bytes) -> bytes:
    """The 32 bytes of an Ed25519 public key file (PEM). PackRefused when it is a key of another
    kind; ValueError when it is not a PEM public key at all."""
    from .ed25519 import KeyFormatError, NotEd25519Key, public_key_from_pem

    try:
        return public_key_from_pem(public_pem)
    except NotEd25519Key:
        raise PackRefused("That key is not an Ed25519 public key.") from None
    except KeyFormatError as e:
        raise ValueError(f"not a PEM public key ({e})") from None


def key_id(public_pem: bytes) -> str:
    """A short, stable name of a public key: the first 16 hex digits of the SHA-256 of its raw bytes."""
    import hashlib

    return hashlib.sha256(public_key_raw(public_pem)).hexdigest()[:16]


def generate_keypair(folder: Path, name: str = "certpath-rules") -> tuple[Path, Path]:
    """Write `name.key` (the private key, PEM, owner-only) and `name.pub.pem` into `folder`.
    Refuses to overwrite an existing key."""
    ed25519, serialization = _crypto()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    priv_path, pub_path = folder / f"{name}.key", folder / f"{name}.pub.pem"
    for p in (priv_path, pub_path):
        if p.exists():
            raise PackRefused(f"{p} already exists; a key is never overwritten.")
    key = ed25519.Ed25519PrivateKey.generate()
    priv = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    pub = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    fd = os.open(priv_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(priv)
    pub_path.write_bytes(pub)
    return priv_path, pub_path


def _load_private(path: Path):
    ed25519, serialization = _crypto()
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except OSError as e:
        raise PackRefused(f"{path}: cannot read the private key ({e.strerror or e}).") from None
    except (ValueError, TypeError) as e:
        raise PackRefused(f"{path} is not a PEM private key without a passphrase ({e}).") from None
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise PackRefused(f"{path} is not an Ed25519 private key.")
    return key


@dataclass(frozen=True)
class TrustedKey:
    """A public key rule packs may be signed with, and where it came from."""

    id: str
    pem: bytes
    origin: str  # "project" or the path it came from


def trusted_keys(extra: Iterable[str | os.PathLike[str]] = ()) -> list[TrustedKey]:
    """The project's public keys (resources/keys/*.pem), then $CERTPATH_TRUST_KEYS, then `extra`."""
    out: list[TrustedKey] = []
    for p in sorted((resources_dir() / "keys").glob("*.pem")):
        out.append(TrustedKey(key_id(p.read_bytes()), p.read_bytes(), "project"))
    env = [x for x in os.environ.get(TRUST_ENV_VAR, "").split(os.pathsep) if x.strip()]
    for name in [*env, *extra]:
        path = Path(name).expanduser()
        try:
            pem = path.read_bytes()
        except OSError as e:
            raise PackRefused(f"{path}: cannot read the trusted key ({e.strerror or e}).") from None
        try:
            out.append(TrustedKey(key_id(pem), pem, str(path)))
        except (ValueError, TypeError):
            raise PackRefused(f"{path} is not a PEM public key.") from None
    return out


# -- the pack ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PackInfo:
    """A rule pack's version, date and the CertPath versions it is for."""

    version: str
    made: dt.date | None
    app_min: str
    app_below: str
    origin: str  # "bundled" or "installed"
    key: str = ""  # the id of the key that signed it ("" for the bundled rules)
    path: Path | None = None
    installed: str = ""  # when it was installed (ISO timestamp), for an installed pack

    @property
    def label(self) -> str:
        if self.origin == "bundled":
            return f"bundled rules of CertPath {__version__} (pack version 0)"
        made = date_text(self.made) if self.made else "?"
        return f"rule pack {self.version} of {made}" + (" (installed)" if self.origin == "installed" else "")

    def to_json(self) -> dict[str, Any]:
        return {"version": self.version, "made": self.made.isoformat() if self.made else None,
                "app_min": self.app_min, "app_below": self.app_below, "origin": self.origin,
                "key": self.key or None, "installed": self.installed or None}


@dataclass(frozen=True)
class Pack:
    """A rule pack: its info, its files and their rule set."""

    info: PackInfo
    files: dict[str, bytes]  # name relative to the rules folder ("img/states.toml") -> bytes
    rules: RuleSet = field(repr=False)

    @property
    def newest_checked(self) -> dt.date:
        return max(r.checked for r in self.rules.all())


def bundled_files() -> list[tuple[str, bytes]]:
    return read_rule_files(resources_dir() / "rules")


_BUNDLED: Pack | None = None


def bundled_pack() -> Pack:
    """The rules the app was built with, as pack version 0 (loaded once)."""
    global _BUNDLED
    if _BUNDLED is None:
        folder = resources_dir() / "rules"
        if not folder.is_dir():
            raise RuleDataError(f"{folder}: the bundled rules folder is missing; CertPath cannot work "
                                "without its rules (reinstall CertPath)")
        files = read_rule_files(folder)
        rules = rules_from_files(files, label=str(folder), shipped_cache=folder / COMPILED_NAME)
        lo, hi = default_app_range()
        made = newest_checked(rules)
        _BUNDLED = Pack(PackInfo(BUNDLED_VERSION, made, lo, hi, "bundled"), dict(files), rules)
    return _BUNDLED


def _manifest_bytes(manifest: Mapping[str, Any]) -> bytes:
    return (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def build_pack(out: Path, private_key: Path | None, *, version: str, today: dt.date,
               source: Path | None = None, app_range: tuple[str, str] | None = None) -> PackInfo:
    """Build and sign a pack of the rules under `source` (default: resources/rules/). The rules must
    load (the same checks as at start-up) or nothing is written. Without a key the pack is unsigned
    (a CI run without the secret): no app installs it, but it can be diffed and inspected."""
    import base64
    import hashlib
    import zipfile

    try:
        pack_version_key(version)
    except ValueError as e:
        raise PackRefused(str(e)) from None
    if version == BUNDLED_VERSION:
        raise PackRefused("Version 0 is the bundled rules; a pack has a calendar-style version (YYYY.MM.N).")
    lo, hi = app_range or default_app_range()
    try:
        if app_version_key(hi) <= app_version_key(lo):
            raise PackRefused(f"The app range is empty ({lo} up to {hi}).")
    except ValueError as e:
        raise PackRefused(str(e)) from None
    source = Path(source) if source else resources_dir() / "rules"
    files = read_rule_files(source)
    for rel, _ in files:
        if not _RULE_MEMBER.fullmatch(RULES_PREFIX + rel):
            raise PackRefused(f"{rel}: a rule file name may use only a-z, 0-9, _ and - (folders likewise).")
    try:
        rules_from_files(files, label=str(source), use_cache=False)
    except RuleDataError as e:
        raise PackRefused(f"The rules do not load, so no pack was built: {e}") from None
    manifest: dict[str, Any] = {
        "format": PACK_FORMAT,
        "version": version,
        "made": today.isoformat(),
        "app": {"min": lo, "below": hi},
        "files": {RULES_PREFIX + rel: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                  for rel, data in files},
    }
    key = _load_private(private_key) if private_key else None
    if key is not None:
        _, serialization = _crypto()
        pub = key.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
        manifest["key"] = key_id(pub)
    raw = _manifest_bytes(manifest)
    out = Path(out)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    stamp = (today.year, today.month, today.day, 0, 0, 0)
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo(MANIFEST, date_time=stamp), raw, compress_type=zipfile.ZIP_DEFLATED)
        if key is not None:
            zf.writestr(zipfile.ZipInfo(SIGNATURE, date_time=stamp), base64.b64encode(key.sign(raw)) + b"\n")
        for rel, data in files:
            zf.writestr(zipfile.ZipInfo(RULES_PREFIX + rel, date_time=stamp), data, compress_type=zipfile.ZIP_DEFLATED)
    os.replace(tmp, out)
    return PackInfo(version, today, lo, hi, "file", str(manifest.get("key", "")), out)


def _read_member(zf: zipfile.ZipFile, zi: zipfile.ZipInfo, cap: int, label: str) -> bytes:
    buf = bytearray()
    with zf.open(zi) as f:
        while chunk := f.read(64 * 1024):
            buf += chunk
            if len(buf) > cap or len(buf) > zi.file_size:
                raise PackRefused(f"{label}: {zi.filename!r} unpacks to more than it says (a compression bomb?).")
    return bytes(buf)


def _check_name(name: str) -> str | None:
    if not name or "\x00" in name or "\\" in name:
        return "has an invalid name"
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return "has an absolute path"
    if ".." in name.split("/"):
        return "points outside the pack (../)"
    if name in (MANIFEST, SIGNATURE) or _RULE_MEMBER.fullmatch(name):
        return None
    return "is not part of a rule pack"


def _unpack(path: Path) -> tuple[dict[str, Any], bytes, bytes | None, dict[str, bytes]]:
    """Read a pack's members with every structural defence; (manifest, its bytes, signature, files)."""
    import io
    import zipfile

    label = path.name
    try:
        size = path.stat().st_size
    except OSError as e:
        raise PackRefused(f"{label} cannot be opened ({e.strerror or e}).") from None
    if not path.is_file():
        raise PackRefused(f"{label} is not a file.")
    if size > MAX_PACK_BYTES:
        raise PackRefused(f"{label} is {size // (1024 * 1024)} MB; a rule pack is at most "
                          f"{MAX_PACK_BYTES // (1024 * 1024)} MB.")
    data = path.read_bytes()
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise PackRefused(f"{label} is not a CertPath rule pack (it is not a ZIP archive).")
    members: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ENTRIES:
                raise PackRefused(f"{label} has {len(infos)} entries; a rule pack has at most {MAX_ENTRIES}.")
            total = 0
            for zi in infos:
                name = zi.filename
                if stat.S_ISLNK(zi.external_attr >> 16):
                    raise PackRefused(f"{label}: the entry {name!r} is a symbolic link.")
                if zi.is_dir():
                    continue  # folder entries carry nothing; zip tools add them
                why = _check_name(name)
                if why:
                    raise PackRefused(f"{label}: the entry {name!r} {why}.")
                if name in members:
                    raise PackRefused(f"{label}: the entry {name!r} appears twice.")
                if zi.flag_bits & 0x1:
                    raise PackRefused(f"{label}: the entry {name!r} is encrypted.")
                if zi.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise PackRefused(f"{label}: the entry {name!r} uses an unsupported compression.")
                cap = MAX_MANIFEST_BYTES if name in (MANIFEST, SIGNATURE) else MAX_MEMBER_BYTES
                if zi.file_size > cap:
                    raise PackRefused(f"{label}: the entry {name!r} is {zi.file_size // 1024} kB "
                                      f"(at most {cap // 1024} kB).")
                if zi.file_size > 4096 and zi.file_size > MAX_RATIO * max(zi.compress_size, 1):
                    raise PackRefused(f"{label}: the entry {name!r} is compressed {zi.file_size // max(zi.compress_size, 1)}"
                                      " times (a compression bomb?).")
                total += zi.file_size
                if total > MAX_TOTAL_BYTES:
                    raise PackRefused(f"{label} would unpack to more than {MAX_TOTAL_BYTES // (1024 * 1024)} MB.")
                members[name] = _read_member(zf, zi, cap, label)
    except zipfile.BadZipFile as e:
        raise PackRefused(f"{label} is damaged ({e}).") from None
    except (OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as e:
        if isinstance(e, PackRefused):
            raise
        raise PackRefused(f"{label} cannot be read ({e}).") from None
    if MANIFEST not in members:
        raise PackRefused(f"{label} is not a CertPath rule pack (it has no manifest.json).")
    raw = members.pop(MANIFEST)
    sig = members.pop(SIGNATURE, None)
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise PackRefused(f"{label}: manifest.json is not valid JSON.") from None
    return manifest, raw, sig, members


def _check_manifest(manifest: Any, label: str) -> tuple[str, dt.date, str, str, dict[str, dict[str, Any]]]:
    if not isinstance(manifest, dict) or manifest.get("format") != PACK_FORMAT:
        fmt = manifest.get("format") if isinstance(manifest, dict) else None
        if isinstance(fmt, str) and fmt.startswith("certpath-rulepack/"):
            raise PackRefused(f"{label} is a newer kind of rule pack ({fmt}); install a newer CertPath to use it.")
        raise PackRefused(f"{label}: manifest.json is not a CertPath rule pack manifest.")
    version, made, app, files = (manifest.get(k) for k in ("version", "made", "app", "files"))
    if not isinstance(version, str):
        raise PackRefused(f"{label}: the manifest has no pack version.")
    try:
        pack_version_key(version)
    except ValueError as e:
        raise PackRefused(f"{label}: {e}.") from None
    try:
        made_d = dt.date.fromisoformat(made) if isinstance(made, str) else None
    except ValueError:
        made_d = None
    if made_d is None:
        raise PackRefused(f"{label}: the manifest's 'made' is not a date (YYYY-MM-DD).")
    if (not isinstance(app, dict) or not isinstance(app.get("min"), str) or not isinstance(app.get("below"), str)
            or not _APP_VERSION.fullmatch(app["min"]) or not _APP_VERSION.fullmatch(app["below"])):
        raise PackRefused(f"{label}: the manifest's app range ('app': {{min, below}}) is invalid.")
    if not isinstance(files, dict) or not files:
        raise PackRefused(f"{label}: the manifest lists no files.")
    for name, meta in files.items():
        if (_check_name(name) is not None or name in (MANIFEST, SIGNATURE) or not isinstance(meta, dict)
                or not isinstance(meta.get("sha256"), str) or not re.fullmatch(r"[0-9a-f]{64}", meta["sha256"])
                or type(meta.get("size")) is not int or meta["size"] < 0):
            raise PackRefused(f"{label}: the manifest entry for {name!r} is invalid.")
    return version, made_d, app["min"], app["below"], files


def read_pack(path: str | os.PathLike[str], *, trust: Iterable[str | os.PathLike[str]] = (),
              app_version: str = __version__, origin: str = "file", require_signature: bool = True) -> Pack:
    """Open and check a pack file: structure and sizes, the manifest, the signature (by a trusted
    key), every file's SHA-256 and size (no file missing, none added), the app-version range and
    that its rules load. PackRefused with one sentence otherwise."""
    import base64
    import hashlib

    path = Path(path)
    label = path.name
    manifest, raw, sig, members = _unpack(path)
    version, made, lo, hi, listed = _check_manifest(manifest, label)
    key = ""
    if require_signature:
        if sig is None:
            raise PackRefused(f"{label} is not signed, so CertPath cannot tell who made it.")
        try:
            signature = base64.b64decode(sig.strip(), validate=True)
        except ValueError:
            raise PackRefused(f"{label}: its signature is malformed.") from None
        from .ed25519 import verify

        for tk in trusted_keys(trust):
            if verify(public_key_raw(tk.pem), signature, raw):
                key = tk.id
                break
        else:
            raise PackRefused(f"{label} is not signed by a key CertPath trusts (or it was changed after "
                              "signing).")
    for name in sorted(set(members) - set(listed)):
        raise PackRefused(f"{label} holds {name!r}, which its signed manifest does not list (a file was added).")
    for name in sorted(set(listed) - set(members)):
        raise PackRefused(f"{label} lacks {name!r}, which its signed manifest lists (a file was removed).")
    for name, meta in sorted(listed.items()):
        data = members[name]
        if len(data) != meta["size"] or hashlib.sha256(data).hexdigest() != meta["sha256"]:
            raise PackRefused(f"{label}: {name!r} does not match its checksum in the signed manifest "
                              "(a byte changed).")
    v = app_version_key(app_version)
    if not (app_version_key(lo) <= v < app_version_key(hi)):
        raise PackRefused(f"{label} is made for CertPath {lo} up to (not including) {hi}; this is CertPath "
                          f"{app_version}. Look for a pack made for this version.")
    files = {name[len(RULES_PREFIX):]: data for name, data in sorted(members.items())}
    try:
        rules = rules_from_files(sorted(files.items()), label=label)
    except RuleDataError as e:
        raise PackRefused(f"{label}: its rules do not load ({e}).") from None
    info = PackInfo(version, made, lo, hi, origin, key, path)
    return Pack(info, files, rules)


# -- installed packs (in the data folder) ------------------------------------------------------------
def packs_dir(paths) -> Path:
    return Path(paths.root) / "rulepacks"


def _installed_record(paths) -> dict[str, Any]:
    try:
        doc = json.loads((packs_dir(paths) / "installed.json").read_text(encoding="utf-8"))
        return doc if isinstance(doc, dict) else {}
    except (OSError, ValueError):
        return {}


@dataclass(frozen=True)
class InstalledState:
    """The rule pack in use for a data folder, and why an installed one is not."""

    pack: Pack  # the pack in use for this data folder (the bundled one when none is installed)
    problem: str = ""  # why an installed pack is not in use (damaged, no longer trusted, other app version)
    previous: str = ""  # the version rollback would go back to ("0": the bundled rules; "": none)


def installed_state(paths, *, trust: Iterable[str | os.PathLike[str]] = ()) -> InstalledState:
    """The rules this data folder uses. An installed pack is verified again on every load; one that
    no longer verifies is not used (the bundled rules are) and `problem` says why."""
    d = packs_dir(paths)
    cur = d / f"current{PACK_SUFFIX}"
    rec = _installed_record(paths)
    prev = d / f"previous{PACK_SUFFIX}"
    if not cur.exists():  # the bundled rules; after "go back to the bundled rules" the pack is kept
        return InstalledState(bundled_pack(), "", str(rec.get("previous_version", "")) if prev.exists() else "")
    previous = str(rec.get("previous_version", "")) if prev.exists() else BUNDLED_VERSION
    try:
        pack = read_pack(cur, trust=trust, origin="installed")
    except PackRefused as e:
        return InstalledState(bundled_pack(), f"The installed rule pack is not used: {e}", previous)
    info = PackInfo(**{**pack.info.__dict__, "installed": str(rec.get("installed", ""))})
    return InstalledState(Pack(info, pack.files, pack.rules), "", previous)


def install_pack(paths, file: str | os.PathLike[str], *, now: dt.datetime,
                 trust: Iterable[str | os.PathLike[str]] = ()) -> Pack:
    """Install a checked pack into the data folder; the one in use before is kept for rollback.
    Refused (nothing changed) when the pack does not verify or is not newer than the one in use."""
    new = read_pack(file, trust=trust, origin="installed")
    state = installed_state(paths, trust=trust)
    cur = state.pack.info
    if pack_version_key(new.info.version) <= pack_version_key(cur.version):
        same = new.info.version == cur.version
        raise PackRefused(f"{Path(file).name} is rule pack {new.info.version}, "
                          + ("the one already in use." if same else
                             f"older than the one in use ({cur.version})."))
    d = packs_dir(paths)
    d.mkdir(parents=True, exist_ok=True)
    current, previous = d / f"current{PACK_SUFFIX}", d / f"previous{PACK_SUFFIX}"
    tmp = d / f".incoming.{os.getpid()}{PACK_SUFFIX}"
    tmp.write_bytes(Path(file).read_bytes())
    try:
        read_pack(tmp, trust=trust)  # the copy is what will be used: check it, not only the source
    except PackRefused:
        tmp.unlink(missing_ok=True)
        raise
    if current.exists() and not state.problem:
        os.replace(current, previous)
        prev_version = cur.version
    else:  # the bundled rules were in use (nothing installed, a broken pack, or the user went back
        # to them): a rollback goes back to the bundled rules
        previous.unlink(missing_ok=True)
        current.unlink(missing_ok=True)
        prev_version = BUNDLED_VERSION
    os.replace(tmp, current)
    _write_record(paths, {"version": new.info.version, "installed": now.isoformat(timespec="seconds"),
                          "previous_version": prev_version})
    _reload_if_active(paths)
    return new


def _write_record(paths, rec: Mapping[str, Any]) -> None:
    d = packs_dir(paths)
    tmp = d / f".installed.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(rec, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, d / "installed.json")


def rollback(paths, *, now: dt.datetime) -> str:
    """Go back to the pack in use before the last install (or to the bundled rules); returns the
    version now in use. PackRefused when there is nothing to go back to."""
    d = packs_dir(paths)
    current, previous = d / f"current{PACK_SUFFIX}", d / f"previous{PACK_SUFFIX}"
    rec = _installed_record(paths)
    if not current.exists():
        if not previous.exists():
            raise PackRefused("No rule pack is installed: CertPath already uses its bundled rules.")
        os.replace(previous, current)  # after "go back to the bundled rules": the pack comes back
        version = str(rec.get("previous_version", "?"))
        _write_record(paths, {"version": version, "installed": now.isoformat(timespec="seconds"),
                              "previous_version": BUNDLED_VERSION})
        _reload_if_active(paths)
        return version
    if previous.exists():
        os.replace(previous, current)
        version = str(rec.get("previous_version", "?"))
    else:
        current.unlink()
        version = BUNDLED_VERSION
    _write_record(paths, {"version": version, "installed": now.isoformat(timespec="seconds"),
                          "previous_version": BUNDLED_VERSION, "rolled_back_from": rec.get("version")})
    _reload_if_active(paths)
    return version


def use_bundled(paths, *, now: dt.datetime) -> None:
    """Go back to the bundled rules (Help ▸ Rules: go back to the bundled rules); the installed pack
    is kept as the previous one, so a rollback brings it back."""
    d = packs_dir(paths)
    current, previous = d / f"current{PACK_SUFFIX}", d / f"previous{PACK_SUFFIX}"
    if not current.exists():
        raise PackRefused("CertPath already uses its bundled rules.")
    rec = _installed_record(paths)
    os.replace(current, previous)
    _write_record(paths, {"version": BUNDLED_VERSION, "installed": now.isoformat(timespec="seconds"),
                          "previous_version": rec.get("version")})
    _reload_if_active(paths)


# -- the rules in use (what core.rules.load_rules returns) -------------------------------------------
_ACTIVE: tuple[Path, InstalledState] | None = None


def activate(paths, *, trust: Iterable[str | os.PathLike[str]] = ()) -> InstalledState:
    """Use the rules of this data folder (its installed pack, or the bundled rules) from now on:
    the app and the command line call this once they know the data folder."""
    global _ACTIVE
    state = installed_state(paths, trust=trust)
    _ACTIVE = (Path(paths.root), state)
    return state


def _reload_if_active(paths) -> None:
    if _ACTIVE is not None and _ACTIVE[0] == Path(paths.root):
        activate(paths)


def deactivate() -> None:
    global _ACTIVE
    _ACTIVE = None


def pack_in_use() -> Pack:
    return _ACTIVE[1].pack if _ACTIVE is not None else bundled_pack()


def state_in_use() -> InstalledState:
    return _ACTIVE[1] if _ACTIVE is not None else InstalledState(bundled_pack())


# -- what changed: the diff of two rule sets ----------------------------------------------------------
_COMPARED = ("statement", "value", "from", "until", "sources", "checked", "as_of", "confidence",
             "conflict", "unit", "kind", "projected")


@dataclass(frozen=True)
class RuleChange:
    """One rule record (an id and its period) added, removed or changed."""

    change: str  # "added", "removed" or "changed"
    id: str
    old: dict[str, Any] | None  # the record as JSON (Rule.to_json), None when added
    new: dict[str, Any] | None  # None when removed

    @property
    def fields(self) -> list[str]:
        """The fields that differ, for a changed record."""
        if self.old is None or self.new is None:
            return []
        return [k for k in _COMPARED if self.old.get(k) != self.new.get(k)]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"change": self.change, "id": self.id, "old": self.old, "new": self.new}
        if self.change == "changed":
            out["fields"] = self.fields
        return out


def _period_key(rec: dict[str, Any]) -> tuple[str, str]:
    return rec["id"], rec.get("from") or ""


def diff_rules(old: RuleSet, new: RuleSet) -> list[RuleChange]:
    """Records added, removed and changed between two rule sets, by id and period (`from`); a
    record whose period start moved shows as one removed and one added."""
    a = {_period_key(j): j for j in (r.to_json() for r in old.all())}
    b = {_period_key(j): j for j in (r.to_json() for r in new.all())}
    out = []
    for key in sorted(set(a) | set(b)):
        if key not in a:
            out.append(RuleChange("added", key[0], None, b[key]))
        elif key not in b:
            out.append(RuleChange("removed", key[0], a[key], None))
        elif any(a[key].get(k) != b[key].get(k) for k in _COMPARED):
            out.append(RuleChange("changed", key[0], a[key], b[key]))
    return out


# the fields of a rule record that hold a date (ISO text in its JSON form)
DATE_FIELDS = ("from", "until", "checked", "as_of")


def date_value_text(v: Any) -> str:
    """An ISO date of a record's JSON (or a move's) in the installed display format (`date_text`:
    ISO in the command line and under `iso_dates()`); anything else as `_show` gives it."""
    if isinstance(v, str):
        try:
            return date_text(dt.date.fromisoformat(v))
        except ValueError:
            pass
    return _show(v)


def field_text(key: str, v: Any) -> str:
    """One field of a rule record for a person: dates through `date_text`, the rest by `_show`."""
    return date_value_text(v) if key in DATE_FIELDS and v is not None else _show(v)


def _show(v: Any) -> str:
    if isinstance(v, list) and v and all(isinstance(x, dict) and "url" in x for x in v):
        return ", ".join(f"{x['url']} ({x.get('tier')})" for x in v)
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False, sort_keys=False)
    return "(none)" if v is None else str(v)


def _period(rec: dict[str, Any]) -> str:
    if not rec.get("from") and not rec.get("until"):
        return ""
    start = field_text("from", rec["from"]) if rec.get("from") else "…"
    end = field_text("until", rec["until"]) if rec.get("until") else "…"
    return f" [{start} to {end}]"


def diff_text(changes: list[RuleChange], old_label: str = "", new_label: str = "") -> str:
    """The diff for a person: one block per record, old -> new per changed field."""
    counts = {k: sum(1 for c in changes if c.change == k) for k in ("added", "removed", "changed")}
    lines = []
    if old_label or new_label:
        lines.append(f"From {old_label} to {new_label}:")
    lines.append(f"{plural(counts['added'], 'rule record')} added, {counts['removed']} removed, {counts['changed']} changed.")
    for c in changes:
        rec = c.new or c.old or {}
        lines.append("")
        if c.change == "added":
            lines.append(f"+ {c.id}{_period(rec)} (added): {_show(rec.get('value'))}")
            lines.append(f"    {rec.get('statement', '')}")
            lines.append(f"    sources: {_show(rec.get('sources'))}; checked {field_text('checked', rec.get('checked'))}; "
                         f"confidence {rec.get('confidence')}")
        elif c.change == "removed":
            lines.append(f"- {c.id}{_period(rec)} (removed; was {_show(rec.get('value'))})")
        else:
            lines.append(f"~ {c.id}{_period(c.old or {})} (changed)")
            for k in c.fields:
                lines.append(f"    {k}: {field_text(k, (c.old or {}).get(k))} -> {field_text(k, (c.new or {}).get(k))}")
    return "\n".join(lines) + "\n"


# -- what this changes for you: per profile, old rules vs new rules ------------------------------------
@dataclass(frozen=True)
class StepMove:
    """One step whose status or date a rule pack changes for a profile."""

    step: str
    title: str
    field: str  # "status", "due" or "expires"
    old: str | None
    new: str | None

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "title": self.title, "field": self.field, "old": self.old, "new": self.new}

    def value_text(self, v: str | None) -> str:
        """`old` or `new` for a person: a due date or expiry through `date_text`; "(none)" when unset."""
        if v is None or v == "":
            return "(none)"
        return date_value_text(v) if self.field in ("due", "expires") else v


@dataclass(frozen=True)
class OverrideNote:
    """A rule the user gave their own value: the override is kept after the update; `agrees` says
    whether the new published value now equals it."""

    rule: str
    value: Any
    old_published: Any
    new_published: Any
    agrees: bool
    published_changed: bool
    still_fits: bool  # the override still has the shape of the new rule's value
    removed: bool = False  # the new rules no longer have this rule

    def to_json(self) -> dict[str, Any]:
        from .rules import _jsonable

        return {"rule": self.rule, "value": _jsonable(self.value), "old_published": _jsonable(self.old_published),
                "new_published": _jsonable(self.new_published), "agrees": self.agrees,
                "published_changed": self.published_changed, "still_fits": self.still_fits, "removed": self.removed}


@dataclass(frozen=True)
class ProfileImpact:
    """What a rule pack changes for one profile."""

    profile_id: int
    name: str
    moves: list[StepMove]
    overrides: list[OverrideNote]
    error: str = ""  # the profile could not be evaluated with the new rules (said, not hidden)

    def to_json(self) -> dict[str, Any]:
        return {"profile": self.profile_id, "name": self.name, "moves": [m.to_json() for m in self.moves],
                "overrides": [o.to_json() for o in self.overrides], "error": self.error or None}


def _step_title(step_id: str) -> str:
    try:
        from .engine import step_def

        return step_def(step_id).title
    except (KeyError, ImportError, AttributeError):
        return step_id


def _steps(doc: Mapping[str, Any], today: dt.date, rules: RuleSet) -> dict[str, dict[str, Any]]:
    from .engine import evaluate

    j = evaluate(doc, today, rules=rules).to_json()
    return {s["id"]: s for t in j["tracks"] for s in t["steps"]}


def profile_impact(doc: Mapping[str, Any], today: dt.date, old: RuleSet, new: RuleSet,
                   profile_id: int = 0, name: str = "") -> ProfileImpact:
    """Each step of one profile document whose status, due date or expiry moves from the old rules
    to the new ones (old -> new), and the fate of the user's overrides."""
    from .rules import OverrideShapeError, RuleNotFound, fit_override

    name = name or str(doc.get("name", ""))
    notes = []
    for rid, ov in sorted((doc.get("overrides") or {}).items()):
        value = ov.get("value") if isinstance(ov, Mapping) else ov
        old_r = old.find(rid, today) if rid in old else None
        if rid not in new:
            notes.append(OverrideNote(rid, value, old_r.value if old_r else None, None, False,
                                      True, False, removed=True))
            continue
        new_r = new.find(rid, today) or new.records(rid)[-1]
        try:
            fitted = fit_override(new, rid, value)
            fits = True
        except (OverrideShapeError, RuleNotFound):
            fitted, fits = value, False
        old_v = old_r.value if old_r else None
        notes.append(OverrideNote(rid, value, old_v, new_r.value, fits and fitted == new_r.value,
                                  old_v != new_r.value, fits))
    try:
        before, after = _steps(doc, today, old), _steps(doc, today, new)
    except Exception as e:  # noqa: BLE001 - a rule the engine cannot use: say it, never crash the dialog
        return ProfileImpact(profile_id, name, [], notes, f"cannot be evaluated with these rules ({e})")
    moves = []
    for sid in [*before, *(s for s in after if s not in before)]:
        a, b = before.get(sid, {}), after.get(sid, {})
        for f in ("status", "due", "expires"):
            if a.get(f) != b.get(f):
                moves.append(StepMove(sid, _step_title(sid), f, a.get(f), b.get(f)))
    return ProfileImpact(profile_id, name, moves, notes)


def impact(store, today: dt.date, old: RuleSet, new: RuleSet) -> list[ProfileImpact]:
    """What a rule update changes for every profile in the data file (see profile_impact)."""
    out = []
    for p in store.list_profiles():
        out.append(profile_impact(store.document(p["id"]), today, old, new, p["id"], p["name"]))
    return out


def impact_text(impacts: list[ProfileImpact]) -> str:
    lines = []
    for imp in impacts:
        lines.append(f"{imp.name} (profile {imp.profile_id}):")
        if imp.error:
            lines.append(f"  {imp.error}")
        if not imp.moves and not imp.error:
            lines.append("  no step's status, due date or expiry changes.")
        for m in imp.moves:
            what = {"status": "status", "due": "due date", "expires": "expiry"}[m.field]
            lines.append(f"  {m.title} ({m.step}): {what} {m.value_text(m.old)} -> {m.value_text(m.new)}")
        for o in imp.overrides:
            if o.removed:
                lines.append(f"  Your value for {o.rule} is kept, but the new rules no longer have this rule.")
            elif not o.still_fits:
                lines.append(f"  Your value for {o.rule} is kept, but no longer has the shape of the rule's value "
                             "and is not used; check it on the step page.")
            elif o.agrees:
                lines.append(f"  Your value for {o.rule} is kept; the new rule now agrees with it "
                             f"({_show(o.new_published)}).")
            else:
                lines.append(f"  Your value for {o.rule} is kept ({_show(o.value)}); the new rule says "
                             f"{_show(o.new_published)}" + (" (changed)." if o.published_changed else "."))
        lines.append("")
    return "\n".join(lines) if lines else "No profiles in this data file.\n"


# -- staleness --------------------------------------------------------------------------------------
STALENESS_RULE = "rules.staleness_months"
STALENESS_SETTING = "rules.staleness_notice_shown"  # the date the notice was last shown (ISO)
NOTICE_EVERY_DAYS = 7


def newest_checked(rules: RuleSet) -> dt.date:
    """The newest `checked` date among the rules in use (CertPath's own policy records left out)."""
    dates = [r.checked for r in rules.all() if not r.file.startswith("certpath/")]
    return max(dates or [r.checked for r in rules.all()])


def _add_months(d: dt.date, months: int) -> dt.date:
    import calendar

    y, m = divmod(d.month - 1 + months, 12)
    y, m = d.year + y, m + 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def stale_since(rules: RuleSet, today: dt.date) -> dt.date | None:
    """The newest checked date when the rules are older than the policy allows, else None."""
    try:
        months = int(rules.value(STALENESS_RULE, today))
    except (LookupError, TypeError, ValueError):
        months = 6  # the policy record is missing from an old pack: the documented default
    newest = newest_checked(rules)
    return newest if today > _add_months(newest, months) else None


def staleness_text(checked: dt.date) -> str:
    return (f"Your rules were last checked on {date_text(checked)}; rules change — "
            "look for an update (File ▸ Update rules…; rule packs are published with each CertPath "
            "release, see docs/rules-format.md).")


def staleness_notice(store, rules: RuleSet, today: dt.date) -> str | None:
    """The dashboard's notice when the rules are stale and it was not shown in the last week; the
    caller shows it (not in a modal box) and calls mark_staleness_shown."""
    checked = stale_since(rules, today)
    if checked is None:
        return None
    last = store.setting(STALENESS_SETTING)
    try:
        if last and (today - dt.date.fromisoformat(last)).days < NOTICE_EVERY_DAYS:
            return None
    except (TypeError, ValueError):
        pass
    return staleness_text(checked)


def mark_staleness_shown(store, today: dt.date) -> None:
    store.set_setting(STALENESS_SETTING, today.isoformat())
