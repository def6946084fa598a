#!/usr/bin/env bash
# Installs everything rootspan builds and tests with, on a fresh machine or an old one.
# Idempotent: each step checks before it installs, so a second run takes seconds.
# `--spark` adds what the Spark job's tests need (Java 17, a PySpark venv: scripts/setup-spark.sh);
# `npm test` passes it, `npm run demo` does not.
set -euo pipefail
spark=0
for arg in "$@"; do
  case $arg in
    --spark) spark=1 ;;
    *) echo "setup: unknown argument $arg (known: --spark)" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."

say() { printf '\n== setup: %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Rust: the two wasm targets (browser + raw ABI use wasm32-unknown-unknown).
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen-cli must equal the crate's pinned wasm-bindgen version exactly.
want=$(sed -n 's/^wasm-bindgen = { *version = "=\([0-9.]*\)".*/\1/p; s/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' wasm-plugin/Cargo.toml | head -n1)
if [ -n "$want" ] && [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
  say "cargo install wasm-bindgen-cli $want (about 7 minutes, once)"
  # --locked fails here: its lockfile wants a webpki-roots the registry lacks.
  cargo install wasm-bindgen-cli --version "$want"
fi

# Debian packages: Chromium for the browser tests, zip/unzip for the plugin zip.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v zip >/dev/null || missing+=(zip)
command -v unzip >/dev/null || missing+=(unzip)
apt_updated=0
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  as_root apt-get update -qq && apt_updated=1
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Prometheus for the simulator's metrics (a real server on 127.0.0.1, started and stopped by the tests
# themselves on a free port). Debian's package is unpacked into .tools/prometheus/, not installed: installing
# it would start a system service, and setup never starts, stops or kills anything of the user's.
prom_dir=.tools/prometheus
if [ ! -x "$prom_dir/usr/bin/prometheus" ] || [ ! -x "$prom_dir/usr/bin/promtool" ]; then
  say "unpack Debian's prometheus into $prom_dir"
  [ $apt_updated = 1 ] || as_root apt-get update -qq
  scratch=$(mktemp -d)
  (cd "$scratch" && apt-get download -qq prometheus)
  rm -rf "$prom_dir" && mkdir -p "$prom_dir"
  dpkg-deb -x "$scratch"/prometheus_*.deb "$prom_dir"
  rm -rf "$scratch"
fi

# npm packages, exactly as locked. Reinstall only when the lock changed.
stamp=node_modules/.rootspan-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  say "npm ci"
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi
# The Spark job (spark/): Java 17 and a venv with PySpark, pyarrow and wasmtime (878 MB in
# .tools/spark-venv, once); only for the tests, so the demo does not download it.
if [ $spark = 1 ]; then
  say "spark: $(bash scripts/setup-spark.sh)"
fi
say "ready"
