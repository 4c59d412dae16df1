// SPDX-License-Identifier: MIT
#include "zcbuf/zcbuf.h"

#include "version.h"

const char *zcbuf_version(void)
{
	return ZCBUF_VERSION_STRING;
}
