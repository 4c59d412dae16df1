#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""profile-report.py [--under REGEX] [--top N] FILE: summarize the output of
`perf script -F comm,tid,period,ip,sym,dso` (tests/bench/profile records it
in the guest) as text: where the sampled CPU time went, by thread name, by
function (self), by function with its callees (inclusive), and the most
sampled call paths. Samples are weighted by their period (cpu-clock: ns).
--under REGEX keeps only the samples with a frame whose function matches
(e.g. '^vb2_core_qbuf$': the QBUF ioctl, not the REQBUFS around it)."""
import collections
import re
import sys

args = sys.argv[1:]
under, top = None, 25
while len(args) > 1:
    if args[0] == "--under":
        under = re.compile(args[1])
    elif args[0] == "--top":
        top = int(args[1])
    else:
        sys.exit(__doc__)
    args = args[2:]
if len(args) != 1:
    sys.exit(__doc__)


def samples(path):
    """(comm, period, [(sym, dso)], leaf first); user frames past the leaf
    are dropped: without frame pointers they are guesses."""
    head, frames = None, []
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("\t") or line.startswith(" "):
                m = re.match(r"\s*[0-9a-f]+ (.*) \((.*)\)$", line.rstrip("\n"))
                if m:
                    frames.append((re.sub(r"\+0x[0-9a-f]+$", "", m.group(1)), m.group(2)))
            elif line.strip():
                if head:
                    yield head[0], head[1], frames
                t = line.split()
                head, frames = (" ".join(t[:-2]), int(t[-1])), []
    if head:
        yield head[0], head[1], frames


def kernel(dso):
    return dso.startswith("[") and dso != "[unknown]"


def name(fr):
    sym, dso = fr
    if sym == "[unknown]":
        return "[unknown] (%s)" % dso.rsplit("/", 1)[-1]
    return sym if kernel(dso) else "%s (%s)" % (sym, dso.rsplit("/", 1)[-1])


total = 0
kept = 0
comm = collections.Counter()
space = collections.Counter()
self_ = collections.Counter()
incl = collections.Counter()
paths = collections.Counter()
for c, period, frames in samples(args[0]):
    total += period
    frames = [fr for i, fr in enumerate(frames) if i == 0 or kernel(fr[1])]
    if under and not any(under.search(fr[0]) for fr in frames):
        continue
    kept += period
    comm[re.sub(r"[0-9]+$", "N", c)] += period
    if not frames:
        self_["[no frame]"] += period
        continue
    space["kernel" if kernel(frames[0][1]) else "user"] += period
    self_[name(frames[0])] += period
    for n in {name(fr) for fr in frames}:
        incl[n] += period
    paths[" <- ".join(name(fr) for fr in frames[:6])] += period


def table(title, counter, n):
    print("\n%s" % title)
    for k, v in counter.most_common(n):
        print("%6.2f%%  %s" % (100.0 * v / kept, k))


if not total:
    sys.exit("%s: no samples" % args[0])
print("%s: %.3f s sampled" % (args[0], total / 1e9), end="")
if under:
    print(", %.1f%% of it under /%s/ (the percentages below are of that part)"
          % (100.0 * kept / total, under.pattern), end="")
print()
if not kept:
    sys.exit(0)
table("by thread name (trailing digits folded):", comm, 12)
table("user/kernel (leaf frame):", space, 2)
table("self (the sampled function):", self_, top)
table("inclusive (the function or its callees; user frames: the leaf only):", incl, top)
table("call paths (leaf first, 6 frames):", paths, 15)
