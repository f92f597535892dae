#!/usr/bin/env bash
# Installs the Debian packages that some tests use, when possible (root + apt). Never fails the build:
# the tests that need a missing program skip with a message naming the package.
set -u
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui libreoffice-writer-nogui)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# Liberation Serif is metric-compatible with Times New Roman, the font of the templates and documents
fc-list 2>/dev/null | grep -qi "Liberation Serif" || need+=(fonts-liberation2)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: ${need[*]}"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}") >/tmp/thidua-apt.log 2>&1 \
    || echo "Could not install ${need[*]} (see /tmp/thidua-apt.log); tests that need them will skip."
else
  echo "Not root: install ${need[*]} with apt to run every test."
fi
exit 0
