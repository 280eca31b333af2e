/* SPDX-License-Identifier: MIT */
#include "kernel/libconfig_linked.h"

static const struct mr_libconfig linked = {
    .init = config_init,
    .destroy = config_destroy,
    .read_string = config_read_string,
    .get_int64 = config_setting_get_int64,
    .get_bool = config_setting_get_bool,
    .get_string = config_setting_get_string,
    .length = config_setting_length,
    .get_elem = config_setting_get_elem,
};

const struct mr_libconfig *mr_libconfig_linked(const char **why)
{
	(void)why;
	return &linked;
}
