// listenOn: bind a node:net (or node:http) server and resolve with the port
// it got, failing with the bind error. Shared by the client port and every
// extra listener (monitoring, WebSocket) so binding behaves the same for all.

import type { Server as NetServer } from "node:net";

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
