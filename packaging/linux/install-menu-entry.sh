#!/bin/sh
# Adds CertPath to the desktop's application menu for the current user (no root needed):
#   ./install-menu-entry.sh              run from the unpacked CertPath folder, wherever it is
#   ./install-menu-entry.sh --uninstall  removes the menu entry and icon again
# Writes ~/.local/share/applications/certpath.desktop (Exec= this folder's CertPath) and the icon
# into ~/.local/share/icons/hicolor/256x256/apps/. Moving the folder later: run it again.
# Your data (~/.local/share/CertPath) is never touched.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
apps="$data/applications"
icons="$data/icons/hicolor/256x256/apps"

refresh() {
  command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$apps" 2>/dev/null || true
  command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$data/icons/hicolor" 2>/dev/null || true
}

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$apps/certpath.desktop" "$icons/certpath.png"
  refresh
  echo "CertPath: menu entry removed (the program folder $here and your data are left as they are)"
  exit 0
fi
[ -x "$here/CertPath" ] || { echo "install-menu-entry.sh: $here/CertPath not found; run me from the unpacked CertPath folder" >&2; exit 1; }
mkdir -p "$apps" "$icons"
cp "$here/certpath.png" "$icons/certpath.png"
# Exec= holds the path as one quoted argument (Desktop Entry spec): \ " ` $ are escaped inside the
# quotes, then every backslash once more for the string value ("\\$" is a literal $).
exe=$(printf '%s' "$here/CertPath" | sed -e 's/[\\"`$]/\\&/g' -e 's/\\/\\\\/g')
icon=$(printf '%s' "$icons/certpath.png" | sed -e 's/\\/\\\\/g')
{ grep -v -e '^Exec=' -e '^Icon=' "$here/certpath.desktop"; printf 'Exec="%s"\nIcon=%s\n' "$exe" "$icon"; } \
  > "$apps/certpath.desktop.tmp"
mv "$apps/certpath.desktop.tmp" "$apps/certpath.desktop"
refresh
echo "CertPath: added to the application menu ($apps/certpath.desktop -> $here/CertPath)"
