/* SPDX-License-Identifier: MIT */
/*
 * png.c - the shadow as an 8-bit RGB PNG: signature, IHDR, one IDAT (the
 * rows, each with filter byte 0, through zlib's compress2), IEND; every
 * chunk's CRC from zlib's crc32.
 *
 * The file is written under a temporary name beside @path and renamed
 * over it, so a reader never sees half a screenshot and a failed write
 * leaves nothing behind (not even an old file at @path is touched).
 */
#include "devices/gpu/display.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One chunk: length, type, data, CRC over type and data. */
static int write_chunk(int fd, const char type[4], const uint8_t *data,
		       uint32_t len)
{
	uint8_t head[8], tail[4];
	uLong crc = crc32(0L, Z_NULL, 0);
	int ret;

	put_be32(head, len);
	memcpy(head + 4, type, 4);
	crc = crc32(crc, head + 4, 4);
	if (len)
		crc = crc32(crc, data, len);
	put_be32(tail, (uint32_t)crc);
	ret = write_all(fd, head, sizeof(head));
	if (!ret && len)
		ret = write_all(fd, data, len);
	if (!ret)
		ret = write_all(fd, tail, sizeof(tail));
	return ret;
}

/* The rows as PNG wants them: filter byte 0, then R, G, B per pixel. */
static uint8_t *png_rows(const struct display *d, size_t *len)
{
	size_t row_len = 1 + (size_t)d->width * 3;
	uint8_t *rows = malloc(row_len * d->height), *out = rows;
	const uint8_t *in = d->shadow;

	if (!rows)
		return NULL;
	for (uint32_t y = 0; y < d->height; y++) {
		*out++ = 0;
		for (uint32_t x = 0; x < d->width; x++, in += 4) {
			*out++ = in[2];
			*out++ = in[1];
			*out++ = in[0];
		}
	}
	*len = row_len * d->height;
	return rows;
}

/* Deflate the rows into a zlib stream, which is what IDAT holds. */
static int png_idat(const struct display *d, uint8_t **idat, uLongf *len)
{
	size_t raw_len;
	uint8_t *raw = png_rows(d, &raw_len);
	int ret = -ENOMEM;

	if (!raw)
		return -ENOMEM;
	*len = compressBound((uLong)raw_len);
	*idat = malloc(*len);
	if (*idat && compress2(*idat, len, raw, (uLong)raw_len,
			       Z_DEFAULT_COMPRESSION) == Z_OK)
		ret = *len <= 0x7fffffffu ? 0 : -EFBIG; /* PNG's limit */
	if (ret) {
		free(*idat);
		*idat = NULL;
	}
	free(raw);
	return ret;
}

static int png_write_fd(const struct display *d, int fd)
{
	static const uint8_t signature[8] = {0x89, 'P',	 'N',  'G',
					     '\r', '\n', 0x1a, '\n'};
	uint8_t ihdr[13];
	uint8_t *idat;
	uLongf idat_len;
	int ret;

	put_be32(ihdr, d->width);
	put_be32(ihdr + 4, d->height);
	ihdr[8] = 8;  /* bits per sample */
	ihdr[9] = 2;  /* colour type: RGB */
	ihdr[10] = 0; /* deflate */
	ihdr[11] = 0; /* filtering: per-row filter bytes */
	ihdr[12] = 0; /* no interlace */
	ret = png_idat(d, &idat, &idat_len);
	if (ret)
		return ret;
	ret = write_all(fd, signature, sizeof(signature));
	if (!ret)
		ret = write_chunk(fd, "IHDR", ihdr, sizeof(ihdr));
	if (!ret)
		ret = write_chunk(fd, "IDAT", idat, (uint32_t)idat_len);
	if (!ret)
		ret = write_chunk(fd, "IEND", NULL, 0);
	free(idat);
	return ret;
}

/* A fresh file beside @path (O_EXCL: never someone else's). */
static int open_temp(const char *path, char **tmp)
{
	static unsigned counter;
	size_t len = strlen(path) + 48;

	*tmp = malloc(len);
	if (!*tmp)
		return -ENOMEM;
	for (int tries = 0; tries < 100; tries++) {
		int fd;

		snprintf(*tmp, len, "%s.tmp.%ld.%u", path, (long)getpid(),
			 counter++);
		fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
	}
	return -EEXIST;
}

int display_write_png(const struct display *d, const char *path, char *err,
		      size_t errlen)
{
	char *tmp = NULL;
	int fd, ret;

	if (!d->shadow || !d->width || !d->height) {
		snprintf(err, errlen, "screenshot %s: the display has no mode",
			 path);
		return -EINVAL;
	}
	fd = open_temp(path, &tmp);
	if (fd < 0) {
		ret = fd;
		goto out;
	}
	ret = png_write_fd(d, fd);
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
	if (ret)
		unlink(tmp);
out:
	if (ret)
		snprintf(err, errlen, "screenshot %s: %s", path,
			 strerror(-ret));
	free(tmp);
	return ret;
}
