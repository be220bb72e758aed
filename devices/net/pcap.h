/* SPDX-License-Identifier: MIT */
/*
 * pcap.h - a capture file in the classic libpcap format (magic
 * 0xa1b2c3d4, version 2.4, snaplen 65535, LINKTYPE_ETHERNET), the one
 * tcpdump -r and Wireshark read everywhere. Records carry wall-clock
 * timestamps.
 *
 * A write error is reported once on stderr and ends the capture; it
 * never fails the caller: a full disk stops the pcap, not the run.
 * Prefixed net_pcap_ so that the library links beside libpcap.
 */
#ifndef VIRTSIM_DEVICES_NET_PCAP_H
#define VIRTSIM_DEVICES_NET_PCAP_H

#include <stddef.h>

#define NET_PCAP_MAGIC 0xa1b2c3d4u
#define NET_PCAP_VERSION_MAJOR 2
#define NET_PCAP_VERSION_MINOR 4
#define NET_PCAP_SNAPLEN 65535u
#define NET_PCAP_LINKTYPE_ETHERNET 1u

struct net_pcap;

/*
 * Create (truncate) @path and write the file header (buffered, like the
 * records). NULL with errno set if the file cannot be created.
 */
struct net_pcap *net_pcap_open(const char *path);
/* One Ethernet frame, cut to the snaplen; nothing once the capture ended. */
void net_pcap_write(struct net_pcap *p, const void *frame, size_t len);
/* Flush and close (an error now is reported like a write error). */
void net_pcap_close(struct net_pcap *p);

#endif /* VIRTSIM_DEVICES_NET_PCAP_H */
