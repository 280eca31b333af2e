/* SPDX-License-Identifier: MIT */
/*
 * From two samples to what is shown: rates per subflow and connection,
 * totals per interface, the connections that pass the filter in the chosen
 * order. Pure: `top`, the timeline and the report's drawing use the same
 * arithmetic, and the unit tests feed it samples made by hand.
 */
#ifndef MPTCP_RUN_LIVE_VIEW_H
#define MPTCP_RUN_LIVE_VIEW_H

#include "live/sample.h"

#define LV_MAX_IFACES 32

enum lv_sort {
	LV_SORT_RATE,    /* tx + rx per second, largest first */
	LV_SORT_BYTES,   /* bytes carried so far, largest first */
	LV_SORT_PROGRAM, /* program name, then pid */
	LV_SORT_PID,
	LV_SORT_REMOTE,
	LV_SORT_N
};
const char *lv_sort_name(enum lv_sort s);
/* The next order in the cycle the 's' key walks. */
enum lv_sort lv_sort_next(enum lv_sort s);

/*
 * Sent means sent and acknowledged (tcpi_bytes_acked): what a path delivered,
 * a retransmission counted once, data re-sent on another path after a cut
 * counted on the path that delivered it. Received: tcpi_bytes_received.
 */
struct lv_rate {
	double tx, rx; /* bytes per second */
};

/* One interface's share: its subflows now, their rates, and the bytes they carried. */
struct lv_iface {
	char ifname[LV_IFNAME];
	char pathname[LV_IFNAME];
	unsigned subflows, backup;
	struct lv_rate rate;
	uint64_t tx_bytes,
	    rx_bytes; /* live subflows' counters + those closed since tracking began */
};

/*
 * Bytes of subflows that closed, per interface, kept across samples so that
 * an interface's total does not drop when a subflow ends.
 */
struct lv_totals {
	struct lv_iface ifs[LV_MAX_IFACES];
	size_t n;
};

struct lv_view {
	const struct lv_sample *cur;
	double dt;            /* seconds since the previous sample; 0: no rates yet */
	struct lv_rate *sf;   /* per cur->sfs[] */
	struct lv_rate *conn; /* per cur->conns[] */
	struct lv_iface ifs[LV_MAX_IFACES];
	size_t n_ifs;
	size_t *order; /* indices into cur->conns: filtered and sorted */
	size_t n_order;
};

/* The key of a subflow across samples. */
bool lv_subflow_same(const struct lv_subflow *a, const struct lv_subflow *b);

/*
 * Folds the subflows of prev that are gone in cur into tot (their last
 * counters). Call once per new sample, before lv_view_build with the same tot.
 */
void lv_totals_update(struct lv_totals *tot, const struct lv_sample *prev,
                      const struct lv_sample *cur);

/*
 * Builds v from prev (NULL: first sample, rates 0) and cur. filter: only the
 * connections whose program name contains it ("" or NULL: all). Returns 0,
 * or -1 when out of memory (v is then empty). The view points into cur.
 */
int lv_view_build(struct lv_view *v, const struct lv_sample *prev, const struct lv_sample *cur,
                  const struct lv_totals *tot, enum lv_sort sort, const char *filter);
void lv_view_free(struct lv_view *v);

#endif
