#!/usr/bin/env bash
# Makes the library's surface small: every top-level type in src/MemScore becomes `internal` unless its name is
# listed in build/public-api.txt (the entry point MemScore.Api and what a model family outside the library needs,
# see examples/csharp-family). MemScore.Cli and MemScore.Tests see the internals (InternalsVisibleTo in
# src/MemScore/MemScore.csproj). Idempotent: run it again after merging branches that add files; a second run
# changes nothing. Only `public` -> `internal` at column 0 (the files use file-scoped namespaces), so nested
# types and members keep their modifiers.
# After it: dotnet build -c Release. An error CS0050..CS0061 ("inconsistent accessibility: X is less accessible
# than Y") means a listed type exposes X: add X to build/public-api.txt and run this again
# (build/internalize.sh --converge does that loop itself, building the library and the examples).
set -euo pipefail
export LC_ALL=C
cd "$(dirname "${BASH_SOURCE[0]}")/.."
allowlist=build/public-api.txt

apply() {
  find src/MemScore -name '*.cs' -not -path '*/bin/*' -not -path '*/obj/*' -print0 | sort -z | xargs -0 perl -i -ne '
    BEGIN {
      open(my $f, "<", "'"$allowlist"'") or die "'"$allowlist"': $!";
      while (<$f>) { s/#.*//; s/\s+//g; $keep{$_} = 1 if length; }
    }
    if (/^public((?:\s+(?:sealed|static|abstract|partial|readonly|unsafe|ref|record))*\s+(?:class|struct|interface|enum|record)\s+)(\w+)/
        || /^public(\s+delegate\s+.+?\s+)(\w+)\s*(?:<[^>]*>)?\s*\(/) {
      s/^public\b/internal/ unless $keep{$2};
    }
    print;'
}

# Top-level type names declared in src/MemScore.
declared() {
  find src/MemScore -name '*.cs' -not -path '*/bin/*' -not -path '*/obj/*' -print0 | xargs -0 perl -ne '
    print "$2\n" if /^(?:public|internal)((?:\s+(?:sealed|static|abstract|partial|readonly|unsafe|ref|record))*\s+(?:class|struct|interface|enum|record)\s+)(\w+)/
      || /^(?:public|internal)(\s+delegate\s+.+?\s+)(\w+)\s*(?:<[^>]*>)?\s*\(/;' | sort -u
}

# Library types the build reports as less accessible than a public one (or inaccessible to an example); none when it builds.
exposed() {
  { dotnet build src/MemScore/MemScore.csproj -c Release 2>&1 || true
    for project in examples/*/*.csproj; do dotnet build "$project" -c Release 2>&1 || true; done
  } | grep -E "error CS(005[0-9]|006[01]|0122)" | perl -ne "print \"\$1\n\" if /error CS0\d+: [^']*'([^']+)'/" \
    | grep -oE '\b[A-Z][A-Za-z0-9_]*\b' | sort -u | comm -12 - <(declared)
}

apply
if [[ "${1:-}" == "--converge" ]]; then
  for round in 1 2 3 4 5 6 7 8 9 10; do
    mapfile -t names < <(exposed)
    new=()
    for n in "${names[@]}"; do grep -qx "$n" "$allowlist" || new+=("$n"); done
    if [[ ${#new[@]} -eq 0 ]]; then echo "internalize: converged after $round build round(s)" >&2; exit 0; fi
    echo "internalize: round $round makes public again: ${new[*]}" >&2
    printf '%s\n' "${new[@]}" >> "$allowlist"
    # Types listed since the last run are public again; the rest stay internal.
    for n in "${new[@]}"; do
      grep -rlE "^internal\b.*\b(class|struct|interface|enum|record|delegate)\b.*\b$n\b" src/MemScore --include=*.cs \
        | xargs -r perl -i -pe "s/^internal\b/public/ if /^internal\b.*\b(?:class|struct|interface|enum|record)\s+$n\b/ || /^internal\s+delegate\s+.+?\s+$n\s*(?:<[^>]*>)?\s*\(/"
    done
  done
  echo "internalize: not converged after 10 rounds" >&2
  exit 1
fi
