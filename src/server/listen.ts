// listenOn: bind a node:net (or node:http) server and resolve with the port
// it got, failing with the bind error; closeHttpListener: stop an HTTP
// listener and drop its keep-alive connections. Shared by the client port
// and every extra listener (monitoring, WebSocket) so they behave the same.

import type { Server as NetServer } from "node:net";
import type { Server as HttpServer } from "node:http";

export function listenOn(srv: NetServer, host: string, port: number, backlog?: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    srv.once("error", reject);
    srv.listen({ host, port, backlog }, () => {
      srv.off("error", reject);
      const addr = srv.address();
      resolve(typeof addr === "object" && addr ? addr.port : port);
    });
  });
}

/** Stop accepting and close every connection (idle keep-alives would hold close() open). */
export async function closeHttpListener(http: HttpServer): Promise<void> {
  if (!http.listening) return;
  await new Promise<void>((r) => {
    http.close(() => r());
    http.closeAllConnections();
  });
}
