/* SPDX-License-Identifier: MIT */
/*
 * dev.c - names of device types and device errors, for logs and tests.
 */
#include "drivers/base/dev.h"

const char *dev_type_name(enum dev_type type)
{
	switch (type) {
	case DEV_TYPE_BLOCK:
		return "Block";
	case DEV_TYPE_CHAR:
		return "Char";
	case DEV_TYPE_NET:
		return "Net";
	case DEV_TYPE_DISPLAY:
		return "Display";
	}
	return "Unknown";
}

const char *dev_err_name(int err)
{
	/* unsigned negation: INT_MIN must not overflow */
	switch (err < 0 ? 0u - (unsigned)err : (unsigned)err) {
	case DEV_ERR_ALREADY_EXISTS:
		return "AlreadyExists";
	case DEV_ERR_AGAIN:
		return "Again";
	case DEV_ERR_BAD_STATE:
		return "BadState";
	case DEV_ERR_INVALID_PARAM:
		return "InvalidParam";
	case DEV_ERR_IO:
		return "Io";
	case DEV_ERR_NO_MEMORY:
		return "NoMemory";
	case DEV_ERR_RESOURCE_BUSY:
		return "ResourceBusy";
	case DEV_ERR_UNSUPPORTED:
		return "Unsupported";
	}
	return "Unknown";
}
