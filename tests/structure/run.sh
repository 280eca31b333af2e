#!/usr/bin/env bash
# The architecture checks (tests/structure/layers.py): layer rules, no include or
# link cycle, no call into the library's own exports, a pure policy engine.
set -u
cd "$(dirname "$0")/../.." || exit 2
exec python3 tests/structure/layers.py
