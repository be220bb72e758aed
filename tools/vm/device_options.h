/* SPDX-License-Identifier: MIT */
/*
 * device_options.h - the sub-option grammar every device class shares on
 * the command line, kvmtool-style: `--blk FILE[,KEY[=VALUE]...]`. The
 * first word and the class's own keys go to the class's parser;
 * transport=mmio|pci and version=1|2 are the machine builder's.
 */
#ifndef VIRTSIM_TOOLS_VM_DEVICE_OPTIONS_H
#define VIRTSIM_TOOLS_VM_DEVICE_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tools/vm/vm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What every class accepts, for --help. */
#define VM_DEVICE_COMMON_USAGE                                                \
	"transport=mmio (the next MMIO slot, default) or transport=pci (the " \
	"next device on PCI bus 0); version=1 (legacy MMIO) or version=2"

/*
 * Parse @arg for @cls into @cfg. The class's options and the strings
 * they point to live in one allocation returned in *@storage (free it
 * after the machine is built). Returns 0, VM_DEVICE_HELP for "help", or
 * -1 with one line in @err naming the option and the value.
 */
int vm_parse_device(const struct device_class *cls, const char *arg,
		    struct vm_device_config *cfg, void **storage, char *err,
		    size_t errlen);

/*
 * `--blk help` and the like: vm_parse_device returns this (not an
 * error) when @arg is "help"; vm_device_usage prints what to give.
 */
#define VM_DEVICE_HELP 1

/* The class's sub-options, one a line, then the common ones, on @out. */
void vm_device_usage(FILE *out, const struct device_class *cls);

/* Format one line into @err; returns -1, what option parsers return. */
int vm_option_error(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "128M" / "4096" / "1G" / "2GiB" -> bytes; -1 if not a size. */
int vm_parse_size(const char *s, uint64_t *bytes);
/* A decimal number (no sign, no base prefix); -1 if it is not one. */
int vm_parse_u64(const char *s, uint64_t *v);
/* A switch's value: 1 for "on", 0 for "off", -1 for anything else. */
int vm_parse_on_off(const char *s);

#ifdef __cplusplus
}
#endif

#endif /* VIRTSIM_TOOLS_VM_DEVICE_OPTIONS_H */
