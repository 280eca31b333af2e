/* SPDX-License-Identifier: MIT */
/*
 * The timeline file of `mptcp-run --timeline FILE CMD`: JSON lines, written
 * by the launcher while it samples the command's connections from the
 * outside, read back by `mptcp-run report FILE --svg OUT`. One definition of
 * its lines for the writer and the reader:
 *
 *   {"type":"start","version":1,"wall":EPOCH,"interval":S,"pid":N,"command":"ncat ..."}
 *   {"type":"sample","t":S, ...}   the snapshot of live/render.h in JSON, for the
 *                                  command's connections only (t: seconds since start)
 *   {"type":"event","t":S,"wall":EPOCH,"what":WHAT,"ifname":"c2","text":"..."}
 *   {"type":"end","t":S,"status":N}  or "signal":N; missing if the launcher was killed
 *
 * WHAT is one of the LV_EV_* names. Lines appended by `mptcp-run mark FILE TEXT`
 * are events with "what":"mark" and no "t" (their wall clock places them).
 */
#ifndef MPTCP_RUN_LIVE_TIMELINE_H
#define MPTCP_RUN_LIVE_TIMELINE_H

#include "live/view.h"
#include "text/strbuf.h"

#define LV_TL_VERSION 1

#define LV_TL_TYPE   "type"
#define LV_TL_START  "start"
#define LV_TL_SAMPLE "sample"
#define LV_TL_EVENT  "event"
#define LV_TL_END    "end"

#define LV_EV_SUBFLOW_UP     "subflow-up"
#define LV_EV_SUBFLOW_CLOSED "subflow-closed"
#define LV_EV_LINK_DOWN      "link-down"
#define LV_EV_LINK_UP        "link-up"
#define LV_EV_DATA_FIN       "data-fin"
#define LV_EV_CONN_CLOSED    "connection-closed"
#define LV_EV_MARK           "mark"

/* Interfaces and whether they are up (IFF_UP and IFF_RUNNING). */
#define LV_MAX_LINKS 64
struct lv_links {
	size_t n;
	struct {
		char name[LV_IFNAME];
		bool up;
	} e[LV_MAX_LINKS];
};

struct lv_event {
	const char *what; /* LV_EV_* */
	char ifname[LV_IFNAME];
	char text[160];
};

/*
 * The events between two samples of the same connections: subflows that
 * appeared or ended (with the last state seen), a connection's first
 * DATA_FIN (sent by us: FIN-WAIT/CLOSING/LAST-ACK; by the peer:
 * CLOSE-WAIT), connections gone, links that went down or up. At most max
 * into out; returns how many.
 */
size_t lv_events(const struct lv_sample *prev, const struct lv_sample *cur,
                 const struct lv_links *lprev, const struct lv_links *lcur, struct lv_event *out,
                 size_t max);

/* Keeps only the connections (and their subflows) whose token is in tokens[0..n). */
void lv_sample_retain(struct lv_sample *s, const uint32_t *tokens, size_t n);

/* The lines, each ending in '\n', appended to b. */
void lv_tl_start(struct lr_buf *b, double wall, double interval, int pid, const char *command);
void lv_tl_sample(struct lr_buf *b, const struct lv_view *v, double interval, double t);
/* t < 0: no "t" (a mark from another process: its wall clock places it). */
void lv_tl_event(struct lr_buf *b, double t, double wall, const struct lv_event *e);
/* status >= 0: exit status; signal > 0: killed by it. */
void lv_tl_end(struct lr_buf *b, double t, int status, int signal);

#endif
