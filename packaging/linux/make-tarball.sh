#!/bin/sh
# The Linux release archive: dist/CertPath (from `./dev bundle`) plus the menu entry, its icon and
# the install note, packed as dist/CertPath-<version>-linux-x86_64.tar.gz.
#   sh packaging/linux/make-tarball.sh [VERSION]     (default: core.__version__)
set -eu
cd "$(dirname "$0")/../.."
version="${1:-$(sed -n 's/^__version__ *= *"\([^"]*\)".*/\1/p' core/__init__.py)}"
[ -n "$version" ] || { echo "make-tarball: no version given and none found in core/__init__.py" >&2; exit 1; }
[ -x dist/CertPath/CertPath ] || { echo "make-tarball: dist/CertPath/CertPath missing: run ./dev bundle first" >&2; exit 1; }
cp packaging/linux/certpath.desktop packaging/linux/install-menu-entry.sh packaging/linux/INSTALL.txt dist/CertPath/
cp resources/icons/certpath.png dist/CertPath/certpath.png
chmod +x dist/CertPath/install-menu-entry.sh
out="dist/CertPath-$version-linux-x86_64.tar.gz"
tar -C dist -czf "$out" --owner=0 --group=0 CertPath
echo "$out"
