/**
 * Times of day (spec/generator.md § Time of day): events happen on whole minutes, drawn with
 * weights that tail off in the evening and ramp up in the morning.
 */
import { cumulativeWeights, type Rng } from '../core/random.js';

/** Minutes in a day. */
export const MINUTES_PER_DAY = 1440;

/**
 * The weight of each minute of the day: 1.0 from 06:00 to 17:59; from 18:00, minute 18:00+k
 * weighs min(1, falloff/(k+1)); before 06:00, minute t weighs min(1, falloff/(360−t)).
 */
export function timeOfDayWeights(falloff: number): number[] {
  const w = new Array<number>(MINUTES_PER_DAY).fill(1);
  for (let k = 0; k < 6 * 60; k++) w[18 * 60 + k] = Math.min(1, falloff / (k + 1));
  for (let t = 0; t < 6 * 60; t++) w[t] = Math.min(1, falloff / (360 - t));
  return w;
}

/** Draws minutes of the day, and "a time after T on the same day". */
export class TimeOfDaySampler {
  private readonly cumulative: Float64Array;

  constructor(
    falloff: number,
    private readonly attempts: number,
  ) {
    this.cumulative = cumulativeWeights(timeOfDayWeights(falloff));
  }

  /** A minute of the day, 0..1439. */
  sample(rng: Rng): number {
    return rng.weighted(this.cumulative);
  }

  /**
   * A time (absolute minute) later than `minute` on the same day: up to `attempts` draws, the
   * first one later wins; -1 when none is.
   */
  after(rng: Rng, minute: number): number {
    const dayStart = minute - (minute % MINUTES_PER_DAY);
    for (let i = 0; i < this.attempts; i++) {
      const t = dayStart + this.sample(rng);
      if (t > minute) return t;
    }
    return -1;
  }
}
