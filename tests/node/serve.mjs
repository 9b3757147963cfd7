// SPDX-License-Identifier: Apache-2.0
// Starts a real `portoser --serve` on a free loopback port for the node tests.
import { spawn } from "node:child_process";

/** Spawns `--serve --listen 127.0.0.1:0` for `registry` (no healer) and resolves with
 *  { process, port } once it listens; rejects with its output if it exits or takes 20 s. */
export function startServe(binary, registry, env) {
  const child = spawn(binary, ["--serve", "--listen", "127.0.0.1:0", "--registry", registry, "--no-heal"], { env });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`--serve did not start:\n${output}`)), 20000);
    const onData = (chunk) => {
      output += chunk;
      const m = output.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ process: child, port: Number(m[1]) });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => reject(new Error(`--serve exited ${code}:\n${output}`)));
  });
}
