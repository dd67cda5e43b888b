#!/usr/bin/env bash
# The newcomer's proof: the README's two commands on a clean Debian 12 root.
#
# Builds a minimal Debian bookworm root with debootstrap (from the mirror this machine's apt uses),
# adds what a new machine of the project's kind has (this machine's Node.js and npm; python3, make,
# g++, git, ca-certificates from Debian), reuses this machine's apt and npm registry configuration
# and certificate authorities, clones the repository's committed HEAD into it and runs, inside:
#   1. npm test
#   2. npm start -- --headless --port 0, then GET /api/v1/system/info
# Each step's duration is printed; the root is unmounted and deleted at the end (also on failure).
#
# usage: sudo bash scripts/clean-root-check.sh [--keep] [--workdir DIR]
#   --keep      leave the root in place (for looking around afterwards); it is still unmounted
#   --workdir   where the root is built (default: a new folder under /var/tmp)
# Needs root (debootstrap, chroot, mounts) and about 6 GB of disk.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
keep=0
workdir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=1 ;;
    --workdir) workdir=$2; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "clean-root-check: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || { echo "clean-root-check: run as root (debootstrap, chroot and mounts need it)" >&2; exit 2; }
for tool in debootstrap chroot git node npm; do
  command -v "$tool" >/dev/null || { echo "clean-root-check: '$tool' is missing (Debian: apt-get install debootstrap git)" >&2; exit 2; }
done

[ -n "$workdir" ] || workdir=$(mktemp -d /var/tmp/vigil-clean-root.XXXXXX)
root="$workdir/root"
mkdir -p "$root"

t_all=$(date +%s)
step_start=0
step() { step_start=$(date +%s); printf '\n===== [clean-root] %s =====\n' "$1"; }
done_step() { printf '===== [clean-root] %s: %d s =====\n' "$1" $(( $(date +%s) - step_start )); summary+=("$(printf '%-42s %5d s' "$1" $(( $(date +%s) - step_start )))"); }
summary=()

server_pid=""
cleanup() {
  local rc=$?
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  # Anything still running inside the root (the app's engine, a stuck test) goes first.
  if [ -d "$root/proc" ]; then
    for p in /proc/[0-9]*; do
      [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && kill -9 "${p#/proc/}" 2>/dev/null || true
    done
  fi
  for m in dev/pts dev/shm dev sys proc; do
    mountpoint -q "$root/$m" 2>/dev/null && umount -l "$root/$m" || true
  done
  if [ "$keep" = 0 ]; then rm -rf "$workdir"; else echo "[clean-root] kept $root"; fi
  printf '\n===== [clean-root] summary =====\n'
  for line in "${summary[@]}"; do echo "$line"; done
  printf '%-42s %5d s\n' "total" $(( $(date +%s) - t_all ))
  if [ "$rc" = 0 ]; then echo "[clean-root] PASSED"; else echo "[clean-root] FAILED (exit $rc)"; fi
  exit "$rc"
}
trap cleanup EXIT

# The Debian mirror this machine's apt uses (deb822 .sources or one-line sources.list).
mirror=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)
[ -n "$mirror" ] || mirror=$(grep -hE '^deb .*bookworm( |$)' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | head -n1 || true)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

step "debootstrap (minbase bookworm from $mirror)"
debootstrap --variant=minbase --include=ca-certificates,python3,make,g++,git bookworm "$root" "$mirror" >"$workdir/debootstrap.log" 2>&1 \
  || { tail -n 30 "$workdir/debootstrap.log"; exit 1; }
done_step "debootstrap + python3 make g++ git ca-certs"

step "this machine's configuration"
# apt: Debian's own sources (not third-party ones) and the apt.conf settings.
rm -f "$root/etc/apt/sources.list"
mkdir -p "$root/etc/apt/sources.list.d" "$root/etc/apt/apt.conf.d"
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*; do
  [ -f "$f" ] || continue
  grep -qE 'debian\.org|/debian' "$f" && ! grep -qE 'nodesource|google' "$f" && cp "$f" "$root$f"
done
cp -a /etc/apt/apt.conf.d/. "$root/etc/apt/apt.conf.d/"
# Certificate authorities (the machine's own additions too), npm's configuration.
mkdir -p "$root/usr/local/share/ca-certificates"
cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
cp -a /etc/ssl/certs/. "$root/etc/ssl/certs/"
for f in /etc/npmrc /usr/etc/npmrc /root/.npmrc; do [ -f "$f" ] && mkdir -p "$root$(dirname "$f")" && cp -a "$f" "$root$f"; done
# The machine's Node.js and npm, as a new machine of this kind has them.
node_bin=$(readlink -f "$(command -v node)")
node_prefix=$(dirname "$(dirname "$node_bin")")
mkdir -p "$root/usr/bin" "$root/usr/lib" "$root/usr/include"
cp -a "$node_bin" "$root/usr/bin/node"
cp -a "$node_prefix/lib/node_modules" "$root/usr/lib/"
[ -d "$node_prefix/include/node" ] && cp -a "$node_prefix/include/node" "$root/usr/include/"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/bin/npx"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
cp /etc/hosts "$root/etc/hosts" 2>/dev/null || true
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"; mount --make-rslave "$root/sys"
mount --bind /dev "$root/dev"
mkdir -p "$root/dev/pts" "$root/dev/shm"
mountpoint -q "$root/dev/pts" || mount -t devpts devpts "$root/dev/pts" || true
mountpoint -q "$root/dev/shm" || mount -t tmpfs tmpfs "$root/dev/shm"
done_step "configuration, Node $(node --version), npm $(npm --version)"

step "git clone (committed HEAD $(git -C "$repo" rev-parse --short HEAD))"
git clone -q "$repo" "$root/root/vigil"
done_step "git clone"

in_root() { chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 TERM=dumb "$@"; }

step "npm test"
set +e
in_root bash -c 'cd /root/vigil && npm test' 2>&1 | tee "$workdir/npm-test.log" | grep --line-buffered -E '^\[setup\]|=====|passed|failed|Error'
status=${PIPESTATUS[0]}
set -e
grep -A8 '===== summary' "$workdir/npm-test.log" | tail -n +2 || true
[ "$status" = 0 ] || { echo "[clean-root] npm test failed (exit $status); its log: $workdir/npm-test.log"; keep=1; exit 1; }
done_step "npm test"

step "npm start -- --headless --port 0"
log="$workdir/npm-start.log"
in_root bash -c 'cd /root/vigil && exec npm start -- --headless --port 0' >"$log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 1 240); do
  url=$(grep -oE 'http://127\.0\.0\.1:[0-9]+/' "$log" | head -n1 || true)
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.5
done
[ -n "$url" ] || { cat "$log"; echo "[clean-root] npm start printed no URL"; exit 1; }
info=$(in_root node -e "fetch(process.argv[1]).then(async r => { const t = await r.text(); console.log(r.status, t); process.exit(r.ok ? 0 : 1); }).catch(e => { console.error(e.message); process.exit(1); })" "${url}api/v1/system/info")
echo "GET ${url}api/v1/system/info → $info"
done_step "npm start + GET /api/v1/system/info"
