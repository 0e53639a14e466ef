#!/usr/bin/env python3
"""Per-class totals of a test log written with `--logger "console;verbosity=normal"` (what .ci/run prints).

Usage: bench/test-suite-times.py LOG [ROWS]. Sums each test's bracketed duration per class, and per tier
(the [Trait("Tier", "EndToEnd")] and [Collection(ProcessGlobalState.Name)] attributes read from tests/).
The console logger prints durations of 1 s and more truncated to whole seconds, so sums are lower bounds.
"""
import collections, glob, os, re, sys

LINE = re.compile(r'^\s+(Passed|Failed|Skipped) MemScore\.Tests\.([\w.]+?)\.(\w+)(\(.*\))? \[([^\]]+)\]$')
UNIT = {'ms': 1e-3, 's': 1, 'm': 60, 'h': 3600}


def seconds(text):
    return sum(float(v) * UNIT[u] for v, u in re.findall(r'([\d.]+) (ms|s|m|h)\b', text))


def tiers(tests_root):
    found = {}
    for path in glob.glob(os.path.join(tests_root, '**', '*.cs'), recursive=True):
        source = open(path, encoding='utf-8').read()
        namespace = re.search(r'namespace MemScore\.Tests\.([\w.]+)', source)
        if not namespace:
            continue
        for m in re.finditer(r'((?:^\[[^\n]*\]\n)*)^public (?:sealed |partial )*class (\w+)', source, re.M):
            found[f'{namespace.group(1)}.{m.group(2)}'] = (
                'end-to-end' if 'EndToEnd' in m.group(1) else 'fast',
                'serial' if 'ProcessGlobalState' in m.group(1) else 'parallel')
    return found


def main():
    log, rows = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 30
    total, count = collections.defaultdict(float), collections.Counter()
    for line in open(log, encoding='utf-8', errors='replace'):
        m = LINE.match(line.rstrip('\n'))
        if m:
            total[m.group(2)] += seconds(m.group(5))
            count[m.group(2)] += 1
    tier = tiers(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'MemScore.Tests'))
    by_tier = collections.defaultdict(lambda: [0.0, 0, 0])
    for cls, s in total.items():
        t = by_tier[tier.get(cls, ('?', '?'))]
        t[0] += s; t[1] += count[cls]; t[2] += 1
    print(f'{sum(count.values())} tests, sum of durations {sum(total.values()):.0f} s')
    for (kind, collection), (s, n, c) in sorted(by_tier.items()):
        print(f'  {kind}, {collection}: {s:.0f} s in {n} tests of {c} classes')
    print('| class | tests | sum (s) | tier | collection |\n|---|---:|---:|---|---|')
    for cls, s in sorted(total.items(), key=lambda kv: -kv[1])[:rows]:
        kind, collection = tier.get(cls, ('?', '?'))
        print(f'| {cls} | {count[cls]} | {s:.1f} | {kind} | {collection} |')


if __name__ == '__main__':
    main()
