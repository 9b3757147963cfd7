// SPDX-License-Identifier: Apache-2.0
// A real OIDC issuer on loopback for the C++ tests (npm's oauth2-mock-server): authorization
// code with PKCE (it checks the verifier), refresh tokens, RS256 keys. Its tokens carry the
// claims a coordinator started with `--oidc-desktop-client portoser-desktop
// --oidc-roles-claim realm_access.roles --oidc-operator portoser-operators` accepts as an
// operator named alice. Prints "issuer <url>" and runs until its stdin closes.
import { OAuth2Server } from "oauth2-mock-server";

const server = new OAuth2Server();
await server.issuer.keys.generate("RS256");
server.service.on("beforeTokenSigning", (token) => {
  token.payload.azp = "portoser-desktop";
  token.payload.preferred_username = "alice";
  token.payload.realm_access = { roles: ["portoser-operators"] };
});
await server.start(0, "127.0.0.1");
console.log(`issuer ${server.issuer.url}`);
process.stdin.resume();
process.stdin.on("end", async () => {
  await server.stop();
  process.exit(0);
});
