/* SPDX-License-Identifier: MIT */
/*
 * fault.c - the fault injector: the point list, plans, and deciding.
 */
#include "sim/fault.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name, *help;
} points[FAULT_NUM_POINTS] = {
#define FAULT_ROW_(id, n, h) [FAULT_##id] = {n, h},
    FAULT_POINTS(FAULT_ROW_)
#undef FAULT_ROW_
};

static const struct {
	const char *name;
	enum fault_hostile_site site;
} hostile_kinds[FAULT_HOSTILE_NUM_KINDS] = {
#define FAULT_HOSTILE_ROW_(id, n, site) \
	[FAULT_HOSTILE_##id] = {n, FAULT_HOSTILE_AT_##site},
    FAULT_HOSTILE_KINDS(FAULT_HOSTILE_ROW_)
#undef FAULT_HOSTILE_ROW_
};

_Static_assert(FAULT_HOSTILE_NUM_KINDS <= 32, "hostile_only is a 32-bit mask");

void fault_init(struct fault_injector *f, struct rng *rng)
{
	memset(f, 0, sizeof(*f));
	f->rng = rng;
}

int fault_point_parse(const char *name, enum fault_point *p)
{
	for (unsigned i = 0; i < FAULT_NUM_POINTS; i++)
		if (!strcmp(points[i].name, name)) {
			*p = (enum fault_point)i;
			return 0;
		}
	return -1;
}

const char *fault_point_name(enum fault_point p)
{
	return (unsigned)p < FAULT_NUM_POINTS ? points[p].name : "?";
}

const char *fault_point_help(enum fault_point p)
{
	return (unsigned)p < FAULT_NUM_POINTS ? points[p].help : "?";
}

bool fault_point_has_device(enum fault_point p)
{
	return p != FAULT_HAL_DMA_ALLOC && p != FAULT_HAL_SHARE;
}

void fault_print_points(FILE *out)
{
	for (unsigned i = 0; i < FAULT_NUM_POINTS; i++)
		fprintf(out, "  %-20s %s\n", points[i].name, points[i].help);
}

/* A decimal count: digits only, no sign, no base prefix. */
static int parse_count(const char *s, uint64_t *v)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

/* A probability: a decimal number above 0, at most 1. */
static int parse_prob(const char *s, double *p)
{
	char *end;

	if (!s || ((*s < '0' || *s > '9') && *s != '.'))
		return -1;
	errno = 0;
	*p = strtod(s, &end);
	return errno || *end || !(*p > 0) || *p > 1 ? -1 : 0;
}

int fault_arm_parse(const char *spec, struct fault_arm *arm, char *err,
		    size_t errlen)
{
	char buf[256], *word, *save = NULL;
	bool first = true;

	*arm = (struct fault_arm){.prob = 1, .dev = FAULT_ANY_DEV};
	if (strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "'%.40s...': too long", spec);
		return -1;
	}
	strcpy(buf, spec);
	for (word = strtok_r(buf, ",", &save); word;
	     word = strtok_r(NULL, ",", &save), first = false) {
		char *value = strchr(word, '=');
		uint64_t v;

		if (value)
			*value++ = '\0';
		if (first) {
			if (value || fault_point_parse(word, &arm->point)) {
				snprintf(err, errlen,
					 "unknown fault point '%s' (see "
					 "--fault help)",
					 word);
				return -1;
			}
			continue;
		}
		if (!strcmp(word, "count") && !parse_count(value, &v) && v) {
			arm->count = v;
		} else if (!strcmp(word, "after") && !parse_count(value, &v)) {
			arm->after = v;
		} else if (!strcmp(word, "prob") &&
			   !parse_prob(value, &arm->prob)) {
		} else if (!strcmp(word, "dev") && !parse_count(value, &v) &&
			   v < FAULT_ANY_DEV) {
			arm->dev = (uint32_t)v;
		} else {
			snprintf(err, errlen,
				 "%s: bad '%s%s%s' (count=N above 0, after=N, "
				 "prob=P in (0, 1], dev=N)",
				 fault_point_name(arm->point), word,
				 value ? "=" : "", value ? value : "");
			return -1;
		}
	}
	if (first) {
		snprintf(err, errlen, "no fault point named (see --fault help)");
		return -1;
	}
	if (arm->dev != FAULT_ANY_DEV && !fault_point_has_device(arm->point)) {
		snprintf(err, errlen, "%s: dev=: the HAL serves every device",
			 fault_point_name(arm->point));
		return -1;
	}
	return 0;
}

int fault_add(struct fault_injector *f, const struct fault_arm *arm)
{
	if (f->narms == FAULT_MAX_ARMS)
		return -1;
	f->arms[f->narms] = *arm;
	f->arms[f->narms].seen = f->arms[f->narms].fired = 0;
	f->narms++;
	f->armed |= 1ull << arm->point;
	return 0;
}

bool fault_fire_slow(struct fault_injector *f, enum fault_point p,
		     uint32_t dev)
{
	bool fire = false;

	f->hits[p]++;
	for (unsigned i = 0; i < f->narms && !fire; i++) {
		struct fault_arm *a = &f->arms[i];

		if (a->point != p || (a->dev != FAULT_ANY_DEV && a->dev != dev))
			continue;
		if (++a->seen <= a->after)
			continue;
		if (a->count && a->fired >= a->count)
			continue;
		/* Only a probability below 1 draws, so a plan without prob=
		 * leaves the fault stream where it was. */
		if (a->prob < 1 && !(f->rng && rng_chance(f->rng, a->prob)))
			continue;
		a->fired++;
		fire = true;
	}
	if (fire)
		f->fires[p]++;
	return fire;
}

bool fault_hostile(struct fault_injector *f, enum fault_hostile_site site,
		   uint32_t dev, enum fault_hostile_kind *kind)
{
	unsigned cand[FAULT_HOSTILE_NUM_KINDS], n = 0;

	if (__builtin_expect(!fault_armed(f, FAULT_HOSTILE), 1))
		return false;
	for (unsigned k = 0; k < FAULT_HOSTILE_NUM_KINDS; k++)
		if (hostile_kinds[k].site == site &&
		    (!f->hostile_only || (f->hostile_only >> k & 1)))
			cand[n++] = k;
	if (!n || !fault_fire_slow(f, FAULT_HOSTILE, dev))
		return false;
	/* Without a stream (a bare injector) the first kind: still one run
	 * per plan. */
	*kind = (enum fault_hostile_kind)
	    cand[n > 1 && f->rng ? rng_below(f->rng, n) : 0];
	return true;
}

const char *fault_hostile_name(enum fault_hostile_kind k)
{
	return (unsigned)k < FAULT_HOSTILE_NUM_KINDS ? hostile_kinds[k].name
						     : "?";
}

void fault_report(const struct fault_injector *f, FILE *out)
{
	for (unsigned i = 0; i < FAULT_NUM_POINTS; i++)
		if (f->armed >> i & 1)
			fprintf(out, "fault %s: %" PRIu64 " hit%s, %" PRIu64
				     " fired\n",
				points[i].name, f->hits[i],
				f->hits[i] == 1 ? "" : "s", f->fires[i]);
}
