#!/usr/bin/env bash
# Debian packages the tests need: OpenSSH (client and server), MariaDB, the Secret Service keychain
# (gnome-keyring over D-Bus), Chromium for end-to-end tests, a CJK font for screenshots.
# Installing them does not start any service: the test harness starts its own on 127.0.0.1.
set -euo pipefail
packages=(openssh-server openssh-client mariadb-server mariadb-client gnome-keyring dbus dbus-x11
  libsecret-tools libsecret-1-dev chromium xvfb fonts-wqy-microhei procps)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
