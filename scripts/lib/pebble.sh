# Sourced by scripts/demo and scripts/acme-peer (bash): the pebble ACME test CA (Debian package
# `pebble`) on free loopback ports, with pebble-challtestsrv as its DNS (every name -> 127.0.0.1),
# in a directory of the caller's. The caller stops what was started: every PID is appended to the
# array `pebble_pids` (kill -TERM, then wait).
#
#   free_port                          a free TCP port on 127.0.0.1
#   pebble_start DIR HTTP_PORT [VAR=VALUE]...
#       makes a listener CA + certificate for 127.0.0.1 (the package ships none), starts
#       challtestsrv and pebble (PEBBLE_VA_NOSLEEP=1 plus the given variables) validating http-01
#       on 127.0.0.1:HTTP_PORT, waits for /dir and fetches the issuing root. Sets:
#         pebble_directory   https://127.0.0.1:PORT/dir
#         pebble_tls_ca      DIR/tls-ca.pem  (trust anchor for pebble's own TLS: [acme] ca_file)
#         pebble_root        DIR/root.pem    (anchor of the issued chains: trust_ca_file)
#         pebble_log         DIR/pebble.log  (one "METHOD /path -> calling handler()" per request)
#   pebble_requests                    requests pebble has logged so far
#   pebble_stop                        stops the pebble_pids started so far

pebble_pids=()

free_port() {
    perl -MIO::Socket::INET -e \
        'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0)->sockport'
}

pebble_start() {
    local dir=$1 http_port=$2
    shift 2
    local ports=() p
    while ((${#ports[@]} < 5)); do # ACME, management, DNS, challtestsrv management, tls-alpn
        p=$(free_port)
        [[ " ${ports[*]} $http_port " == *" $p "* ]] || ports+=("$p")
    done
    mkdir -p "$dir"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj "/CN=pebble listener test CA" -keyout "$dir/tls-ca.key" -out "$dir/tls-ca.pem" \
        2>/dev/null
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
        -keyout "$dir/pebble.key" -out "$dir/pebble.csr" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' \
        >"$dir/ext.cnf"
    openssl x509 -req -in "$dir/pebble.csr" -CA "$dir/tls-ca.pem" -CAkey "$dir/tls-ca.key" \
        -CAcreateserial -days 2 -extfile "$dir/ext.cnf" -out "$dir/pebble.pem" 2>/dev/null
    cat >"$dir/pebble.json" <<EOF
{"pebble": {"listenAddress": "127.0.0.1:${ports[0]}",
 "managementListenAddress": "127.0.0.1:${ports[1]}",
 "certificate": "$dir/pebble.pem", "privateKey": "$dir/pebble.key",
 "httpPort": $http_port, "tlsPort": ${ports[4]}, "ocspResponderURL": "",
 "externalAccountBindingRequired": false}}
EOF
    pebble-challtestsrv -dns01 "127.0.0.1:${ports[2]}" -http01 "" -https01 "" -tlsalpn01 "" \
        -management "127.0.0.1:${ports[3]}" -defaultIPv4 127.0.0.1 -defaultIPv6 "" \
        >"$dir/challtestsrv.log" 2>&1 </dev/null &
    pebble_pids+=($!)
    env PEBBLE_VA_NOSLEEP=1 "$@" pebble -config "$dir/pebble.json" \
        -dnsserver "127.0.0.1:${ports[2]}" >"$dir/pebble.log" 2>&1 </dev/null &
    local pid=$!
    pebble_pids+=("$pid")
    pebble_directory=https://127.0.0.1:${ports[0]}/dir
    pebble_tls_ca=$dir/tls-ca.pem
    pebble_root=$dir/root.pem
    pebble_log=$dir/pebble.log
    for _ in $(seq 100); do
        curl -fsS --cacert "$pebble_tls_ca" "$pebble_directory" >/dev/null 2>&1 && break
        if ! kill -0 "$pid" 2>/dev/null; then
            cat "$pebble_log" >&2
            echo "pebble exited" >&2
            return 1
        fi
        sleep 0.1
    done
    # pebble makes a new root at every start.
    curl -fsS --cacert "$pebble_tls_ca" "https://127.0.0.1:${ports[1]}/roots/0" >"$pebble_root" ||
        { cat "$pebble_log" >&2; echo "pebble did not start" >&2; return 1; }
}

pebble_requests() {
    grep -c -- ' -> calling handler()' "$pebble_log" || true
}

pebble_stop() {
    local p
    for p in "${pebble_pids[@]}"; do
        kill -TERM "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    pebble_pids=()
}
