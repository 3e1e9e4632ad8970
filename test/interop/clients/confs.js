// Configuration files shared by the real-client interop tests; both servers
// get the same text (plus their own listen line).
export const CONFS = {
  core: `server_name: srv\nmax_payload: 4096\n`,
  auth: (nkeyPub) => `
authorization {
  users: [
    {user: alice, password: secret}
    {user: limited, password: pw, permissions: {publish: {deny: "forbidden.>"}, subscribe: {deny: "secret.>"}}}
    {nkey: ${nkeyPub}}
  ]
}
`,
  token: `authorization { token: s3cr3t }\n`,
  accounts: `
server_name: srv
accounts {
  A: { users: [{user: a, password: a}], exports: [{service: "svc.>"}] }
  B: { users: [{user: b, password: b}], imports: [{service: {account: A, subject: "svc.echo"}, to: "echo"}] }
  SYS: { users: [{user: sys, password: sys}] }
}
system_account: SYS
`,
  edge: `
max_subscriptions: 5
max_control_line: 512
authorization {
  users: [
    {user: plain, password: p}
    {user: svc, password: svc, permissions: {publish: {deny: ">"}, subscribe: {allow: "req.>"}, allow_responses: true}}
    {user: watcher, password: w, permissions: {subscribe: {allow: ">", deny: "secret.>"}}}
  ]
}
`,
  tls: (certs) => `
tls {
  cert_file: "${certs.server.cert}"
  key_file: "${certs.server.key}"
  ca_file: "${certs.ca}"
  verify: true
  timeout: 2
}
`,
};
