# mptcp-run — build, test, install.
# `make` builds the preload library and the launcher; `make check` runs every test.

PREFIX     ?= /usr/local
DESTDIR    ?=
SYSCONFDIR ?= /etc
LIBDIR     ?= $(PREFIX)/lib/mptcp-run
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
VERSION    := 0.1.0

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
CPPFLAGS_ALL := -std=gnu11 -D_GNU_SOURCE -Ishim -DMR_VERSION=\"$(VERSION)\" \
	-DMR_LIBDIR=\"$(LIBDIR)\" -DMR_SYSCONFDIR=\"$(SYSCONFDIR)\"
ALL_CFLAGS = $(CPPFLAGS_ALL) $(WARN) -fPIC -fvisibility=hidden -fno-strict-aliasing $(CFLAGS) $(EXTRA_CFLAGS)
LDLIBS_CONFIG := -lconfig

B := build

# The pure policy engine and config loader, shared by the library, the launcher and the tests.
POLICY_SRCS := shim/policy.c shim/endpoint.c shim/config.c
# Everything else in shim/ is the preload library, which also gets its own build of
# the config loader that opens libconfig on demand (see shim/libconfig_dl.h).
SHIM_SRCS   := $(filter-out $(POLICY_SRCS),$(wildcard shim/*.c))
SHIM_POLICY_OBJS := $(B)/obj/shim/policy.o $(B)/obj/shim/endpoint.o $(B)/obj/shim/config-dl.o
# launcher/main.c holds main(); the rest is linkable into unit tests.
LAUNCHER_SRCS := $(wildcard launcher/*.c)
LAUNCHER_LIB_SRCS := $(filter-out launcher/main.c,$(LAUNCHER_SRCS))
UNIT_SRCS   := $(wildcard tests/unit/test_*.c)
FUNC_SRCS   := $(wildcard tests/func/*.c)
BENCH_SRCS  := $(wildcard bench/*.c)

POLICY_OBJS := $(POLICY_SRCS:%.c=$(B)/obj/%.o)
SHIM_OBJS   := $(SHIM_SRCS:%.c=$(B)/obj/%.o)
LAUNCHER_OBJS := $(LAUNCHER_SRCS:%.c=$(B)/obj/%.o)
LAUNCHER_LIB_OBJS := $(LAUNCHER_LIB_SRCS:%.c=$(B)/obj/%.o)
UNIT_BINS   := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
FUNC_BINS   := $(FUNC_SRCS:tests/func/%.c=$(B)/tests/func/%)
BENCH_BINS  := $(BENCH_SRCS:bench/%.c=$(B)/bench/%)

LIB      := $(B)/libmptcp-run.so
LAUNCHER := $(B)/mptcp-run

.PHONY: all check check-unit check-asan demo matrix matrix-quick bench fuzz install uninstall clean \
	format format-check tests
all: $(LIB) $(if $(LAUNCHER_SRCS),$(LAUNCHER))

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libmptcp-policy.a: $(POLICY_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

# libconfig's exported functions, to detect a program that defines the same names.
LIBCONFIG_SO := $(shell $(CC) -print-file-name=libconfig.so.9)
$(B)/gen/libconfig_syms.h: $(LIBCONFIG_SO)
	@mkdir -p $(dir $@)
	nm -D --defined-only $< | awk '$$2 == "T" && $$3 !~ /^_/ { printf "\t\"%s\",\n", $$3 }' > $@.tmp
	@test -s $@.tmp || { echo "no symbols read from $<" >&2; exit 1; }
	mv $@.tmp $@

$(B)/obj/shim/libconfig_dl.o: $(B)/gen/libconfig_syms.h
$(B)/obj/shim/libconfig_dl.o: ALL_CFLAGS += -I$(B)/gen

$(B)/obj/shim/config-dl.o: shim/config.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DMR_LIBCONFIG_DLOPEN -MMD -MP -c -o $@ $<

# Lazy binding and no libconfig dependency: every process on a machine may load this.
$(LIB): $(SHIM_OBJS) $(SHIM_POLICY_OBJS) shim/libmptcp-run.map
	$(CC) -shared -o $@ $(SHIM_OBJS) $(SHIM_POLICY_OBJS) \
		-Wl,--version-script=shim/libmptcp-run.map -Wl,-z,relro -Wl,--as-needed \
		$(LDFLAGS) -ldl

$(LAUNCHER): $(LAUNCHER_OBJS) $(B)/libmptcp-policy.a
	$(CC) -o $@ $(LAUNCHER_OBJS) $(B)/libmptcp-policy.a $(LDFLAGS) $(LDLIBS_CONFIG)

$(B)/liblauncher.a: $(LAUNCHER_LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/tests/%: tests/unit/%.c $(B)/libmptcp-policy.a $(B)/liblauncher.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -o $@ $< $(B)/liblauncher.a $(B)/libmptcp-policy.a \
		$(LDFLAGS) -lcmocka $(LDLIBS_CONFIG)

# Exports functions named like libconfig's, as lighttpd does.
$(B)/tests/func/clash: LDFLAGS += -rdynamic

$(B)/tests/func/%: tests/func/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -o $@ $< $(LDFLAGS)

$(B)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -o $@ $< $(LDFLAGS) -lpthread

tests: all $(UNIT_BINS) $(FUNC_BINS)

check: tests
	@tests/run-all.sh

check-unit: $(UNIT_BINS)
	@tests/run-unit.sh

# A fresh machine has no build dependencies yet: install first, then build.
demo:
	scripts/setup-deps
	$(MAKE) all
	scripts/demo

# The tool matrix alone (also part of `make check`); matrix-quick: ncat rows only.
matrix: all
	tests/matrix/run.sh

matrix-quick: all
	tests/matrix/run.sh --quick

bench: all $(FUNC_BINS) $(BENCH_BINS) $(B)/libmptcp-policy.a
	scripts/bench

# Sanitizer build of the library, the unit and the functional tests (ASan + UBSan, leaks).
check-asan:
	scripts/check-asan

# Bounded fuzzing of the config loader and the policy matcher (clang, libFuzzer).
fuzz: $(B)/libmptcp-policy.a
	scripts/fuzz

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

install: all
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSCONFDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 0644 $(LIB) $(DESTDIR)$(LIBDIR)/libmptcp-run.so
	$(if $(LAUNCHER_SRCS),install -m 0755 $(LAUNCHER) $(DESTDIR)$(BINDIR)/mptcp-run)
	test -e $(DESTDIR)$(SYSCONFDIR)/mptcp-run.conf || \
		install -m 0644 conf/mptcp-run.conf $(DESTDIR)$(SYSCONFDIR)/mptcp-run.conf
	for m in man/*.1; do [ -e "$$m" ] && install -m 0644 "$$m" $(DESTDIR)$(MANDIR)/man1/ || true; done
	for m in man/*.5; do [ -e "$$m" ] && install -m 0644 "$$m" $(DESTDIR)$(MANDIR)/man5/ || true; done

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libmptcp-run.so $(DESTDIR)$(BINDIR)/mptcp-run \
		$(DESTDIR)$(MANDIR)/man1/mptcp-run.1 $(DESTDIR)$(MANDIR)/man5/mptcp-run.conf.5
	-rmdir $(DESTDIR)$(LIBDIR)

clean:
	rm -rf $(B)

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
