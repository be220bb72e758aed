/* SPDX-License-Identifier: MIT */
/*
 * Classic libpcap capture files (the format of
 * https://wiki.wireshark.org/Development/LibpcapFileFormat): a 24-byte
 * file header, then per frame a 16-byte record header and the bytes.
 * Fields are written in host order; the magic tells readers which.
 */
#include "devices/net/pcap.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

struct net_pcap_file_hdr {
	uint32_t magic;
	uint16_t version_major, version_minor;
	int32_t thiszone;
	uint32_t sigfigs;
	uint32_t snaplen;
	uint32_t linktype;
};

struct net_pcap_rec_hdr {
	uint32_t ts_sec, ts_usec;
	uint32_t incl_len, orig_len;
};

_Static_assert(sizeof(struct net_pcap_file_hdr) == 24, "pcap file header");
_Static_assert(sizeof(struct net_pcap_rec_hdr) == 16, "pcap record header");

struct net_pcap {
	FILE *f; /* NULL once the capture ended on an error */
	char *path;
};

/* The first error ends the capture: say so once, keep the run going. */
static void net_pcap_fail(struct net_pcap *p, int err)
{
	fprintf(stderr, "virtsim: pcap %s: %s; capture stopped\n", p->path,
		strerror(err ? err : EIO));
	fclose(p->f);
	p->f = NULL;
}

struct net_pcap *net_pcap_open(const char *path)
{
	struct net_pcap_file_hdr h = {
	    .magic = NET_PCAP_MAGIC,
	    .version_major = NET_PCAP_VERSION_MAJOR,
	    .version_minor = NET_PCAP_VERSION_MINOR,
	    .snaplen = NET_PCAP_SNAPLEN,
	    .linktype = NET_PCAP_LINKTYPE_ETHERNET,
	};
	struct net_pcap *p = calloc(1, sizeof(*p));
	int err;

	if (!p)
		return NULL;
	p->path = strdup(path);
	if (!p->path)
		goto fail;
	p->f = fopen(path, "wb");
	if (!p->f)
		goto fail;
	/* Buffered: a full disk shows at the first flush, as a write error. */
	if (fwrite(&h, sizeof(h), 1, p->f) != 1) {
		err = errno;
		fclose(p->f);
		errno = err ? err : EIO;
		goto fail;
	}
	return p;
fail:
	err = errno;
	free(p->path);
	free(p);
	errno = err;
	return NULL;
}

void net_pcap_write(struct net_pcap *p, const void *frame, size_t len)
{
	struct net_pcap_rec_hdr r;
	struct timeval tv;

	if (!p || !p->f)
		return;
	gettimeofday(&tv, NULL);
	r.ts_sec = (uint32_t)tv.tv_sec;
	r.ts_usec = (uint32_t)tv.tv_usec;
	r.orig_len = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	r.incl_len = len > NET_PCAP_SNAPLEN ? NET_PCAP_SNAPLEN : (uint32_t)len;
	errno = 0;
	if (fwrite(&r, sizeof(r), 1, p->f) != 1 ||
	    fwrite(frame, 1, r.incl_len, p->f) != r.incl_len)
		net_pcap_fail(p, errno);
}

void net_pcap_close(struct net_pcap *p)
{
	if (!p)
		return;
	if (p->f) {
		errno = 0;
		if (fflush(p->f) || ferror(p->f))
			net_pcap_fail(p, errno);
		else if (fclose(p->f))
			fprintf(stderr, "virtsim: pcap %s: %s\n", p->path,
				strerror(errno));
	}
	free(p->path);
	free(p);
}
