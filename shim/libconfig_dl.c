/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <stdatomic.h>

#include "libconfig_dl.h"

struct mr_libconfig mr_libconfig;

/*
 * Called with the runtime's once-guard held, so no two threads fill the table.
 * RTLD_LOCAL: libconfig's symbols must not become visible to the program.
 * RTLD_DEEPBIND: nor the program's to libconfig. Programs export functions of
 * the same names (lighttpd has config_init, config_free…); without it
 * libconfig's calls to its own functions bind to the program's and crash it.
 * ASan's runtime refuses DEEPBIND, so sanitizer builds go without.
 */
bool mr_libconfig_open(const char **why)
{
	static int state; /* 0 untried, 1 open, -1 failed */
	if (state < 0)
		*why = "libconfig.so.9 cannot be loaded";
	if (state)
		return state > 0;
#if defined(__SANITIZE_ADDRESS__)
	int flags = RTLD_NOW | RTLD_LOCAL;
#else
	int flags = RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND;
#endif
	void *h = dlopen("libconfig.so.9", flags);
	if (!h) {
		state = -1;
		*why = "libconfig.so.9 cannot be loaded (install libconfig9)";
		return false;
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
		state = -1;
		*why = "libconfig.so.9 lacks an expected function";
		return false;
	}
	mr_libconfig = t;
	state = 1;
	return true;
}
