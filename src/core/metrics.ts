/**
 * The metrics registry factory (prom-client). Each service instance gets its own registry,
 * passed in; the global default registry is never used.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface RegistryOptions {
  /** Add Node process metrics (CPU, memory, event loop) with this prefix. */
  readonly processMetricsPrefix?: string;
  /** Labels added to every metric. */
  readonly defaultLabels?: Record<string, string>;
}

/** A fresh registry for one service instance. */
export function createRegistry(options: RegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  if (options.processMetricsPrefix !== undefined) collectDefaultMetrics({ register: registry, prefix: options.processMetricsPrefix });
  return registry;
}
