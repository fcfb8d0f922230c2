/**
 * Many groups in one process (--groups YAML): 50 groups replay concurrently to 50 clients without
 * errors, each with its own position and scores; a client that sends an empty frame (which
 * crashes the course's simulator and every group with it) only loses its own connection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { frameBytes, metrics, startSim, tmpDir, Conn } from './simulator-helpers.js';
import { runClient } from './simulator-client.js';

const doc = JSON.parse(fs.readFileSync(path.resolve('test/fixtures/simulator/scoring-vectors.json'), 'utf8')) as { scenarios: { name: string; messages: string[]; akis_csv: string }[] };
const base = doc.scenarios.find((s) => s.name === 'pager-body-forms')!;

test('50 groups replay concurrently to 50 clients without errors; an empty frame hurts no other group', async () => {
  const dir = tmpDir('groups-');
  // 300 messages: the 10-message scenario 30 times over (same MRNs and times; the AKI pair repeats).
  const messages = Array.from({ length: 30 }, () => base.messages).flat();
  fs.writeFileSync(path.join(dir, 'messages.mllp'), Buffer.concat(messages.map(frameBytes)));
  fs.writeFileSync(path.join(dir, 'akis.csv'), base.akis_csv);
  const names = Array.from({ length: 50 }, (_, i) => `group${String(i).padStart(2, '0')}`);
  fs.writeFileSync(path.join(dir, 'groups.yaml'), `groups:\n${names.map((n) => `- name: ${n}\n  mllp: 0\n  pager: 0\n`).join('')}`);
  const s = await startSim(['--messages=messages.mllp', '--akis=akis.csv', '--groups=groups.yaml'], dir);
  try {
    assert.equal(s.sim.groups.length, 50);
    // A misbehaving client on the last group: an empty reply frame.
    const bad = s.sim.groups[49]!;
    const c = new Conn();
    await c.open(bad.mllpPort);
    assert.equal((await c.next()).type, 'frame');
    await c.write(Buffer.from([0x0b, 0x1c, 0x0d]));
    assert.equal((await c.next()).type, 'close');

    const results = await Promise.all(s.sim.groups.map((g) => runClient({ port: g.mllpPort, pager: g.pagerPort, pageAt: new Set(['100000001@20240401100000']) })));
    for (const r of results) assert.equal(r.received, 300);
    const m = await metrics(s.backstage);
    const per = (name: string): Map<string, number> => new Map(m.all.filter((x) => x.name === name).map((x) => [/group="([^"]+)"/.exec(x.labels)![1]!, x.value]));
    const sent = per('messages_sent');
    const errors = per('simulator_errors_total');
    const tp = per('true_positives');
    const exactFn = new Map(m.all.filter((x) => x.name === 'simulator_false_negatives' && x.labels.includes('scoring="exact"')).map((x) => [/group="([^"]+)"/.exec(x.labels)![1]!, x.value]));
    for (const n of names) {
      assert.equal(sent.get(n), 300, n);
      assert.equal(tp.get(n), 1, n);
      assert.equal(exactFn.get(n), 0, n);
      assert.equal(errors.get(n), n === 'group49' ? 1 : 0, n);
    }
    c.destroy();
  } finally {
    await s.sim.close();
  }
});

test('a groups file with problems is refused with every problem listed', async () => {
  const { parseGroupsFile } = await import('../src/simulator/groups.js');
  assert.throws(() => parseGroupsFile('groups:\n- name: a\n  mllp: 1\n  pager: 1\n- name: a\n  mllp: x\n  pager: 99999\n'), (err: Error) => /port 1 is used twice/.test(err.message) && /appears twice/.test(err.message) && /'mllp' must be a port/.test(err.message) && /'pager' must be a port/.test(err.message));
  assert.throws(() => parseGroupsFile('nothing: here\n'), /at least one group/);
});
