/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <stdatomic.h>

#include "libconfig_dl.h"

struct mr_libconfig mr_libconfig;

/* Called with the runtime's once-guard held, so no two threads fill the table. */
bool mr_libconfig_open(const char **why)
{
	static int state; /* 0 untried, 1 open, -1 failed */
	if (state)
		return state > 0 || (*why = "libconfig.so.9 cannot be loaded", false);
	/* RTLD_LOCAL: its symbols must not become visible to (and clash in) the program. */
	void *h = dlopen("libconfig.so.9", RTLD_NOW | RTLD_LOCAL);
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
