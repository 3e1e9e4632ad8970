// `authorization { auth_callout { issuer, auth_users, account, xkey,
// allowed_accounts } }`: read with nats-server's (2.10+) texts for bad
// values. Data only; the callout itself is src/auth/callout.ts.

import type { AuthCalloutConfig } from "../auth/callout.js";
import { goQuote } from "../go-format/quote.js";
import { NodeError, asMap, asString } from "./node-values.js";
import { goTypeName, type ConfNode } from "./parser.js";
import { isAccountKey } from "../auth/jwt/options.js";

const CURVE_KEY = /^X[A-Z2-7]{55}$/;

function stringList(v: ConfNode, field: string): string[] {
  if (v.kind !== "array") throw new NodeError(v, `Expected ${field} field to be an array, got ${goTypeName(v)}`);
  return (v.value as ConfNode[]).map((n) => asString(n));
}

export function readAuthCallout(node: ConfNode, report: (e: NodeError) => void): AuthCalloutConfig | null {
  if (node.kind !== "map") throw new NodeError(node, `Expected authorization callout to be a map/struct, got ${goTypeName(node)}`);
  const ac: AuthCalloutConfig = { issuer: "", account: "", authUsers: [], xkey: "", allowedAccounts: [] };
  for (const [key, v] of asMap(node)) {
    switch (key.toLowerCase()) {
      case "issuer":
        ac.issuer = asString(v);
        if (!isAccountKey(ac.issuer)) throw new NodeError(v, `Expected callout user to be a valid public account nkey, got ${goQuote(ac.issuer)}`);
        break;
      case "account":
      case "acc":
        ac.account = asString(v);
        break;
      case "auth_users":
      case "users":
        ac.authUsers = stringList(v, "auth_users");
        break;
      case "xkey":
      case "key":
        ac.xkey = asString(v);
        if (!CURVE_KEY.test(ac.xkey)) throw new NodeError(v, `Expected callout xkey to be a valid public xkey, got ${goQuote(ac.xkey)}`);
        break;
      case "allowed_accounts":
        ac.allowedAccounts = stringList(v, "allowed accounts");
        break;
      default:
        report(new NodeError(v, `Unknown field ${goQuote(key)} parsing authorization callout`));
    }
  }
  if (ac.account === "") ac.account = "$G";
  if (ac.issuer === "") throw new NodeError(node, "Authorization callouts require an issuer to be specified");
  if (ac.authUsers.length === 0) throw new NodeError(node, "Authorization callouts require authorized users to be specified");
  return ac;
}
