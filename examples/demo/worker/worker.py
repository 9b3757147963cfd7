"""Demo worker: polls the API and records a heartbeat while the API answers."""
import os
import time
import urllib.request

URL = os.environ.get("API_URL", "http://127.0.0.1:18602/health")

while True:
    try:
        with urllib.request.urlopen(URL, timeout=2) as reply:
            if reply.status == 200:
                with open("heartbeat.tmp", "w") as f:
                    f.write(str(time.time()))
                os.replace("heartbeat.tmp", "heartbeat")
    except OSError as error:
        print("worker: api not answering:", error, flush=True)
    time.sleep(2)
