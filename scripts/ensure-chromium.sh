#!/bin/sh
# Make sure a headless Chromium is available for the HTML report's browser test
# (tests/test_html_report.py). Installs Debian's `chromium` package when it is missing and
# we are root on a Debian/Ubuntu system; otherwise does nothing. Always says what it did.
#
#   scripts/ensure-chromium.sh        # from `make test`, or by hand
#
# Environment:
#   ASSETLOC_SKIP_BROWSER=1   do nothing (the browser test is skipped too)
#   ASSETLOC_CHROMIUM=PATH    a browser binary to use instead of `chromium`
#
# Exit status: 0 when chromium is present, was installed, or nothing could be done
# (not root / no apt-get: the browser test will then fail with instructions); 1 when an
# installation was attempted and failed.
set -u

say() { printf 'ensure-chromium: %s\n' "$*"; }

if [ "${ASSETLOC_SKIP_BROWSER:-0}" = "1" ]; then
    say "ASSETLOC_SKIP_BROWSER=1: not checking for chromium (browser test will be skipped)"
    exit 0
fi

find_browser() {
    if [ -n "${ASSETLOC_CHROMIUM:-}" ] && [ -x "${ASSETLOC_CHROMIUM}" ]; then
        echo "${ASSETLOC_CHROMIUM}"
        return 0
    fi
    for name in chromium chromium-browser; do
        if command -v "$name" >/dev/null 2>&1; then
            command -v "$name"
            return 0
        fi
    done
    return 1
}

if browser=$(find_browser); then
    version=$("$browser" --version 2>/dev/null | head -n 1)
    say "present: $browser (${version:-version unknown}); nothing to do"
    exit 0
fi

if [ "$(id -u)" != "0" ]; then
    say "chromium not found and not running as root: not installing."
    say "install it with: sudo apt-get install -y chromium   (or set ASSETLOC_SKIP_BROWSER=1)"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    say "chromium not found and apt-get is not available: not installing."
    say "install a Chromium yourself and set ASSETLOC_CHROMIUM=/path/to/chromium"
    exit 0
fi

say "chromium not found; installing Debian's chromium package (apt-get update && apt-get install chromium fonts-liberation fonts-dejavu-core)"
export DEBIAN_FRONTEND=noninteractive
if apt-get update -q && apt-get install -y -q --no-install-recommends chromium fonts-liberation fonts-dejavu-core; then
    if browser=$(find_browser); then
        say "installed: $browser ($("$browser" --version 2>/dev/null | head -n 1))"
        exit 0
    fi
fi
say "installation failed; see the apt-get output above"
exit 1
