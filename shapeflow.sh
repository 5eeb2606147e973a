#!/usr/bin/env bash
# Shapeflow setup script: installs what is missing, builds, then runs the editor or the tests.
#   ./shapeflow.sh run [FILE] [OPTIONS]  install, build (Release, build/), open the editor on FILE or an
#                                        example; OPTIONS go to the editor (e.g. --screenshot OUT.png)
#   ./shapeflow.sh test                  install, build, run every test through ctest
#   ./shapeflow.sh bench                 install, build, run the benchmarks in tests/bench/
#   ./shapeflow.sh build                 install and build only
#   ./shapeflow.sh sanitize              install, build with ASan + UBSan (build-asan/), run every test
#   ./shapeflow.sh fuzz [SECONDS] [TARGET...]
#                                        install clang too, build the libFuzzer targets (build-fuzz/),
#                                        fuzz each for SECONDS (default 60); findings land in
#                                        build-fuzz/findings/TARGET/
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build_dir="${SHAPEFLOW_BUILD_DIR:-$here/build}"
packages=(
  g++ cmake ninja-build pkg-config
  qt6-base-dev libqt6opengl6-dev qt6-charts-dev qt6-svg-dev libgl-dev
  libeigen3-dev libopenblas0-openmp nlohmann-json3-dev zlib1g-dev libhdf5-dev libbenchmark-dev
  fonts-dejavu-core xvfb xauth xdotool python3-numpy clang-format ca-certificates
)
# Node.js and npm: tst_tfjs_files loads the TensorFlow.js folders Shapeflow writes with
# @tensorflow/tfjs, which the tfjs_install test fetches from the npm registry into the build folder.
# Debian's nodejs and npm, unless a node and an npm are already on PATH: NodeSource's nodejs package
# brings its own npm and conflicts with Debian's, which apt then refuses to install.
# ca-certificates (only recommended by nodejs, so not installed with --no-install-recommends) lets
# Debian's node, which uses the system's certificate store, reach the registry over https.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
# Only `fuzz` needs these: clang, its libFuzzer and sanitizer runtimes, and its OpenMP (the
# engine's find_package(OpenMP) needs libomp under clang; GCC brings its own libgomp).
fuzz_packages=(clang libclang-rt-14-dev libomp-14-dev)
fuzz_targets=(sfmodel keras npy npz csv manifest kerasfile)

install_missing() {
  local missing=()
  for p in "$@"; do
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
  cmake -S "$here" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  cmake --build "$build_dir" -j "$(nproc)"
}

# Each target in turn, SECONDS each: new inputs go to build-fuzz/corpus/TARGET (the committed seeds
# and kept findings are read, not written), crashes, hangs and out-of-memory inputs to
# build-fuzz/findings/TARGET/. JSON targets get a dictionary of JSON and Keras words.
fuzz() {
  local seconds="${1:-60}"
  [ $# -gt 0 ] && shift
  local targets=("$@")
  [ ${#targets[@]} -eq 0 ] && targets=("${fuzz_targets[@]}")
  local dir="$here/build-fuzz" fuzz_dir="$here/tests/fuzz"
  CC=clang CXX=clang++ cmake -S "$here" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSHAPEFLOW_FUZZ=ON -DSHAPEFLOW_BUILD_BENCH=OFF >/dev/null
  cmake --build "$dir" -j "$(nproc)" --target fuzz_all
  local failed=0
  for t in "${targets[@]}"; do
    mkdir -p "$dir/corpus/$t" "$dir/findings/$t"
    local options=(-max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=2048
      -artifact_prefix="$dir/findings/$t/" -print_final_stats=1)
    case "$t" in sfmodel | keras | manifest) options+=(-dict="$fuzz_dir/json.dict") ;; esac
    echo "== fuzz_$t, $seconds s"
    "$dir/bin/fuzz_$t" "${options[@]}" "$dir/corpus/$t" "$fuzz_dir/corpus/$t" "$fuzz_dir/regressions/$t" || failed=1
  done
  return $failed
}

command="${1:-run}"
[ $# -gt 0 ] && shift
case "$command" in
  run)
    install_missing "${packages[@]}"; build
    file="$here/resources/examples/two_branch_embeddings.sfmodel"
    if [ $# -gt 0 ] && [[ "$1" != -* ]]; then file="$1"; shift; fi
    exec "$build_dir/bin/shapeflow" "$@" "$file"
    ;;
  test)
    install_missing "${packages[@]}"; build
    cd "$build_dir"
    QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j "$(nproc)" "$@"
    ;;
  bench)
    install_missing "${packages[@]}"; build
    for b in "$build_dir"/bin/bench_*; do echo "== $(basename "$b")"; "$b" "$@"; done
    ;;
  build)
    install_missing "${packages[@]}"; build
    ;;
  sanitize)
    # Every test with AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer (GCC); any
    # report fails its test. Leak suppressions: tests/sanitize/lsan.supp, each with its reason.
    install_missing "${packages[@]}"
    build_dir="${SHAPEFLOW_BUILD_DIR:-$here/build-asan}"
    # -O1 and line tables only: quicker to build than -O2 -g; stacks still name the lines.
    build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
      -DSHAPEFLOW_SANITIZE=ON -DSHAPEFLOW_BUILD_BENCH=OFF
    cd "$build_dir"
    QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j "$(nproc)" "$@"
    ;;
  fuzz)
    install_missing "${packages[@]}" "${fuzz_packages[@]}"
    fuzz "$@"
    ;;
  *)
    echo "usage: ./shapeflow.sh run [FILE] [OPTIONS] | test | bench | build | sanitize | fuzz [SECONDS] [TARGET...]" >&2
    exit 2
    ;;
esac
