#!/usr/bin/env bash
# Fresh-machine proof: every external command the tests, the scripts, the demo,
# the Makefile's recipes and CI run comes from a Debian package that
# scripts/setup-deps installs (or from an Essential/required package, on every
# Debian machine). How:
#   1. tests/deps/scan-commands lists the command words of those sources;
#   2. each is looked up in the system PATH (not /usr/local, not ~/.pyenv) and
#      its package found with dpkg -S;
#   3. that package must be Essential/required, or be in setup-deps' list or
#      pulled in by it (its Depends closure);
#   4. the TABLE below (command -> package) must name every non-essential
#      command the sources run, and must agree with dpkg -S;
#   5. self-test: a fake script calling a command whose package setup-deps
#      does not install must fail the check.
# Output: TAP (tests/lib/tap.sh).
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/tap.sh
. tests/lib/tap.sh
{ command -v dpkg-query && command -v apt-cache; } >/dev/null ||
	tap_skip_all "not a Debian machine (no dpkg-query, apt-cache)"
TMP=$(mktemp -d /tmp/mptcp-run-deps.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# The commands of non-essential packages the sources run, and the package each
# comes from. Keep it sorted; the suite fails when it is stale or incomplete.
TABLE="
bear bear
busybox busybox-static
cc gcc
clang-format clang-format
clang-tidy clang-tidy
curl curl
dpkg-architecture dpkg-dev
dpkg-buildpackage dpkg-dev
dpkg-parsechangelog dpkg-dev
file file
gcc gcc
git git
go golang-go
haproxy haproxy
ip iproute2
iperf3 iperf3
jq jq
lighttpd lighttpd
lintian lintian
make make
man man-db
nc netcat-openbsd
nc.openbsd netcat-openbsd
ncat ncat
nft nftables
nginx nginx-light
nm binutils
nstat iproute2
objcopy binutils
pgrep procps
ping iputils-ping
prove perl
python3 python3
rclone rclone
redis-benchmark redis-tools
redis-cli redis-tools
redis-server redis-server
rsync rsync
run-clang-tidy clang-tidy
scp openssh-client
setcap libcap2-bin
shellcheck shellcheck
socat socat
ss iproute2
ssh openssh-client
ssh-keygen openssh-client
sshd openssh-server
strace strace
sysctl procps
systemd-analyze systemd
tc iproute2
tcpdump tcpdump
tmux tmux
tshark tshark
vsftpd vsftpd
wget wget
xmllint libxml2-utils
"
SOURCES=(scripts/setup-deps scripts/testbed scripts/demo scripts/fuzz scripts/check-asan scripts/check-tsan
	scripts/lint tests/lib/tap-tee .ci/run)
while IFS= read -r f; do SOURCES+=("$f"); done < <(find tests -name '*.sh' | sort)
SYS_PATH=/usr/sbin:/usr/bin:/sbin:/bin

# load_lists SETUP-DEPS: the packages it installs ($TMP/listed), and everything
# they pull in ($TMP/closure).
load_lists() {
	local listed
	mapfile -t listed < <(bash "$1" --list)
	[ ${#listed[@]} -gt 5 ] || tap_bail "$1 --list printed ${#listed[@]} packages"
	apt-cache depends --recurse --installed --no-recommends --no-suggests --no-conflicts --no-breaks \
		--no-replaces --no-enhances "${listed[@]}" 2>/dev/null | grep -v '^ ' | sed 's/:.*//' | sort -u >"$TMP/closure"
	printf '%s\n' "${listed[@]}" | sort -u >"$TMP/listed"
}
load_lists scripts/setup-deps
dpkg-query -W -f='${Package} ${Essential} ${Priority}\n' 2>/dev/null |
	awk '$2 == "yes" || $3 == "required" { print $1 }' | sort -u >"$TMP/base"

# owners CMD…: "CMD PACKAGE" per line: the package of CMD's file in the system
# PATH ("?" when dpkg knows no package for it, "-" when there is no such file:
# "builtin" for shell builtins). One dpkg-query call for all: /bin and /usr/bin
# (usrmerge) and the symlink's target (alternatives) are all asked.
owners() {
	local c p r q cands=() pairs=()
	for c in "$@"; do
		if ! p=$(PATH=$SYS_PATH type -P "$c"); then
			case $(type -t "$c") in builtin | keyword) pairs+=("$c builtin") ;; *) pairs+=("$c -") ;; esac
			continue
		fi
		r=$(readlink -f "$p")
		for q in "$p" "$r" "/usr${p#/usr}" "${p#/usr}" "/usr${r#/usr}" "${r#/usr}"; do
			cands+=("$q")
			pairs+=("$c @$q")
		done
	done
	[ ${#cands[@]} -eq 0 ] || dpkg-query -S "${cands[@]}" 2>/dev/null | grep -v '^diversion by' |
		sed -n 's/^\([^:,]*\)[^ ]*: \(.*\)$/\2 \1/p' >"$TMP/dpkg-S"
	printf '%s\n' "${pairs[@]}" | awk -v db="$TMP/dpkg-S" '
		BEGIN { while ((getline l < db) > 0) { split(l, a, " "); if (!(a[1] in pkg)) pkg[a[1]] = a[2] } }
		$2 !~ /^@/ { print; done[$1] = 1; next }
		{ seen[$1] = 1; path = substr($2, 2); if (!($1 in done) && (path in pkg)) { print $1, pkg[path]; done[$1] = 1 } }
		END { for (c in seen) if (!(c in done)) print c, "?" }'
}
table_pkg() { awk -v c="$1" '$1 == c { print $2 }' <<<"$TABLE"; }

# check_sources FILE…: one line per problem on stdout ("FILE:LINE: …"); the
# commands found, with their packages, in $TMP/found.
check_sources() {
	local src kind cmd pkg tpkg
	: >"$TMP/found"
	{
		tests/deps/scan-commands "$@"
		[ -z "${DEPS_MAKEFILE:-}" ] || tests/deps/scan-commands --make "$DEPS_MAKEFILE"
	} | sort -t$'\t' -k3,3 -k2,2r | sort -t$'\t' -s -u -k3,3 >"$TMP/scan"
	local cmds
	mapfile -t cmds < <(cut -f3 "$TMP/scan")
	owners "${cmds[@]}" >"$TMP/owners"
	while IFS=$'\t' read -r src kind cmd; do
		pkg=$(awk -v c="$cmd" '$1 == c { print $2; exit }' "$TMP/owners")
		[ "$pkg" != builtin ] || continue
		# An argument of a function or of an expansion ("$TB" exec S client ping, cli
		# ncat) may be data that happens to name a command: only table entries count.
		[ "$kind" = first ] || [ -n "$(table_pkg "$cmd")" ] || continue
		if [ "$pkg" = - ]; then
			# not on this machine
			tpkg=$(table_pkg "$cmd")
			if [ -z "$tpkg" ]; then
				echo "$src: '$cmd' is not installed here and not in the table: which package has it?"
			elif ! grep -qx "$tpkg" "$TMP/listed"; then
				echo "$src: '$cmd' comes from $tpkg, which setup-deps does not install"
			else
				echo "$cmd $tpkg missing" >>"$TMP/found"
			fi
			continue
		fi
		if [ "$pkg" = "?" ]; then
			echo "$src: '$cmd' ($(PATH=$SYS_PATH type -P "$cmd")) belongs to no Debian package"
			continue
		fi
		echo "$cmd $pkg" >>"$TMP/found"
		grep -qx -- "$pkg" "$TMP/base" && continue
		tpkg=$(table_pkg "$cmd")
		if ! grep -qx -- "$pkg" "$TMP/closure"; then
			echo "$src: '$cmd' comes from $pkg, which setup-deps does not install"
		elif [ -z "$tpkg" ]; then
			echo "$src: '$cmd' ($pkg) is missing from the table in tests/deps/run.sh"
		elif [ "$tpkg" != "$pkg" ] && ! apt-cache depends --recurse --installed --no-recommends \
			--no-suggests "$tpkg" 2>/dev/null | grep -qx -- "$pkg"; then
			echo "$src: the table says '$cmd' comes from $tpkg, dpkg -S says $pkg"
		fi
	done <"$TMP/scan"
}

# 1. The project's own sources.
problems=$(DEPS_MAKEFILE=Makefile check_sources "${SOURCES[@]}")
n=$(wc -l <"$TMP/found")
if [ -z "$problems" ] && [ "$n" -gt 30 ]; then
	ok "every command of ${#SOURCES[@]} scripts and the Makefile ($n) comes from a package setup-deps installs or from Debian's base"
else
	not_ok "commands whose package setup-deps does not install (${#SOURCES[@]} sources, $n commands)" "$problems" 80
fi
while read -r cmd pkg state; do
	[ "$state" = missing ] && skipped "'$cmd' ($pkg) runs" "not installed here: scripts/setup-deps as root installs $pkg"
done <"$TMP/found"

# 2. The table is no longer than the sources: each entry is run by one of them.
stale=""
while read -r cmd pkg; do
	[ -n "$cmd" ] || continue
	grep -q "^$cmd " "$TMP/found" || stale+="$cmd ($pkg) "
	grep -qx -- "$pkg" "$TMP/listed" || grep -qx -- "$pkg" "$TMP/closure" ||
		stale+="$cmd: $pkg is not in setup-deps' list "
done <<<"$TABLE"
if [ -z "$stale" ]; then ok "the command table names only commands the sources run, from listed packages"
else not_ok "table entries no source runs, or from unlisted packages: $stale"; fi

# 3. Self-test: the check fails on a script calling a command setup-deps does
#    not install, and on one calling a command this machine does not have.
fake_cmd=""
while read -r c p; do
	case $p in - | "?" | builtin) continue ;; esac
	grep -qx -- "$p" "$TMP/closure" || grep -qx -- "$p" "$TMP/base" || { fake_cmd=$c fake_pkg=$p; break; }
done < <(owners xxd file bc dc zip unzip ed nano less lsof tcpdump gdb tree)
if [ -n "$fake_cmd" ]; then
	# shellcheck disable=SC2016 # the fake script's own text
	printf '#!/bin/bash\nset -u\nout=$(%s --version 2>&1)\necho "$out" | grep -q x\n' "$fake_cmd" >"$TMP/fake.sh"
	problems=$(check_sources "$TMP/fake.sh")
	if grep -q "'$fake_cmd' comes from $fake_pkg, which setup-deps does not install" <<<"$problems"; then
		ok "self-test: a script calling $fake_cmd ($fake_pkg, not installed by setup-deps) fails the check"
	else
		not_ok "self-test: a script calling $fake_cmd ($fake_pkg) was not caught" "$problems"
	fi
else
	skipped "self-test with an installed command setup-deps does not list" "every candidate here is in setup-deps' closure"
fi
printf '#!/bin/bash\nif true; then mptcp-run-no-such-tool --x | sort; fi\n' >"$TMP/fake2.sh"
problems=$(check_sources "$TMP/fake2.sh")
if grep -q "'mptcp-run-no-such-tool' is not installed here and not in the table" <<<"$problems"; then
	ok "self-test: a command this machine does not have and the table does not name fails the check"
else
	not_ok "self-test: an unknown command was not caught" "$problems"
fi

# The lesson of ping: a setup-deps without iputils-ping fails the check, naming ping.
sed 's/ iputils-ping / /' scripts/setup-deps >"$TMP/setup-deps-noping"
problems=$(load_lists "$TMP/setup-deps-noping" && check_sources tests/testbed/run.sh scripts/testbed)
load_lists scripts/setup-deps
if grep -q "'ping' comes from iputils-ping, which setup-deps does not install" <<<"$problems"; then
	ok "self-test: setup-deps without iputils-ping fails the check on the testbed's ping"
else
	not_ok "self-test: setup-deps without iputils-ping was not caught" "$problems"
fi

# 4. setup-deps as a user, with a package missing (a dpkg-query that says jq is
#    not installed): names it, installs nothing, exit 3 (make check goes on).
AS=()
if [ "$(id -u)" = 0 ]; then
	command -v setpriv >/dev/null && AS=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
fi
if [ "$(id -u)" = 0 ] && [ ${#AS[@]} = 0 ]; then
	skipped "setup-deps as a user names what is missing" "root without setpriv cannot drop to a user"
else
	mkdir -p "$TMP/bin"
	# shellcheck disable=SC2016 # the fake command's own text
	printf '#!/bin/sh\n[ "$3" = jq ] && exit 1\nexec /usr/bin/dpkg-query "$@"\n' >"$TMP/bin/dpkg-query"
	chmod 755 "$TMP" "$TMP/bin" "$TMP/bin/dpkg-query"
	out=$("${AS[@]}" env PATH="$TMP/bin:$SYS_PATH" bash scripts/setup-deps 2>&1)
	rc=$?
	if [ "$rc" = 3 ] && grep -q 'missing packages (run as root to install): jq$' <<<"$out"; then
		ok "setup-deps as a user: names the missing package (jq), exit 3"
	else
		not_ok "setup-deps as a user: want exit 3 naming jq, got exit $rc" "$out"
	fi
fi
tap_done
