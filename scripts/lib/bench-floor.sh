# Sourced by scripts/bench (bash): the start-up floor (issue 13). How long does it take only to
# start a process that loads the shared libraries certagent loads, and do nothing else? Empty
# programs (`int main() { return 0; }`) are linked with one more library each — libc only, then
# libstdc++, OpenSSL, Poco Foundation, Poco JSON — and one with exactly the NEEDED entries of the
# certagent binary. They are timed with `certagent --version`, the idle `certagent run` and
# `certbot renew` at the first N (called from the N loop while the store has that size), in turn,
# RUNS_FLOOR rounds (default 21), two ways: by the bench's own method (`timed`: fork + exec of
# /usr/bin/time, as every other figure) and by the kernel's accounting of each process alone
# (spawn-time.py: posix_spawn + wait4, no program in between). certbot divided by a floor is the
# most any program loading those libraries can be faster than certbot at that N.
#
# Uses from scripts/bench: root, work, agent, etc, certbot_renew, timed, timed_agent, median, fmt_time,
# fmt_ratio, log. Sets floor_report (lines).

startup_floor_bench() {
    local n=$1 dir=$work/floor rounds=${RUNS_FLOOR:-21} i name
    mkdir -p "$dir"
    local needed=()
    mapfile -t needed < <(readelf -d "$agent" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/-l:\1/p')
    local -a programs=(libc libstdcxx openssl foundation json agentlibs)
    local -a names=("${programs[@]}" version idle certbot)
    declare -A desc=(
        [libc]="empty program, libc only"
        [libstdcxx]="+ libstdc++"
        [openssl]="+ libstdc++, libssl, libcrypto"
        [foundation]="+ libstdc++, Poco Foundation"
        [json]="+ libstdc++, Poco Foundation, Poco JSON"
        [agentlibs]="certagent's NEEDED libraries (${#needed[@]}), nothing else"
        [version]="certagent --version"
        [idle]="certagent run, idle, N = $n"
        [certbot]="certbot renew, N = $n"
    )
    declare -A libs=(
        [libc]="" [libstdcxx]="-lstdc++" [openssl]="-lstdc++ -lssl -lcrypto"
        [foundation]="-lPocoFoundation" [json]="-lPocoJSON -lPocoFoundation"
        [agentlibs]="${needed[*]}"
    )
    declare -A cmd=(
        [version]="$agent --version" [idle]="$agent --config $etc/certagent.conf run"
        [certbot]="${certbot_renew[*]}"
    )
    for name in "${programs[@]}"; do
        # shellcheck disable=SC2086 # the library lists are word lists
        printf 'int main() { return 0; }\n' |
            g++ -x c++ - -o "$dir/$name" -Wl,--no-as-needed ${libs[$name]} ||
            { log "start-up floor: cannot link ${desc[$name]}"; exit 1; }
        cmd[$name]=$dir/$name
    done

    log "start-up floor: $rounds rounds through /usr/bin/time, then $rounds by posix_spawn + wait4"
    declare -A t
    for ((i = 0; i < rounds; i++)); do
        for name in "${names[@]}"; do
            # shellcheck disable=SC2086 # a command line of paths without spaces
            timed ${cmd[$name]}
            t[$name]+=" $t_us"
        done
    done
    local spawn_args=()
    for name in "${names[@]}"; do spawn_args+=("$name" "${cmd[$name]}"); done
    declare -A direct direct_cpu
    local label wall cpu
    while read -r label wall cpu; do
        direct[$label]=$wall direct_cpu[$label]=$cpu
    done < <(python3 "$root/scripts/lib/spawn-time.py" "$rounds" "${spawn_args[@]}")

    local certbot_us
    # shellcheck disable=SC2086 # t[] holds space-separated figures
    certbot_us=$(median ${t[certbot]})
    floor_report=$(
        echo "Start-up floor at N = $n, medians of $rounds rounds in turn. \"time\": the bench's method"
        echo "(fork + exec of /usr/bin/time, wall); \"alone\": posix_spawn + wait4, the process by itself"
        echo "(wall / CPU); \"certbot / this\": certbot renew's median (wall) divided by the row's."
        echo
        echo "| program | time | certbot / this | alone: wall / CPU | certbot / this |"
        echo "|---|---|---|---|---|"
        for name in "${names[@]}"; do
            local m
            # shellcheck disable=SC2086 # as above
            m=$(median ${t[$name]})
            printf '| %s | %s | %s | %s / %s | %s |\n' "${desc[$name]}" "$(fmt_time "$m")" \
                "$(fmt_ratio "$(awk -v a="$m" -v b="$certbot_us" 'BEGIN {print b / a}')")" \
                "$(fmt_time "${direct[$name]}")" "$(fmt_time "${direct_cpu[$name]}")" \
                "$(fmt_ratio "$(awk -v a="${direct[$name]}" -v b="${direct[certbot]}" 'BEGIN {print b / a}')")"
        done
    )
}
