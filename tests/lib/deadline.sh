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

# wait_deadline SECONDS PID ON_EXPIRY: wait for child PID; its status, or
# 124 when it ran longer than SECONDS: then ON_EXPIRY PID runs first (to
# record where PID is) and PID gets a SIGKILL.
wait_deadline() {
	local secs=$1 pid=$2 on_expiry=$3 timer rc first
	# a sleeping timer: polling would fork all the time under TCG
	sleep "$secs" &
	timer=$!
	wait -n -p first "$pid" "$timer"
	rc=$?
	if [ "$first" = "$timer" ]; then
		"$on_expiry" "$pid"
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 124
	fi
	kill "$timer" 2>/dev/null
	wait "$timer" 2>/dev/null
	return $rc
}

# run_deadline SECONDS CMD...: CMD's status; 124 when it ran longer than
# SECONDS, after its stacks were dumped on stderr and it was killed.
run_deadline() {
	local secs=$1 rc
	shift
	"$@" &
	wait_deadline "$secs" $! run_deadline_expired
	rc=$?
	[ $rc -ne 124 ] || echo "run_deadline: killed after $secs s: $*" >&2
	return $rc
}
run_deadline_expired() {
	echo "run_deadline: still running, its stacks:" >&2
	deadline_dump "$1"
}
