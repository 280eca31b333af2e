/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdlib.h>

#include "cmd/commands.h"
#include "cmd/options.h"

int lr_parse_options(int argc, char **argv, const struct lr_option *opts, bool stop_at_operand)
{
	struct option longs[LR_MAX_OPTIONS + 2];
	/* "+:" + "h" + two characters per option + NUL. */
	char shorts[4 + 2 * LR_MAX_OPTIONS + 1];
	size_t n = 0, s = 0;

	if (stop_at_operand)
		shorts[s++] = '+';
	shorts[s++] = ':'; /* a missing argument is reported as ':' */
	shorts[s++] = 'h';
	for (; opts[n].name && n < LR_MAX_OPTIONS; n++) {
		/* getopt_long returns val: the letter, or 256 + index for long-only options. */
		longs[n] =
		    (struct option){opts[n].name, opts[n].arg ? required_argument : no_argument,
		                    NULL, opts[n].letter ? opts[n].letter : 256 + (int)n};
		if (opts[n].letter) {
			shorts[s++] = opts[n].letter;
			if (opts[n].arg)
				shorts[s++] = ':';
		}
	}
	shorts[s] = '\0';
	longs[n++] = (struct option){"help", no_argument, NULL, 'h'};
	longs[n] = (struct option){NULL, 0, NULL, 0};

	opterr = 0;
	optind = 0;
	for (int opt; (opt = getopt_long(argc, argv, shorts, longs, NULL)) != -1;) {
		const struct lr_option *o = NULL;
		if (opt == 'h') {
			lr_usage();
			return LR_OPTS_HELP;
		}
		for (size_t i = 0; opts[i].name && i < LR_MAX_OPTIONS && !o; i++)
			if (opt == (opts[i].letter ? opts[i].letter : 256 + (int)i))
				o = &opts[i];
		if (!o) {
			lr_bad_option(argc, argv, opt);
			return LR_OPTS_BAD;
		}
		if (o->arg)
			*o->arg = optarg;
		if (o->given)
			*o->given = true;
	}
	return optind;
}

bool lr_opt_integer(const char *text, long min, long max, long *out)
{
	char *end;

	errno = 0;
	long v = strtol(text, &end, 10);
	if (!*text || *end || errno || v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool lr_opt_decimal(const char *text, double min, double max, double *out)
{
	char *end;
	double v = strtod(text, &end);

	/* Written so that NaN ("nan" is a number to strtod) is out of every range. */
	if (!*text || *end || !(v >= min && v <= max))
		return false;
	*out = v;
	return true;
}
