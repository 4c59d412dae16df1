# SPDX-License-Identifier: MIT
# Commands that must end: a hang costs one test, not the whole suite, and
# leaves a record of where it hung. Sourced.

# deadline_dump PID: where every thread of PID waits, in the kernel and in
# user space (gdb, when the host has it), on stderr
deadline_dump() {
	local pid=$1 t
	for t in /proc/"$pid"/task/*; do
		echo "-- thread ${t##*/} ($(cat "$t/comm" 2>/dev/null)) state $(
			awk '{ print $3 }' "$t/stat" 2>/dev/null) wchan $(cat "$t/wchan" 2>/dev/null)"
		cat "$t/stack" 2>/dev/null
	done >&2
	command -v gdb >/dev/null &&
		timeout 120 gdb -batch -nx -p "$pid" -ex 'thread apply all bt' </dev/null >&2 2>&1
}

# run_deadline SECONDS CMD...: CMD's status; 124 when it ran longer than
# SECONDS, after its stacks were dumped on stderr and it was killed.
run_deadline() {
	local secs=$1 pid timer rc first
	shift
	"$@" &
	pid=$!
	# a sleeping timer: polling would fork all the time under TCG
	sleep "$secs" &
	timer=$!
	wait -n -p first "$pid" "$timer"
	rc=$?
	if [ "$first" = "$timer" ]; then
		echo "run_deadline: still running after $secs s, killed: $*" >&2
		deadline_dump "$pid"
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 124
	fi
	kill "$timer" 2>/dev/null
	wait "$timer" 2>/dev/null
	return $rc
}
