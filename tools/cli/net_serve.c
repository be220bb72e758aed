/* SPDX-License-Identifier: MIT */
/*
 * net_serve.c - net-serve [--requests N]: an HTTP/1.0 server on the
 * guest's port 80, through lwIP's raw TCP API, the virtio-net driver and
 * the device model. The host reaches it through a forward:
 * --net user,hostfwd=tcp:127.0.0.1:8080-:80.
 *
 *   GET /          the NIC and its counters, text/plain
 *   GET /bytes/N   N bytes, byte i being i % 251 (a throughput source)
 *
 * HEAD works on both. It runs until N requests are served and their
 * clients have closed, or until SIGINT or SIGTERM.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lwip/tcp.h>

#include "tools/cli/guest_net.h"
#include "tools/cli/workload.h"
#include "tools/vm/guest.h"
#include "tools/vm/net_class.h"

#define SERVE_PORT 80
#define SERVE_REQUEST_MAX 4096u
#define SERVE_PAGE_MAX 1024u
#define SERVE_BYTES_MAX (1ull << 40)
#define SERVE_CHUNK 16384u
#define SERVE_PATTERN 251u  /* a prime: the pattern never lines up with
			     * a power-of-2 boundary */
#define SERVE_POLL_TICKS 4  /* lwIP's poll: every 2 s */
#define SERVE_IDLE_POLLS 5  /* ... a client silent for 10 s is dropped */

struct serve {
	struct guest_net *gn;
	uint64_t requests_wanted; /* 0: until a signal */
	uint64_t served, open;
	struct conn *conns; /* the open ones */
	bool done;
	uint8_t pattern[SERVE_CHUNK + SERVE_PATTERN];
};

struct conn {
	struct serve *srv;
	struct conn *next;
	struct tcp_pcb *pcb;
	char req[SERVE_REQUEST_MAX + 1];
	size_t req_len;
	bool answered; /* the response is queued, FIN after it */
	unsigned idle_polls;
	/* The response: the head and page from @text, then @stream bytes
	 * of the pattern. */
	char text[SERVE_PAGE_MAX + 256];
	size_t text_len, text_sent;
	uint64_t stream_len, stream_sent;
};

static void serve_check_done(struct serve *s)
{
	if (s->requests_wanted && s->served >= s->requests_wanted && !s->open)
		s->done = true;
}

static void conn_free(struct conn *c)
{
	struct serve *s = c->srv;

	if (c->pcb) {
		tcp_arg(c->pcb, NULL);
		tcp_recv(c->pcb, NULL);
		tcp_sent(c->pcb, NULL);
		tcp_err(c->pcb, NULL);
		tcp_poll(c->pcb, NULL, 0);
	}
	for (struct conn **pp = &s->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	s->open--;
	free(c);
	serve_check_done(s);
}

/* Close (or, when lwIP has no memory for that, abort) and forget @c. */
static err_t conn_close(struct conn *c)
{
	struct tcp_pcb *pcb = c->pcb;
	err_t ret = ERR_OK;

	conn_free(c);
	if (pcb && tcp_close(pcb) != ERR_OK) {
		tcp_abort(pcb);
		ret = ERR_ABRT;
	}
	return ret;
}

/* Queue as much of the response as lwIP takes; FIN once it is all in. */
static void conn_send(struct conn *c)
{
	struct tcp_pcb *pcb = c->pcb;

	while (c->text_sent < c->text_len) {
		size_t n = c->text_len - c->text_sent;

		if (n > tcp_sndbuf(pcb))
			n = tcp_sndbuf(pcb);
		if (!n || tcp_write(pcb, c->text + c->text_sent, (u16_t)n,
				    TCP_WRITE_FLAG_COPY) != ERR_OK)
			goto out;
		c->text_sent += n;
	}
	while (c->stream_sent < c->stream_len) {
		uint64_t left = c->stream_len - c->stream_sent;
		size_t n = left < SERVE_CHUNK ? (size_t)left : SERVE_CHUNK;

		if (n > tcp_sndbuf(pcb))
			n = tcp_sndbuf(pcb);
		if (!n ||
		    tcp_write(pcb,
			      c->srv->pattern + c->stream_sent % SERVE_PATTERN,
			      (u16_t)n,
			      TCP_WRITE_FLAG_COPY |
				  (left > n ? TCP_WRITE_FLAG_MORE : 0)) !=
			ERR_OK)
			goto out;
		c->stream_sent += n;
	}
	/* All queued: the FIN follows; the client's close ends it. */
	tcp_shutdown(pcb, 0, 1);
out:
	tcp_output(pcb);
}

/* "nic: net0", "mac: 52:54:00:12:34:56", ... lines for GET /. */
static size_t status_page(struct serve *s, char *p, size_t len)
{
	const uint8_t *mac = s->gn->netif.hwaddr;

	return (size_t)snprintf(
	    p, len,
	    "virtsim net-serve\n"
	    "nic: net%u\n"
	    "mac: %02x:%02x:%02x:%02x:%02x:%02x\n"
	    "ip: %s\n"
	    "requests: %" PRIu64 "\n"
	    "rx_frames: %" PRIu64 "\nrx_bytes: %" PRIu64 "\n"
	    "tx_frames: %" PRIu64 "\ntx_bytes: %" PRIu64 "\n"
	    "tx_dropped: %" PRIu64 "\n"
	    "virtual_ms: %" PRIu32 "\n",
	    s->gn->unit, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
	    GUEST_NET_ADDR, s->served + 1, s->gn->rx_frames, s->gn->rx_bytes,
	    s->gn->tx_frames, s->gn->tx_bytes, s->gn->tx_dropped,
	    guest_net_now_ms(s->gn));
}

static void respond(struct conn *c, int status, const char *reason,
		    const char *page, uint64_t body_len, bool head_only)
{
	c->text_len = (size_t)snprintf(
	    c->text, sizeof(c->text),
	    "HTTP/1.0 %d %s\r\nServer: virtsim\r\nContent-Type: text/plain\r\n"
	    "Content-Length: %" PRIu64 "\r\nConnection: close\r\n\r\n%s",
	    status, reason, body_len, head_only || !page ? "" : page);
	c->stream_len = head_only || page ? 0 : body_len;
	c->answered = true;
	c->srv->served++;
	conn_send(c);
}

/* A response whose body is @text itself (or, for HEAD, its length). */
static void respond_text(struct conn *c, int status, const char *reason,
			 const char *text, bool head_only)
{
	respond(c, status, reason, text, strlen(text), head_only);
}

/* The request head is in: answer it. */
static void handle_request(struct conn *c)
{
	char method[8], path[256], page[SERVE_PAGE_MAX];
	unsigned long long n;
	bool head;
	char end;

	if (sscanf(c->req, "%7s %255s HTTP/%*u.%*u", method, path) != 2)
		return respond_text(c, 400, "Bad Request", "bad request\n",
				    false);
	head = !strcmp(method, "HEAD");
	if (!head && strcmp(method, "GET"))
		return respond_text(c, 501, "Not Implemented",
				    "GET and HEAD only\n", false);
	if (!strcmp(path, "/")) {
		size_t len = status_page(c->srv, page, sizeof(page));

		return respond(c, 200, "OK", page, len, head);
	}
	if (sscanf(path, "/bytes/%llu%c", &n, &end) == 1 &&
	    path[7] >= '0' && path[7] <= '9' && n <= SERVE_BYTES_MAX)
		return respond(c, 200, "OK", NULL, n, head);
	respond_text(c, 404, "Not Found", "not found\n", head);
}

static err_t conn_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
		       err_t err)
{
	struct conn *c = arg;

	if (!p) /* the client closed */
		return conn_close(c);
	c->idle_polls = 0;
	if (!c->answered) {
		size_t room = SERVE_REQUEST_MAX - c->req_len;
		size_t n = p->tot_len < room ? p->tot_len : room;

		pbuf_copy_partial(p, c->req + c->req_len, (u16_t)n, 0);
		c->req_len += n;
		c->req[c->req_len] = '\0';
		if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n"))
			handle_request(c);
		else if (c->req_len == SERVE_REQUEST_MAX)
			respond_text(c, 431, "Request Header Fields Too Large",
				     "request too large\n", false);
	}
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	return ERR_OK;
}

static err_t conn_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct conn *c = arg;

	c->idle_polls = 0;
	if (c->answered)
		conn_send(c);
	return ERR_OK;
}

static err_t conn_poll(void *arg, struct tcp_pcb *pcb)
{
	struct conn *c = arg;

	if (++c->idle_polls < SERVE_IDLE_POLLS)
		return ERR_OK;
	conn_free(c);
	tcp_abort(pcb);
	return ERR_ABRT;
}

static void conn_err(void *arg, err_t err)
{
	struct conn *c = arg;

	c->pcb = NULL; /* lwIP freed it */
	conn_free(c);
}

static err_t serve_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct serve *s = arg;
	struct conn *c;

	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	c = calloc(1, sizeof(*c));
	if (!c) {
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	c->srv = s;
	c->pcb = pcb;
	c->next = s->conns;
	s->conns = c;
	s->open++;
	tcp_arg(pcb, c);
	tcp_recv(pcb, conn_recv);
	tcp_sent(pcb, conn_sent);
	tcp_err(pcb, conn_err);
	tcp_poll(pcb, conn_poll, SERVE_POLL_TICKS);
	return ERR_OK;
}

static void print_reach(struct vm *vm, unsigned unit)
{
	const struct net_slirp_options *so = vm_nic_slirp(vm, unit);
	bool told = false;

	for (unsigned i = 0; so && i < so->hostfwd_count; i++) {
		const struct net_hostfwd *f = &so->hostfwd[i];

		if (f->udp || f->guest_port != SERVE_PORT)
			continue;
		printf("net-serve: from the host: http://%u.%u.%u.%u:%u/\n",
		       f->host_addr ? f->host_addr >> 24 : 127,
		       f->host_addr ? (f->host_addr >> 16) & 255 : 0,
		       f->host_addr ? (f->host_addr >> 8) & 255 : 0,
		       f->host_addr ? f->host_addr & 255 : 1, f->host_port);
		told = true;
	}
	if (!told)
		printf("net-serve: no host port forwards to it: add "
		       "hostfwd=tcp:127.0.0.1:8080-:%u to --net\n",
		       SERVE_PORT);
}

static int net_serve_run(struct vm *vm, const struct cli_options *o,
			 struct json *json)
{
	struct serve *s = calloc(1, sizeof(*s));
	struct tcp_pcb *listener = NULL, *pcb;
	enum guest_net_end end;
	struct guest_net gn;
	char err[256];
	int ret = 0;

	if (!s) {
		fprintf(stderr, "virtsim: net-serve: out of memory\n");
		return EXIT_OP_FAILED;
	}
	for (unsigned i = 0; i < sizeof(s->pattern); i++)
		s->pattern[i] = (uint8_t)(i % SERVE_PATTERN);
	s->gn = &gn;
	s->requests_wanted = o->given & CLI_OPT_REQUESTS ? o->requests : 0;
	if (guest_net_up(&gn, vm, o->unit, err, sizeof(err))) {
		fprintf(stderr, "virtsim: net-serve: %s\n", err);
		free(s);
		return EXIT_OP_FAILED;
	}
	pcb = tcp_new();
	if (pcb && tcp_bind(pcb, IP_ANY_TYPE, SERVE_PORT) == ERR_OK)
		listener = tcp_listen(pcb);
	if (!listener) {
		if (pcb)
			tcp_close(pcb);
		fprintf(stderr, "virtsim: net-serve: cannot listen on port %u\n",
			SERVE_PORT);
		ret = EXIT_OP_FAILED;
		goto out;
	}
	tcp_arg(listener, s);
	tcp_accept(listener, serve_accept);
	guest_net_catch_stop_signals(&gn);
	printf("net-serve: listening on %s:%u (net%u)\n", GUEST_NET_ADDR,
	       SERVE_PORT, o->unit);
	print_reach(vm, o->unit);
	fflush(stdout);
	end = guest_net_run(&gn, &s->done, 0);
	tcp_close(listener);
	while (s->conns) { /* stopped: drop the clients still there */
		struct tcp_pcb *open = s->conns->pcb;

		conn_free(s->conns);
		if (open)
			tcp_abort(open);
	}
	printf("net-serve: %s after %" PRIu64 " request%s\n",
	       end == GUEST_NET_STOPPED ? "stopped by a signal"
	       : end == GUEST_NET_DONE	? "done"
					: "the network went quiet",
	       s->served, s->served == 1 ? "" : "s");
	if (json) {
		json_uint(json, "port", SERVE_PORT);
		json_uint(json, "served", s->served);
		json_string(json, "end",
			    end == GUEST_NET_STOPPED ? "signal"
			    : end == GUEST_NET_DONE  ? "done"
						     : "idle");
	}
	guest_net_poll(&gn);
	guest_net_report(&gn, stdout, json);
	if (end == GUEST_NET_IDLE)
		ret = EXIT_OP_FAILED;
out:
	guest_net_down(&gn);
	free(s);
	return ret;
}

const struct workload net_serve_workload = {
    .name = "net-serve",
    .args = "",
    .help = "HTTP server on the guest's port 80 (GET / and /bytes/N) until "
	    "--requests N are served or SIGINT/SIGTERM",
    .nargs = 0,
    .cls = &net_class,
    .takes = CLI_OPT_NIC | CLI_OPT_REQUESTS,
    .run = net_serve_run,
};
