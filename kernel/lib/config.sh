# SPDX-License-Identifier: GPL-2.0
# .config generation: allnoconfig + our fragments, then a check that every
# requested option survived (kconfig drops options with unmet dependencies
# silently). Sourced.

# config_fragments VARIANT: the fragments, in merge order. zcbuf.config holds
# the options the series adds; they do not exist in the stock tree.
config_fragments() {
	echo "$ZC_REPO/kernel/configs/guest.config"
	echo "$ZC_REPO/kernel/configs/debug.config"
	[ "$1" != stock ] && echo "$ZC_REPO/kernel/configs/zcbuf.config"
	[ "$1" = patched ] && echo "$ZC_REPO/kernel/configs/coverage.config"
	[ "$1" = userptr-off ] && echo "$ZC_REPO/kernel/configs/userptr-off.config"
	[ "$1" = kcsan ] && echo "$ZC_REPO/kernel/configs/kcsan.config"
	return 0
}

# verify_config FINAL FRAGMENT... : fail listing every option that differs
# from what the last fragment that names it asks for.
verify_config() {
	local final=$1
	shift
	awk '
	function name(line) { sub(/^# /, "", line); sub(/[= ].*/, "", line); return line }
	FNR == NR { if ($0 ~ /^(# )?CONFIG_/) got[name($0)] = $0; next }
	/^CONFIG_[A-Za-z0-9_]+=/ || /^# CONFIG_[A-Za-z0-9_]+ is not set/ {
		n = name($0); if (!(n in asked)) order[++nasked] = n
		asked[n] = $0; from[n] = FILENAME
	}
	END {
		for (i = 1; i <= nasked; i++) {
			n = order[i]; a = asked[n]; g = (n in got) ? got[n] : "absent"
			ok = (a ~ /^#/) ? (g !~ /=[ym]$/) : (g == a)
			if (!ok) { printf "  %s: asked \"%s\", got \"%s\"\n", from[n], a, g; bad++ }
		}
		exit bad > 0
	}
	' "$final" "$@"
}

# prepare_config VARIANT: (re)generate out/.config when a fragment or a
# Kconfig file of the tree changed.
prepare_config() {
	local src out stamp want frags merged
	src=$(tree_dir "$1")
	out=$(out_dir "$1")
	stamp="$out/.zcbuf-config-hash"
	mapfile -t frags < <(config_fragments "$1")
	# Patches add Kconfig symbols: regenerate when any Kconfig file changed.
	want=$({ hash_files "${frags[@]}"
		find "$src" -path "$src/out" -prune -o -name 'Kconfig*' -print |
			sort | xargs cat | sha256sum; } | sha256sum | cut -d' ' -f1)
	if [ -f "$out/.config" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
		return 0
	fi
	log "$1: generating .config (allnoconfig + ${frags[*]##*/})"
	mkdir -p "$out"
	merged="$out/.zcbuf-fragments.config"
	cat "${frags[@]}" >"$merged"
	make -C "$src" O="$out" -s KCONFIG_ALLCONFIG="$merged" allnoconfig >/dev/null
	if ! verify_config "$out/.config" "${frags[@]}"; then
		die "$1: kconfig dropped or changed the options above (unmet dependencies?); fix kernel/configs/"
	fi
	echo "$want" >"$stamp"
}
