import type { Tariff } from './schedule.ts';
import type { CallKind } from './service.ts';

/**
 * The demo's tariffs. Roulette is seed 001's example: the user pays 9 coins at connect, 60 at 20 s, 60 at 1 min
 * and 60 every minute after; the streamer earns 30 at 20 s, 30 at 1 min and 30 every minute after.
 */
export const DEMO_TARIFFS: Record<CallKind, Tariff> = {
  roulette: {
    caller: {
      connect: 9,
      checkpoints: [
        { at: 20, amount: 60 },
        { at: 60, amount: 60 },
      ],
      repeat: { every: 60, amount: 60 },
    },
    streamer: {
      connect: 0,
      checkpoints: [
        { at: 20, amount: 30 },
        { at: 60, amount: 30 },
      ],
      repeat: { every: 60, amount: 30 },
    },
    agencyShareBp: 0,
  },
  direct: {
    caller: { connect: 10, checkpoints: [{ at: 30, amount: 40 }], repeat: { every: 60, amount: 40 } },
    streamer: { connect: 0, checkpoints: [{ at: 30, amount: 20 }], repeat: { every: 60, amount: 20 } },
    agencyShareBp: 1000,
  },
  prerecorded: {
    caller: { connect: 5, checkpoints: [], repeat: { every: 60, amount: 20 } },
    streamer: { connect: 0, checkpoints: [], repeat: { every: 60, amount: 5 } },
    agencyShareBp: 0,
  },
};
