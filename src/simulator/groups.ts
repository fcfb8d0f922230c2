/** The groups file (YAML): `groups: [{name, mllp, pager}]`, as the reference reads it. */
import { parse } from 'yaml';
import { SimulatorError, SimulatorErrorCode } from './errors.js';
import type { GroupConfig } from './simulator.js';

/** Parses a groups file, reporting every problem at once. */
export function parseGroupsFile(text: string, source = 'groups file'): GroupConfig[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new SimulatorError(SimulatorErrorCode.input, `${source}: not YAML: ${(err as Error).message}`, { cause: err });
  }
  const list = (doc as { groups?: unknown } | null)?.groups;
  if (!Array.isArray(list) || list.length === 0) throw new SimulatorError(SimulatorErrorCode.input, `${source}: expected 'groups:' with at least one group`);
  const problems: string[] = [];
  const out: GroupConfig[] = [];
  const names = new Set<string>();
  const ports = new Set<number>();
  list.forEach((g: unknown, i) => {
    const o = (g ?? {}) as Record<string, unknown>;
    const name = typeof o.name === 'string' ? o.name.trim() : '';
    const port = (k: 'mllp' | 'pager'): number | undefined => {
      const v = o[k];
      if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535) return v;
      problems.push(`${source}: group ${i + 1}${name ? ` (${name})` : ''}: '${k}' must be a port number, got ${JSON.stringify(v)}`);
      return undefined;
    };
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) problems.push(`${source}: group ${i + 1}: 'name' must be 1-64 letters, digits, '.', '_' or '-', got ${JSON.stringify(o.name)}`);
    else if (names.has(name)) problems.push(`${source}: group name '${name}' appears twice`);
    names.add(name);
    const mllp = port('mllp');
    const pager = port('pager');
    for (const p of [mllp, pager]) {
      if (p === undefined || p === 0) continue;
      if (ports.has(p)) problems.push(`${source}: port ${p} is used twice`);
      ports.add(p);
    }
    if (mllp !== undefined && pager !== undefined) out.push({ name, mllp, pager });
  });
  if (problems.length) throw new SimulatorError(SimulatorErrorCode.input, problems.join('; '));
  return out;
}
