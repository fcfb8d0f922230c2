/**
 * The detector's Prometheus metrics (names fixed: the deployment's alert rules use them; see
 * docs/metrics.md). One set per detector instance, on the registry passed in.
 */
import { Counter, Gauge, Histogram, type Registry } from '../core/metrics.js';

/** Message types counted by name; anything else is counted as `other` (bounded label values). */
export const KNOWN_TYPES: ReadonlySet<string> = new Set(['ADT^A01', 'ADT^A03', 'ADT^A04', 'ADT^A08', 'ORU^R01']);

/** The detector's metrics. */
export interface DetectorMetrics {
  readonly registry: Registry;
  readonly messages: Counter<'type' | 'outcome'>;
  readonly acks: Counter<'code'>;
  readonly deadLetters: Counter<'reason'>;
  readonly results: Counter;
  readonly predictions: Counter<'outcome'>;
  readonly pagesSent: Counter;
  readonly pageRetries: Counter;
  readonly pagesFailed: Counter;
  readonly outboxDepth: Gauge;
  readonly outboxOldestAge: Gauge;
  readonly pageLatency: Histogram;
  readonly processing: Histogram;
  readonly connected: Gauge;
  readonly reconnects: Counter;
  readonly lastMessage: Gauge;
  readonly creatinine: Histogram;
  readonly modelInfo: Gauge<'version' | 'kind'>;
}

/** Creates the metrics on `registry`. `outbox` supplies the outbox gauges at scrape time. */
export function createDetectorMetrics(registry: Registry, outbox?: () => { depth: number; oldestAgeSeconds: number }): DetectorMetrics {
  const registers = [registry];
  return {
    registry,
    messages: new Counter({ name: 'detector_messages_total', help: 'HL7 messages received, by message type (MSH-9) and outcome (processed, duplicate, ignored, dead_letter).', labelNames: ['type', 'outcome'], registers }),
    acks: new Counter({ name: 'detector_acks_total', help: 'ACKs sent, by MSA-1 code.', labelNames: ['code'], registers }),
    deadLetters: new Counter({ name: 'detector_dead_letters_total', help: 'Messages that could not be understood, stored as dead letters, by reason.', labelNames: ['reason'], registers }),
    results: new Counter({ name: 'detector_results_total', help: 'New creatinine results processed (duplicates excluded).', registers }),
    predictions: new Counter({ name: 'detector_predictions_total', help: 'Model predictions, by outcome (aki, no_aki).', labelNames: ['outcome'], registers }),
    pagesSent: new Counter({ name: 'detector_pages_sent_total', help: 'Pages accepted by the pager (HTTP 2xx).', registers }),
    pageRetries: new Counter({ name: 'detector_page_retries_total', help: 'Page attempts that failed and were scheduled again (5xx, timeout, connection error).', registers }),
    pagesFailed: new Counter({ name: 'detector_pages_failed_total', help: 'Pages the pager refused (4xx); recorded, not retried.', registers }),
    outboxDepth: new Gauge({
      name: 'detector_outbox_depth',
      help: 'Pages waiting in the outbox (pending or in flight).',
      registers,
      collect() {
        if (outbox) this.set(outbox().depth);
      },
    }),
    outboxOldestAge: new Gauge({
      name: 'detector_outbox_oldest_age_seconds',
      help: 'Age of the oldest page still waiting in the outbox (0 when empty).',
      registers,
      collect() {
        if (outbox) this.set(outbox().oldestAgeSeconds);
      },
    }),
    pageLatency: new Histogram({
      name: 'detector_page_latency_seconds',
      help: 'Time from the arrival of the message with the result to the pager accepting the page.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
    processing: new Histogram({
      name: 'detector_processing_seconds',
      help: 'Time from a message arriving to its ACK being written (parse, predict, durable commit).',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
      registers,
    }),
    connected: new Gauge({ name: 'detector_connected', help: '1 while connected to the MLLP feed, else 0.', registers }),
    reconnects: new Counter({ name: 'detector_reconnects_total', help: 'Connections to the MLLP feed made after the first.', registers }),
    lastMessage: new Gauge({ name: 'detector_last_message_timestamp_seconds', help: 'Wall-clock time the last message arrived (Unix seconds).', registers }),
    creatinine: new Histogram({
      name: 'detector_creatinine_umol_per_litre',
      help: 'Creatinine values received in the stream (µmol/L), to watch for drift.',
      buckets: [20, 40, 60, 80, 100, 120, 150, 200, 300, 400, 600, 1000],
      registers,
    }),
    modelInfo: new Gauge({ name: 'detector_model_info', help: 'The model in use (value 1), by version and kind.', labelNames: ['version', 'kind'], registers }),
  };
}
