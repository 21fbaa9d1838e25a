#!/usr/bin/env bash
# deps.sh - installs the Debian packages the game needs, if any are missing.
#   scripts/deps.sh play     build tools, ENet, SDL2, SDL2_ttf
#   scripts/deps.sh server   build tools and ENet only (no SDL)
#   scripts/deps.sh test     all of "play", plus cmocka and clang
# Installs with apt-get as root, or through sudo when it needs no password;
# otherwise prints the exact command to run and exits 1.
set -euo pipefail
what=${1:-play}
pkgs="build-essential cmake pkg-config libenet-dev"
case "$what" in
    server) ;;
    play) pkgs="$pkgs libsdl2-dev libsdl2-ttf-dev" ;;
    test) pkgs="$pkgs libsdl2-dev libsdl2-ttf-dev libcmocka-dev clang libclang-rt-dev" ;;
    *) echo "usage: $0 play|server|test" >&2; exit 2 ;;
esac
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" = 0 ]; then
    echo "Installing:$missing"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $cmd
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    echo "Installing with sudo:$missing"
    sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive $cmd
else
    echo "These Debian packages are missing:$missing"
    echo "Install them as root, then run this again:"
    echo "  sudo apt-get update && sudo $cmd"
    exit 1
fi
