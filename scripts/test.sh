#!/usr/bin/env bash
# Runs the whole test suite. Installs libmujoco 2.2.2 (needed by the MuJoCo tests) when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! ldconfig -p 2>/dev/null | grep -q 'libmujoco\.so'; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "scripts/test.sh: libmujoco is missing; installing libmujoco2.2.2 and libmujoco-dev with apt-get" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libmujoco2.2.2 libmujoco-dev >/dev/null
  else
    echo "scripts/test.sh: libmujoco is missing. Install it with: sudo apt-get install libmujoco2.2.2 libmujoco-dev" >&2
    exit 1
  fi
fi

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
set +e
dotnet test TrustRegion.slnx -c Release --logger "trx" --results-directory "$results" "$@"
status=$?
set -e
# One plain closing line that any CI reader understands: "N passed, N failed".
python3 - "$results" <<'PY' || true
import sys, glob, xml.etree.ElementTree as ET
p = f = s = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(path).getroot().find(".//{*}Counters")
    if c is not None:
        p += int(c.get("passed", 0)); f += int(c.get("failed", 0)); s += int(c.get("notExecuted", 0))
print(f"tests: {p} passed, {f} failed, {s} skipped")
PY
exit $status
