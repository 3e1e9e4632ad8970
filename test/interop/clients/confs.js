// Configuration files shared by the real-client interop tests; both servers
// get the same text (plus their own listen line).
export const CONFS = {
  core: `server_name: srv\nmax_payload: 4096\n`,
  // Lame duck mode closes the only client half a second after the notice.
  restart: `server_name: srv\nlame_duck_grace_period: "500ms"\nlame_duck_duration: "30s"\n`,
  auth: (nkeyPub, bcryptHash) => `
authorization {
  users: [
    {user: alice, password: secret}
    {user: hashed, password: "${bcryptHash}"}
    {user: limited, password: pw, permissions: {publish: {deny: "forbidden.>"}, subscribe: {deny: "secret.>"}}}
    {nkey: ${nkeyPub}}
  ]
}
`,
  token: `authorization { token: s3cr3t }\n`,
  accounts: `
server_name: srv
accounts {
  A: { users: [{user: a, password: a}], exports: [{service: "svc.>"}, {stream: "news.>"}, {service: "dienst.ä"}, {stream: "nachrichten.ö"}] }
  B: {
    users: [{user: b, password: b}]
    imports: [
      {service: {account: A, subject: "svc.echo"}, to: "echo"}
      {stream: {account: A, subject: "news.>"}, prefix: "imp"}
      {service: {account: A, subject: "dienst.ä"}, to: "grüß"}
      {stream: {account: A, subject: "nachrichten.ö"}, prefix: "ü"}
    ]
  }
  "Müller": { users: [{user: m, password: m}] }
  SYS: { users: [{user: sys, password: sys}] }
}
system_account: SYS
no_auth_user: b
`,
  edge: `
max_subscriptions: 5
max_control_line: 512
authorization {
  users: [
    {user: plain, password: p}
    {user: svc, password: svc, permissions: {publish: {deny: ">"}, subscribe: {allow: "req.>"}, allow_responses: true}}
    {user: watcher, password: w, permissions: {subscribe: {allow: ">", deny: "secret.>"}}}
    {user: intl, password: i, permissions: {publish: {deny: "tschüss.>"}, subscribe: {allow: ["grüße.>", "_INBOX.>", "birnen.>", "Ärger"]}}}
  ]
}
mappings: { "äpfel.*": "birnen.$1" }
`,
  tlsVerify: (certs) => `
tls { cert_file: "${certs.server.cert}", key_file: "${certs.server.key}", ca_file: "${certs.ca}", verify: true, timeout: 2 }
`,
  tls: (certs) => `
tls {
  cert_file: "${certs.server.cert}"
  key_file: "${certs.server.key}"
  ca_file: "${certs.ca}"
  verify_and_map: true
  timeout: 2
}
authorization {
  users: [{user: "CN=alice,OU=nats.io,O=Synadia,ST=CA,C=US", permissions: {publish: {deny: "t.denied"}}}]
}
`,
  websocket: (wsPort) => `
server_name: srv
websocket { listen: "127.0.0.1:${wsPort}", no_tls: true }
`,
};
