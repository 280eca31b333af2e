#!/usr/bin/env bash
# `make install` into a staging tree: every file where the docs say, with sane
# modes, and an existing /etc/mptcp-run.conf is never overwritten.
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/tap.sh
. tests/lib/tap.sh
D=$(mktemp -d /tmp/mptcp-run-install.XXXXXX)
trap 'rm -rf "$D"' EXIT

out=$(make -s install PREFIX=/usr DESTDIR="$D" 2>&1) || not_ok "make install succeeds" "$out"
for f in usr/lib/mptcp-run/libmptcp-run.so:644 usr/bin/mptcp-run:755 etc/mptcp-run.conf:644 \
	usr/share/man/man1/mptcp-run.1:644 usr/share/man/man5/mptcp-run.conf.5:644 \
	usr/lib/systemd/system/mptcp-run-pathd.service:644; do
	path=${f%%:*} mode=${f##*:}
	if [ -f "$D/$path" ] && [ "$(stat -c %a "$D/$path")" = "$mode" ]; then ok "installed $path ($mode)"
	else not_ok "installed $path ($mode)" "$(ls -l "$D/$path" 2>&1)"; fi
done
if grep -qx 'ExecStart=/usr/bin/mptcp-run pathd -f -c /etc/mptcp-run.conf' \
	"$D/usr/lib/systemd/system/mptcp-run-pathd.service" 2>/dev/null; then
	ok "the path manager's unit names the installed launcher"
else not_ok "the path manager's unit names the installed launcher" "$(grep Exec "$D/usr/lib/systemd/system/mptcp-run-pathd.service" 2>&1)"; fi
if cmp -s conf/mptcp-run.conf "$D/etc/mptcp-run.conf"; then ok "the example config is the one installed"; else not_ok "the example config is the one installed"; fi
echo '# the admin edited this' >"$D/etc/mptcp-run.conf"
make -s install PREFIX=/usr DESTDIR="$D" >/dev/null 2>&1
if grep -q 'the admin edited this' "$D/etc/mptcp-run.conf"; then ok "a second install keeps an existing config"; else not_ok "a second install keeps an existing config"; fi
make -s uninstall PREFIX=/usr DESTDIR="$D" >/dev/null 2>&1
if [ ! -e "$D/usr/lib/mptcp-run/libmptcp-run.so" ] && [ ! -e "$D/usr/bin/mptcp-run" ]; then ok "uninstall removes the library and the launcher"; else not_ok "uninstall removes the library and the launcher"; fi
tap_done
