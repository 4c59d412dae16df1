/* SPDX-License-Identifier: MIT */
/* zcbuf subcommands that live in files of their own. */
#ifndef ZCBUF_COMMANDS_H
#define ZCBUF_COMMANDS_H

/* Exit statuses: 0 success, 1 the operation failed, 2 bad usage. */
enum { EXIT_USAGE = 2 };

/* zcbuf run: vivid capture -> vim2m -> checksum sink (cmd-run.c). */
int cmd_run(int argc, char **argv);

#endif
