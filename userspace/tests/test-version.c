// SPDX-License-Identifier: MIT
/* The library reports the version meson built it with. */
#include <stdio.h>
#include <string.h>

#include <zcbuf/zcbuf.h>

int main(void)
{
	const char *v = zcbuf_version();

	if (!v || strcmp(v, ZCBUF_EXPECTED_VERSION)) {
		fprintf(stderr, "zcbuf_version() = %s, expected %s\n",
			v ? v : "(null)", ZCBUF_EXPECTED_VERSION);
		return 1;
	}
	return 0;
}
