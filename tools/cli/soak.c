/* SPDX-License-Identifier: MIT */
/*
 * soak.c - the hostile soak: `virtsim faults --soak N` runs, for seeds
 * 1..N, a child `virtsim --seed S --fault hostile,prob=P soak` with a
 * time limit, and sorts the seeds into fine (exit 0 or 1: the errors
 * the device provoked were reported), crashed (a signal), hung (past
 * the limit, killed), leaked (the HAL's books wrong at the end) and
 * corrupt (a self test found wrong data a driver had taken for good).
 * The soak workload is what each child runs: every device's self test,
 * going on past failures.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tools/cli/progress.h"
#include "tools/cli/workload.h"

/*
 * The workload: each device is brought up and self-tested; a failure
 * (the error already said on stderr) tears it down and the next try
 * brings it up again, twice at most, then the next device. Exit 1 if
 * anything failed: under a fault plan that is what drivers should say.
 */
static int soak_device(struct vm *vm, struct vm_device *d,
		       struct vm_selftest *st, unsigned *failed)
{
	char err[512];

	for (unsigned attempt = 0; attempt < 2; attempt++) {
		int ret =
		    d->driver ? 0 : vm_bring_up_device(vm, d, err, sizeof(err));

		if (ret) {
			fprintf(stderr, "virtsim: %s\n", err);
		} else if (!(ret = d->cls->selftest(vm, d, st))) {
			return 0;
		}
		++*failed;
		if (d->driver)
			d->cls->teardown(d);
		d->driver = NULL;
	}
	return -1;
}

static int soak_workload_run(struct vm *vm, const struct cli_options *o,
			     struct json *json)
{
	struct vm_selftest st = {.out = stdout};
	unsigned failed = 0, passed = 0, tested = 0;
	char err[512];

	(void)o;
	if (vm_scan(vm, err, sizeof(err))) {
		fprintf(stderr, "virtsim: %s\n", err);
		return EXIT_OP_FAILED;
	}
	for (unsigned i = 0; i < vm->device_count; i++) {
		struct vm_device *d = &vm->devices[i];

		if (!d->cls->selftest)
			continue;
		tested++;
		passed += soak_device(vm, d, &st, &failed) == 0;
	}
	printf("soak: %u device%s, %u passed, %u failure%s\n", tested,
	       tested == 1 ? "" : "s", passed, failed, failed == 1 ? "" : "s");
	return failed ? EXIT_OP_FAILED : 0;
}

const struct workload soak_workload = {
    .name = "soak",
    .arms_faults = true,
    .help = "what each seed of faults --soak runs: probe, then every "
	    "device's self test (the selftest's machine without devices "
	    "given), a failing device torn down and tried once more, the "
	    "run going on past failures",
    .selftest_machine = true,
    .scans_itself = true,
    .run = soak_workload_run,
};

enum soak_verdict {
	SOAK_FINE,
	SOAK_CRASHED,
	SOAK_HUNG,
	SOAK_LEAKED,
	SOAK_CORRUPT,
	SOAK_VERDICTS
};

static const char *const soak_verdict_names[] = {"fine", "crashed", "hung",
						 "leaked", "corrupt"};

struct soak_seed {
	uint64_t seed;
	enum soak_verdict verdict;
	int status; /* exit status, or the signal */
	bool signalled;
	char cmd[256];
};

static double soak_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * What the child's stderr in @fd says went wrong past reported errors:
 * a sanitizer's report (a crash, though a sanitizer may exit 1), the
 * HAL's books (a leak), a self test's data wrong after the driver said
 * all was well (every hostile mutation can be told: corrupt), or
 * nothing.
 */
static enum soak_verdict soak_scan(int fd)
{
	static const struct {
		const char *needle;
		enum soak_verdict verdict;
	} needles[] = {
	    {"ERROR: AddressSanitizer", SOAK_CRASHED},
	    {"ERROR: LeakSanitizer", SOAK_LEAKED},
	    {"runtime error:", SOAK_CRASHED},
	    {"virtsim: HAL", SOAK_LEAKED},
	    {"HAL book-keeping error", SOAK_LEAKED},
	    {VM_SELFTEST_WRONG_DATA, SOAK_CORRUPT},
	};
	enum soak_verdict v = SOAK_FINE;
	char buf[4096 + 32];
	size_t keep = 0;
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return SOAK_FINE;
	/* Lines may straddle reads: keep a tail as long as the needles. */
	while ((n = read(fd, buf + keep, sizeof(buf) - 1 - keep)) > 0) {
		size_t len = keep + (size_t)n;

		buf[len] = '\0';
		for (unsigned i = 0; i < sizeof(needles) / sizeof(needles[0]);
		     i++)
			if (strstr(buf, needles[i].needle) &&
			    (v == SOAK_FINE ||
			     needles[i].verdict == SOAK_CRASHED))
				v = needles[i].verdict;
		keep = len < 31 ? len : 31;
		memmove(buf, buf + len - keep, keep);
	}
	return v;
}

/* Run one seed's child to its end or the limit; fills @s. */
static int soak_one(struct soak_seed *s, const struct cli_options *o,
		    double prob)
{
	char seed[32], fault[64];
	char *argv[14];
	const char *tmp = getenv("TMPDIR");
	char errpath[4096];
	unsigned n = 0;
	double deadline;
	int status = 0, fd;
	pid_t pid, done = 0;

	snprintf(seed, sizeof(seed), "%" PRIu64, s->seed);
	snprintf(fault, sizeof(fault), "hostile,prob=%g", prob);
	argv[n++] = "virtsim";
	argv[n++] = "--seed";
	argv[n++] = seed;
	argv[n++] = "--fault";
	argv[n++] = fault;
	if (o->mode == SIM_MODE_DEFERRED) {
		argv[n++] = "--mode";
		argv[n++] = "deferred";
	}
	if (o->poll)
		argv[n++] = "--poll";
	if (o->dma != SIM_DMA_BOUNCE) {
		argv[n++] = "--dma";
		argv[n++] = (char *)sim_dma_name(o->dma);
	}
	argv[n++] = "soak";
	argv[n] = NULL;
	s->cmd[0] = '\0';
	for (unsigned i = 0; i < n; i++)
		snprintf(s->cmd + strlen(s->cmd),
			 sizeof(s->cmd) - strlen(s->cmd), "%s%s", i ? " " : "",
			 argv[i]);

	/* The child's stderr, read back for the HAL's and sanitizers'
	 * reports; unlinked at once, so nothing is left behind. */
	snprintf(errpath, sizeof(errpath), "%s/virtsim-soak-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(errpath);
	if (fd < 0)
		return -1;
	unlink(errpath);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fd);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	deadline = soak_now_s() + SOAK_SEED_LIMIT_S;
	while ((done = waitpid(pid, &status, WNOHANG)) == 0 &&
	       soak_now_s() < deadline)
		nanosleep(&(struct timespec){0, 2000000}, NULL);
	if (done == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		s->verdict = SOAK_HUNG;
		s->status = SOAK_SEED_LIMIT_S;
	} else if (done < 0) {
		close(fd);
		return -1;
	} else if (WIFSIGNALED(status)) {
		s->verdict = SOAK_CRASHED;
		s->status = WTERMSIG(status);
		s->signalled = true;
	} else {
		s->status = WEXITSTATUS(status);
		/* 0 or 1: errors reported are expected; more is not. */
		s->verdict =
		    s->status > EXIT_OP_FAILED ? SOAK_CRASHED : soak_scan(fd);
	}
	close(fd);
	return 0;
}

static void soak_print_bad(const struct soak_seed *s, struct json *json)
{
	char why[64];

	if (s->verdict == SOAK_HUNG)
		snprintf(why, sizeof(why), "no end after %d s", s->status);
	else if (s->signalled)
		snprintf(why, sizeof(why), "signal %d, %s", s->status,
			 strsignal(s->status));
	else if (s->verdict == SOAK_CRASHED && s->status <= EXIT_OP_FAILED)
		snprintf(why, sizeof(why),
			 "a sanitizer's report, exit status %d", s->status);
	else if (s->verdict == SOAK_LEAKED)
		snprintf(why, sizeof(why),
			 "the HAL's books wrong at the end, exit status %d",
			 s->status);
	else if (s->verdict == SOAK_CORRUPT)
		snprintf(why, sizeof(why),
			 "a driver took bad data for good, exit status %d",
			 s->status);
	else
		snprintf(why, sizeof(why), "exit status %d", s->status);
	printf("seed %" PRIu64 ": %s (%s): %s\n", s->seed,
	       soak_verdict_names[s->verdict], why, s->cmd);
	if (json) {
		json_begin_object(json, NULL);
		json_uint(json, "seed", s->seed);
		json_string(json, "result", soak_verdict_names[s->verdict]);
		json_string(json, "why", why);
		json_string(json, "command", s->cmd);
		json_end_object(json);
	}
}

int soak_run(const struct cli_options *o, struct json *json)
{
	unsigned count[SOAK_VERDICTS] = {0}, bad = 0;
	double t0 = soak_now_s();
	struct progress line;
	struct soak_seed s;

	progress_init(&line);
	if (json)
		json_begin_array(json, "bad");
	for (uint64_t seed = 1; seed <= o->soak; seed++) {
		s = (struct soak_seed){.seed = seed};
		if (soak_one(&s, o, o->soak_prob)) {
			progress_clear(&line);
			fprintf(stderr, "virtsim: soak: seed %" PRIu64 ": %s\n",
				seed, strerror(errno));
			return EXIT_OP_FAILED;
		}
		count[s.verdict]++;
		if (s.verdict != SOAK_FINE) {
			progress_clear(&line);
			soak_print_bad(&s, json), bad++;
		}
		fflush(stdout);
		progress_show(&line,
			      "soak: seed %" PRIu64 " of %" PRIu64 ", %u bad",
			      seed, o->soak, bad);
	}
	progress_clear(&line);
	if (json) {
		json_end_array(json);
		json_uint(json, "seeds", o->soak);
		json_double(json, "prob", o->soak_prob);
		json_bool(json, "poll", o->poll);
		for (unsigned v = 0; v < SOAK_VERDICTS; v++)
			json_uint(json, soak_verdict_names[v], count[v]);
		json_double(json, "seconds", soak_now_s() - t0);
	}
	printf("soak: %" PRIu64 " seeds (hostile,prob=%g, %s mode%s%s): "
	       "%u fine, %u crashed, %u hung, %u leaked, %u corrupt "
	       "in %.1f s\n",
	       o->soak, o->soak_prob, sim_mode_name(o->mode),
	       o->poll ? ", polling" : "",
	       o->dma == SIM_DMA_MAP ? ", dma map" : "", count[SOAK_FINE],
	       count[SOAK_CRASHED], count[SOAK_HUNG], count[SOAK_LEAKED],
	       count[SOAK_CORRUPT], soak_now_s() - t0);
	return bad ? EXIT_OP_FAILED : 0;
}
