/** MLLP over TCP: a server (one MllpConnection per client) and a client. */
import net from 'node:net';
import { MllpConnection } from './connection.js';
import { Hl7Error, Hl7ErrorCode } from './errors.js';
import type { MllpDecoderOptions } from './mllp-codec.js';

export interface MllpServerOptions extends MllpDecoderOptions {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly onConnection: (connection: MllpConnection, socket: net.Socket) => void;
}

/** A listening MLLP server. */
export interface MllpServer {
  readonly host: string;
  readonly port: number;
  readonly connections: ReadonlySet<MllpConnection>;
  /** Stops listening and closes every connection. Idempotent. */
  close(): Promise<void>;
}

/** Starts an MLLP server; resolves once it listens (with the real port when 0 was asked). */
export function createMllpServer(options: MllpServerOptions): Promise<MllpServer> {
  const connections = new Set<MllpConnection>();
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    const conn = new MllpConnection(socket, options);
    connections.add(conn);
    conn.on('close', () => connections.delete(conn));
    options.onConnection(conn, socket);
  });
  let closing: Promise<void> | undefined;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const addr = server.address() as net.AddressInfo;
      resolve({
        host: options.host,
        port: addr.port,
        connections,
        close() {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            for (const c of connections) void c.close(100);
          });
          return closing;
        },
      });
    });
  });
}

export interface MllpClientOptions extends MllpDecoderOptions {
  readonly host: string;
  readonly port: number;
  /** Give up connecting after this long (default 5 s). */
  readonly connectTimeoutMs?: number;
}

/** Connects to an MLLP server. Rejects with the socket error (ECONNREFUSED...) or `HL7_ERR_TIMEOUT`. */
export function connectMllp(options: MllpClientOptions): Promise<MllpConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: options.host, port: options.port });
    socket.setNoDelay(true);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Hl7Error(Hl7ErrorCode.timeout, `connect to ${options.host}:${options.port} timed out`));
    }, options.connectTimeoutMs ?? 5000);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(new MllpConnection(socket, options));
    });
  });
}
