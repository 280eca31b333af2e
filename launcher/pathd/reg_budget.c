/* SPDX-License-Identifier: MIT */
/* The registration channels' decisions (pathd/reg_budget.h). */
#include "pathd/reg_budget.h"

static struct pd_bucket *bucket_of(struct pd_budgets *bs, uid_t uid, double now_ms)
{
	struct pd_bucket *oldest = &bs->b[0];
	for (int i = 0; i < PD_UIDS; i++) {
		if (bs->b[i].used && bs->b[i].uid == uid)
			return &bs->b[i];
		if (!bs->b[i].used || (oldest->used && bs->b[i].last < oldest->last))
			oldest = &bs->b[i];
	}
	/* The least recently seen uid gives its slot up: it starts full again later. */
	*oldest = (struct pd_bucket){.uid = uid, .tokens = PD_BURST, .last = now_ms, .used = true};
	return oldest;
}

unsigned pd_budget_take(struct pd_budgets *bs, uid_t uid, double now_ms, unsigned want)
{
	struct pd_bucket *b = bucket_of(bs, uid, now_ms);
	if (now_ms > b->last)
		b->tokens += (now_ms - b->last) * PD_RATE / 1000.;
	if (b->tokens > PD_BURST)
		b->tokens = PD_BURST;
	b->last = now_ms;
	unsigned got = b->tokens >= want ? want : (unsigned)b->tokens;
	b->tokens -= got;
	return got;
}

void pd_budget_give_back(struct pd_budgets *bs, uid_t uid, double now_ms, unsigned n)
{
	if (!n)
		return;
	struct pd_bucket *b = bucket_of(bs, uid, now_ms);
	b->tokens += n;
	if (b->tokens > PD_BURST)
		b->tokens = PD_BURST;
}

static const struct pd_slot *at(const void *table, size_t stride, int i)
{
	return (const struct pd_slot *)((const char *)table + (size_t)i * stride);
}

int pd_slot_choose(const void *table, size_t stride, int n, uid_t uid, int cap_uid)
{
	int free_slot = -1, mine = -1, any = -1, n_mine = 0;
	for (int i = 0; i < n; i++) {
		const struct pd_slot *s = at(table, stride, i);
		if (!s->used) {
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		if (any < 0 || s->last < at(table, stride, any)->last)
			any = i;
		if (s->uid == uid) {
			n_mine++;
			if (mine < 0 || s->last < at(table, stride, mine)->last)
				mine = i;
		}
	}
	if (n_mine >= cap_uid)
		return mine;
	return free_slot >= 0 ? free_slot : any;
}

bool pd_reg_wake_on_message(double now_ms, double expect_until, double last_msg)
{
	return expect_until > now_ms || now_ms - last_msg >= PD_ACTIVE_MS;
}
