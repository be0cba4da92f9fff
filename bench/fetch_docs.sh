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
# A whole book for the passage index: the French "Référence Debian" (debian-reference-fr, GPL), 110,000 words
# in 12 chapters as one .txt; and its chapter 10 alone (8,000 words) for the cost-versus-size table.
(cd "$tmp" && apt-get download debian-reference-fr >/dev/null && dpkg-deb -x debian-reference-fr_*.deb y)
gzip -dc "$tmp/y/usr/share/debian-reference/debian-reference.fr.txt.gz" > debian-reference.fr.txt
cp "$tmp/y/usr/share/debian-reference/ch10.fr.html" debian-reference-ch10.fr.html
rm -rf "$tmp"
ls -1
