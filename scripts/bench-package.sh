#!/usr/bin/env bash
# The packaged build (dist/, from scripts/package.sh: profile `dist`, glibc 2.17) beside the plain
# release build (the README's), in one run:
#  1. each binary's size, and each package's;
#  2. the dashboard's resident memory on the demo after SECS seconds (60), each binary in turn;
#  3. the dashboard's resident memory on a KEYS-key account (10,000, PLANS plans) once every key
#     is listed and MINUTES (2) have passed, each binary in turn against one seeded peer;
#  4. the frame benchmark (benches/frame.rs) under each profile: `cargo bench --bench frame`
#     and the same with `--profile dist` (cargo builds a bench's dependencies with unwinding
#     whatever the profile says, so this is the dist profile's optimisation, not its panic).
# Nothing else should run meanwhile. FRAMES=0 skips the frame benchmark (it builds the dist
# profile once more, for the host).
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${SECS:-60}
KEYS=${KEYS:-10000}
PLANS=${PLANS:-300}
MINUTES=${MINUTES:-2}
FRAMES=${FRAMES:-1}
PY="$(scripts/moto-env.sh | tail -n 1)"
cargo build --release --quiet
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
RELEASE="$TARGET_DIR/release/edgetop"
VERSION=$(cargo metadata --format-version 1 --no-deps | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["packages"][0]["version"])')
WORK=$(mktemp -d)
[ -f "dist/edgetop-$VERSION-x86_64-linux.tar.gz" ] || { echo "no dist/: run scripts/package.sh" >&2; exit 1; }
tar -xzf "dist/edgetop-$VERSION-x86_64-linux.tar.gz" -C "$WORK"
DIST="$WORK/edgetop-$VERSION-x86_64-linux/edgetop"
SOCK=edgetop-bench-package-$$
MOTO=
trap 'tmux -L $SOCK kill-server 2>/dev/null || true; [ -n "$MOTO" ] && kill $MOTO 2>/dev/null; rm -rf "$WORK"' EXIT
mb() { "$PY" -c "print(f'{$1 / 2**20:.1f}')"; }

echo "## sizes"
printf '%-34s %8s MB\n' "release binary" "$(mb "$(stat -c %s "$RELEASE")")" \
  "packaged binary (dist)" "$(mb "$(stat -c %s "$DIST")")"
for f in dist/*.tar.gz dist/*.deb dist/*.rpm; do
  printf '%-34s %8s MB\n' "$(basename "$f")" "$(mb "$(stat -c %s "$f")")"
done

tmux -L "$SOCK" -f /dev/null new-session -d -s b -x 160 -y 48
tmux -L "$SOCK" set-option -g remain-on-exit on
screen() { tmux -L "$SOCK" capture-pane -t b -p; }
rss() { echo "$(($(ps -o rss= -p "$(tmux -L "$SOCK" display-message -p -t b '#{pane_pid}')") / 1024))"; }
dashboard() { # binary, then its options; waits for the Overview's figures
  # The pane's environment is the tmux server's, from before the exports below: given here.
  tmux -L "$SOCK" respawn-pane -k -t b "exec env LANG=C.UTF-8 TERM=xterm-256color \
    AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing \
    AWS_EC2_METADATA_DISABLED=true $* --log-file $WORK/dash.log"
  until screen | grep -q 'requests/min'; do sleep 0.25; done
}
quit() { tmux -L "$SOCK" send-keys -t b q; sleep 1; }

echo "## the dashboard on the demo, after $SECS s"
for b in release:"$RELEASE" dist:"$DIST"; do
  dashboard "${b#*:}" --demo --seed 1
  sleep "$SECS"
  printf '%-10s %5s MB resident\n' "${b%%:*}" "$(rss)"
  quit
done

echo "## the dashboard on $KEYS keys and $PLANS plans, every key listed and $MINUTES min after the start"
"$PY" tests/aws/moto_server.py --port 0 --extras "$WORK/extras.json" > "$WORK/port" 2> "$WORK/moto.log" &
MOTO=$!
for _ in $(seq 100); do grep -q PORT= "$WORK/port" 2>/dev/null && break; sleep 0.1; done
ENDPOINT="http://127.0.0.1:$(sed -n 's/PORT=//p' "$WORK/port")"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing AWS_EC2_METADATA_DISABLED=true
"$PY" tests/aws/seed.py --endpoint "$ENDPOINT" --extras "$WORK/extras.json" --expected "$WORK/expected.json" \
  --keys "$KEYS" --plans "$PLANS" > /dev/null 2> "$WORK/seed.log"
for b in release:"$RELEASE" dist:"$DIST"; do
  start=$(date +%s)
  dashboard "${b#*:}" --region eu-west-1 --endpoint-url "$ENDPOINT" --apigateway-rps 20
  tmux -L "$SOCK" send-keys -t b 6
  until screen | grep -qE " API keys( · [^─]*)? 1/$KEYS "; do sleep 0.5; done
  listed=$(($(date +%s) - start))
  sleep $((MINUTES * 60 - ($(date +%s) - start) > 0 ? MINUTES * 60 - ($(date +%s) - start) : 0))
  printf '%-10s %5s MB resident after %s s (every key listed after %s s)\n' "${b%%:*}" "$(rss)" \
    "$(($(date +%s) - start))" "$listed"
  quit
done

if [ "$FRAMES" = 1 ]; then
  echo "## one full frame at 200x50 (median), release and dist, and the dist/release ratio"
  frames() { # cargo's profile options, then the file to write "name median_ns" lines to
    local out=$1; shift
    cargo bench --quiet --bench frame "$@" -- frame_200x50 2>/dev/null |
      "$PY" -c '
import re, sys
unit = {"ns": 1, "µs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}
name = None
for line in sys.stdin:
    n = re.match(r"^(frame_200x50/\S+)", line)
    if n:
        name = n.group(1)
    t = re.search(r"time:\s+\[\S+ \S+ (\S+) (\S+)", line)
    if t and name:
        print(name, float(t.group(1)) * unit[t.group(2)])
        name = None
' > "$out"
  }
  frames "$WORK/release.txt"
  frames "$WORK/dist.txt" --profile dist
  "$PY" - "$WORK/release.txt" "$WORK/dist.txt" <<'PY'
import sys
read = lambda p: dict((l.split()[0], float(l.split()[1])) for l in open(p) if l.strip())
r, d = read(sys.argv[1]), read(sys.argv[2])
print(f"{'frame':<40} {'release':>10} {'dist':>10} {'dist/release':>13}")
for k in r:
    if k in d:
        print(f"{k:<40} {r[k]/1e3:>8.0f}µs {d[k]/1e3:>8.0f}µs {d[k]/r[k]:>13.2f}")
PY
fi
