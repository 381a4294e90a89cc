import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kernel } from './kernel.ts';

/** A simulated time that the work running on it moves forward itself. */
export interface MovedClock {
  at: Date;
}

/**
 * Runs `work` with `kernel.now` answering `clock` — only inside `work`'s own async context, so job workers and
 * requests running meanwhile keep the real time — and restores it when `work` settles. For demo data that is
 * made through the real services as if it happened in the past (tariffs in force for a month, past calls).
 */
export async function onMovedClock<T>(kernel: Kernel, clock: MovedClock, work: () => Promise<T>): Promise<T> {
  const real = kernel.now;
  const moved = new AsyncLocalStorage<MovedClock>();
  kernel.now = () => {
    const store = moved.getStore();
    return store ? new Date(store.at.getTime()) : real.call(kernel);
  };
  try {
    return await moved.run(clock, work);
  } finally {
    kernel.now = real;
  }
}
