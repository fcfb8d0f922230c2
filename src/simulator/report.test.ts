import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { escapeHtml, formatSeconds, renderReportHtml, ReportValidationError, validateReport, type GroupReport, type SimulatorReport } from './report.js';

function group(name: string, overrides: Partial<GroupReport> = {}): GroupReport {
  return {
    name,
    messages: { total: 1200, sent: 1187, results: 800, resends: 2, errors: 1 },
    compatible: { tp: 41, fp: 7, fn: -1, f3: 1.0123, nhs: { tp: 30, fp: 19, fn: 12, f3: 0.7021 } },
    exact: { tp: 40, fp: 8, fn: 3, f3: 0.9217, precision: 0.8333, recall: 0.9302, nhs: { tp: 30, fp: 21, fn: 13, f3: 0.6899 } },
    latency: {
      count: 43,
      p50: 0.187,
      p90: 0.75,
      p99: 3.25,
      max: 6.5,
      buckets: [
        { le: 0.1, count: 5 },
        { le: 0.25, count: 30 },
        { le: 1, count: 39 },
        { le: 5, count: 42 },
        { le: null, count: 43 },
      ],
    },
    f3OverTime: [
      { simulatedTime: '2024-01-01T07:00:00.000Z', tp: 0, fp: 0, fn: 0, f3: 0 },
      { simulatedTime: '2024-01-01T19:00:00.000Z', tp: 10, fp: 2, fn: 1, f3: 0.9009 },
      { simulatedTime: '2024-01-02T07:00:00Z', tp: 40, fp: 8, fn: 3, f3: 0.9217 },
    ],
    faults: { corrupt_truncate: 4, drop_connection: 2 },
    acks: { AA: 1180, AE: 7 },
    ...overrides,
  };
}

function report(groups: GroupReport[]): SimulatorReport {
  return { version: 1, generatedAt: '2026-12-03T19:00:00.000Z', messagesFile: 'runs/a/messages.mllp', akisFile: 'runs/a/aki.csv', groups };
}

const EMPTY: GroupReport = group('quiet', {
  messages: { total: 0, sent: 0, results: 0, resends: 0, errors: 0 },
  compatible: { tp: 0, fp: 0, fn: 0, f3: 0, nhs: { tp: 0, fp: 0, fn: 0, f3: 0 } },
  exact: { tp: 0, fp: 0, fn: 0, f3: 0, precision: 0, recall: 0, nhs: { tp: 0, fp: 0, fn: 0, f3: 0 } },
  latency: { count: 0, p50: 0, p90: 0, p99: 0, max: 0, buckets: [] },
  f3OverTime: [],
  faults: {},
  acks: {},
});

describe('validateReport', () => {
  test('a good report passes, through JSON and back', () => {
    const r = report([group('hospital'), EMPTY]);
    assert.deepEqual(validateReport(JSON.parse(JSON.stringify(r))), r);
    assert.deepEqual(validateReport(report([])).groups, []);
  });

  test('a broken report is rejected with every problem and its path', () => {
    const broken = JSON.parse(JSON.stringify(report([group('a'), group('a')]))) as Record<string, unknown> & { groups: Record<string, unknown>[] };
    broken['version'] = 2;
    broken['generatedAt'] = 'yesterday';
    const g0 = broken.groups[0] as { latency: Record<string, unknown>; exact: Record<string, unknown>; f3OverTime: { simulatedTime: string }[] };
    g0.latency['p50'] = 'fast';
    (g0.latency['buckets'] as { count: number }[])[2] = { count: 1 } as never;
    g0.exact['fn'] = -1;
    g0.exact['f3'] = 1.5;
    (g0.f3OverTime[2] as { simulatedTime: string }).simulatedTime = '2023-01-01 00:00';
    delete (broken.groups[1] as Record<string, unknown>)['acks'];
    let err: unknown;
    try {
      validateReport(broken);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof ReportValidationError, 'must throw ReportValidationError');
    assert.equal(err.code, 'SIM_ERR_REPORT_INVALID');
    const text = err.problems.join('\n');
    for (const re of [
      /^version: must be 1$/m,
      /^generatedAt: must be an ISO 8601 date-time$/m,
      /^groups\[0\]\.latency\.p50: .*expected number/m,
      /^groups\[0\]\.latency\.buckets\[2\]\.le: .*/m,
      /^groups\[0\]\.exact\.fn: must be >= 0$/m,
      /^groups\[0\]\.exact\.f3: must be between 0 and 1$/m,
      /^groups\[0\]\.f3OverTime\[2\]\.simulatedTime: must be an ISO 8601 date-time$/m,
      /^groups\[1\]\.acks: /m,
      /^groups\[1\]\.name: duplicate group name "a"$/m,
    ])
      assert.match(text, re);
    assert.match(err.message, /^invalid simulator report: /);
  });

  test('histogram consistency is checked', () => {
    const decreasing = group('g');
    decreasing.latency.buckets[1] = { le: 0.25, count: 2 };
    assert.throws(() => validateReport(report([decreasing])), /buckets\[1\]\.count: buckets are cumulative/);
    const infMismatch = group('g');
    infMismatch.latency.count = 44;
    assert.throws(() => validateReport(report([infMismatch])), /the \+Inf bucket \(43\) must equal count \(44\)/);
    const order = group('g');
    order.latency.p90 = 0.1;
    assert.throws(() => validateReport(report([order])), /p50 <= p90 <= p99 <= max/);
    const infFirst = group('g');
    infFirst.latency.buckets = [{ le: null, count: 43 }, { le: 1, count: 43 }];
    assert.throws(() => validateReport(report([infFirst])), /only the last bucket can be \+Inf/);
  });

  test('the compatible scoring may go negative and above 1 (the reference does)', () => {
    const g = group('g');
    g.compatible = { tp: 5, fp: 1, fn: -2, f3: 1.7, nhs: { tp: 0, fp: 0, fn: 0, f3: 0 } };
    assert.equal(validateReport(report([g])).groups[0]?.compatible.fn, -2);
  });

  test('any JSON value gives a report or a ReportValidationError, nothing else (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (v) => {
        try {
          validateReport(v);
          return true;
        } catch (e) {
          return e instanceof ReportValidationError && e.problems.length > 0;
        }
      }),
      { numRuns: 300 },
    );
  });

  test('not an object at all', () => {
    assert.throws(() => validateReport(null), ReportValidationError);
    assert.throws(() => validateReport('{}'), /invalid simulator report/);
  });
});

describe('renderReportHtml', () => {
  const html = renderReportHtml(report([group('hospital'), group('second')]));

  test('shows both scorings with their labels, the NHS baseline and the figures', () => {
    assert.match(html, /^<!doctype html>/);
    assert.ok(html.includes("course-compatible (reference simulator&#39;s counts)"));
    assert.match(html, /<td>exact<\/td><td class="num">40<\/td><td class="num">8<\/td><td class="num">3<\/td>/);
    assert.match(html, /<td>course-compatible \(reference simulator&#39;s counts\)<\/td><td class="num">41<\/td><td class="num">7<\/td><td class="num">-1<\/td>/);
    assert.ok(html.includes('0.9217') && html.includes('1.0123') && html.includes('0.6899') && html.includes('0.7021'));
    assert.ok(html.includes('NHS baseline, exact'));
    // Latency p50/p90/p99/max, messages, faults, ACK codes.
    for (const s of ['187.0 ms', '750.0 ms', '3.25 s', '6.50 s', '1,200', '1,187', '1,180', 'corrupt_truncate', 'drop_connection', '>AE<']) assert.ok(html.includes(s), s);
  });

  test('draws the latency histogram and the F3 line as inline SVG', () => {
    const bars = html.match(/<rect class="bar"/g) ?? [];
    assert.equal(bars.length, 10, 'five buckets in each of two groups');
    // Per-bucket counts from the cumulative ones: 5, 25, 9, 3, 1.
    for (const n of ['0 – 100.0 ms: 5 pages', '100.0 ms – 250.0 ms: 25 pages', '250.0 ms – 1.00 s: 9 pages', '1.00 s – 5.00 s: 3 pages', 'above 5.00 s: 1 pages'])
      assert.ok(html.includes(n), n);
    assert.equal((html.match(/<path class="line" d="M/g) ?? []).length, 2);
    assert.ok(html.includes('Exact F3 over simulated time'));
    assert.ok(html.includes('Page latency'));
  });

  test('is self-contained: no external resources and no scripts', () => {
    assert.doesNotMatch(html, /<script|<link|@import|url\(|https?:\/\/(?!www\.w3\.org\/2000\/svg)/i);
  });

  test('escapes every piece of text', () => {
    const evil = '<img src=x onerror=alert(1)>&"\'';
    const g = group(evil, { faults: { [evil]: 1 }, acks: { [`<${evil}`]: 2 } });
    const r = { ...report([g]), messagesFile: '</dd><script>x</script>', akisFile: evil };
    const out = renderReportHtml(r);
    assert.ok(!out.includes('<img'), 'raw tag');
    assert.ok(!out.includes('<script>'), 'raw script');
    assert.ok(out.includes('&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;'));
  });

  test('a report with empty data renders without charts breaking', () => {
    const out = renderReportHtml(report([EMPTY]));
    assert.ok(out.includes('No latency samples'));
    assert.ok(out.includes('No results scored yet'));
    assert.ok(out.includes('No faults injected.'));
    assert.ok(out.includes('No ACKs received.'));
    assert.doesNotMatch(out, /NaN|Infinity|undefined/);
    const none = renderReportHtml(report([]));
    assert.ok(none.includes('This report has no groups.'));
  });

  test('F3 points out of time order (late-reported results) are accepted and drawn in time order', () => {
    const g = group('late');
    g.f3OverTime = [g.f3OverTime[1]!, g.f3OverTime[0]!, g.f3OverTime[2]!];
    const out = renderReportHtml(validateReport(report([g])));
    const xs = [...(/<path class="line" d="([^"]+)"/.exec(out)?.[1] ?? '').matchAll(/[ML]([\d.]+) /g)].map((m) => Number(m[1]));
    assert.equal(xs.length, 3);
    assert.deepEqual([...xs].sort((a, b) => a - b), xs);
  });

  test('a single F3 point and a latency sample count without buckets still render', () => {
    const g = group('one', {
      f3OverTime: [{ simulatedTime: '2024-01-01T07:00:00Z', tp: 1, fp: 0, fn: 0, f3: 1 }],
      latency: { count: 3, p50: 1, p90: 2, p99: 2, max: 2, buckets: [] },
    });
    const out = renderReportHtml(validateReport(report([g])));
    assert.match(out, /<path class="line" d="M[\d.]+ [\d.]+"/);
    assert.ok(out.includes('3 samples, no histogram buckets'));
    assert.doesNotMatch(out, /NaN|Infinity|undefined/);
  });
});

test('helpers', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.equal(formatSeconds(0), '0 s');
  assert.equal(formatSeconds(0.0042), '4.20 ms');
  assert.equal(formatSeconds(0.25), '250.0 ms');
  assert.equal(formatSeconds(12.345), '12.35 s');
  assert.equal(formatSeconds(90), '1.5 min');
  assert.equal(formatSeconds(7200), '2.00 h');
});
