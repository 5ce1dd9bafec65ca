# Sourced by scripts/bench (bash): the mixed store of issue 14 — does an ACME certificate cost an
# idle run what a GoGetSSL one costs? Three stores, issued for real: M GoGetSSL certificates (the
# bench's sandbox), M ACME certificates (pebble, the Debian package) and both together (M + M).
# Their idle runs are timed in turn (gogetssl, acme, mixed, gogetssl, ...), one idle run of each is
# counted in instructions by callgrind (valgrind; unlike time, the same under any load), and the
# requests both CAs saw during those runs are counted (the contract: an idle run asks no CA
# anything).
#
# Uses from scripts/bench: work, runs, main_sb, main_url, admin_sb/admin_url, write_conf,
# add_certs, timed_agent, median, fmt_time, log, count_calls, admin. Sets mixed_report (lines).
#
# pebble validates nothing here (PEBBLE_VA_ALWAYS_VALID=1): what is measured is the idle run, not
# validation, which `ctest -L acme` proves over real http-01. The ACME DCV files are still written
# into the webroot, as for a real order.

# shellcheck source=pebble.sh
source "$root/scripts/lib/pebble.sh" # free_port, pebble_start, pebble_stop, pebble_requests

# acme_conf ETC: appends the [acme] section for the running pebble to ETC's certagent.conf.
acme_conf() {
    cat >>"$1/certagent.conf" <<EOF
[acme]
directory = $pebble_directory
ca_file = $pebble_tls_ca
trust_ca_file = $pebble_root
contact = ops@example.com
agree_tos = yes
EOF
}

# add_acme_certs ETC FROM TO: ACME certificate configs acmeFROM..acmeTO (5-digit names).
add_acme_certs() {
    local etc=$1 i name
    for ((i = $2; i <= $3; i++)); do
        printf -v name 'acme%05d' "$i"
        printf 'domains = %s.bench.test\nbackend = acme\ndcv = http\nwebroot = %s\ninstaller = none\nkey = ec-p256\n' \
            "$name" "$work/www" >"$etc/certs.d/$name.conf"
    done
}

# mixed_store_bench M: the three stores of M, M and M + M certificates; sets mixed_report.
mixed_store_bench() {
    local m=$1 kind i
    log "mixed store: starting pebble (the ACME test CA)"
    pebble_start "$work/pebble" "$(free_port)" PEBBLE_VA_ALWAYS_VALID=1 ||
        { log "pebble did not start"; exit 1; }
    api_url=$main_url admin_sb=$main_sb admin_url=$main_url
    for kind in gogetssl acme mixed; do
        write_conf "$work/etc-$kind" "$work/store-$kind" "$main_sb"
        acme_conf "$work/etc-$kind"
    done
    add_certs "$work/etc-gogetssl" 1 "$m" ec-p256
    add_acme_certs "$work/etc-acme" 1 "$m"
    add_certs "$work/etc-mixed" 1 "$m" ec-p256
    add_acme_certs "$work/etc-mixed" 1 "$m"
    for kind in gogetssl acme mixed; do
        log "mixed store: issuing the $kind store"
        timed_agent "$work/etc-$kind" run --wait 60m
    done
    sleep 3 # past the racy-stamp window (see the idle runs above)
    for kind in gogetssl acme mixed; do timed_agent "$work/etc-$kind" run; done # warm-up

    local before_pebble
    before_pebble=$(pebble_requests)
    admin calls/clear -d '' >/dev/null
    # More pairs than the other figures: the two stores differ by little, so the ratio is taken
    # pair by pair over at least 15 pairs, in wall and in CPU time, each store first in turn.
    local pairs=$((runs * 3 < 15 ? 15 : runs * 3)) g_us g_cpu a_us a_cpu
    declare -A times cpu
    local ratios=() cpu_ratios=()
    local order
    for ((i = 0; i < pairs; i++)); do
        order=(gogetssl acme mixed)
        ((i % 2)) && order=(acme gogetssl mixed)
        for kind in "${order[@]}"; do
            timed_agent "$work/etc-$kind" run
            times[$kind]+="$t_us " cpu[$kind]+="$t_cpu "
            case $kind in
            gogetssl) g_us=$t_us g_cpu=$t_cpu ;;
            acme) a_us=$t_us a_cpu=$t_cpu ;;
            esac
        done
        ratios+=("$(awk -v a="$a_us" -v g="$g_us" 'BEGIN {print a / g}')")
        cpu_ratios+=("$(awk -v a="$a_cpu" -v g="$g_cpu" 'BEGIN {print (g ? a / g : 1)}')")
    done
    # Instructions of one idle run of each store (callgrind): the same work whatever the load.
    declare -A instr
    for kind in gogetssl acme mixed; do
        instr[$kind]=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$agent" \
            --config "$work/etc-$kind/certagent.conf" run 2>&1 | sed -n 's/.*Collected : //p')
    done
    local acme_requests=$(($(pebble_requests) - before_pebble)) api_requests
    api_requests=$(count_calls)
    pebble_stop

    local g a x gc ac xc
    # shellcheck disable=SC2086 # the lists are words on purpose
    g=$(median ${times[gogetssl]}) a=$(median ${times[acme]}) x=$(median ${times[mixed]})
    # shellcheck disable=SC2086
    gc=$(median ${cpu[gogetssl]}) ac=$(median ${cpu[acme]}) xc=$(median ${cpu[mixed]})
    mixed_report=$(
        echo "Mixed store, idle runs (medians of $pairs interleaved runs; $m certificates per backend):"
        echo
        echo "| store | certificates | idle run (wall) | CPU time | instructions (callgrind) |"
        echo "|---|---|---|---|---|"
        printf '| GoGetSSL only | %s | %s | %s | %s |\n' "$m" "$(fmt_time "$g")" "$(fmt_time "$gc")" \
            "${instr[gogetssl]}"
        printf '| ACME only | %s | %s | %s | %s |\n' "$m" "$(fmt_time "$a")" "$(fmt_time "$ac")" \
            "${instr[acme]}"
        printf '| mixed | %s + %s | %s | %s | %s |\n' "$m" "$m" "$(fmt_time "$x")" "$(fmt_time "$xc")" \
            "${instr[mixed]}"
        echo
        printf 'ACME / GoGetSSL idle run, median of the pairs: wall %s, CPU %s. Requests during these\n' \
            "$(awk -v r="$(median "${ratios[@]}")" 'BEGIN {printf "%.2f", r}')" \
            "$(awk -v r="$(median "${cpu_ratios[@]}")" 'BEGIN {printf "%.2f", r}')"
        printf 'idle runs: ACME CA %s, GoGetSSL API %s.\n' "$acme_requests" "$api_requests"
        # What one more certificate of a kind costs an idle run: the mixed store less the store
        # of the other kind, per certificate (start-up and the shared files cancel out).
        printf 'Added cost per certificate in the mixed store: ACME %s, GoGetSSL %s (wall);\n' \
            "$(fmt_time $(((x - g) / m)))" "$(fmt_time $(((x - a) / m)))"
        printf 'ACME %s, GoGetSSL %s instructions.\n' \
            "$(((${instr[mixed]//,/} - ${instr[gogetssl]//,/}) / m))" \
            "$(((${instr[mixed]//,/} - ${instr[acme]//,/}) / m))"
    )
}
