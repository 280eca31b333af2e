#!/usr/bin/env bash
# One version source: the Makefile's VERSION must be what `mptcp-run --version`
# prints, what both man pages' .TH lines carry, and NEWS's newest entry.
# Needs `make` (the launcher and build/man/). TAP via tests/lib/tap.sh.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
# shellcheck source=tests/lib/tap.sh
. "$ROOT/tests/lib/tap.sh"

want=$(sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*\([^[:space:]]*\).*/\1/p' Makefile)
[ -n "$want" ] || tap_bail "no VERSION := line in the Makefile"
[ -x build/mptcp-run ] || tap_bail "build/mptcp-run missing: run make first"
echo "# Makefile VERSION: $want"

got=$(build/mptcp-run --version 2>&1)
if [ "$got" = "mptcp-run $want" ]; then
	ok "mptcp-run --version prints the Makefile's version ($got)"
else
	not_ok "mptcp-run --version prints 'mptcp-run $want'" "$got"
fi

for page in build/man/mptcp-run.1 build/man/mptcp-run.conf.5; do
	th=$(grep -m1 '^\.TH' "$page" 2>/dev/null)
	if [ -z "$th" ]; then
		not_ok "$page has a .TH line" "missing page or .TH line: run make"
	elif grep -qF "\"mptcp-run $want\"" <<<"$th"; then
		ok "$page .TH carries $want"
	else
		not_ok "$page .TH carries \"mptcp-run $want\"" "$th"
	fi
done
# A page that still says @VERSION@ was copied, not generated.
left=$(grep -l '@VERSION@' build/man/* 2>/dev/null)
if [ -z "$left" ]; then ok "no @VERSION@ left in build/man/"; else not_ok "no @VERSION@ left in build/man/" "$left"; fi

# NEWS: entries are "YYYY-MM-DD  mptcp-run X.Y.Z", newest first.
newest=$(grep -m1 -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}[[:space:]]+mptcp-run [0-9]' NEWS 2>/dev/null)
if [ -z "$newest" ]; then
	not_ok "NEWS has a dated entry" "no 'YYYY-MM-DD  mptcp-run X.Y.Z' line in NEWS"
elif [ "${newest##* }" = "$want" ]; then
	ok "NEWS's newest entry is $want ($newest)"
else
	not_ok "NEWS's newest entry is $want" "$newest"
fi
# Newest first: the dates never increase going down.
dates=$(grep -oE '^[0-9]{4}-[0-9]{2}-[0-9]{2}[[:space:]]+mptcp-run' NEWS | cut -c1-10)
if [ "$dates" = "$(sort -r <<<"$dates")" ]; then
	ok "NEWS entries are newest first ($(wc -l <<<"$dates") entries)"
else
	not_ok "NEWS entries are newest first" "$dates"
fi
tap_done
