# SPDX-License-Identifier: MIT
# TAP 13 output for shell suites. Sourced. Results go to stdout; everything
# else a suite prints should go to stderr (the suite's .log file).
tap_n=0
echo "TAP version 13"

tap_ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
tap_not_ok() { tap_n=$((tap_n + 1)); echo "not ok $tap_n - $*"; }
tap_skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1 # SKIP ${2:-}"; }
tap_diag() { printf '# %s\n' "$@"; }
# tap_result STATUS DESCRIPTION: ok when STATUS is 0.
tap_result() {
	if [ "$1" -eq 0 ]; then tap_ok "$2"; else tap_not_ok "$2"; fi
}
# tap_check DESCRIPTION CMD...: run CMD (output to stderr), ok when it succeeds.
tap_check() {
	local desc=$1
	shift
	"$@" >&2
	tap_result $? "$desc"
}
tap_done() { echo "1..$tap_n"; }
# tap_lines FILE: copy the results ("ok [N] - x", "not ok [N] - x") and
# "# ..." diagnostics of a helper's TAP, renumbered in this suite's sequence.
# A helper that printed nothing, or not its whole plan, fails.
tap_lines() {
	local line plan="" seen=0
	while IFS= read -r line; do
		case "$line" in
		"ok "*) tap_ok "${line#ok*- }"; seen=$((seen + 1)) ;;
		"not ok "*) tap_not_ok "${line#not ok*- }"; seen=$((seen + 1)) ;;
		"1.."*) plan=${line#1..} ;;
		"#"*) echo "$line" ;;
		esac
	done <"$1"
	if [ -n "$plan" ] && [ "$plan" != "$seen" ]; then
		tap_not_ok "$(basename "$1"): planned $plan results, printed $seen"
	elif [ "$seen" = 0 ]; then
		tap_not_ok "$(basename "$1"): no results"
	fi
}
