#!/usr/bin/env bash
# Real documents for the bench that are not in the repository: written by others, fetched from
# Debian's archive (no network beyond the package registry). Writes bench/docs/.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p docs && cd docs
tmp=$(mktemp -d)
# "A Brief History of Debian" (debian-history, GPL): chapter 1, an English web page with its navigation.
(cd "$tmp" && apt-get download debian-history >/dev/null && dpkg-deb -x debian-history_*.deb x)
cp "$tmp/x/usr/share/doc/debian-history/docs/intro.en.html" debian-history-intro.en.html
# The same chapter in its French translation: a French web page for the batch bench.
cp "$tmp/x/usr/share/doc/debian-history/docs/intro.fr.html" debian-history-intro.fr.html
rm -rf "$tmp"
ls -1
