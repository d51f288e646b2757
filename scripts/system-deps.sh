#!/bin/sh
# Checks the Debian/Ubuntu packages Qt needs (see shared platform notes) and installs the missing
# ones when run as root; otherwise prints the exact line to run as root (with sudo when there is
# one, else `su -c '...'`: a minimal Debian has no sudo) and fails.
#   scripts/system-deps.sh test    offscreen Qt (the test suite)
#   scripts/system-deps.sh run     + the X11 (xcb) platform plugin, to show windows
#   scripts/system-deps.sh build   + binutils for PyInstaller, and the Python's shared library
#                                  (libpython3.X for $PYTHON's X) when it is Debian's python3 or
#                                  the library is not beside it: PyInstaller copies it into the bundle
# On Windows and macOS nothing is needed: Qt's wheels carry their libraries.
set -eu
what="${1:-test}"
[ "$(uname -s)" = "Linux" ] || exit 0
command -v dpkg-query >/dev/null 2>&1 || { echo "system-deps: not a Debian-like system; see README for the Qt libraries" >&2; exit 0; }

pkgs="libglib2.0-0 libgl1 libegl1 libxkbcommon0 libfontconfig1 libfreetype6 libdbus-1-3 fonts-dejavu-core"
case "$what" in
  run|build) pkgs="$pkgs libxkbcommon-x11-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xfixes0 libxcb-xkb1" ;;
esac
PY="${PYTHON:-python3}"
if [ "$what" = build ]; then
  pkgs="$pkgs binutils"
  # Debian's python3 is linked statically; PyInstaller needs libpython3.X.so.1.0 from the
  # libpython3.X package ("Python shared library ... was not found"). A pyenv/python.org build
  # with --enable-shared has the library in its own prefix and needs nothing.
  libpy=$("$PY" -c 'import os, sys, sysconfig as s
so, libdir = s.get_config_var("INSTSONAME") or "", s.get_config_var("LIBDIR") or ""
beside = ".so" in so and os.path.isfile(os.path.join(libdir, so))
print("" if beside and sys.base_prefix != "/usr" else "libpython%d.%d" % sys.version_info[:2])' 2>/dev/null || true)
  [ -n "$libpy" ] && pkgs="$pkgs $libpy"
fi
# Debian's own python3 needs python3-venv for `python3 -m venv`
if ! "$PY" -c "import ensurepip, venv" >/dev/null 2>&1; then pkgs="$pkgs python3-venv"; fi

missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "system-deps: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  line="apt-get install -y --no-install-recommends$missing"
  if command -v sudo >/dev/null 2>&1; then
    echo "CertPath needs these system packages for Qt. Run:" >&2
    echo "  sudo $line" >&2
  else
    echo "CertPath needs these system packages for Qt. Run (as root; asks for root's password):" >&2
    echo "  su -c '$line'" >&2
  fi
  exit 1
fi
