#!/bin/sh
# Checks the Debian/Ubuntu packages Qt needs (see shared platform notes) and installs the missing
# ones when run as root; otherwise prints the exact apt-get line and fails.
#   scripts/system-deps.sh test    offscreen Qt (the test suite)
#   scripts/system-deps.sh run     + the X11 (xcb) platform plugin, to show windows
#   scripts/system-deps.sh build   + binutils for PyInstaller
# On Windows and macOS nothing is needed: Qt's wheels carry their libraries.
set -eu
what="${1:-test}"
[ "$(uname -s)" = "Linux" ] || exit 0
command -v dpkg-query >/dev/null 2>&1 || { echo "system-deps: not a Debian-like system; see README for the Qt libraries" >&2; exit 0; }

pkgs="libglib2.0-0 libgl1 libegl1 libxkbcommon0 libfontconfig1 libfreetype6 libdbus-1-3 fonts-dejavu-core"
case "$what" in
  run|build) pkgs="$pkgs libxkbcommon-x11-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xfixes0 libxcb-xkb1" ;;
esac
[ "$what" = build ] && pkgs="$pkgs binutils"
# Debian's own python3 needs python3-venv for `python3 -m venv`
if ! "${PYTHON:-python3}" -c "import ensurepip, venv" >/dev/null 2>&1; then pkgs="$pkgs python3-venv"; fi

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
  echo "CertPath needs these system packages for Qt. Run:" >&2
  echo "  sudo apt-get install -y --no-install-recommends$missing" >&2
  exit 1
fi
