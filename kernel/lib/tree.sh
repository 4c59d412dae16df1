# SPDX-License-Identifier: GPL-2.0
# Source trees: the pristine tarball as a git base commit ("stock") and the
# series applied on top as one commit per patch ("patched"). Sourced.

# --occurrence stops tar once the member is found, so awk reads everything
# and nobody dies of SIGPIPE under pipefail.
tarball_version() {
	tar --occurrence=1 -xOf "$ZC_TARBALL" linux-source-6.1/Makefile 2>/dev/null |
		awk -F' = ' '/^VERSION/ {v = $2} /^PATCHLEVEL/ {p = $2} /^SUBLEVEL/ {s = $2}
			     END {print v "." p "." s}'
}

check_tarball() {
	[ -r "$ZC_TARBALL" ] ||
		die "$ZC_TARBALL not found: apt-get install linux-source-6.1=$ZC_KERNEL_VERSION-*"
	local v
	v=$(tarball_version)
	[ "$v" = "$ZC_KERNEL_VERSION" ] ||
		die "$ZC_TARBALL holds Linux ${v:-<unknown>}, but the series targets $ZC_KERNEL_VERSION. Install linux-source-6.1=$ZC_KERNEL_VERSION-* or rebase kernel/patches."
}

# Extract the tarball once into build/kernel/stock and commit it as the base.
prepare_base() {
	local stock
	stock=$(tree_dir stock)
	if git -C "$stock" rev-parse -q --verify "refs/tags/$ZC_BASE_TAG" >/dev/null 2>&1; then
		return 0
	fi
	check_tarball
	log "extracting $ZC_TARBALL (Linux $ZC_KERNEL_VERSION) into $stock"
	rm -rf "$stock" "$ZC_KBUILD/linux-source-6.1"
	mkdir -p "$ZC_KBUILD"
	tar -xf "$ZC_TARBALL" -C "$ZC_KBUILD"
	mv "$ZC_KBUILD/linux-source-6.1" "$stock"
	log "committing the pristine tree as $ZC_BASE_TAG (takes a minute)"
	(
		cd "$stock"
		git init -q -b stock
		git config gc.auto 0
		git config core.untrackedCache true
		# Object trees live inside the source trees; keep them out of git.
		printf 'out/\n' >>.git/info/exclude
		# Debian's top-level .gitignore ignores "/*": force-add the tarball as is.
		git add -f -A .
		GIT_AUTHOR_DATE="$ZC_FIXED_DATE" GIT_COMMITTER_DATE="$ZC_FIXED_DATE" \
			git commit -q -m "Linux $ZC_KERNEL_VERSION (Debian linux-source-6.1)"
		git tag "$ZC_BASE_TAG"
	)
}

# series_files DIR: the patches DIR/series names, in order.
series_files() {
	local dir=$1 p
	[ -f "$dir/series" ] || return 0
	while read -r p; do
		case "$p" in ''|'#'*) continue ;; esac
		[ -f "$dir/$p" ] || die "${dir#"$ZC_REPO"/}/series names $p, which does not exist"
		echo "$dir/$p"
	done <"$dir/series"
}

# apply_series TREE BRANCH START STAMP DIR...: make BRANCH in TREE the commit
# START plus one commit per patch of each DIR, unless nothing changed since
# STAMP was written. git only rewrites files whose content differs, and
# ccache absorbs the rest, so a one-line patch change rebuilds little.
apply_series() {
	local tree=$1 branch=$2 start=$3 stamp=$4 want files=() d
	shift 4
	for d in "$@"; do
		mapfile -t -O "${#files[@]}" files < <(series_files "$d")
	done
	want=$({ git -C "$tree" rev-parse "$start"
		 for d in "$@"; do [ -f "$d/series" ] && cat "$d/series"; done
		 [ ${#files[@]} -eq 0 ] || cat "${files[@]}"; } | sha256sum | cut -d' ' -f1)
	[ "$(cat "$stamp" 2>/dev/null)" = "$want" ] &&
		[ "$(git -C "$tree" symbolic-ref -q --short HEAD)" = "$branch" ] && return 0
	if [ -n "$(git -C "$tree" status --porcelain --untracked-files=no)" ]; then
		die "the patches of $tree changed, but it has uncommitted work that reapplying them would lose: commit it and run kernel/export-patches, or git stash it"
	fi
	log "$(basename "$tree"): applying ${#files[@]} patch(es) on $start"
	(
		cd "$tree"
		git am --abort >/dev/null 2>&1 || true
		git checkout -q -B "$branch" "$start"
		if [ ${#files[@]} -gt 0 ] &&
		   ! git am -q --committer-date-is-author-date "${files[@]}"; then
			git am --abort >/dev/null 2>&1 || true
			die "the patches do not apply to $start (see git am output above)"
		fi
	)
	echo "$want" >"$stamp"
}

# The stock tree: the tarball plus kernel/base-fixes, on branch "stock".
prepare_stock() {
	apply_series "$(tree_dir stock)" "$ZC_STOCK_BRANCH" "$ZC_BASE_TAG" \
		"$ZC_KBUILD/stock.series-hash" "$ZC_REPO/kernel/base-fixes"
}

# The patched tree: a worktree on branch "zcbuf", stock plus the series.
prepare_patched() {
	local stock patched
	stock=$(tree_dir stock)
	patched=$(tree_dir patched)
	if [ ! -e "$patched/.git" ]; then
		log "creating the patched worktree"
		git -C "$stock" worktree prune
		git -C "$stock" worktree add -q -f -B "$ZC_PATCH_BRANCH" "$patched" "$ZC_STOCK_BRANCH"
	fi
	apply_series "$patched" "$ZC_PATCH_BRANCH" "$ZC_STOCK_BRANCH" \
		"$ZC_KBUILD/patched.series-hash" "$ZC_REPO/kernel/patches"
}
