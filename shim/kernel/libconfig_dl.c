/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <stddef.h>

#include "kernel/libconfig_dl.h"

/* Filled once, under the runtime's once-guard, then only read. */
static struct mr_libconfig table;

/* Every function libconfig.so.9 exports (generated at build time from the library). */
static const char *const libconfig_functions[] = {
#include "libconfig_syms.h"
};

/* Does the program (or a library already loaded) define a function libconfig defines? */
static const char *name_clash(void)
{
	for (size_t i = 0; i < sizeof(libconfig_functions) / sizeof(libconfig_functions[0]); i++)
		if (dlsym(RTLD_DEFAULT, libconfig_functions[i]))
			return libconfig_functions[i];
	return NULL;
}

/* Has the program replaced the C library's allocator (jemalloc, tcmalloc)? */
__attribute__((unused)) static bool malloc_replaced(void)
{
	void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
	if (!libc)
		return true; /* cannot tell: assume the unsafe case */
	bool replaced = dlsym(RTLD_DEFAULT, "malloc") != dlsym(libc, "malloc") ||
	                dlsym(RTLD_DEFAULT, "free") != dlsym(libc, "free");
	dlclose(libc);
	return replaced;
}

/*
 * Called with the runtime's once-guard held, so no two threads fill the table.
 *
 * libconfig is opened RTLD_LOCAL: its symbols must not become visible to the
 * program. The other direction needs care. Programs export functions named
 * like libconfig's (lighttpd: config_init, config_free…), and libconfig's calls
 * to its own functions would bind to those and crash the program. RTLD_DEEPBIND
 * prevents that, but also binds libconfig's free() to glibc's while the C
 * library's own allocations (strdup, newlocale) go to a replaced malloc: a
 * program using jemalloc would crash instead. So DEEPBIND only when a name
 * clashes, and no config at all when a name clashes in a program that also
 * replaced malloc (one error line; its sockets stay TCP).
 */
const struct mr_libconfig *mr_libconfig_dl(const char **why)
{
	static int state; /* 0 untried, 1 open, -1 failed */
	static const char *failure;
	if (state) {
		*why = failure;
		return state > 0 ? &table : NULL;
	}
	state = -1;
	int flags = RTLD_NOW | RTLD_LOCAL;
	if (!dlopen("libconfig.so.9", RTLD_LAZY | RTLD_NOLOAD) && name_clash()) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
		/* The ASan and TSan runtimes refuse DEEPBIND. */
		failure = "this program defines functions named like libconfig's (ASan build)";
		*why = failure;
		return NULL;
#else
		if (malloc_replaced()) {
			failure =
			    "this program defines functions named like libconfig's and replaces "
			    "malloc: libconfig cannot be loaded into it safely";
			*why = failure;
			return NULL;
		}
		flags |= RTLD_DEEPBIND;
#endif
	}
	void *h = dlopen("libconfig.so.9", flags);
	if (!h) {
		failure = "libconfig.so.9 cannot be loaded (install libconfig9)";
		*why = failure;
		return NULL;
	}
	struct mr_libconfig t;
	*(void **)&t.init = dlsym(h, "config_init");
	*(void **)&t.destroy = dlsym(h, "config_destroy");
	*(void **)&t.read_string = dlsym(h, "config_read_string");
	*(void **)&t.get_int64 = dlsym(h, "config_setting_get_int64");
	*(void **)&t.get_bool = dlsym(h, "config_setting_get_bool");
	*(void **)&t.get_string = dlsym(h, "config_setting_get_string");
	*(void **)&t.length = dlsym(h, "config_setting_length");
	*(void **)&t.get_elem = dlsym(h, "config_setting_get_elem");
	if (!t.init || !t.destroy || !t.read_string || !t.get_int64 || !t.get_bool ||
	    !t.get_string || !t.length || !t.get_elem) {
		failure = "libconfig.so.9 lacks an expected function";
		*why = failure;
		return NULL;
	}
	table = t;
	state = 1;
	return &table;
}
