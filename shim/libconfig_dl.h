/* SPDX-License-Identifier: MIT */
/*
 * libconfig, opened on demand inside the preload library.
 *
 * The library is loaded into every process of a machine that uses
 * /etc/ld.so.preload; linking libconfig would make each of them map and
 * relocate it at start, though most never create a socket and so never read
 * the config. config.c is compiled a second time for the library with
 * MR_LIBCONFIG_DLOPEN, which routes its libconfig calls through this table,
 * filled by dlopen() at the first config load.
 */
#ifndef MPTCP_RUN_LIBCONFIG_DL_H
#define MPTCP_RUN_LIBCONFIG_DL_H

#include <libconfig.h>
#include <stdbool.h>

struct mr_libconfig {
	void (*init)(config_t *);
	void (*destroy)(config_t *);
	int (*read_string)(config_t *, const char *);
	long long (*get_int64)(const config_setting_t *);
	int (*get_bool)(const config_setting_t *);
	const char *(*get_string)(const config_setting_t *);
	int (*length)(const config_setting_t *);
	config_setting_t *(*get_elem)(const config_setting_t *, unsigned int);
};

extern struct mr_libconfig mr_libconfig;

/* Opens libconfig once; false (and *why set) if it cannot be loaded. */
bool mr_libconfig_open(const char **why);

#define config_init(c)                mr_libconfig.init(c)
#define config_destroy(c)             mr_libconfig.destroy(c)
#define config_read_string(c, s)      mr_libconfig.read_string(c, s)
#define config_setting_get_int64(s)   mr_libconfig.get_int64(s)
#define config_setting_get_bool(s)    mr_libconfig.get_bool(s)
#define config_setting_get_string(s)  mr_libconfig.get_string(s)
#define config_setting_length(s)      mr_libconfig.length(s)
#define config_setting_get_elem(s, i) mr_libconfig.get_elem(s, i)

#endif
