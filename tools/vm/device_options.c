/* SPDX-License-Identifier: MIT */
/*
 * device_options.c - splitting a device's sub-options, and the number
 * and size syntax they use.
 */
#include "tools/vm/device_options.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vm_option_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int vm_parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

int vm_parse_on_off(const char *s)
{
	return !s ? -1 : !strcmp(s, "on") ? 1 : !strcmp(s, "off") ? 0 : -1;
}

int vm_parse_size(const char *s, uint64_t *bytes)
{
	unsigned shift = 0;
	uint64_t v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'K':
	case 'k':
		shift = 10;
		end++;
		break;
	case 'M':
	case 'm':
		shift = 20;
		end++;
		break;
	case 'G':
	case 'g':
		shift = 30;
		end++;
		break;
	case 'T':
	case 't':
		shift = 40;
		end++;
		break;
	}
	if (*end == 'i' && shift)
		end++;
	if ((*end == 'B' || *end == 'b') && shift)
		end++;
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*bytes = v << shift;
	return 0;
}

/* transport= and version=: 1 if @key is one of them, -1 if bad. */
static int parse_common(struct vm_device_config *cfg, const char *key,
			const char *value)
{
	if (!strcmp(key, "transport")) {
		if (value && !strcmp(value, "mmio"))
			cfg->transport = VM_TRANSPORT_MMIO;
		else if (value && !strcmp(value, "pci"))
			cfg->transport = VM_TRANSPORT_PCI;
		else
			return -1;
		return 1;
	}
	if (!strcmp(key, "version")) {
		if (value && !strcmp(value, "1"))
			cfg->mmio_version = 1;
		else if (value && !strcmp(value, "2"))
			cfg->mmio_version = 2;
		else
			return -1;
		return 1;
	}
	return 0;
}

int vm_parse_device(const struct device_class *cls, const char *arg,
		    struct vm_device_config *cfg, void **storage, char *err,
		    size_t errlen)
{
	size_t optsz = (cls->options_size + 15) & ~(size_t)15;
	char why[256], *word, *save = NULL;
	bool first = true, positional_seen = false;
	void *opts;

	*storage = NULL;
	*cfg = (struct vm_device_config){.cls = cls};
	if (cls->disabled)
		return vm_option_error(err, errlen,
			    "--%s: this virtsim was built without %s (%s)",
			    cls->name, cls->title, cls->disabled);
	if (!strcmp(arg, "help"))
		return VM_DEVICE_HELP;
	opts = calloc(1, optsz + strlen(arg) + 1);
	if (!opts)
		return vm_option_error(err, errlen, "out of memory");
	*storage = opts;
	cls->options_init(opts);
	cfg->options = opts;
	word = strtok_r(strcpy((char *)opts + optsz, arg), ",", &save);
	for (; word; word = strtok_r(NULL, ",", &save), first = false) {
		char *value = strchr(word, '=');
		/* The first word names the backend: a file, "user", ... */
		bool positional = first && !value && *arg != ',';
		int ret = 0;

		if (value)
			*value++ = '\0';
		if (!positional)
			ret = parse_common(cfg, word, value);
		if (ret < 0)
			return vm_option_error(err, errlen, "--%s '%s': bad %s='%s' (%s)",
				    cls->name, arg, word, value ? value : "",
				    VM_DEVICE_COMMON_USAGE);
		if (ret > 0)
			continue;
		why[0] = '\0';
		if (cls->parse(opts, positional ? NULL : word,
			       positional ? word : value, why, sizeof(why)))
			return vm_option_error(err, errlen, "--%s '%s': %s", cls->name,
				    arg, why);
		positional_seen |= positional;
	}
	if (!positional_seen)
		return vm_option_error(err, errlen, "--%s '%s': missing %s first",
			    cls->name, arg, cls->first_word);
	if (cfg->transport == VM_TRANSPORT_PCI && cfg->mmio_version)
		return vm_option_error(err, errlen,
			    "--%s '%s': version= is for MMIO; PCI functions "
			    "are modern virtio-pci",
			    cls->name, arg);
	return 0;
}

/*
 * The "; "-separated items of @text (outside parentheses), one a line
 * under a two-space indent.
 */
static void usage_items(FILE *out, const char *text)
{
	while (*text) {
		size_t n = 0;
		int depth = 0;

		for (; text[n] && (text[n] != ';' || depth); n++)
			depth += (text[n] == '(') - (text[n] == ')');

		fprintf(out, "  %.*s\n", (int)n, text);
		text += n;
		while (*text == ';' || *text == ' ')
			text++;
	}
}

void vm_device_usage(FILE *out, const struct device_class *cls)
{
	fprintf(out, "--%s ARG[,OPT...]: a %s device; ARG, then OPT:\n",
		cls->name, cls->title);
	usage_items(out, cls->usage);
	fprintf(out, "Every device also takes:\n");
	usage_items(out, VM_DEVICE_COMMON_USAGE);
}
