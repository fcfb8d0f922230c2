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
  /** Called for errors of the listening socket after it started listening (rare; default: ignored). */
  readonly onServerError?: (error: Error) => void;
}

/** A listening MLLP server. */
export interface MllpServer {
  readonly host: string;
  readonly port: number;
  readonly connections: ReadonlySet<MllpConnection>;
  /** Stops listening and closes every connection (each given `lingerMs`, default 100). Idempotent. */
  close(lingerMs?: number): Promise<void>;
}

/**
 * Starts an MLLP server; resolves once it listens (with the real port when 0 was asked), rejects
 * with the listen error (`EADDRINUSE`, `EACCES`...). Sockets get `setNoDelay(true)`: MLLP is one
 * small write per turn, which Nagle's algorithm would delay.
 */
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
      server.on('error', (err) => options.onServerError?.(err));
      const addr = server.address() as net.AddressInfo;
      resolve({
        host: options.host,
        port: addr.port,
        connections,
        close(lingerMs = 100) {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            for (const c of connections) void c.close(lingerMs);
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
  /** Aborts the attempt (rejects with the signal's reason). */
  readonly signal?: AbortSignal;
}

/**
 * Connects to an MLLP server. Rejects with the socket error (its `code` is `ECONNREFUSED`,
 * `ENOTFOUND`...), `HL7_ERR_TIMEOUT` when the connection is not made in time, or the signal's
 * reason when aborted. The socket is destroyed on every failure path.
 */
export function connectMllp(options: MllpClientOptions): Promise<MllpConnection> {
  return new Promise((resolve, reject) => {
    const signal = options.signal;
    if (signal?.aborted) return reject(signal.reason);
    const socket = net.connect({ host: options.host, port: options.port });
    socket.setNoDelay(true);
    const fail = (err: unknown): void => {
      cleanup();
      socket.destroy();
      reject(err);
    };
    const onError = (err: Error): void => fail(err);
    const onAbort = (): void => fail(signal?.reason);
    const timer = setTimeout(
      () => fail(new Hl7Error(Hl7ErrorCode.timeout, `connect to ${options.host}:${options.port} timed out after ${options.connectTimeoutMs ?? 5000} ms`)),
      options.connectTimeoutMs ?? 5000,
    );
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
    };
    socket.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      cleanup();
      resolve(new MllpConnection(socket, options));
    });
  });
}
