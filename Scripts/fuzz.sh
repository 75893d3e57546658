#!/usr/bin/env bash
# libFuzzer targets for longmem-eval's file readers (Fuzz/README.md). Not part of `swift build`/`swift test`.
#
#   Scripts/fuzz.sh build [TARGET...]     build the library modules (instrumented) and the fuzzers
#   Scripts/fuzz.sh run TARGET [SECONDS]  build, then fuzz TARGET for SECONDS (default 60); `all` runs each in turn
#   Scripts/fuzz.sh list                  the targets
#
# Runs use libFuzzer's -fork=1 (one child process at a time, each fuzzing for a while and then replaced)
# with -ignore_crashes/-ignore_timeouts/-ignore_ooms, so that one run collects every distinct crash and no
# child lives long enough to grow past the RSS limit (under ASan, readers that use Foundation's
# Data(contentsOf:) gain some kB per input). KEEP_GOING=0 fuzzes in one process that stops at the first
# crash. FUZZ_ARGS adds libFuzzer flags (e.g. FUZZ_ARGS=-runs=0 KEEP_GOING=0 replays the corpus only).
# Everything it writes is under .build-fuzz/: modules and objects (release/), fuzzers (fuzzers/), the
# growing corpus (corpus/TARGET, seeded from Fuzz/corpus/TARGET), crashes, timeouts and OOMs
# (crashes/TARGET/; not artifacts/, which `swift build` empties) and logs (logs/). Run one target at a time.
set -euo pipefail
cd "$(dirname "$0")/.."

scratch=.build-fuzz
targets=(safetensors gguf config tokenizer results chapterbreak icl)
# The modules whose objects the fuzzers link: everything LongMemTasks and LongMemReport need (not the CLI,
# not ArgumentParser, not the tests).
modules=(LongMemTasks LongMemReport)

build_modules() {
    for module in "${modules[@]}"; do
        # -parse-as-library: no module may define main; libFuzzer's main drives the fuzzers.
        nice -n 5 swift build -c release --scratch-path "$scratch" --target "$module" \
            -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
    done
}

build_fuzzer() {
    local target=$1 release="$scratch/release"
    local objects=() flags=()
    while IFS= read -r object; do objects+=("$object"); done < <(
        find "$release"/ -path '*.build/*.o' \
            -not -path '*/LongMemEvalCLI.build/*' -not -path '*/ArgumentParser*.build/*' \
            -not -path '*Tests.build/*' -not -path '*/LongMemTestSupport.build/*' | sort)
    # The C modules that the Swift modules import: the clients need their module maps too.
    while IFS= read -r map; do flags+=(-Xcc "-fmodule-map-file=$map"); done < <(
        find "$release"/ Sources/COpenBLAS -maxdepth 2 -name 'module.modulemap' | sort)
    mkdir -p "$scratch/fuzzers"
    # ld.gold warns about every ASan register helper it cannot export: noise, dropped.
    nice -n 5 swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name "Fuzz_$target" \
        -I "$release/Modules" -I Sources/CLongMemKernels/include "${flags[@]}" \
        Fuzz/Support/*.swift "Fuzz/Targets/$target.swift" "${objects[@]}" \
        -lopenblas -lstdc++ -o "$scratch/fuzzers/$target" 2>&1 | { grep -v 'Cannot export local symbol' || true; }
    test -x "$scratch/fuzzers/$target"
}

run_fuzzer() {
    local target=$1 seconds=$2
    local corpus="$scratch/corpus/$target" artifacts="$scratch/crashes/$target" log="$scratch/logs/$target.log"
    mkdir -p "$corpus" "$artifacts" "$scratch/logs"
    # -detect_leaks=0 (and ASAN_OPTIONS=detect_leaks=0 for the check at exit): LeakSanitizer reports the
    # 4 kB buffer of Foundation's Data(contentsOf:) on Linux (swift-foundation's readBytesFromFile) as
    # leaked, which would stop every run on its first input and fail every -fork job. It is not a leak
    # without ASan: 100,000 reads leave the RSS of an uninstrumented program flat.
    local args=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -detect_leaks=0 -print_final_stats=1
        -artifact_prefix="$artifacts/")
    [ -f "Fuzz/dict/$target.dict" ] && args+=(-dict="Fuzz/dict/$target.dict")
    [ "${KEEP_GOING:-1}" = 1 ] && args+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    # shellcheck disable=SC2206
    args+=(${FUZZ_ARGS:-})
    echo "fuzz: $target for ${seconds}s (log $log, crashes in $artifacts/)" >&2
    # SWIFT_BACKTRACE=enable=no: Swift's backtracer would otherwise take the crash before libFuzzer
    # writes the input out. The new corpus goes into the first folder; Fuzz/corpus/TARGET is only read.
    set +e
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" FUZZ_REPOSITORY="$PWD" \
        nice -n 5 "$scratch/fuzzers/$target" "${args[@]}" \
        "$corpus" "Fuzz/corpus/$target" 2>&1 | tee "$log"
    local status=${PIPESTATUS[0]}
    set -e
    echo "fuzz: $target exited $status; $(find "$artifacts" -type f | wc -l) file(s) in $artifacts/" >&2
    return "$status"
}

command=${1:-}
case "$command" in
    list) printf '%s\n' "${targets[@]}" ;;
    build)
        shift
        selected=("$@")
        ((${#selected[@]})) || selected=("${targets[@]}")
        build_modules
        for target in "${selected[@]}"; do build_fuzzer "$target"; done
        ;;
    run)
        target=${2:?usage: Scripts/fuzz.sh run TARGET|all [SECONDS]}
        seconds=${3:-60}
        selected=("$target")
        [ "$target" = all ] && selected=("${targets[@]}")
        build_modules
        status=0
        for one in "${selected[@]}"; do
            [ -f "Fuzz/Targets/$one.swift" ] || { echo "fuzz: no target '$one' (Scripts/fuzz.sh list)" >&2; exit 2; }
            build_fuzzer "$one"
            run_fuzzer "$one" "$seconds" || status=$?
        done
        exit "$status"
        ;;
    *)
        sed -n '2,16p' "$0" >&2
        exit 2
        ;;
esac
