// SPDX-License-Identifier: MIT
/* zcbuf: command-line front end of libzcbuf. */
#include <stdio.h>
#include <string.h>

#include <zcbuf/zcbuf.h>

static void usage(FILE *out)
{
	fprintf(out,
		"usage: zcbuf COMMAND\n"
		"\n"
		"commands:\n"
		"  version    print the library version\n"
		"  help       show this help\n");
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("zcbuf %s\n", zcbuf_version());
		return 0;
	}
	fprintf(stderr, "zcbuf: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
