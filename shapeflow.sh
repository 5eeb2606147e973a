#!/usr/bin/env bash
# Shapeflow setup script: installs what is missing, builds, then runs the editor or the tests.
#   ./shapeflow.sh run [FILE] [OPTIONS]  install, build (Release, build/), open the editor on FILE or an
#                                        example; OPTIONS go to the editor (e.g. --screenshot OUT.png)
#   ./shapeflow.sh test                  install, build, run every test through ctest
#   ./shapeflow.sh bench                 install, build, run the benchmarks in tests/bench/
#   ./shapeflow.sh build                 install and build only
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build_dir="${SHAPEFLOW_BUILD_DIR:-$here/build}"
packages=(
  g++ cmake ninja-build pkg-config
  qt6-base-dev libqt6opengl6-dev qt6-charts-dev qt6-svg-dev libgl-dev
  libeigen3-dev libopenblas0-openmp nlohmann-json3-dev zlib1g-dev libbenchmark-dev
  fonts-dejavu-core xvfb xauth xdotool python3-numpy
)

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "Shapeflow needs these Debian packages. Run, then try again:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {
  cmake -S "$here" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build_dir" -j "$(nproc)"
}

command="${1:-run}"
[ $# -gt 0 ] && shift
case "$command" in
  run)
    install_missing; build
    file="$here/resources/examples/two_branch_embeddings.sfmodel"
    if [ $# -gt 0 ] && [[ "$1" != -* ]]; then file="$1"; shift; fi
    exec "$build_dir/bin/shapeflow" "$@" "$file"
    ;;
  test)
    install_missing; build
    cd "$build_dir"
    QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j "$(nproc)" "$@"
    ;;
  bench)
    install_missing; build
    for b in "$build_dir"/bin/bench_*; do echo "== $(basename "$b")"; "$b" "$@"; done
    ;;
  build)
    install_missing; build
    ;;
  *)
    echo "usage: ./shapeflow.sh run [FILE] [OPTIONS] | test | bench | build" >&2
    exit 2
    ;;
esac
