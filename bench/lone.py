#!/usr/bin/env python3
"""Lone-task latency: K no-op echo tasks one at a time, as a caller waiting for each would do.

usage: bench/lone.py BASE_URL K
Per task: POST /api/v1/tasks, then one long-polling GET (waitSeconds=30) until it is SUCCEEDED; the
latency is POST sent -> SUCCEEDED answer received. One keep-alive connection (http.client): the
JDK HttpClient of LoadGen added ~2-3 ms per task on 2 cores (its selector thread and executor
hand-offs), more than the database queue's whole pipeline. Prints one JSON line: p50 / p99 of the
total, and p50 of its parts from the task's own timestamps (createdAt, startedAt, finishedAt).
"""
import http.client
import json
import sys
import time
from datetime import datetime
from urllib.parse import urlparse


def stamp(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    base = urlparse(sys.argv[1])
    k = int(sys.argv[2])
    conn = http.client.HTTPConnection(base.hostname, base.port)
    total, post, queued, ran = [], [], [], []
    for i in range(k):
        t0 = time.perf_counter()
        conn.request("POST", "/api/v1/tasks", body=json.dumps({"type": "echo", "input": i}),
                     headers={"Content-Type": "application/json"})
        answer = conn.getresponse()
        body = json.loads(answer.read())
        if answer.status != 202:
            raise SystemExit(f"submit answered {answer.status}: {body}")
        t1 = time.perf_counter()
        task = {}
        while task.get("status") != "SUCCEEDED":
            conn.request("GET", f"/api/v1/tasks/{body['id']}?waitSeconds=30")
            task = json.loads(conn.getresponse().read())
            if task.get("status") in ("FAILED", "CANCELLED"):
                raise SystemExit(f"task {body['id']} ended {task['status']}")
        t2 = time.perf_counter()
        total.append((t2 - t0) * 1e3)
        post.append((t1 - t0) * 1e3)
        queued.append((stamp(task["startedAt"]) - stamp(task["createdAt"])) * 1e3)
        ran.append((stamp(task["finishedAt"]) - stamp(task["startedAt"])) * 1e3)
    print(json.dumps({
        "mode": "lone", "k": k, "client": "python http.client, keep-alive",
        "lone_p50_ms": round(pct(total, 50), 2), "lone_p99_ms": round(pct(total, 99), 2),
        "post_p50_ms": round(pct(post, 50), 2), "created_to_started_p50_ms": round(pct(queued, 50), 2),
        "started_to_finished_p50_ms": round(pct(ran, 50), 2),
    }))


if __name__ == "__main__":
    main()
