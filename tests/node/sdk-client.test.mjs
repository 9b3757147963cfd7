// SPDX-License-Identifier: Apache-2.0
// The official MCP TypeScript SDK client against a real `portoser --serve` (Streamable HTTP) and
// `portoser --cli mcp` (stdio), deploying to the namespace test hosts. Exit 77: skipped.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ResourceUpdatedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { startServe } from "./serve.mjs";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const binary = process.env.PORTOSER_BINARY;
const hostsDir = process.env.PORTOSER_TEST_HOSTS_DIR;
if (process.getuid() !== 0 || !hostsDir || !existsSync(join(hostsDir, "hosts.yml"))) {
  console.log("SKIP: needs root and the namespace test hosts (PORTOSER_TEST_HOSTS_DIR)");
  process.exit(77);
}

const dir = mkdtempSync(join(tmpdir(), "portoser-mcp-"));
const port = 18801;
mkdirSync(join(dir, "src", "web"), { recursive: true });
writeFileSync(join(dir, "src", "web", "index.html"), "hello from mcp\n");
const registry = join(dir, "registry.yml");
writeFileSync(registry, readFileSync(join(hostsDir, "hosts.yml"), "utf8") + `
services:
  web:
    current_host: h1
    deployment_type: process
    source: ${join(dir, "src", "web")}
    command: python3 -m http.server ${port} --bind 0.0.0.0
    port: ${port}
    health:
      type: http
      path: /
`);
const env = { ...process.env, HOME: dir, PORTOSER_DB: join(dir, "portoser.db") };
const cli = (...args) =>
  execFileSync(binary, ["--cli", "--registry", registry, ...args], { env, encoding: "utf8" }).trim();

let serve;
const steps = [];
function check(name, fn) {
  steps.push([name, fn]);
}

/** Starts --serve and resolves with its port once it listens. */
async function startServeHere() {
  const started = await startServe(binary, registry, env);
  serve = started.process;
  return started.port;
}

async function httpClient(url, token) {
  const client = new Client({ name: "portoser-sdk-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: token ? { headers: { Authorization: `Bearer ${token}` } } : {},
  });
  await client.connect(transport);
  return { client, transport };
}

let url, operatorToken, viewerToken;

check("tokens exist, so a client without one is refused", async () => {
  operatorToken = cli("token", "create", "--role", "operator", "--name", "agent");
  viewerToken = cli("token", "create", "--role", "viewer", "--name", "reader");
  url = `http://127.0.0.1:${await startServeHere()}/mcp`;
  await assert.rejects(httpClient(url), /401|Unauthorized|authentication required/i);
});

check("HTTP: list tools, read, deploy with progress, and the service answers", async () => {
  const { client, transport } = await httpClient(url, operatorToken);
  assert.match(client.getServerVersion().name, /portoser/);
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  for (const n of ["list_services", "service_status", "observe", "diagnose", "plan_deploy", "deploy",
                   "move_service", "restart_service", "stop_service", "history", "rollback", "logs", "heal_status"])
    assert.ok(names.includes(n), `tool ${n} listed`);
  const deployTool = tools.find((t) => t.name === "deploy");
  assert.equal(deployTool.annotations.readOnlyHint, false);
  assert.equal(deployTool.annotations.destructiveHint, true);

  const listed = await client.callTool({ name: "list_services", arguments: {} });
  assert.equal(listed.isError, false);
  assert.deepEqual(listed.structuredContent.services.map((s) => [s.name, s.host]), [["web", "h1"]]);

  const plan = await client.callTool({ name: "plan_deploy", arguments: { services: ["web"] } });
  assert.equal(plan.structuredContent.services[0].action, "fresh");

  const progress = [];
  const deployed = await client.callTool(
    { name: "deploy", arguments: { services: ["web"] } }, undefined,
    { onprogress: (p) => progress.push(p.message), timeout: 120000 });
  assert.equal(deployed.isError, false, JSON.stringify(deployed));
  const record = deployed.structuredContent.records[0];
  assert.equal(record.outcome, "succeeded");
  assert.equal(record.host, "h1");
  assert.equal(record.actor, "token:agent");
  assert.ok(progress.some((m) => /web@h1: health/.test(m)), `progress: ${progress.join(" | ")}`);

  const page = await fetch(`http://10.231.1.2:${port}/`);
  assert.equal(await page.text(), "hello from mcp\n");

  const history = await client.callTool({ name: "history", arguments: { service: "web" } });
  assert.equal(history.structuredContent.records[0].id, record.id);
  await transport.terminateSession();
  await client.close();
});

async function waitFor(predicate, ms) {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

check("HTTP: resources, an update through a subscription, prompts and completion", async () => {
  const { client: watcher } = await httpClient(url, viewerToken);
  const caps = watcher.getServerCapabilities();
  assert.equal(caps.resources.subscribe, true);
  assert.ok(caps.prompts && caps.completions);
  const { resources } = await watcher.listResources();
  const uris = resources.map((r) => r.uri);
  for (const u of ["portoser://registry", "portoser://services", "portoser://hosts",
                   "portoser://services/web", "portoser://hosts/h1"])
    assert.ok(uris.includes(u), `resource ${u} listed: ${uris.join(" ")}`);
  const { resourceTemplates } = await watcher.listResourceTemplates();
  assert.ok(resourceTemplates.some((t) => t.uriTemplate === "portoser://services/{service}/logs"));

  const read = async (uri) => JSON.parse((await watcher.readResource({ uri })).contents[0].text);
  assert.equal((await read("portoser://services/web")).host, "h1");
  assert.ok((await read("portoser://services/web/history")).records.length >= 1);
  assert.deepEqual((await read("portoser://registry")).services.map((x) => x.name), ["web"]);
  assert.ok((await read("portoser://hosts")).hosts.some((h) => h.name === "h1"));
  assert.equal((await read("portoser://services/web/logs")).service, "web");
  await assert.rejects(watcher.readResource({ uri: "portoser://services/nope" }), /no resource/);
  await assert.rejects(watcher.subscribeResource({ uri: "portoser://services/web/logs" }), /read it again/);

  // Subscribed, a viewer hears of the restart an operator makes, on its session's GET stream.
  const updated = [];
  watcher.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => updated.push(n.params.uri));
  await watcher.subscribeResource({ uri: "portoser://services/web/history" });
  const { client: operator } = await httpClient(url, operatorToken);
  const restarted = await operator.callTool({ name: "restart_service", arguments: { service: "web" } },
                                            undefined, { timeout: 120000 });
  assert.equal(restarted.isError, false, JSON.stringify(restarted));
  assert.ok(await waitFor(() => updated.includes("portoser://services/web/history"), 5000),
            `updates: ${updated.join(" ")}`);
  await watcher.unsubscribeResource({ uri: "portoser://services/web/history" });
  await operator.close();

  const { prompts } = await watcher.listPrompts();
  assert.deepEqual(prompts.map((p) => p.name).sort(), ["investigate_outage", "plan_move", "review_deploy_plan"]);
  const outage = await watcher.getPrompt({ name: "investigate_outage", arguments: { service: "web" } });
  assert.match(outage.messages[0].content.text, /diagnose/);
  assert.equal(outage.messages[1].content.resource.uri, "portoser://services/web");
  assert.equal(JSON.parse(outage.messages[1].content.resource.text).name, "web");
  await assert.rejects(watcher.getPrompt({ name: "investigate_outage", arguments: { service: "nope" } }), /nope/);
  await assert.rejects(watcher.getPrompt({ name: "plan_move", arguments: { service: "web" } }), /host/);

  const hosts = await watcher.complete({ ref: { type: "ref/prompt", name: "plan_move" },
                                         argument: { name: "host", value: "h" } });
  assert.ok(hosts.completion.values.includes("h1"), JSON.stringify(hosts));
  const services = await watcher.complete({ ref: { type: "ref/resource", uri: "portoser://services/{service}/logs" },
                                            argument: { name: "service", value: "W" } });
  assert.deepEqual(services.completion.values, ["web"]);
  await watcher.close();
});

check("HTTP: a viewer may read but not deploy (RBAC), and the refusal is audited", async () => {
  const { client } = await httpClient(url, viewerToken);
  const status = await client.callTool({ name: "service_status", arguments: { service: "web", fresh: true } });
  assert.equal(status.structuredContent.status.state, "running");
  const refused = await client.callTool({ name: "restart_service", arguments: { service: "web" } });
  assert.equal(refused.isError, true);
  assert.match(refused.content[0].text, /forbidden: token:reader has role viewer; the restart_service tool needs operator/);
  await client.close();
  const audit = JSON.parse(cli("audit", "list", "--json"));
  assert.ok(audit.some((e) => e.action === "mcp tools/call restart_service" && e.actor === "token:reader"
                              && e.outcome.startsWith("denied")), "refusal audited");
  assert.ok(audit.some((e) => e.action === "mcp tools/call deploy" && e.actor === "token:agent"
                              && e.outcome === "ok" && e.peer === "127.0.0.1"), "deploy audited");
});

check("stdio: the same tools through `portoser --cli mcp`", async () => {
  const client = new Client({ name: "portoser-sdk-test-stdio", version: "1.0.0" });
  const transport = new StdioClientTransport({
    command: binary, args: ["--cli", "--registry", registry, "mcp", "--role", "viewer"], env, stderr: "pipe" });
  await client.connect(transport);
  const { tools } = await client.listTools();
  assert.ok(tools.length >= 13);
  const observed = await client.callTool({ name: "observe", arguments: { services: ["web"] } });
  assert.equal(observed.isError, false);
  const host = observed.structuredContent.hosts[0];
  assert.equal(host.host, "h1");
  assert.equal(host.reachable, true);
  const stop = await client.callTool({ name: "stop_service", arguments: { service: "web" } });
  assert.equal(stop.isError, true, "a viewer over stdio cannot stop either");
  await client.close();
});

let failed = 0;
try {
  for (const [name, fn] of steps) {
    try {
      await fn();
      console.log(`PASS   : ${name}`);
    } catch (e) {
      failed++;
      console.log(`FAIL!  : ${name}\n${e.stack || e}`);
    }
  }
} finally {
  try { cli("stop", "web"); } catch {}
  if (serve) serve.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
console.log(`Totals: ${steps.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
