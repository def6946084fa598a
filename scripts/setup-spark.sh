#!/usr/bin/env bash
# What the Spark job (spark/, issue 15) runs with: Java 17 from Debian when no Java 17 or newer is on the
# PATH, and a Python venv in .tools/spark-venv with spark/requirements.txt's exact pins from PyPI.
# Idempotent: the venv is rebuilt only when the requirements file changed (a stamp beside it), so a second
# run takes a second. Called by `scripts/setup.sh --spark` (npm test), test-spark.sh and bench-spark.sh, never
# by the demo; prints the venv's python on success.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n== setup-spark: %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# `java -version` prints `openjdk version "17.0.15" ...` (or `"1.8.0_..."` for Java 8) on stderr.
java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\)[.".].*/\1/p' | head -n1; }
if ! command -v java >/dev/null || [ "$(java_major)" -lt 17 ] 2>/dev/null || [ -z "$(java_major)" ]; then
  say "apt-get install openjdk-17-jre-headless"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless
fi

venv=.tools/spark-venv
stamp=$venv/.rootspan-requirements-stamp
if [ ! -x "$venv/bin/python" ] || [ ! -f "$stamp" ] || ! cmp -s spark/requirements.txt "$stamp"; then
  say "python venv $venv with spark/requirements.txt (pyspark is a large download, once)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-input -r spark/requirements.txt
  cp spark/requirements.txt "$stamp"
fi
echo "$venv/bin/python"
