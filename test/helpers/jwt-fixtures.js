// Test helper: operators, accounts and users made with @nats-io/jwt and
// @nats-io/nkeys, as `nsc` would make them, plus creds files and config
// snippets for operator mode (tsnats embedding options and nats-server
// config text).
import { encodeOperator, encodeAccount, encodeUser, encodeGeneric, fmtCreds, Algorithms } from "@nats-io/jwt";
import { createOperator, createAccount, createUser } from "@nats-io/nkeys";

export { createOperator, createAccount, createUser };

/** Account limits as nsc writes them for "no limit". */
export const UNLIMITED = { subs: -1, conn: -1, payload: -1, data: -1, imports: -1, exports: -1, leaf: -1, wildcards: true };

/** An operator with a signing key, and a system account. */
export async function makeOperator(opts = {}) {
  const okp = createOperator();
  const osk = createOperator();
  const sys = createAccount();
  const op = {
    kp: okp,
    sk: osk,
    sys,
    jwt: await encodeOperator(opts.name ?? "OP", okp, { signing_keys: [osk.getPublicKey()], system_account: sys.getPublicKey(), ...(opts.operator ?? {}) }),
  };
  op.sysJwt = await encodeAccount("SYS", sys, { limits: UNLIMITED }, { signer: okp });
  return op;
}

/** An account JWT signed by `signer` (the operator by default). */
export async function makeAccount(op, name, account = {}, opts = {}) {
  const kp = opts.kp ?? createAccount();
  const jwt = await encodeAccount(name, kp, account, { signer: opts.signer ?? op.kp, ...(opts.encoding ?? {}) });
  return { kp, id: kp.getPublicKey(), jwt, name };
}

/** A user JWT issued by `issuer` (the account, or a signing key with issuer_account set). */
export async function makeUser(acc, name, user = {}, opts = {}) {
  const kp = opts.kp ?? createUser();
  const signer = opts.signer ?? acc.kp;
  const data = signer === acc.kp ? user : { issuer_account: acc.id, ...user };
  const jwt = await encodeUser(name, kp, signer, data, { ...(opts.encoding ?? {}), scopedUser: opts.scoped });
  return { kp, jwt, seed: kp.getSeed(), creds: fmtCreds(jwt, kp) };
}

/** A generic claim (delete requests). */
export function makeGeneric(name, kp, kind, data, opts) {
  return encodeGeneric(name, kp, kind, data, { algorithm: Algorithms.v2, ...(opts ?? {}) });
}

/** nats-server config text for operator mode with a MEMORY resolver and preloads. */
export function memoryConfig(op, accounts, extra = "") {
  const pre = [op.sysJwt ? `  ${op.sys.getPublicKey()}: ${op.sysJwt}` : "", ...accounts.map((a) => `  ${a.id}: ${a.jwt}`)].filter(Boolean).join("\n");
  return `operator: ${op.jwt}\nsystem_account: ${op.sys.getPublicKey()}\nresolver: MEMORY\nresolver_preload: {\n${pre}\n}\n${extra}`;
}

/** tsnats embedding options equivalent to memoryConfig. */
export function memoryOptions(op, accounts, extra = {}) {
  const resolverPreload = { [op.sys.getPublicKey()]: op.sysJwt };
  for (const a of accounts) resolverPreload[a.id] = a.jwt;
  return { trustedOperators: [op.jwt], systemAccount: op.sys.getPublicKey(), accountResolver: { type: "memory" }, resolverPreload, ...extra };
}
