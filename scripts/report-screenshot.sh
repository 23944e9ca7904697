#!/usr/bin/env bash
# A screenshot of a `cascade tune --report` page in headless Chromium, to look at its layout.
# Usage: scripts/report-screenshot.sh report.html [out.png]   (Debian: apt-get install -y chromium)
set -euo pipefail
report=$(realpath "${1:?usage: scripts/report-screenshot.sh report.html [out.png]}")
out=${2:-${1%.html}.png}
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
  echo "no Chromium found: install it (Debian: apt-get install -y chromium) or open $report in a browser" >&2
  exit 2
fi
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=900,1600 \
  --screenshot="$out" "file://$report" 2>/dev/null
echo "wrote $out"
