import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export type RunningServer = {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
};

/** Listens on 127.0.0.1 (port 0 = any free port) and closes promptly, keep-alive sockets included. */
export function listen(app: Express, port = 0): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = createServer(app);
    server.keepAliveTimeout = 5_000;
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${bound}`,
        port: bound,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
