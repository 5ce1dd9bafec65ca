# Sourced by scripts/bench (bash): the start-up floor (issue 13). How long does it take only to
# start a process that loads the shared libraries certagent loads, and doing nothing else? Empty
# programs (`int main() { return 0; }`) are linked with one more library each — libc only, then
# libstdc++, OpenSSL, Poco Foundation, Poco JSON — and one with exactly the NEEDED entries of the
# certagent binary; they are timed in turn with `certagent --version` (RUNS_FLOOR rounds, default
# 21). certbot's median at the smallest N divided by a floor is the most any program loading
# those libraries can be faster than certbot there.
#
# Uses from scripts/bench: work, agent, sizes, row, timed, median, fmt_time, fmt_ratio, log.
# Sets floor_report (lines).

startup_floor_bench() {
    local dir=$work/floor rounds=${RUNS_FLOOR:-21} i name
    mkdir -p "$dir"
    local needed=()
    mapfile -t needed < <(readelf -d "$agent" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/-l:\1/p')
    local -a names=(libc libstdcxx openssl foundation json agentlibs)
    declare -A desc=(
        [libc]="empty program, libc only"
        [libstdcxx]="+ libstdc++"
        [openssl]="+ libstdc++, libssl, libcrypto"
        [foundation]="+ libstdc++, Poco Foundation"
        [json]="+ libstdc++, Poco Foundation, Poco JSON"
        [agentlibs]="certagent's NEEDED libraries (${#needed[@]}), nothing else"
    )
    declare -A libs=(
        [libc]="" [libstdcxx]="-lstdc++" [openssl]="-lstdc++ -lssl -lcrypto"
        [foundation]="-lPocoFoundation" [json]="-lPocoJSON -lPocoFoundation"
        [agentlibs]="${needed[*]}"
    )
    log "start-up floor: empty programs linked with certagent's libraries, $rounds rounds"
    for name in "${names[@]}"; do
        # shellcheck disable=SC2086 # the library lists are word lists
        printf 'int main() { return 0; }\n' |
            g++ -x c++ - -o "$dir/$name" -Wl,--no-as-needed ${libs[$name]} ||
            { log "start-up floor: cannot link ${desc[$name]}"; exit 1; }
    done
    declare -A t
    for ((i = 0; i < rounds; i++)); do
        for name in "${names[@]}"; do
            timed "$dir/$name"
            t[$name]+=" $t_us"
        done
        timed "$agent" --version
        t[version]+=" $t_us"
    done
    local n1=${sizes[0]} certbot_us=${row[${sizes[0]}.certbot]}
    floor_report=$(
        echo "Start-up floor: empty programs, medians of $rounds rounds (wall, fork + exec included);"
        echo "the last column is certbot renew at N = $n1 ($(fmt_time "$certbot_us")) divided by the row."
        echo
        echo "| program | wall | certbot at N = $n1 / this |"
        echo "|---|---|---|"
        for name in "${names[@]}" version; do
            local label=${desc[$name]:-certagent --version} m
            # shellcheck disable=SC2086 # t[] holds space-separated figures
            m=$(median ${t[$name]})
            printf '| %s | %s | %s |\n' "$label" "$(fmt_time "$m")" \
                "$(fmt_ratio "$(awk -v a="$m" -v b="$certbot_us" 'BEGIN {print b / a}')")"
        done
    )
}
