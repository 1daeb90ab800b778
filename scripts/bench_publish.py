#!/usr/bin/env python3
"""Publish -> visible: an editor publishes stories through the admin over HTTP while the
reader's pages are cached, and a reader asks for `/latest` and the new article right after.
Prints p50 and p99 of the time from sending the publication to the reader's page showing it,
and how many first reads were stale (must be 0).
With READER_URL (another node on the same store) the reader asks that node instead.
Usage: bench_publish.py BASE_URL EMAIL PASSWORD [PUBLISHES] [READER_URL]"""
import http.client, re, sys, time
from urllib.parse import urlencode, urlparse


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


class Client:
    def __init__(self, base):
        url = urlparse(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        self.cookie = None

    def request(self, method, path, form=None):
        headers = {"Cookie": f"byline_session={self.cookie}"} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        return response.status, response.getheaders(), response.read().decode()


def sign_in(base, email, password):
    editor = Client(base)
    status, headers, _ = editor.request("POST", "/admin/login", {"email": email, "password": password})
    cookie = next(v for k, v in headers if k.lower() == "set-cookie" and v.startswith("byline_session="))
    editor.cookie = cookie.split(";")[0].split("=", 1)[1]
    _, _, page = editor.request("GET", "/admin")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    return editor, csrf


def main():
    base, email, password = sys.argv[1], sys.argv[2], sys.argv[3]
    publishes = int(sys.argv[4]) if len(sys.argv) > 4 else 100
    reader_base = sys.argv[5] if len(sys.argv) > 5 else base
    editor, csrf = sign_in(base, email, password)
    reader = Client(reader_base)
    visible, stale, deadline = [], 0, time.monotonic() + 120
    for n in range(publishes):
        if time.monotonic() > deadline:
            break
        headline = f"Publish bench story {n} {time.time_ns()}"
        status, headers, page = editor.request("POST", "/admin/stories", {
            "csrf": csrf, "headline": headline, "body": "The harbour reopened today.",
            "body_format": "markdown", "authors": "Bench Editor"})
        assert status == 303, (status, page[:300])
        story = dict((k.lower(), v) for k, v in headers)["location"].rsplit("/", 1)[1]
        reader.request("GET", "/latest")  # the reader's page is cached before the publication
        started = time.perf_counter()
        status, _, page = editor.request("POST", f"/admin/stories/{story}/status",
                                         {"csrf": csrf, "action": "publish", "at": ""})
        assert status == 303, (status, page[:300])
        tries, poll_until = 0, time.monotonic() + 5
        while time.monotonic() < poll_until:
            tries += 1
            _, _, latest = reader.request("GET", "/latest")
            if headline in latest:
                break
            time.sleep(0.001)
        visible.append((time.perf_counter() - started) * 1000)
        stale += tries > 1
    where = "the same node" if reader_base == base else "another node"
    print(f"publish -> visible in /latest on {where}: {len(visible)} publications, "
          f"p50 {pct(visible, 0.5):.2f} ms, p99 {pct(visible, 0.99):.2f} ms, "
          f"stale first reads {stale}")


if __name__ == "__main__":
    main()
