/* SPDX-License-Identifier: MIT */
/*
 * net_fetch.c - net-fetch URL [--out FILE]: an HTTP/1.0 GET through lwIP's
 * raw TCP API, the virtio-net driver and the device model; the body goes
 * to stdout or FILE as it arrives, the figures to stderr.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <lwip/tcp.h>

#include "tools/cli/guest_net.h"
#include "tools/cli/workload.h"
#include "tools/vm/device_options.h"
#include "tools/vm/guest.h"
#include "tools/vm/net_class.h"

#define FETCH_HEAD_MAX 16384u	/* status line and headers */
#define FETCH_IDLE_MS 30000u	/* virtual; no frame for this long fails */
#define FETCH_HOST_MAX 256u
#define FETCH_PATH_MAX 4000u /* what the request buffer has room for */

struct fetch {
	struct tcp_pcb *pcb;
	FILE *out;
	char request[FETCH_HOST_MAX * 2 + 4096];
	size_t request_len;
	char head[FETCH_HEAD_MAX + 1];
	size_t head_len;
	bool in_body;
	int status;
	char reason[64];
	uint64_t content_length; /* UINT64_MAX: not given */
	uint64_t body;
	bool done;
	const char *failed; /* why, once it has */
	char why[128];
};

struct url {
	char host[FETCH_HOST_MAX];
	uint16_t port;
	const char *path; /* from the first '/', or "/" */
};

static int parse_url(const char *s, struct url *u, char *err, size_t errlen)
{
	const char *p, *end, *colon;
	size_t hlen;

	if (!strncmp(s, "https://", 8)) {
		snprintf(err, errlen,
			 "%s: https is not supported (the guest has no TLS)", s);
		return -1;
	}
	if (strncmp(s, "http://", 7)) {
		snprintf(err, errlen, "%s: want http://HOST[:PORT][/PATH]", s);
		return -1;
	}
	p = s + 7;
	end = p + strcspn(p, "/");
	u->path = *end ? end : "/";
	colon = memchr(p, ':', (size_t)(end - p));
	hlen = (size_t)((colon ? colon : end) - p);
	u->port = 80;
	if (colon) {
		char digits[8];
		size_t n = (size_t)(end - colon - 1);
		uint64_t v;

		if (n >= sizeof(digits))
			goto bad_port;
		memcpy(digits, colon + 1, n);
		digits[n] = '\0';
		if (vm_parse_u64(digits, &v) || !v || v > 65535)
			goto bad_port;
		u->port = (uint16_t)v;
	}
	if (strlen(u->path) > FETCH_PATH_MAX) {
		snprintf(err, errlen, "the URL's path is over %u bytes",
			 FETCH_PATH_MAX);
		return -1;
	}
	if (!hlen || hlen >= sizeof(u->host)) {
		snprintf(err, errlen, "%s: no host", s);
		return -1;
	}
	memcpy(u->host, p, hlen);
	u->host[hlen] = '\0';
	return 0;
bad_port:
	snprintf(err, errlen, "%s: bad port (want 1..65535)", s);
	return -1;
}

static int net_fetch_parse(struct cli_options *o, char **args, char *err,
			   size_t errlen)
{
	ip_addr_t addr;
	struct url u;

	o->url = args[0];
	if (parse_url(o->url, &u, err, errlen))
		return -1;
	return guest_net_parse_host(u.host, &addr, err, errlen);
}

static void fetch_fail(struct fetch *f, const char *fmt, const char *arg)
{
	if (!f->failed) {
		snprintf(f->why, sizeof(f->why), fmt, arg);
		f->failed = f->why;
	}
	f->done = true;
}

/* Status line and Content-Length, once the head is complete. */
static void parse_head(struct fetch *f)
{
	char *line_end = strstr(f->head, "\r\n"), *p;

	*line_end = '\0';
	if (sscanf(f->head, "HTTP/%*u.%*u %d %63[^\r\n]", &f->status,
		   f->reason) < 1) {
		fetch_fail(f, "not an HTTP response: '%.60s'", f->head);
		return;
	}
	for (p = line_end + 2; *p && strncmp(p, "\r\n", 2);) {
		char *next = strstr(p, "\r\n");

		*next = '\0';
		if (!strncasecmp(p, "Content-Length:", 15)) {
			char *e;

			errno = 0;
			f->content_length = strtoull(p + 15, &e, 10);
			if (errno || e == p + 15)
				fetch_fail(f, "bad header '%.60s'", p);
		}
		p = next + 2;
	}
}

static void body_bytes(struct fetch *f, const void *p, size_t n)
{
	if (!n || f->failed)
		return;
	if (fwrite(p, 1, n, f->out) != n) {
		fetch_fail(f, "writing the body: %s", strerror(errno));
		return;
	}
	f->body += n;
}

/* Head bytes until the blank line; what follows is body. */
static void head_bytes(struct fetch *f, const char *p, size_t n)
{
	size_t take = FETCH_HEAD_MAX - f->head_len < n
			  ? FETCH_HEAD_MAX - f->head_len
			  : n;
	size_t start = f->head_len; /* where this segment's bytes go */
	char *blank;
	size_t head_end;

	memcpy(f->head + f->head_len, p, take);
	f->head_len += take;
	f->head[f->head_len] = '\0';
	blank = strstr(f->head, "\r\n\r\n");
	if (!blank) {
		if (f->head_len == FETCH_HEAD_MAX)
			fetch_fail(f, "response head over %s bytes", "16384");
		return;
	}
	head_end = (size_t)(blank - f->head) + 4;
	f->in_body = true;
	parse_head(f);
	/* The bytes of this segment after the head are body. */
	body_bytes(f, p + (head_end - start), n - (head_end - start));
}

static err_t fetch_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
			err_t err)
{
	struct fetch *f = arg;

	if (!p) { /* the server closed: the body is complete */
		f->done = true;
		return ERR_OK;
	}
	for (struct pbuf *q = p; q && !f->failed; q = q->next) {
		if (f->in_body)
			body_bytes(f, q->payload, q->len);
		else
			head_bytes(f, q->payload, q->len);
	}
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	if (f->failed) {
		tcp_abort(pcb);
		f->pcb = NULL;
		return ERR_ABRT;
	}
	return ERR_OK;
}

static void fetch_err(void *arg, err_t err)
{
	struct fetch *f = arg;

	f->pcb = NULL; /* lwIP freed it */
	fetch_fail(f, "%s",
		   err == ERR_RST    ? "connection refused or reset"
		   : err == ERR_ABRT ? "connection aborted"
		   : err == ERR_CLSD ? "connection closed"
				     : "connection failed");
}

static err_t fetch_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct fetch *f = arg;

	if (tcp_write(pcb, f->request, (u16_t)f->request_len,
		      TCP_WRITE_FLAG_COPY) != ERR_OK ||
	    tcp_output(pcb) != ERR_OK)
		fetch_fail(f, "%s", "cannot send the request");
	return ERR_OK;
}

static int fetch_report(const struct fetch *f, const struct url *u,
			double ms)
{
	if (!f->failed && !f->in_body)
		return fprintf(stderr, "virtsim: net-fetch: no response\n"),
		       EXIT_OP_FAILED;
	if (!f->failed && f->content_length != UINT64_MAX &&
	    f->body != f->content_length) {
		fprintf(stderr,
			"virtsim: net-fetch: closed after %" PRIu64
			" of %" PRIu64 " body bytes\n",
			f->body, f->content_length);
		return EXIT_OP_FAILED;
	}
	if (f->failed) {
		fprintf(stderr, "virtsim: net-fetch: %s:%u: %s\n", u->host,
			u->port, f->failed);
		return EXIT_OP_FAILED;
	}
	fprintf(stderr,
		"net-fetch: HTTP %d %s, %" PRIu64 " bytes in %.1f ms (%.1f "
		"MB/s)\n",
		f->status, f->reason, f->body, ms,
		ms > 0 ? (double)f->body / ms / 1e3 : 0.0);
	if (f->status < 200 || f->status > 299) {
		fprintf(stderr, "virtsim: net-fetch: the server said %d\n",
			f->status);
		return EXIT_OP_FAILED;
	}
	return 0;
}

static int net_fetch_run(struct vm *vm, const struct cli_options *o,
			 struct json *json)
{
	struct fetch *f = calloc(1, sizeof(*f));
	bool to_stdout = !o->out || !strcmp(o->out, "-");
	struct guest_net gn;
	ip_addr_t addr;
	struct url u;
	char err[256];
	double t;
	int ret;

	if (!f) {
		fprintf(stderr, "virtsim: net-fetch: out of memory\n");
		return EXIT_OP_FAILED;
	}
	parse_url(o->url, &u, err, sizeof(err)); /* checked at parse */
	if (guest_net_parse_host(u.host, &addr, err, sizeof(err))) {
		fprintf(stderr, "virtsim: net-fetch: %s\n", err);
		free(f);
		return EXIT_USAGE;
	}
	f->out = to_stdout ? stdout : fopen(o->out, "wb");
	if (!f->out) {
		fprintf(stderr, "virtsim: net-fetch: %s: %s\n", o->out,
			strerror(errno));
		free(f);
		return EXIT_USAGE;
	}
	f->content_length = UINT64_MAX;
	f->request_len = (size_t)snprintf(
	    f->request, sizeof(f->request),
	    "GET %s HTTP/1.0\r\nHost: %s:%u\r\nUser-Agent: virtsim\r\n"
	    "Connection: close\r\n\r\n",
	    u.path, u.host, u.port);
	if (guest_net_up(&gn, vm, o->unit, err, sizeof(err))) {
		fprintf(stderr, "virtsim: net-fetch: %s\n", err);
		ret = EXIT_OP_FAILED;
		goto out;
	}
	guest_net_catch_stop_signals(&gn);
	t = guest_now_ms();
	f->pcb = tcp_new();
	if (!f->pcb) {
		fetch_fail(f, "%s", "out of lwIP memory");
	} else {
		tcp_arg(f->pcb, f);
		tcp_recv(f->pcb, fetch_recv);
		tcp_err(f->pcb, fetch_err);
		if (tcp_connect(f->pcb, &addr, u.port, fetch_connected) !=
		    ERR_OK)
			fetch_fail(f, "%s", "cannot connect");
	}
	switch (guest_net_run(&gn, &f->done, FETCH_IDLE_MS)) {
	case GUEST_NET_DONE:
		break;
	case GUEST_NET_STOPPED:
		fetch_fail(f, "%s", "stopped by a signal");
		break;
	case GUEST_NET_TIMEOUT:
		fetch_fail(f, "%s", "no answer for 30 s");
		break;
	case GUEST_NET_IDLE:
		fetch_fail(f, "%s", "the network went quiet");
		break;
	}
	t = guest_now_ms() - t;
	if (f->pcb) {
		/* Ours no more: lwIP may still end it (the FIN unacked when
		 * the interface goes), and must not call back into us. */
		tcp_arg(f->pcb, NULL);
		tcp_recv(f->pcb, NULL);
		tcp_err(f->pcb, NULL);
		if (tcp_close(f->pcb) != ERR_OK)
			tcp_abort(f->pcb);
		f->pcb = NULL;
	}
	guest_net_poll(&gn); /* the FIN goes out */
	guest_net_report(&gn, stderr, json);
	guest_net_down(&gn);
	if (fflush(f->out) && !f->failed)
		fetch_fail(f, "writing the body: %s", strerror(errno));
	ret = fetch_report(f, &u, t);
	if (json) {
		json_string(json, "url", o->url);
		if (f->in_body) {
			json_int(json, "http_status", f->status);
			json_string(json, "reason", f->reason);
		}
		json_uint(json, "body_bytes", f->body);
		json_double(json, "ms", t);
		json_string(json, "error", f->failed);
	}
out:
	if (!to_stdout && fclose(f->out) && !ret) {
		fprintf(stderr, "virtsim: net-fetch: %s: %s\n", o->out,
			strerror(errno));
		ret = EXIT_OP_FAILED;
	}
	free(f);
	return ret;
}

const struct workload net_fetch_workload = {
    .name = "net-fetch",
    .args = "URL",
    .help = "HTTP GET of http://HOST[:PORT]/PATH (localhost is the host); "
	    "the body to stdout or --out FILE",
    .nargs = 1,
    .cls = &net_class,
    .takes = CLI_OPT_NIC | CLI_OPT_OUT,
    .data_on_stdout = true,
    .parse = net_fetch_parse,
    .run = net_fetch_run,
};
