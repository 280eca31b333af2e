#!/usr/bin/env bash
# The Debian package (`make deb`, debian/): built, checked by lintian, then
# installed, used, upgraded, removed and purged with apt and dpkg for real.
#
# Why the host is never changed: installing writes /usr, /etc/ld.so.preload
# and dpkg's database, so the whole suite re-executes itself in a private
# mount namespace (`unshare -m --propagation private`) and, after the build,
# mounts overlays on /etc, /usr and /var whose upper layers live on a tmpfs
# private to that namespace. dpkg's database (/var/lib/dpkg), apt's state, the
# installed files and /etc/ld.so.preload are then copies that vanish with the
# namespace, whatever happens: a failed run cannot leave the machine with a
# broken /etc/ld.so.preload. The namespace is checked to differ from the one
# the suite was started in before anything is mounted; if an overlay cannot be
# mounted, the install cases are skipped, never run on the real tree.
#
# Cases: changelog version = Makefile VERSION; make deb; lintian (no error or
# warning); apt-get install; files where they belong; mptcp-run check and the
# matrix's ncat rows (ss -M, sha256) with /usr/bin/mptcp-run; an upgrade keeps
# the edited config, the preload entry and a drop-in; remove takes the library
# out of /etc/ld.so.preload and removes the drop-in (`ls` prints no loader
# error), also when /usr/bin/mptcp-run is already gone, and is refused (library
# kept) when the entry cannot be edited; purge leaves nothing of what dpkg -L
# listed, nor /etc/mptcp-run.conf.
# Root only (namespaces, dpkg); TAP via tests/lib/tap.sh.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD

if [ "$(id -u)" -ne 0 ]; then
	. "$ROOT/tests/lib/tap.sh"
	tap_skip_all "not root: the package is installed and removed with dpkg in a private mount namespace"
fi
if [ -z "${MR_PKG_OUTER_NS:-}" ]; then
	MR_PKG_OUTER_NS=$(readlink /proc/self/ns/mnt)
	export MR_PKG_OUTER_NS
	if unshare -m --propagation private true 2>/dev/null; then
		exec unshare -m --propagation private bash "$0" "$@"
	fi
	. "$ROOT/tests/lib/tap.sh"
	tap_skip_all "unshare -m not possible here (no mount namespaces)"
fi

. "$ROOT/tests/lib/tap.sh"
if [ "$(readlink /proc/self/ns/mnt)" = "$MR_PKG_OUTER_NS" ]; then
	tap_bail "not in a private mount namespace: refusing to go on"
fi
mount --make-rprivate / || tap_bail "mount --make-rprivate /"

T=$(mktemp -d /tmp/mptcp-run-package.XXXXXX)
OVERLAID=()
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	local m
	for m in "${OVERLAID[@]}"; do umount -l "$m" 2>/dev/null; done
	umount -l "$T" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in dpkg-buildpackage dh lintian apt-get; do
	command -v "$tool" >/dev/null || tap_skip_all "$tool not installed (scripts/setup-deps installs the packaging tools)"
done

VERSION=$(sed -n 's/^VERSION *:= *//p' Makefile)
ARCH=$(dpkg --print-architecture)
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)
DEB=$ROOT/build/mptcp-run_${VERSION}_${ARCH}.deb
LIB=/usr/lib/$MA/mptcp-run/libmptcp-run.so
BIN=/usr/bin/mptcp-run
export DEBIAN_FRONTEND=noninteractive

# ---- 1. build ----
cl=$(dpkg-parsechangelog -S Version 2>&1)
if [ -n "$VERSION" ] && [ "$cl" = "$VERSION" ]; then ok "debian/changelog version $cl = Makefile VERSION"
else not_ok "debian/changelog version '$cl' = Makefile VERSION '$VERSION'"; fi

rm -f "$ROOT"/build/mptcp-run_*.deb "$ROOT"/build/mptcp-run-dbgsym_*.deb
if out=$(timeout -k 10 600 make -s deb 2>&1) && [ -f "$DEB" ]; then ok "make deb builds build/${DEB##*/}"
else not_ok "make deb builds build/${DEB##*/}" "$(tail -30 <<<"$out")"; tap_done; fi
if grep -q '^Result: PASS' <<<"$out" && grep -q 'test_policy' <<<"$out"; then ok "the unit tests ran at build time"
else not_ok "the unit tests ran at build time" "$(grep -i 'passed\|fail' <<<"$out")"; fi

# The .changes: the package and its -dbgsym; --info shows the info tags as comments.
lintian --fail-on error,warning --info "$ROOT/build/mptcp-run_${VERSION}_${ARCH}.changes" >"$T/lintian" 2>&1
rc=$?
out=$(grep -v 'running with root privileges' "$T/lintian")
if [ "$rc" -eq 0 ] && ! grep -q '^[EW]:' <<<"$out"; then ok "lintian: no errors, no warnings"
else not_ok "lintian: no errors, no warnings (exit $rc)" "$out"; fi
# shellcheck disable=SC2001 # a prefix on every line of a multi-line text
if [ -n "$out" ]; then sed 's/^/# lintian: /' <<<"$out"; fi

deps=$(dpkg-deb -f "$DEB" Depends)
if grep -q 'libconfig9' <<<"$deps" && grep -q 'libc6' <<<"$deps"; then ok "Depends from shlibs: $deps"
else not_ok "Depends from shlibs (libconfig9, libc6)" "$deps"; fi

# ---- 2. the private /etc, /usr and /var ----
mount -t tmpfs -o mode=0755 mptcp-run-package "$T" || tap_bail "tmpfs on $T"
for d in etc usr var; do
	mkdir -p "$T/$d.upper" "$T/$d.work"
	if mount -t overlay overlay -o "lowerdir=/$d,upperdir=$T/$d.upper,workdir=$T/$d.work" "/$d"; then
		OVERLAID=("/$d" "${OVERLAID[@]}")
	fi
done
if [ ${#OVERLAID[@]} -ne 3 ] || [ "$(findmnt -n -o FSTYPE /etc)" != overlay ] ||
	[ "$(findmnt -n -o FSTYPE /usr)" != overlay ] || [ "$(findmnt -n -o FSTYPE /var)" != overlay ]; then
	skipped "install, upgrade, remove, purge" "overlayfs on /etc, /usr and /var not possible here"
	tap_done
fi
ok "private overlays on /etc, /usr, /var (the host's are never written)"

# An earlier mptcp-run on the host (make install, an old package) would hide what the package does.
dpkg -s mptcp-run >/dev/null 2>&1 && dpkg --purge mptcp-run >/dev/null 2>&1
rm -f /etc/ld.so.preload

apt_do() { # apt-get ARGS...: output on failure
	timeout -k 10 300 apt-get -y -q --no-install-recommends "$@" 2>&1
}
loader_errors() { # stderr of a few new processes: the loader complains there
	{ ls / >/dev/null; sh -c true; cat /dev/null; } 2>&1
}

# ---- 3. install ----
if out=$(apt_do install "$DEB"); then ok "apt-get install ./build/${DEB##*/}"
else not_ok "apt-get install ./build/${DEB##*/}" "$out"; tap_done; fi
LIST=$(dpkg -L mptcp-run)
for f in "$BIN:755" "$LIB:644" "/etc/mptcp-run.conf:644" "/usr/share/man/man1/mptcp-run.1.gz:644" \
	"/usr/share/man/man5/mptcp-run.conf.5.gz:644" "/usr/share/bash-completion/completions/mptcp-run:644" \
	"/usr/share/doc/mptcp-run/copyright:644"; do
	p=${f%:*} m=${f##*:}
	if [ -f "$p" ] && [ "$(stat -c '%a %U' "$p")" = "$m root" ] && grep -qxF "$p" <<<"$LIST"; then
		ok "installed $p ($m, root)"
	else
		not_ok "installed $p ($m, root)" "$(ls -l "$p" 2>&1)"
	fi
done
if dpkg-query -W -f='${Conffiles}\n' mptcp-run | grep -q '^ /etc/mptcp-run.conf '; then ok "/etc/mptcp-run.conf is a conffile"
else not_ok "/etc/mptcp-run.conf is a conffile" "$(dpkg-query -W -f='${Conffiles}' mptcp-run)"; fi
if cmp -s conf/mptcp-run.conf /etc/mptcp-run.conf; then ok "the installed config is conf/mptcp-run.conf"
else not_ok "the installed config is conf/mptcp-run.conf"; fi
unit=$(dpkg -L mptcp-run | grep -E '/systemd/system/mptcp-run-pathd\.service$')
if [ -n "$unit" ] && grep -qx 'ExecStart=/usr/bin/mptcp-run pathd -f -c /etc/mptcp-run.conf' "$unit" &&
	! ls /etc/systemd/system/*.wants/mptcp-run-pathd.service >/dev/null 2>&1; then
	ok "the path manager's unit is installed ($unit), naming /usr/bin/mptcp-run, not enabled"
else not_ok "the path manager's unit is installed, naming /usr/bin/mptcp-run, not enabled" "$(dpkg -L mptcp-run | grep -i systemd; grep Exec "$unit" 2>&1)"; fi

out=$("$BIN" --version 2>&1)
if grep -q "$VERSION" <<<"$out"; then ok "$BIN --version says $VERSION"; else not_ok "$BIN --version says $VERSION" "$out"; fi
out=$(man -P cat mptcp-run 2>/dev/null | grep -c .)
if [ "${out:-0}" -gt 10 ]; then ok "man mptcp-run reads the installed page"; else skipped "man mptcp-run" "man-db not usable here"; fi
out=$(cd / && "$BIN" check --no-probe 2>&1); rc=$?
if [ "$rc" -eq 0 ]; then ok "mptcp-run check from /usr/bin exits 0"; else not_ok "mptcp-run check from /usr/bin exits 0 (got $rc)" "$out"; fi
# shellcheck disable=SC2016  # $$ is the inner shell's
out=$("$BIN" sh -c 'cat /proc/$$/maps' 2>&1)
if grep -qF "$LIB" <<<"$out"; then ok "/usr/bin/mptcp-run preloads the packaged library"
else not_ok "/usr/bin/mptcp-run preloads the packaged library" "$(grep -i mptcp <<<"$out")"; fi

if [ -f /usr/share/bash-completion/bash_completion ]; then
	out=$(bash -c '. /usr/share/bash-completion/bash_completion; . /usr/share/bash-completion/completions/mptcp-run
		c() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
			_mptcp_run mptcp-run "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"; echo "${COMPREPLY[*]}"; }
		c mptcp-run prel; c mptcp-run preload ""; c mptcp-run --l; c mptcp-run -l ""; c mptcp-run report x --s' 2>&1)
	want=$'preload\ninstall uninstall status\n--log\noff error warn info debug\n--svg'
	if [ "$out" = "$want" ]; then ok "bash completion: sub-commands, actions, options, values"
	else not_ok "bash completion: sub-commands, actions, options, values" "$out"; fi
else
	skipped "bash completion" "bash-completion not installed"
fi

# ---- 4. the matrix's ncat rows with the installed launcher ----
# A copy of the matrix and the testbed, so build/matrix.md of `make check` stays as it was.
if ip netns list >/dev/null 2>&1 && command -v ncat >/dev/null; then
	M=$T/matrix
	mkdir -p "$M/tests/matrix" "$M/tests/lib" "$M/scripts"
	cp tests/matrix/run.sh tests/matrix/lib.sh "$M/tests/matrix/"
	cp tests/lib/tap.sh "$M/tests/lib/"
	cp scripts/testbed "$M/scripts/"
	out=$(timeout -k 10 300 bash "$M/tests/matrix/run.sh" --quick --launcher "$BIN" 2>&1)
	rc=$?
	if [ "$rc" = 0 ] && grep -qx '# 2 passed, 0 failed, 0 skipped' <<<"$out" &&
		grep -q "launcher '$BIN'" <<<"$out"; then
		ok "matrix ncat rows (ss -M both ends, sha256) with $BIN"
	else
		not_ok "matrix ncat rows (ss -M both ends, sha256) with $BIN" "$out"
	fi
	grep '^# | ncat' <<<"$out"
else
	skipped "matrix ncat rows" "no ip netns or no ncat"
fi

# ---- 5. upgrade (a reinstall runs prerm upgrade): the admin's state survives ----
echo '# the admin edited this' >>/etc/mptcp-run.conf
mkdir -p /etc/systemd/system
printf '[Service]\nExecStart=/bin/true\n' >/etc/systemd/system/mr-pkgtest.service
DROPIN=/etc/systemd/system/mr-pkgtest.service.d/mptcp-run.conf
# shellcheck disable=SC2015 # the || branch is the failure report of the whole chain
out=$("$BIN" enable mr-pkgtest.service 2>&1) && [ -f "$DROPIN" ] && grep -qF "$LIB" "$DROPIN" ||
	not_ok "mptcp-run enable writes $DROPIN" "$out"
out=$("$BIN" preload install 2>&1) || not_ok "mptcp-run preload install" "$out"
if out=$(apt_do install --reinstall "$DEB"); then ok "apt-get install --reinstall (upgrade path)"
else not_ok "apt-get install --reinstall (upgrade path)" "$out"; fi
if grep -q 'the admin edited this' /etc/mptcp-run.conf && [ -f "$DROPIN" ] &&
	"$BIN" preload status >/dev/null 2>&1 && [ -z "$(loader_errors)" ]; then
	ok "upgrade keeps the edited config, the drop-in and the preload entry, no loader error"
else
	not_ok "upgrade keeps the edited config, the drop-in and the preload entry" \
		"$(ls -l "$DROPIN" 2>&1; cat /etc/ld.so.preload 2>&1; loader_errors)"
fi

# ---- 6. remove ----
out=$(apt_do remove mptcp-run); rc=$?
if [ "$rc" -eq 0 ]; then ok "apt-get remove mptcp-run"; else not_ok "apt-get remove mptcp-run" "$out"; fi
if ! grep -qsF "$LIB" /etc/ld.so.preload; then ok "remove: /etc/ld.so.preload no longer names the library"
else not_ok "remove: /etc/ld.so.preload no longer names the library" "$(cat /etc/ld.so.preload)"; fi
err=$(loader_errors)
if [ -z "$err" ]; then ok "remove: ls, sh, cat print no loader error"; else not_ok "remove: ls, sh, cat print no loader error" "$err"; fi
if [ ! -e "$DROPIN" ] && [ ! -e "${DROPIN%/*}" ] && grep -q 'removed the drop-ins of: mr-pkgtest.service' <<<"$out"; then
	ok "remove: the drop-in of mptcp-run enable is gone, and the unit is named"
else
	not_ok "remove: the drop-in of mptcp-run enable is gone, and the unit is named" "$(ls -la "${DROPIN%/*}" 2>&1; echo "$out")"
fi
if [ -f /etc/mptcp-run.conf ] && [ ! -e "$BIN" ] && [ ! -e "$LIB" ] &&
	[ "$(dpkg-query -W -f='${db:Status-Abbrev}' mptcp-run 2>/dev/null)" = "rc " ]; then
	ok "remove: files gone, the config kept (state rc)"
else
	not_ok "remove: files gone, the config kept (state rc)" "$(dpkg-query -W -f='${db:Status-Abbrev}' mptcp-run 2>&1; ls -l /etc/mptcp-run.conf "$BIN" "$LIB" 2>&1)"
fi

# ---- 7. remove with the launcher already gone: the maintainer script edits the file itself ----
LIBC=$(ldd /bin/true | awk '/libc\.so/ { print $3 }')
if out=$(apt_do install "$DEB") && printf '%s\n%s\n' "$LIBC" "$LIB" >/etc/ld.so.preload; then
	"$BIN" enable mr-pkgtest.service >/dev/null 2>&1
	rm -f "$BIN"
	out=$(apt_do remove mptcp-run); rc=$?
	if [ "$rc" -eq 0 ] && [ "$(cat /etc/ld.so.preload 2>&1)" = "$LIBC" ] && [ ! -e "$DROPIN" ] &&
		[ -z "$(loader_errors)" ]; then
		ok "remove without /usr/bin/mptcp-run: only our entry and drop-in go, no loader error"
	else
		not_ok "remove without /usr/bin/mptcp-run: only our entry and drop-in go" "$out"$'\n'"$(cat /etc/ld.so.preload 2>&1)"
	fi
	rm -f /etc/ld.so.preload
else
	not_ok "reinstall for the launcher-gone case" "$out"
fi

# ---- 8. a preload entry that cannot be edited: the removal stops, the library stays ----
# /etc/ld.so.preload as a symlink (the launcher refuses to edit through one): removing the
# package anyway would leave every program preloading a missing file.
if apt_do install "$DEB" >/dev/null; then
	printf '%s\n' "$LIB" >/etc/ld.so.preload.real
	ln -sf ld.so.preload.real /etc/ld.so.preload
	out=$(apt_do remove mptcp-run); rc=$?
	if [ "$rc" -ne 0 ] && [ -f "$LIB" ] && [ -x "$BIN" ] && [ -z "$(loader_errors)" ] &&
		[ "$(dpkg-query -W -f='${db:Status-Abbrev}' mptcp-run)" = "ii " ]; then
		ok "remove refused while /etc/ld.so.preload (a symlink) names the library; library kept"
	else
		not_ok "remove refused while /etc/ld.so.preload (a symlink) names the library" \
			"exit $rc; $(dpkg-query -W -f='${db:Status-Abbrev}' mptcp-run 2>&1)"$'\n'"$out"
	fi
	rm -f /etc/ld.so.preload /etc/ld.so.preload.real
else
	not_ok "reinstall for the symlink case"
fi

# ---- 9. purge: nothing of the package is left ----
apt_do install "$DEB" >/dev/null && "$BIN" enable mr-pkgtest.service >/dev/null 2>&1 &&
	"$BIN" preload install >/dev/null 2>&1
if out=$(apt_do purge mptcp-run); then ok "apt-get purge mptcp-run"; else not_ok "apt-get purge mptcp-run" "$out"; fi
left=""
while IFS= read -r p; do
	if [ -z "$p" ] || [ "$p" = "/." ]; then continue; fi
	if [ -d "$p" ]; then
		# A directory may stay when another package owns it (/usr/bin, /usr/share/man,
		# /lib, a symlink to usr/lib on a merged-/usr system...).
		dpkg -S "$p" >/dev/null 2>&1 || left="$left $p"
	elif [ -e "$p" ] || [ -L "$p" ]; then
		left="$left $p"
	fi
done <<<"$LIST"
for p in /etc/mptcp-run.conf /etc/mptcp-run.conf.dpkg-old /etc/mptcp-run.conf.dpkg-dist "$DROPIN" \
	"${DROPIN%/*}" "/usr/lib/$MA/mptcp-run"; do
	[ -e "$p" ] && left="$left $p"
done
grep -qsF "$LIB" /etc/ld.so.preload && left="$left /etc/ld.so.preload:entry"
if [ -z "$left" ] && ! dpkg -s mptcp-run >/dev/null 2>&1; then
	ok "purge: none of the $(grep -c . <<<"$LIST") paths of dpkg -L left, no config, no drop-in, no preload entry"
else
	not_ok "purge: nothing of the package left" "left:$left; $(dpkg-query -W -f='${db:Status-Abbrev}' mptcp-run 2>&1)"
fi
err=$(loader_errors)
if [ -z "$err" ]; then ok "purge: no loader error"; else not_ok "purge: no loader error" "$err"; fi

tap_done
