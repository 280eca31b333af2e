# mptcp-run — build, test, install.
# `make` builds the preload library and the launcher; `make check` runs every test.
#
# The layers (README, "Architecture"), each a folder, each using only those below it:
#   shim/entry   the interposed calls, one file each       -> shim/core, shim/kernel
#   shim/core    the socket lifecycle inside the library   -> shim/kernel, shim/format, shim/policy
#   shim/kernel  real calls, kernel ABI, logging, files    -> (libc, the kernel)
#   shim/format  the report line's format (pure)           -> shim/policy
#   shim/policy  the pure policy engine                    -> (libc string/memory only)
#   launcher/cmd the sub-commands                          -> launcher/{pathd,supervise,sampler,
#                                                             report,live,os,text}, shim/policy,
#                                                             shim/kernel/config_file
#   launcher/pathd the path daemon (netlink, registrations) -> launcher/{planner,os,text},
#                                                             shim/{format,policy}, shim/kernel/uapi
#   launcher/planner the daemon's decisions (pure)          -> shim/policy
#   launcher/sampler sock_diag, /proc, interfaces for top  -> launcher/{live,pathd,os,text},
#                                                             shim/kernel/uapi
#   launcher/report, launcher/live (pure: rates, layout),
#   launcher/os, launcher/text                             -> below them in that order
# `make check-layers` (part of `make check`) proves it on the sources and the built objects.

PREFIX     ?= /usr/local
DESTDIR    ?=
SYSCONFDIR ?= /etc
# Root-owned state that outlives a run (the kernel integrity record): never under PREFIX.
STATEDIR   ?= /var/lib/mptcp-run
LIBDIR     ?= $(PREFIX)/lib/mptcp-run
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# The path manager's unit: installed, never enabled or started by `make install` or the package.
UNITDIR    ?= $(PREFIX)/lib/systemd/system
# The one version source: --version and the man pages take it from here (tests/version, NEWS).
VERSION    := 0.2.0

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
CPPFLAGS_ALL := -std=gnu11 -D_GNU_SOURCE -iquote shim -iquote launcher -DMR_VERSION=\"$(VERSION)\" \
	-DMR_LIBDIR=\"$(LIBDIR)\" -DMR_SYSCONFDIR=\"$(SYSCONFDIR)\" \
	-DMR_STATEDIR=\"$(STATEDIR)\"
ALL_CFLAGS = $(CPPFLAGS_ALL) $(WARN) -fPIC -fvisibility=hidden -fno-strict-aliasing $(CFLAGS) $(EXTRA_CFLAGS)
LDLIBS_CONFIG := -lconfig
# The report reader (launcher/report/reader.c) parses with jansson.
LDLIBS_JSON   := -ljansson
# The path daemon (launcher/pathd/) and the sampler (launcher/sampler/) speak netlink with libmnl.
LDLIBS_MNL    := -lmnl
# `mptcp-run top`'s live screen (launcher/cmd/top_screen.c); the timeline figure's axes (-lm).
LDLIBS_CURSES := -lncursesw -lm

B := build

# ---- sources, by layer ----
ENTRY_SRCS  := $(wildcard shim/entry/*.c)
CORE_SRCS   := $(wildcard shim/core/*.c)
# libconfig_linked.c binds the config reader to a linked libconfig (launcher, tests, fuzzers);
# the library opens libconfig on demand instead (libconfig_dl.c).
KERNEL_SRCS := $(filter-out shim/kernel/libconfig_linked.c,$(wildcard shim/kernel/*.c))
POLICY_SRCS := $(wildcard shim/policy/*.c)
# The report line's format: pure too, written by the library and by the supervisor.
FORMAT_SRCS := $(wildcard shim/format/*.c)
CONFIG_FILE_SRCS := shim/kernel/config_file.c shim/kernel/libconfig_linked.c shim/kernel/read_full.c \
	shim/kernel/integrity_file.c
LAUNCHER_LIB_SRCS := $(wildcard launcher/cmd/*.c launcher/pathd/*.c launcher/planner/*.c \
	launcher/supervise/*.c launcher/integrity/*.c launcher/sampler/*.c launcher/report/*.c \
	launcher/live/*.c launcher/os/*.c launcher/text/*.c)
# The registration channel and the pinning: the library's, and the supervisor's too (their
# system calls come through a table; the library passes its real ones). Interface kinds:
# the pinning's, and the path daemon's.
LAUNCHER_LIB_SRCS += shim/kernel/pathd_sock.c shim/kernel/pathd_pin.c shim/kernel/ifkind.c
LAUNCHER_SRCS := launcher/main.c $(LAUNCHER_LIB_SRCS)
UNIT_SRCS   := $(wildcard tests/unit/*/test_*.c)
SHIM_TEST_SRCS := $(wildcard tests/shim/*.c)
# The kernel fault's reproducer (plain sockets, tests/integrity/repro-join-while-reading.py).
INTEGRITY_TEST_BINS := $(B)/tests/integrity/join-while-reading
BENCH_SRCS  := $(wildcard tests/bench/*.c)

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))
LIB_OBJS    := $(call obj,$(ENTRY_SRCS) $(CORE_SRCS) $(KERNEL_SRCS) $(FORMAT_SRCS) $(POLICY_SRCS))
POLICY_OBJS := $(call obj,$(POLICY_SRCS))
FORMAT_OBJS := $(call obj,$(FORMAT_SRCS))
CONFIG_FILE_OBJS := $(call obj,$(CONFIG_FILE_SRCS))
LAUNCHER_OBJS := $(call obj,$(LAUNCHER_SRCS))
LAUNCHER_LIB_OBJS := $(call obj,$(LAUNCHER_LIB_SRCS))
UNIT_BINS   := $(patsubst %.c,$(B)/tests/unit/%,$(notdir $(UNIT_SRCS)))
SHIM_TEST_BINS := $(SHIM_TEST_SRCS:tests/shim/%.c=$(B)/tests/shim/%)
BENCH_BINS  := $(BENCH_SRCS:tests/bench/%.c=$(B)/bench/%)

LIB      := $(B)/libmptcp-run.so
LAUNCHER := $(B)/mptcp-run
MAN_PAGES := $(B)/man/mptcp-run.1 $(B)/man/mptcp-run.conf.5

.PHONY: all check check-unit check-layers check-asan check-tsan lint demo fresh-runs matrix matrix-quick bench \
	fuzz install uninstall deb clean format format-check shellcheck tests print-policy-srcs
all: $(LIB) $(LAUNCHER) $(MAN_PAGES)

# A new VERSION must reach --version too: the objects that print it follow the Makefile.
$(call obj,launcher/cmd/run.c): Makefile

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The policy engine as a library: the launcher, the tests and the fuzzers link it.
$(B)/libmptcp-policy.a: $(POLICY_OBJS) $(FORMAT_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

# The config file reader for programs that link libconfig (everything but the preload library).
$(B)/libmptcp-config.a: $(CONFIG_FILE_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

# libconfig's exported functions, to detect a program that defines the same names.
LIBCONFIG_SO := $(shell $(CC) -print-file-name=libconfig.so.9)
$(B)/gen/libconfig_syms.h: $(LIBCONFIG_SO)
	@mkdir -p $(dir $@)
	nm -D --defined-only $< | awk '$$2 == "T" && $$3 !~ /^_/ { printf "\t\"%s\",\n", $$3 }' > $@.tmp
	@test -s $@.tmp || { echo "no symbols read from $<" >&2; exit 1; }
	mv $@.tmp $@

$(B)/obj/shim/kernel/libconfig_dl.o: $(B)/gen/libconfig_syms.h
$(B)/obj/shim/kernel/libconfig_dl.o: ALL_CFLAGS += -iquote $(B)/gen

# Lazy binding and no libconfig dependency: every process on a machine may load this.
$(LIB): $(LIB_OBJS) shim/entry/libmptcp-run.map
	$(CC) -shared -o $@ $(LIB_OBJS) \
		-Wl,--version-script=shim/entry/libmptcp-run.map -Wl,-z,relro -Wl,--as-needed \
		$(LDFLAGS) -ldl

# LAUNCHER_LDFLAGS: link flags for the launcher alone (the Debian build adds -z now there).
$(LAUNCHER): $(LAUNCHER_OBJS) $(B)/libmptcp-config.a $(B)/libmptcp-policy.a
	$(CC) -o $@ $(LAUNCHER_OBJS) $(B)/libmptcp-config.a $(B)/libmptcp-policy.a $(LDFLAGS) \
		$(LAUNCHER_LDFLAGS) $(LDLIBS_CONFIG) $(LDLIBS_JSON) $(LDLIBS_MNL) $(LDLIBS_CURSES)

$(B)/liblauncher.a: $(LAUNCHER_LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

# Man pages carry the version from this Makefile.
$(B)/man/mptcp-run.1: launcher/mptcp-run.1 Makefile
$(B)/man/mptcp-run.conf.5: conf/mptcp-run.conf.5 Makefile
$(MAN_PAGES):
	@mkdir -p $(dir $@)
	sed 's/@VERSION@/$(VERSION)/g' $< > $@.tmp && mv $@.tmp $@

UNIT_LIBS := $(B)/liblauncher.a $(B)/libmptcp-config.a $(B)/libmptcp-policy.a
define unit_rule
$(B)/tests/unit/$(notdir $(1:.c=)): $(1) $(UNIT_LIBS)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(ALL_CFLAGS) -Wno-missing-prototypes -o $$@ $$< $$(UNIT_OBJS) $(UNIT_LIBS) $$(LDFLAGS) \
		$$(UNIT_LDFLAGS) -lcmocka $$(LDLIBS_CONFIG) $$(LDLIBS_JSON) $$(LDLIBS_MNL) $$(LDLIBS_CURSES)
endef
# Failure injection: the report test makes malloc and realloc fail on demand (not through
# LDFLAGS, which check-asan sets on the command line).
$(B)/tests/unit/test_report_reader: UNIT_LDFLAGS := -Wl,--wrap=malloc -Wl,--wrap=realloc
$(foreach s,$(UNIT_SRCS),$(eval $(call unit_rule,$(s))))

# Exports functions named like libconfig's, as lighttpd does.
$(B)/tests/shim/clash: LDFLAGS += -rdynamic

$(B)/tests/shim/%: tests/shim/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -o $@ $< $(LDFLAGS)

$(B)/bench/%: tests/bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -o $@ $< $(LDFLAGS) -lpthread

$(B)/tests/integrity/%: tests/integrity/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -o $@ $< $(LDFLAGS) -lpthread

tests: all $(UNIT_BINS) $(SHIM_TEST_BINS) $(INTEGRITY_TEST_BINS)

# A fresh machine: install what the tests need first (as root; otherwise setup-deps
# names what is missing, exit 3, and the suites that need it skip with the reason).
check:
	@scripts/setup-deps || [ $$? -eq 3 ]
	$(MAKE) tests
	@tests/run-all.sh

check-unit: $(UNIT_BINS)
	@tests/run-unit.sh

check-layers: all $(B)/libmptcp-policy.a
	@tests/structure/run.sh

# For scripts that compile the policy engine themselves (fuzzers, sanitizer replays).
print-policy-srcs:
	@echo $(POLICY_SRCS) $(FORMAT_SRCS) $(CONFIG_FILE_SRCS)

# A fresh machine has no build dependencies yet: install first, then build.
demo:
	scripts/setup-deps
	$(MAKE) all
	scripts/demo

# The README's two commands repeated on fresh clones of HEAD, counted (DEMO=20 CHECK=5 by default).
fresh-runs:
	scripts/fresh-runs --demo $${DEMO:-20} --check $${CHECK:-5}

# The tool matrix alone (also part of `make check`); matrix-quick: ncat rows only.
matrix: all
	tests/matrix/run.sh

matrix-quick: all
	tests/matrix/run.sh --quick

# scripts/bench-pathd (the path daemon's rows) is optional: its build/bench-pathd.md is appended
# to build/bench.md when the script exists; a stale copy from an earlier run never is.
# PATHD_AGAINST=REV also measures REV's build, interleaved (before/after columns).
bench: all $(SHIM_TEST_BINS) $(BENCH_BINS) $(B)/libmptcp-policy.a $(B)/libmptcp-config.a
	scripts/bench
	@rm -f $(B)/bench-pathd.md
	@if [ -e scripts/bench-pathd ]; then \
		scripts/bench-pathd $(if $(PATHD_AGAINST),--against $(PATHD_AGAINST)) && \
			{ echo; cat $(B)/bench-pathd.md; } >> $(B)/bench.md; \
	else echo "bench: scripts/bench-pathd not present, its rows are skipped"; fi

# Sanitizer build of the library, the unit and the functional tests (ASan + UBSan, leaks).
check-asan:
	scripts/check-asan

# ThreadSanitizer build of the library, the probe and the stress test: races fail.
check-tsan:
	scripts/check-tsan

# Bounded fuzzing of the config loader and the policy matcher (clang, libFuzzer).
fuzz: $(B)/libmptcp-policy.a
	scripts/fuzz

# clang-tidy with .clang-tidy's checks; fails on any finding (scripts/lint says which folders).
lint:
	scripts/lint

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

# Every shell script of scripts/ (bench is python) and tests/ (sources followed: -x).
SHELL_SCRIPTS = scripts/setup-deps scripts/testbed scripts/demo scripts/fuzz scripts/check-asan \
	scripts/check-tsan scripts/lint scripts/bench-pathd scripts/fresh-runs \
	tests/lib/tap-tee $(shell find tests -name '*.sh' | sort)
shellcheck:
	shellcheck -x $(SHELL_SCRIPTS)

install: all
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSCONFDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 0644 $(LIB) $(DESTDIR)$(LIBDIR)/libmptcp-run.so
	install -m 0755 $(LAUNCHER) $(DESTDIR)$(BINDIR)/mptcp-run
	test -e $(DESTDIR)$(SYSCONFDIR)/mptcp-run.conf || \
		install -m 0644 conf/mptcp-run.conf $(DESTDIR)$(SYSCONFDIR)/mptcp-run.conf
	install -m 0644 $(B)/man/mptcp-run.1 $(DESTDIR)$(MANDIR)/man1/mptcp-run.1
	install -m 0644 $(B)/man/mptcp-run.conf.5 $(DESTDIR)$(MANDIR)/man5/mptcp-run.conf.5
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(UNITDIR)
	install -m 0644 launcher/mptcp-run.bash-completion $(DESTDIR)$(BASHCOMPDIR)/mptcp-run
	@# The unit names the launcher where this install puts it.
	sed 's|@BINDIR@|$(BINDIR)|g' conf/mptcp-run-pathd.service.in > $(B)/mptcp-run-pathd.service
	install -m 0644 $(B)/mptcp-run-pathd.service $(DESTDIR)$(UNITDIR)/mptcp-run-pathd.service

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libmptcp-run.so $(DESTDIR)$(BINDIR)/mptcp-run \
		$(DESTDIR)$(MANDIR)/man1/mptcp-run.1 $(DESTDIR)$(MANDIR)/man5/mptcp-run.conf.5 \
		$(DESTDIR)$(BASHCOMPDIR)/mptcp-run $(DESTDIR)$(UNITDIR)/mptcp-run-pathd.service
	-rmdir $(DESTDIR)$(LIBDIR)

# The Debian package, build/mptcp-run_$(VERSION)_ARCH.deb (debian/, README "Debian package").
# Built in a copy of the tree under build/deb-src: dpkg-buildpackage writes next to the source.
DEB_SRC := $(B)/deb-src/mptcp-run-$(VERSION)
deb:
	@v=$$(dpkg-parsechangelog -S Version) && [ "$$v" = "$(VERSION)" ] || \
		{ echo "debian/changelog says $$v, Makefile VERSION is $(VERSION): add a changelog entry (dch -v $(VERSION))" >&2; exit 1; }
	rm -rf $(B)/deb-src && mkdir -p $(DEB_SRC)
	tar -c --exclude-vcs --exclude=./$(B) . | tar -x -C $(DEB_SRC)
	cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b
	mv $(B)/deb-src/*.deb $(B)/deb-src/*.changes $(B)/deb-src/*.buildinfo $(B)/
	rm -rf $(B)/deb-src
	@ls $(B)/mptcp-run_$(VERSION)_*.deb

clean:
	rm -rf $(B)

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
