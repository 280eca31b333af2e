/* SPDX-License-Identifier: MIT */
/*
 * Pure systemd unit text handling for `enable`/`disable`: unit name
 * validation, reading Environment= assignments the unit already makes, and
 * the drop-in text we write.
 */
#ifndef MPTCP_RUN_LAUNCHER_UNIT_H
#define MPTCP_RUN_LAUNCHER_UNIT_H

#include <stdbool.h>
#include <stddef.h>

#define LR_UNIT_NAME_MAX 256 /* systemd's UNIT_NAME_MAX, with the NUL */
#define LR_DROPIN_NAME   "mptcp-run.conf"

/*
 * Checks a unit name given on the command line and writes the full name to
 * out ("nginx" -> "nginx.service"). Returns NULL, or a message saying what is
 * wrong. Only [A-Za-z0-9:_.@-] is accepted, so the name can never be a path,
 * an option, or anything a shell or systemctl would interpret.
 */
const char *lr_unit_name_check(const char *in, char *out, size_t size);

/* For "foo@bar.service": "foo@.service" into out (true); false when not an instance. */
bool lr_unit_template(const char *unit, char *out, size_t size);

/* The value of one variable as set by a unit's [Service] Environment= lines. */
struct lr_env_value {
	bool set;
	char *value; /* malloc'd, systemd-unquoted; NULL when !set */
};

/*
 * Applies the [Service] Environment= lines of one unit file or drop-in to *v,
 * in order, as systemd does: a later assignment replaces an earlier one and an
 * empty "Environment=" clears everything. Returns false when out of memory.
 */
bool lr_unit_env_scan(const char *text, size_t len, const char *var, struct lr_env_value *v);
void lr_env_value_free(struct lr_env_value *v);

/*
 * The program of the unit's ExecStart= (first word, prefixes such as "-" and
 * "+" removed) into *v, applied over what earlier files set: an empty
 * "ExecStart=" clears it. Returns false when out of memory.
 */
bool lr_unit_exec_scan(const char *text, size_t len, struct lr_env_value *v);

/*
 * The drop-in text: [Service] with LD_PRELOAD (our library first, then the
 * entries the unit already sets, `their_preload`, may be NULL),
 * MPTCP_RUN_FORCE=1, and GODEBUG when not NULL (for Go services, already
 * merged with the unit's). Returns malloc'd text, NULL when out of memory.
 */
char *lr_dropin_text(const char *lib, const char *their_preload, const char *godebug);

/*
 * The unit's ExecStart= line as written (prefixes and all) into *v, applied
 * over earlier files: an empty "ExecStart=" clears it and *count. *count is
 * how many ExecStart= lines are in force. Returns false when out of memory.
 */
bool lr_unit_exec_line_scan(const char *text, size_t len, struct lr_env_value *v, int *count);

/*
 * The drop-in for a service the supervisor must run: ExecStart= reset, then
 * the unit's command line under `LAUNCHER --supervise`, its prefixes (- : +
 * ! !!) kept in front. NULL with *why set when it cannot be wrapped ('@', '|',
 * several ExecStart= lines), NULL with *why NULL when out of memory.
 */
char *lr_dropin_supervise_text(const char *launcher, const char *exec_line, int count,
                               const char **why);

#endif
