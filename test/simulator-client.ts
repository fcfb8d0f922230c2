/**
 * A test client for the simulator: ACKs every message and pages the results listed in `pageAt`
 * (an oracle, or a deliberately wrong list) before acknowledging them. It reconnects when asked.
 */
import net from 'node:net';
import { MllpDecoder, encodeFrame, parseHl7 } from '../src/hl7/index.js';
import { httpRequest } from './simulator-helpers.js';

export interface ClientOptions {
  readonly port: number;
  readonly pager: number;
  /** `mrn@obr7text` keys (OBR-7 as written) to page, body `MRN,OBR7`. */
  readonly pageAt?: ReadonlySet<string>;
  /** Called for each message received (index in arrival order). */
  readonly onMessage?: (count: number, text: string) => void;
  readonly ackCode?: (text: string) => string;
  /** Page body: `MRN,OBR7` (default) or `MRN` alone (the simulator resolves the last result). */
  readonly body?: 'mrn,timestamp' | 'mrn';
  /** Page before writing the ACK (default) or right after it. */
  readonly pageMode?: 'before' | 'after';
}

export interface ClientResult {
  readonly received: number;
  readonly pages: number;
  readonly reason: 'closed' | 'error';
}

/** Runs until the simulator closes the connection. */
export function runClient(o: ClientOptions): Promise<ClientResult> {
  return new Promise((resolve) => {
    const sock = net.createConnection({ host: '127.0.0.1', port: o.port });
    sock.setNoDelay(true);
    const dec = new MllpDecoder();
    let received = 0;
    let pages = 0;
    let chain = Promise.resolve();
    let finished = false;
    const finish = (reason: ClientResult['reason']): void => {
      if (finished) return;
      finished = true;
      void chain.then(() => resolve({ received, pages, reason }));
    };
    sock.on('data', (chunk: Buffer) => {
      for (const f of dec.push(chunk)) {
        if (!f.ok) continue;
        const text = f.payload.toString('latin1');
        received++;
        o.onMessage?.(received, text);
        chain = chain.then(async () => {
          const msg = parseHl7(text);
          const page = async (): Promise<void> => {
            if (!o.pageAt || msg.type !== 'ORU^R01') return;
            const key = `${msg.get('PID', 3)}@${msg.get('OBR', 7)}`;
            if (!o.pageAt.has(key)) return;
            const body = o.body === 'mrn' ? msg.get('PID', 3) : `${msg.get('PID', 3)},${msg.get('OBR', 7)}`;
            const r = await httpRequest({ port: o.pager, method: 'POST', path: '/page', body });
            if (!('error' in r) && r.status === 200) pages++;
          };
          if (o.pageMode !== 'after') await page();
          const code = o.ackCode?.(text) ?? 'AA';
          if (!sock.destroyed) sock.write(encodeFrame(`MSH|^~\\&|||||20240101000000||ACK|${msg.controlId}||2.5\rMSA|${code}|${msg.controlId}\r`));
          if (o.pageMode === 'after') await page();
        });
      }
    });
    sock.on('error', () => finish('error'));
    sock.on('close', () => finish('closed'));
  });
}

/** Keys (`mrn@OBR7 as 14 digits`) of the aki=y rows of an aki.csv (date `YYYY-MM-DD HH:MM:SS`). */
export function akiKeys(csv: string, column: 'aki' | 'nhs' = 'aki'): Set<string> {
  const lines = csv.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split(',');
  const i = header.indexOf(column);
  const out = new Set<string>();
  for (const l of lines.slice(1)) {
    const c = l.split(',');
    if (i >= 0 && c[i] !== 'y') continue;
    const d = (c[1] ?? '').replace(/[-: ]/g, '');
    out.add(`${c[0]}@${d}`);
  }
  return out;
}
