#!/usr/bin/env python3
# Captures real pebble replies for the acme_replies seeds (tests/fuzz/corpus/acme_replies/pebble-*).
# Not part of any build or test. Start pebble (PEBBLE_VA_ALWAYS_VALID=1, a listener certificate
# for 127.0.0.1), then:  capture-pebble-replies.py https://127.0.0.1:PORT LISTENER-CA.pem OUT.json
# It walks one account and one order (example.com, *.example.com, www.example.com) to valid, plus
# the refusals (bad nonce, unsupported contact, malformed CSR), and writes each reply's status,
# headers and body to OUT.json. The seeds are those bodies with the origin replaced by the fuzz
# target's (https://acme.example.org:14000) and the reader's selector byte in front.
import base64, json, os, ssl, sys, time, urllib.request, urllib.error
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography import x509
from cryptography.x509.oid import NameOID

base, cafile, out = sys.argv[1], sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=cafile)
def b64(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
key = ec.generate_private_key(ec.SECP256R1())
nums = key.public_key().public_numbers()
jwk = {"crv": "P-256", "kty": "EC", "x": b64(nums.x.to_bytes(32, "big")), "y": b64(nums.y.to_bytes(32, "big"))}
kid = None
saved = {}
def req(url, data=None, method=None, headers=None):
    r = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        resp = urllib.request.urlopen(r, context=ctx)
        return resp.status, dict(resp.headers), resp.headers.get_all("Link") or [], resp.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.headers.get_all("Link") or [], e.read()
def nonce():
    return req(d["newNonce"], method="HEAD")[1]["Replay-Nonce"]
def post(url, payload, n=None):
    prot = {"alg": "ES256", "nonce": n or nonce(), "url": url}
    if kid: prot["kid"] = kid
    else: prot["jwk"] = jwk
    p = b64(json.dumps(prot).encode())
    pl = "" if payload is None else b64(json.dumps(payload).encode())
    der = key.sign(f"{p}.{pl}".encode(), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    body = json.dumps({"protected": p, "payload": pl, "signature": b64(r.to_bytes(32, "big") + s.to_bytes(32, "big"))})
    return req(url, body.encode(), "POST", {"Content-Type": "application/jose+json"})
def save(name, r):
    saved[name] = {"status": r[0], "headers": r[1], "links": r[2], "body": r[3].decode(errors="replace")}
st, h, l, body = req(base + "/dir"); d = json.loads(body); save("directory", (st, h, l, body))
save("problem-bad-nonce", post(d["newAccount"], {"termsOfServiceAgreed": True}, n="zzzz"))
save("problem-malformed-account", post(d["newAccount"], {"termsOfServiceAgreed": True, "contact": ["tel:123"]}))
r = post(d["newAccount"], {"termsOfServiceAgreed": True, "contact": ["mailto:admin@example.com"]}); save("account", r)
kid = r[1]["Location"]
save("problem-rejected-identifier", post(d["newOrder"], {"identifiers": [{"type": "dns", "value": "localhost"}]}))
names = ["example.com", "*.example.com", "www.example.com"]
r = post(d["newOrder"], {"identifiers": [{"type": "dns", "value": n} for n in names]}); save("order-pending", r)
order_url = r[1]["Location"]; order = json.loads(r[3])
for i, a in enumerate(order["authorizations"]):
    r = post(a, None); save(f"authorization-pending-{i}", r)
    authz = json.loads(r[3])
    ch = [c for c in authz["challenges"] if c["type"] == ("dns-01" if authz.get("wildcard") else "http-01")][0]
    save(f"challenge-post-{i}", post(ch["url"], {}))
    for _ in range(50):
        r = post(a, None)
        if json.loads(r[3])["status"] != "pending": break
        time.sleep(0.1)
    save(f"authorization-done-{i}", r)
    save(f"challenge-done-{i}", post(ch["url"], None))
r = post(order_url, None); save("order-ready", r)
ck = ec.generate_private_key(ec.SECP256R1())
csr = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([])).add_extension(
    x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False).sign(ck, hashes.SHA256())
save("problem-finalize-bad-csr", post(order["finalize"], {"csr": b64(b"junk")}))
r = post(order["finalize"], {"csr": b64(csr.public_bytes(serialization.Encoding.DER))}); save("order-finalize", r)
for _ in range(50):
    r = post(order_url, None)
    if json.loads(r[3])["status"] not in ("processing", "ready"): break
    time.sleep(0.1)
save("order-valid", r)
cert_url = json.loads(r[3]).get("certificate")
if cert_url: save("certificate", post(cert_url, None))
acct = json.loads(saved["account"]["body"])
if "orders" in acct: save("order-list", post(acct["orders"], None))
save("problem-unknown-order", post(order_url + "x", None))
json.dump(saved, open(out, "w"), indent=1)
