import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { register as globalRegistry } from 'prom-client';
import { Counter, createRegistry, Histogram } from './metrics.js';

describe('createRegistry', () => {
  it('gives each instance its own registry, never the global one', async () => {
    const a = createRegistry();
    const b = createRegistry();
    const c = new Counter({ name: 'detector_messages_total', help: 'Messages read.', registers: [a] });
    c.inc(3);
    assert.match(await a.metrics(), /# HELP detector_messages_total Messages read\.\n# TYPE detector_messages_total counter\ndetector_messages_total 3/);
    assert.doesNotMatch(await b.metrics(), /detector_messages_total/);
    assert.doesNotMatch(await globalRegistry.metrics(), /detector_messages_total/);
    // The same name in two registries does not clash.
    new Counter({ name: 'detector_messages_total', help: 'x', registers: [b] });
  });

  it('adds default labels and, when asked, process metrics with a prefix', async () => {
    const r = createRegistry({ defaultLabels: { group: 'alpha' }, processMetricsPrefix: 'detector_' });
    const h = new Histogram({ name: 'detector_page_latency_seconds', help: 'Latency.', buckets: [0.1, 1], registers: [r] });
    h.observe(0.05);
    const text = await r.metrics();
    assert.match(text, /detector_page_latency_seconds_bucket\{le="0.1",group="alpha"\} 1/);
    assert.match(text, /detector_process_cpu_user_seconds_total\{group="alpha"\}/);
  });
});
