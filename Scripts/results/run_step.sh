# Sourced by the results scripts: `run NAME ARGS...` runs `$tool ARGS... "${common[@]}" --output $out/runs/NAME`
# unless that run folder already has results.json, and appends "NAME<TAB>seconds<TAB>command" to
# $out/timings.tsv. Needs `tool`, `out` and the `common` array.
run() {
    local name=$1
    shift
    [ -f "$out/runs/$name/results.json" ] && { echo "done: $name" >&2; return; }
    echo "run: $name" >&2
    local begin=$SECONDS
    "$tool" "$@" "${common[@]}" --output "$out/runs/$name" >/dev/null
    printf '%s\t%d\t%s\n' "$name" $((SECONDS - begin)) "longmem-eval $* ${common[*]}" >>"$out/timings.tsv"
}
