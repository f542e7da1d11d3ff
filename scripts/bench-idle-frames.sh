#!/usr/bin/env bash
# Frames drawn per minute by the dashboard left alone (no keys), read from its log, for the
# demo's default refresh (2 s) and for a 60 s refresh (the AWS default). The baseline, for the
# ratio, is a fixed 4 Hz redraw clock (240 frames a minute), as many dashboards draw.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${SECS:-60}
cargo build --release --quiet
BIN=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/edgetop
SOCK=edgetop-idle-$$
trap 'tmux -L "$SOCK" kill-server 2>/dev/null || true' EXIT
tmux -L "$SOCK" -f /dev/null new-session -d -s i -x 160 -y 48
tmux -L "$SOCK" set-option -g remain-on-exit on

run() { # label, extra args
  local label=$1; shift
  local log; log=$(mktemp)
  tmux -L "$SOCK" respawn-pane -k -t i "exec env LANG=C.UTF-8 $BIN --demo --log-file $log $*"
  sleep "$SECS"
  tmux -L "$SOCK" send-keys -t i q
  sleep 1
  local per_min
  per_min=$(grep 'frames drawn' "$log" | sed -E 's/.*per_minute=([0-9.]+).*/\1/')
  printf '%-28s %6.1f frames/min at rest   (%.2f× a fixed 4 Hz clock)\n' "$label" "$per_min" "$(python3 -c "print($per_min / 240)")"
  rm -f "$log"
}

run "demo, refresh 2 s" 
run "demo, refresh 60 s" --refresh 60
