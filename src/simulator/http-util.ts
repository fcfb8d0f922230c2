/** Small HTTP helpers shared by the pager and the backstage server. */
import type http from 'node:http';

/** The body, or null when it is larger than `limit` (the request is then drained and dropped). */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let n = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      n += c.length;
      if (n > limit) {
        over = true;
        resolve(null);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks, n));
    });
    req.on('error', () => {
      if (!over) resolve(null);
      over = true;
    });
  });
}
