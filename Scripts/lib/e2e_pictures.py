"""The picture checks of zoneminder-e2e.sh (issue 13), as a phone and an attacker would see them.

  e2e_pictures.py proxy PORT CERT KEY OUT     an HTTPS stand-in for the zmNinja push proxy:
                                              appends each push body (one JSON a line) to OUT
  e2e_pictures.py check PUSHES EID ZM_URL ZM_USER ZM_PASS CA STORE PUBLIC_URL LOCAL_URL
                                              checks the push of event EID; prints one line per
                                              check, "PASS ..." or "FAIL ...".
"""
import hashlib, hmac, http.server, json, sqlite3, ssl, sys, time, urllib.parse, urllib.request


def proxy(port, cert, key, out):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with open(out, "a") as f:
                f.write(body.decode("utf-8", "replace").replace("\n", " ") + "\n")
            reply = b'{"Success":"e2e"}'
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


def get(url, cafile=None):
    """(status, body) of a GET; a 4xx/5xx is an answer, not an exception."""
    context = ssl.create_default_context(cafile=cafile) if cafile else None
    try:
        with urllib.request.urlopen(url, timeout=15, context=context) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def check(pushes, eid, zm_url, zm_user, zm_pass, ca, store, public_url, local_url):
    results = []
    def report(ok, text):
        results.append(("PASS " if ok else "FAIL ") + text)

    body = None
    deadline = time.time() + 20
    while body is None and time.time() < deadline:
        for line in open(pushes):
            try:
                push = json.loads(line)
            except ValueError:
                continue
            if str(push.get("data", {}).get("eid")) == eid:
                body, raw = push, line.strip()
                break
        else:
            time.sleep(0.5)
    if body is None:
        print("FAIL no push for event %s reached the proxy within 20 s" % eid)
        return 1
    link = body.get("image_url", "")
    report(link.startswith(public_url + "/pictures/" + eid + "/"), "the push of event %s links its picture: %s" % (eid, link))

    # ZoneMinder's own answer for that frame, asked with an API token as zmes does.
    login = urllib.request.urlopen(urllib.request.Request(
        zm_url + "/api/host/login.json", data=urllib.parse.urlencode({"user": zm_user, "pass": zm_pass}).encode()), timeout=15)
    zm_token = json.loads(login.read())["access_token"]
    secrets = [zm_pass, zm_token, "token=", "pass=", "user=", zm_user + ":"]
    leaked = [s for s in secrets if s and s in raw]
    report(not leaked, "the push body holds no ZoneMinder password or token (looked for the password, zmes's and a fresh API token, token=, pass=, user=)" + (": found %s" % leaked if leaked else ""))

    path = urllib.parse.urlsplit(link)
    frame = path.path.split("/")[3]
    status, jpeg = get(local_url + path.path + "?" + path.query, cafile=ca)
    zm_status, zm_jpeg = get("%s/index.php?view=image&eid=%s&fid=%s&width=600&token=%s" % (zm_url, eid, frame, zm_token))
    report(status == 200 and jpeg[:3] == b"\xff\xd8\xff" and jpeg == zm_jpeg,
           "the link, fetched over TLS trusting zmes's certificate, returns ZoneMinder's JPEG of event %s frame %s "
           "(%d, %d bytes; ZoneMinder itself: %d, %d bytes, %s)" % (eid, frame, status, len(jpeg), zm_status, len(zm_jpeg),
                                                                    "same bytes" if jpeg == zm_jpeg else "DIFFERENT bytes"))

    query = dict(urllib.parse.parse_qsl(path.query))
    sig = query["sig"]
    flipped = sig[:-1] + ("0" if sig[-1] != "0" else "1")
    tampered = "%s%s?exp=%s&sig=%s" % (local_url, path.path, query["exp"], flipped)
    tampered_status, _ = get(tampered, cafile=ca)
    report(tampered_status == 403, "the link with one character of its signature changed gets %d (want 403)" % tampered_status)

    # A link signed with zmes's own key, as zmes signs (docs/PICTURES.md), but expired: refused for
    # its expiry alone, since the same signing with a future expiry is accepted.
    key = sqlite3.connect(store).execute("SELECT value FROM secrets WHERE name = 'pictures'").fetchone()[0]
    def signed(expiry):
        mac = hmac.new(key, ("zmes-picture\n%s\n%s\n%d" % (eid, frame, expiry)).encode(), hashlib.sha256).hexdigest()
        return "%s/pictures/%s/%s?exp=%d&sig=%s" % (local_url, eid, frame, expiry, mac)
    expired_status, _ = get(signed(int(time.time()) - 10), cafile=ca)
    fresh_status, _ = get(signed(int(time.time()) + 300), cafile=ca)
    report(expired_status == 403 and fresh_status == 200,
           "a correctly signed link past its expiry gets %d (want 403; the same signed with a later expiry: %d)" % (expired_status, fresh_status))
    print("\n".join(results))
    return 0 if all(r.startswith("PASS") for r in results) else 1


if __name__ == "__main__":
    if sys.argv[1] == "proxy":
        proxy(*sys.argv[2:6])
    else:
        sys.exit(check(*sys.argv[2:11]))
