// SPDX-License-Identifier: Apache-2.0
// OIDC bearer tokens against a real `portoser --serve`, with a real OIDC issuer on loopback
// (npm's oauth2-mock-server: discovery document, JWKS, RS256 and ES256 keys).
import { OAuth2Server } from "oauth2-mock-server";
import * as jose from "jose";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const binary = process.env.PORTOSER_BINARY;
const registry = join(process.env.PORTOSER_SOURCE_DIR, "examples", "demo", "registry.yml");
const dir = mkdtempSync(join(tmpdir(), "portoser-oidc-"));
const issuer = new OAuth2Server();
const rsKey = await issuer.issuer.keys.generate("RS256");
const ecKey = await issuer.issuer.keys.generate("ES256");
await issuer.start(0, "127.0.0.1");

let serve;
function startServe(extra) {
  serve = spawn(binary, ["--serve", "--listen", "127.0.0.1:0", "--registry", registry, "--no-heal",
                         "--oidc-issuer", issuer.issuer.url, "--oidc-roles-claim", "realm_access.roles",
                         "--oidc-viewer", "portoser-viewers", "--oidc-operator", "portoser-operators", ...extra],
                { env: { ...process.env, HOME: dir, PORTOSER_DB: join(dir, "portoser.db") } });
  let output = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      const m = output.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) resolve(`http://127.0.0.1:${m[1]}`);
    };
    serve.stdout.on("data", onData);
    serve.stderr.on("data", onData);
    serve.on("exit", (code) => reject(new Error(`--serve exited ${code}:\n${output}`)));
  });
}

const token = (kid, transform, expiresIn = 300) =>
  issuer.issuer.buildToken({ kid, expiresIn, scopesOrTransform: (header, payload) => {
    payload.aud = "portoser";
    payload.preferred_username = "alice";
    payload.realm_access = { roles: ["portoser-viewers"] };
    transform?.(header, payload);
  } });

async function call(base, jwt, method = "GET", path = "/api/v1/services") {
  const r = await fetch(base + path, { method, headers: jwt ? { Authorization: `Bearer ${jwt}` } : {} });
  const body = await r.json().catch(() => ({}));
  return { status: r.status, message: body.error?.message ?? "" };
}

const results = [];
async function check(name, fn) {
  try {
    await fn();
    results.push(true);
    console.log(`PASS   : ${name}`);
  } catch (e) {
    results.push(false);
    console.log(`FAIL!  : ${name}\n${e.stack || e}`);
  }
}

try {
  const base = await startServe(["--oidc-audience", "portoser"]);

  await check("a valid RS256 token of a viewer reads, and may not change anything", async () => {
    const jwt = await token(rsKey.kid);
    assert.equal((await call(base, jwt)).status, 200);
    const pause = await call(base, jwt, "POST", "/api/v1/heal/pause");
    assert.equal(pause.status, 403);
    assert.match(pause.message, /oidc:alice has role viewer/);
  });
  await check("a valid ES256 token of an operator may reload the registry, audited as oidc:alice", async () => {
    const jwt = await token(ecKey.kid, (h, p) => { p.realm_access.roles = ["portoser-operators", "portoser-viewers"]; });
    assert.equal((await call(base, jwt, "POST", "/api/v1/registry/reload")).status, 200);
    const audit = JSON.parse(execFileSync(binary, ["--cli", "audit", "list", "--json"],
      { env: { ...process.env, HOME: dir, PORTOSER_DB: join(dir, "portoser.db") }, encoding: "utf8" }));
    assert.ok(audit.some((e) => e.action === "POST /api/v1/registry/reload" && e.actor === "oidc:alice"
                                && e.role === "operator" && e.status === 200), JSON.stringify(audit));
  });
  await check("no token: 401 once an issuer is configured", async () => {
    assert.equal((await call(base, null)).status, 401);
  });
  await check("expired", async () => {
    const r = await call(base, await token(rsKey.kid, null, -3600));
    assert.equal(r.status, 401);
    assert.match(r.message, /expired/);
  });
  await check("not valid yet (nbf)", async () => {
    const r = await call(base, await token(rsKey.kid, (h, p) => { p.nbf = p.iat + 3600; }));
    assert.equal(r.status, 401);
    assert.match(r.message, /not valid yet/);
  });
  await check("wrong audience", async () => {
    const r = await call(base, await token(rsKey.kid, (h, p) => { p.aud = "another-service"; }));
    assert.equal(r.status, 401);
    assert.match(r.message, /audience another-service is not for this coordinator/);
  });
  await check("wrong issuer", async () => {
    const r = await call(base, await token(rsKey.kid, (h, p) => { p.iss = "http://evil.example"; }));
    assert.equal(r.status, 401);
    assert.match(r.message, /issuer 'http:\/\/evil.example'/);
  });
  await check("signed with another key under a known key id", async () => {
    const { privateKey } = await jose.generateKeyPair("RS256");
    const forged = await new jose.SignJWT({ aud: "portoser", preferred_username: "mallory",
                                           realm_access: { roles: ["portoser-operators"] } })
      .setProtectedHeader({ alg: "RS256", kid: rsKey.kid }).setIssuer(issuer.issuer.url)
      .setIssuedAt().setExpirationTime("5m").sign(privateKey);
    const r = await call(base, forged);
    assert.equal(r.status, 401);
    assert.match(r.message, /bad signature/);
  });
  await check("alg none is never accepted", async () => {
    const part = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${part({ alg: "none", typ: "JWT" })}.${part({ iss: issuer.issuer.url, aud: "portoser",
      exp: now + 300, realm_access: { roles: ["portoser-operators"] } })}.`;
    const r = await call(base, unsigned);
    assert.equal(r.status, 401);
    assert.match(r.message, /algorithm 'none' is not accepted/);
  });
  await check("a token whose groups map to no role", async () => {
    const r = await call(base, await token(rsKey.kid, (h, p) => { p.realm_access.roles = ["staff"]; }));
    assert.equal(r.status, 401);
    assert.match(r.message, /none of the groups/);
  });
  await check("an unknown key id is refused, and a rotated-in key is fetched and accepted", async () => {
    const { privateKey } = await jose.generateKeyPair("RS256");
    const stranger = await new jose.SignJWT({ aud: "portoser", realm_access: { roles: ["portoser-viewers"] } })
      .setProtectedHeader({ alg: "RS256", kid: "nobody-knows" }).setIssuer(issuer.issuer.url)
      .setIssuedAt().setExpirationTime("5m").sign(privateKey);
    await new Promise((r) => setTimeout(r, 5200)); // the coordinator re-reads keys at most every 5 s
    const unknown = await call(base, stranger);
    assert.equal(unknown.status, 401);
    assert.match(unknown.message, /unknown key id 'nobody-knows'/);
    // The issuer rotates: a new key, published in its JWKS after the coordinator started.
    const rotated = await issuer.issuer.keys.generate("RS256", { kid: "rotated-1" });
    await new Promise((r) => setTimeout(r, 5200));
    assert.equal((await call(base, await token(rotated.kid))).status, 200);
  });
  serve.kill("SIGTERM");

  await check("Keycloak without an audience mapper: --oidc-client checks azp instead", async () => {
    const kc = await startServe(["--oidc-client", "portoser-ui"]);
    const withAzp = await token(rsKey.kid, (h, p) => { delete p.aud; p.azp = "portoser-ui"; });
    assert.equal((await call(kc, withAzp)).status, 200);
    const other = await token(rsKey.kid, (h, p) => { delete p.aud; p.azp = "someone-else"; });
    assert.equal((await call(kc, other)).status, 401);
    serve.kill("SIGTERM");
  });

  await check("the desktop's client: its azp counts only without an audience; ID tokens never", async () => {
    const both = await startServe(["--oidc-audience", "portoser", "--oidc-desktop-client", "portoser-desktop"]);
    // Issued to the desktop client for another API: the audience is not ours, so refused.
    const otherApi = await token(rsKey.kid, (h, p) => { p.aud = "another-api"; p.azp = "portoser-desktop"; });
    const refused = await call(both, otherApi);
    assert.equal(refused.status, 401);
    assert.match(refused.message, /audience another-api is not for this coordinator/);
    const idToken = await token(rsKey.kid, (h, p) => { p.typ = "ID"; });
    assert.equal((await call(both, idToken)).status, 401);
    // The window learns the issuer and its client before it signs in.
    const auth = await (await fetch(both + "/api/v1/auth")).json();
    assert.equal(auth.oidc.client_id, "portoser-desktop");
    serve.kill("SIGTERM");
    const desktopOnly = await startServe(["--oidc-desktop-client", "portoser-desktop"]);
    const fromDesktop = await token(rsKey.kid, (h, p) => { delete p.aud; p.azp = "portoser-desktop"; });
    assert.equal((await call(desktopOnly, fromDesktop)).status, 200);
  });
} finally {
  if (serve) serve.kill("SIGTERM");
  await issuer.stop();
  rmSync(dir, { recursive: true, force: true });
}
const failed = results.filter((ok) => !ok).length;
console.log(`Totals: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
