#!/usr/bin/env python3
"""Where a process's resident memory is, from /proc/PID/smaps (issue 22, daemon memory).

Each anonymous mapping is named by where it lies and how it is laid out:
  mimalloc arenas   mappings in mimalloc's address range (it places arenas from 2 TiB up)
  glibc arenas      a 64 MiB-aligned heap and the mappings that fill its 64 MiB (glibc's
                    per-thread arenas: SQLite and other C code allocate there)
  glibc main heap   [heap]
  thread stacks     a one-page guard and the mapping above it, and [stack]
  other anonymous   the rest (large mmapped allocations, small runtime regions)
  files             file-backed mappings (the binary's code and data, shared libraries)
Prints MiB resident per kind. Usage: scripts/rss-breakdown.py PID
"""
import re
import sys

MIB = 1024 * 1024


def regions(pid):
    """Yields (start, end, name, rss_bytes, is_guard_page) per mapping."""
    head = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$")
    current = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            m = head.match(line)
            if m:
                if current:
                    yield current
                start, end = int(m.group(1), 16), int(m.group(2), 16)
                current = [start, end, m.group(4).strip(), 0, m.group(3) == "---p" and end - start == 4096]
            elif line.startswith("Rss:") and current:
                current[3] = int(line.split()[1]) * 1024
    if current:
        yield current


MIMALLOC_RANGE = (1 << 40, 1 << 45)  # mimalloc's hinted arenas: 2 TiB up to 30 TiB
GLIBC_HEAP = 64 * MIB


def main():
    pid = sys.argv[1]
    totals = {}
    counts = {}
    current = None  # (kind, end of the region being filled)
    prev_end = None
    for start, end, name, rss, guard in regions(pid):
        anon = name == "" or name.startswith("[anon")
        if name == "[heap]":
            k, region = "glibc main heap", None
        elif name == "[stack]":
            k, region = "thread stacks", None
        elif not anon:
            k, region = "files", None
        elif MIMALLOC_RANGE[0] <= start < MIMALLOC_RANGE[1]:
            k, region = "mimalloc arenas", None
        elif current and start == prev_end and start < current[1]:
            k, region = current[0], current
        elif guard:
            k, region = "thread stacks", ("thread stacks", end + 1)  # the stack right above it
        elif start % GLIBC_HEAP == 0:
            k, region = "glibc arenas", ("glibc arenas", start + GLIBC_HEAP)
        else:
            k, region = "other anonymous", None
        if region is not current and region is not None:
            counts[k] = counts.get(k, 0) + 1
        elif region is None:
            counts[k] = counts.get(k, 0) + 1
        if k == "thread stacks" and region and start == prev_end and not guard:
            region = None  # the stack is this one mapping
        current = region
        prev_end = end
        totals[k] = totals.get(k, 0) + rss
    order = ["mimalloc arenas", "glibc arenas", "glibc main heap", "thread stacks", "other anonymous", "files"]
    for k in order:
        if k in totals:
            print(f"  {k:<17} {totals[k] / MIB:7.1f} MiB  ({counts[k]} mappings/regions)")
    print(f"  {'total':<17} {sum(totals.values()) / MIB:7.1f} MiB")


if __name__ == "__main__":
    main()
