// The monitoring index page (`/` under the base path): the server version and
// a link to every endpoint, relative so that it works behind a base path.

import { SERVER_VERSION, TSNATS_VERSION } from "../server/version.js";
import { joinPath, Paths, type MonitorRequest, type Reply } from "./types.js";

const LINKS: [path: string, label: string][] = [
  [Paths.varz, "General"],
  [Paths.jsz, "JetStream"],
  [Paths.connz, "Connections"],
  [Paths.accountz, "Accounts"],
  [Paths.accstatz, "Account Stats"],
  [Paths.subsz, "Subscriptions"],
  [Paths.routez, "Routes"],
  [Paths.leafz, "LeafNodes"],
  [Paths.gatewayz, "Gateways"],
  [Paths.healthz, "Health Probe"],
];

export function handleRoot(req: MonitorRequest): Reply {
  req.count();
  const base = req.monitor.basePath;
  // The page is served at the base path without a trailing slash, so a link
  // of "." + full path resolves to that full path.
  const items = LINKS.map(([p, label]) => `    <li><a href=".${joinPath(base, p)}">${label}</a></li>`).join("\n");
  const body = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>tsnats monitoring</title>
    <style>
      body { font-family: system-ui, sans-serif; margin: 2rem; }
      li { margin: 0.4rem 0; }
      a { text-decoration: none; }
    </style>
  </head>
  <body>
    <h1>tsnats monitoring</h1>
    <p>nats-server protocol v${SERVER_VERSION}, tsnats v${TSNATS_VERSION}</p>
    <ul>
${items}
    </ul>
    <p><a href="https://docs.nats.io/running-a-nats-service/nats_admin/monitoring">Monitoring documentation</a></p>
  </body>
</html>
`;
  return { kind: "html", body };
}
