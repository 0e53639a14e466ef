#!/usr/bin/env bash
# run.sh NAME ARGS... : bench/reliability/run.sh with the CLI taken from $MEMSCORE_EXE (a copy of a
# build, so rebuilding the worktree during a long run cannot swap the program under it).
: "${MEMSCORE_EXE:?set MEMSCORE_EXE to a copied MemScore.Cli}"
exec "$(dirname "$0")/../reliability/run.sh" "$@"
