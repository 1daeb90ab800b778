#!/usr/bin/env python3
"""The API benchmark's HTTP parts, with figures printed.

  bench_api.py publish URL TOKEN N
      N stories created and published through the Admin API, one after the other on one
      keep-alive connection: pairs per second and the pair's p50/p99.
  bench_api.py fanout URL BYLINE_CMD EVENTS RECEIVERS
      RECEIVERS local receivers (checking each signature), one webhook each for
      story.published, then EVENTS stories published by `byline import` in another process:
      the time until every receiver has every event, and deliveries per second.
"""
import base64, hashlib, hmac, http.client, http.server, json, os, subprocess, sys, tempfile
import threading, time
from urllib.parse import urlparse


def connection(url):
    u = urlparse(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=30)


def call(conn, method, path, token, body):
    conn.request(method, path, body=json.dumps(body), headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    if response.status >= 300:
        raise SystemExit(f"{method} {path}: {response.status} {data[:200]!r}")
    return json.loads(data)


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def publish(url, token, n):
    conn = connection(url)
    times = []
    start = time.perf_counter()
    for k in range(n):
        t = time.perf_counter()
        made = call(conn, "POST", "/api/v1/admin/stories", token,
                    {"headline": f"Bench story through the API {k}", "body": "Text " * 300})
        call(conn, "POST", f"/api/v1/admin/stories/{made['id']}/status", token,
             {"transition": "publish"})
        times.append(time.perf_counter() - t)
    total = time.perf_counter() - start
    print(f"create+publish through the Admin API: {n} stories in {total:.2f} s "
          f"({n / total:.0f}/s), p50 {1000 * percentile(times, 0.5):.1f} ms, "
          f"p99 {1000 * percentile(times, 0.99):.1f} ms")


SECRET = "bench-secret-of-enough-length"


def receivers(count):
    seen = [set() for _ in range(count)]
    bad = [0]
    lock = threading.Lock()

    def handler(index):
        class Receiver(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                event, stamp = self.headers["webhook-id"], self.headers["webhook-timestamp"]
                mac = hmac.new(SECRET.encode(), f"{event}.{stamp}.".encode() + body, hashlib.sha256)
                good = hmac.compare_digest("v1," + base64.b64encode(mac.digest()).decode(),
                                           self.headers["webhook-signature"])
                # Only this run's stories count (events of earlier steps may still arrive).
                ours = json.loads(body)["data"].get("headline", "").startswith("Fan-out story")
                with lock:
                    if not good:
                        bad[0] += 1
                    elif ours:
                        seen[index].add(event)
                self.send_response(204)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass
        return Receiver

    ports = []
    for i in range(count):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler(i))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        ports.append(server.server_address[1])
    return ports, seen, bad, lock


def fanout(url, byline, events, count):
    ports, seen, bad, lock = receivers(count)
    cmd = byline.split()
    for i, port in enumerate(ports):
        subprocess.run(cmd + ["webhook", "add", "--name", f"bench receiver {i}", "--url",
                              f"http://127.0.0.1:{port}/hook", "--events", "story.published",
                              "--secret", SECRET, "--allow-private"],
                       check=True, capture_output=True)
    items = tempfile.mkdtemp()
    batch = [{"uri": f"urn:bench:fanout:{k}", "type": "text", "language": "en",
              "headlines": [{"role": "main", "value": f"Fan-out story {k}"}],
              "bodies": [{"role": "richtext", "contenttype": "text/html",
                          "value": f"<p>Fan-out story {k}.</p>"}]} for k in range(events)]
    with open(os.path.join(items, "fanout.json"), "w") as f:
        json.dump(batch, f)
    start = time.perf_counter()
    subprocess.run(cmd + ["import", "ninjs", items], check=True, capture_output=True)
    imported = time.perf_counter()
    deadline = start + 600
    while time.perf_counter() < deadline:
        with lock:
            done = sum(len(s) for s in seen)
        if done >= events * count:
            break
        time.sleep(0.05)
    total = time.perf_counter() - start
    with lock:
        done = sum(len(s) for s in seen)
    print(f"webhook fan-out: {events} events to {count} receivers = {done} of {events * count} "
          f"deliveries (signatures bad: {bad[0]}) in {total:.1f} s from the import's start "
          f"(import {imported - start:.1f} s), {done / total:.0f} deliveries/s")
    if done < events * count or bad[0]:
        raise SystemExit("fan-out incomplete")


if __name__ == "__main__":
    if sys.argv[1] == "publish":
        publish(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif sys.argv[1] == "fanout":
        fanout(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        raise SystemExit(__doc__)
