// Learning-rate schedules with torch.optim.lr_scheduler's recursive (chainable) formulas.
import { at } from './f64mem';
import { SCHED_STEP, SCHED_EXPONENTIAL, SCHED_COSINE, SCHED_LINEAR, SCHED_INVERSE_SQRT } from './layout';


/** The learning rate at epoch (0 for the first step), given the previous epoch's rate and the base rate. */
export function scheduledLr(schedule: usize, epoch: i32, previous: f64, base: f64): f64 {
  const kind = <i32>at(schedule, 0);
  const e = <f64>epoch;
  switch (kind) {
    case SCHED_STEP: {
      const stepSize = <i32>at(schedule, 1);
      if (epoch == 0 || epoch % stepSize != 0) return epoch == 0 ? base : previous;
      return previous * at(schedule, 2);
    }
    case SCHED_EXPONENTIAL:
      return epoch == 0 ? base : previous * at(schedule, 1);
    case SCHED_COSINE: {
      if (epoch == 0) return base;
      const tMax = at(schedule, 1);
      const etaMin = at(schedule, 2);
      const period = <i32>(2.0 * tMax);
      const phase = ((epoch - 1 - <i32>tMax) % period + period) % period;
      if (phase == 0) return previous + (base - etaMin) * (1.0 - Math.cos(Math.PI / tMax)) / 2.0;
      return (1.0 + Math.cos(Math.PI * e / tMax)) / (1.0 + Math.cos(Math.PI * (e - 1.0) / tMax)) * (previous - etaMin) + etaMin;
    }
    case SCHED_LINEAR: {
      const startFactor = at(schedule, 1);
      const endFactor = at(schedule, 2);
      const totalIters = at(schedule, 3);
      if (epoch == 0) return base * startFactor;
      if (e > totalIters) return previous;
      return previous * (1.0 + (endFactor - startFactor) / (totalIters * startFactor + (e - 1.0) * (endFactor - startFactor)));
    }
    case SCHED_INVERSE_SQRT:
      return base * (1.0 / Math.sqrt(e + 1.0));
    default:
      return base;
  }
}
