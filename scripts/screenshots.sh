#!/usr/bin/env bash
# Regenerates screenshots/*.png from the real binary in demo mode in a real terminal:
# tmux capture-pane (colours kept) → rich (ANSI → SVG) → rsvg-convert (SVG → PNG).
set -euo pipefail
cd "$(dirname "$0")/.."
COLS=${COLS:-160}
ROWS=${ROWS:-48}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
command -v tmux >/dev/null || missing+=(tmux)
command -v rsvg-convert >/dev/null || missing+=(librsvg2-bin)
fc-list 2>/dev/null | grep -qi "DejaVu Sans Mono" || missing+=(fonts-dejavu-core)
if ((${#missing[@]})); then
  as_root apt-get update -qq && as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi
VENV=target/screenshot-venv
if ! "$VENV/bin/python" -c 'import rich' 2>/dev/null; then
  python3 -m venv "$VENV" && "$VENV/bin/pip" install -q 'rich==14.*'
fi

cargo build --release --quiet
BIN=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/edgetop
SOCK=edgetop-shots-$$
OUT=screenshots
mkdir -p "$OUT"
tm() { tmux -L "$SOCK" "$@"; }
trap 'tm kill-server 2>/dev/null || true' EXIT

# Its own state directory: the demo's audit log starts empty, and no real one is touched.
STATE=$(mktemp -d)
trap 'tm kill-server 2>/dev/null || true; rm -rf "$STATE"' EXIT
tm -f /dev/null new-session -d -s s -x "$COLS" -y "$ROWS"
tm respawn-pane -k -t s "exec env TERM=xterm-256color COLORTERM=truecolor LANG=C.UTF-8 XDG_STATE_HOME=$STATE $BIN --demo --seed 1 --speed 1 --log-file /tmp/edgetop-shots.log"
sleep 2

shot() { # name, keys...
  local name=$1; shift
  for k in "$@"; do tm send-keys -t s "$k"; sleep 0.3; done
  sleep 1
  tm capture-pane -e -p -t s > "target/$name.ansi"
  "$VENV/bin/python" - "target/$name.ansi" "$OUT/$name.svg" "$COLS" "edgetop — $name" <<'PY'
import io, sys
from rich.console import Console
from rich.text import Text
src, dst, cols, title = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
data = open(src, encoding="utf-8").read().rstrip("\n")
console = Console(record=True, width=cols, file=io.StringIO(), color_system="truecolor", force_terminal=True)
console.print(Text.from_ansi(data), end="", overflow="crop", no_wrap=True)
svg = console.export_svg(title=title)
# rsvg drops the width of non-breaking spaces; plain spaces kept by xml:space line up.
svg = svg.replace("&#160;", " ").replace("<svg ", '<svg xml:space="preserve" ', 1)
open(dst, "w", encoding="utf-8").write(svg)
PY
  rsvg-convert -o "$OUT/$name.png" "$OUT/$name.svg"
  rm -f "$OUT/$name.svg"
  echo "screenshots/$name.png"
}

shot overview 1
shot throttling 2
shot waf 3
shot origins 4
shot geo 5
shot keys 6
shot access 7
shot confirm-toggle 3 / G e o S c r a p e r s Enter t
# Confirm it, then rotate a key: the steps as they run, then the audit log.
tm send-keys -t s Tab; sleep 0.3; tm send-keys -t s Enter; sleep 1
shot rotate-progress Escape 6 / c d n - o r i g i n Enter r Tab Enter
shot audit-log Escape a
tm send-keys -t s Escape q
