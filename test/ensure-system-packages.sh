#!/usr/bin/env bash
# Run by `npm test` before the suite: the dashboard tests drive Debian's chromium and the transport tests start
# Debian's clickhouse-server. Installs what is missing when it can (root and apt-get), else names the command to run.
set -euo pipefail
need=()
for pkg in chromium clickhouse-server; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "npm test: installing ${need[*]} (apt-get) for the dashboard and transport tests" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
  exit 0
fi
echo "npm test needs Debian packages ${need[*]}; run: sudo apt-get install -y ${need[*]}" >&2
exit 1
