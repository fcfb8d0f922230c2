/**
 * The trial's fault plan (`swemls trial --faults FILE`): what to do to the running system, and
 * the simulator's own fault plan (corrupted messages, pager outages...) passed through to it.
 *
 * ```yaml
 * detector_kills: [0.25, 0.6]     # SIGKILL the detector when this share of messages is sent, then restart it
 * simulator_restarts: [0.45]      # SIGKILL the simulator at this share, then restart it on the same ports
 * simulator:                      # passed to `swemls simulate --fault-plan` (see docs/faults.md)
 *   seed: 7
 *   ...
 * ```
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';

const share = z.number().gt(0).lt(1);

const TrialFaultPlanSchema = z
  .object({
    detector_kills: z.array(share).default([]),
    simulator_restarts: z.array(share).default([]),
    simulator: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export interface TrialFaultPlan {
  /** Shares of the stream (0..1) at which the detector is killed with SIGKILL and restarted. */
  readonly detectorKills: readonly number[];
  /** Shares at which the simulator is killed with SIGKILL and restarted. */
  readonly simulatorRestarts: readonly number[];
  /** The simulator's own fault plan as YAML text, or undefined. */
  readonly simulatorPlanYaml: string | undefined;
}

/** Parses a trial fault plan; throws ConfigError listing every problem. */
export function parseTrialFaultPlan(text: string, source = 'fault plan'): TrialFaultPlan {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError([`${source}: not valid YAML: ${(err as Error).message.split('\n')[0]}`]);
  }
  const result = TrialFaultPlanSchema.safeParse(raw ?? {});
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${source}: ${i.path.join('.') || '(top)'}: ${i.message}`));
  }
  const plan = result.data;
  return {
    detectorKills: [...plan.detector_kills].sort((a, b) => a - b),
    simulatorRestarts: [...plan.simulator_restarts].sort((a, b) => a - b),
    simulatorPlanYaml: plan.simulator ? stringifyYaml(plan.simulator) : undefined,
  };
}
