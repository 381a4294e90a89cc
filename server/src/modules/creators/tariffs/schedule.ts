/**
 * A tariff side's schedule, as pure functions: what one side of a call (the caller who pays, the streamer
 * who earns) is charged or credited, and when. A side has a connect amount (at second 0), checkpoints
 * (`at` second N, `amount` M), and an optional repeat rule: every `every` seconds after the last checkpoint,
 * `amount` again ("and so on"). A call of `s` seconds has reached every point at or before `s`.
 */
export interface TariffSide {
  connect: number;
  checkpoints: Array<{ at: number; amount: number }>;
  repeat: { every: number; amount: number } | null;
}

export interface Tariff {
  caller: TariffSide;
  streamer: TariffSide;
  /** The agency's share (basis points) of what the caller pays at each point; the platform keeps the rest. */
  agencyShareBp: number;
}

/** One moment money moves: the caller pays `caller`, the streamer earns `streamer`. */
export interface BillingPoint {
  /** The point's place in the call's timeline, from 0 (connect): the ledger's idempotency key uses it. */
  index: number;
  at: number;
  caller: number;
  streamer: number;
}

/** The longest a call may last: schedules are walked this far at most. */
export const MAX_CALL_SECONDS = 6 * 3600;
export const MAX_CHECKPOINTS = 50;
export const MAX_POINT_AMOUNT = 1_000_000;

/** The seconds (and amounts) a side moves money at, up to and including `until`. */
function sidePoints(side: TariffSide, until: number): Map<number, number> {
  const points = new Map<number, number>([[0, side.connect]]);
  for (const checkpoint of side.checkpoints) if (checkpoint.at <= until) points.set(checkpoint.at, (points.get(checkpoint.at) ?? 0) + checkpoint.amount);
  if (side.repeat) {
    const last = side.checkpoints.at(-1)?.at ?? 0;
    for (let at = last + side.repeat.every; at <= until; at += side.repeat.every) points.set(at, (points.get(at) ?? 0) + side.repeat.amount);
  }
  return points;
}

/** Every point of a call of `until` seconds, both sides together, in time order (index 0 is the connect). */
export function billingPoints(tariff: Pick<Tariff, 'caller' | 'streamer'>, until: number): BillingPoint[] {
  const horizon = Math.min(Math.max(0, Math.floor(until)), MAX_CALL_SECONDS);
  const caller = sidePoints(tariff.caller, horizon);
  const streamer = sidePoints(tariff.streamer, horizon);
  const seconds = [...new Set([...caller.keys(), ...streamer.keys()])].sort((a, b) => a - b);
  return seconds.map((at, index) => ({ index, at, caller: caller.get(at) ?? 0, streamer: streamer.get(at) ?? 0 }));
}

/** The first second after `after` this side moves money at, if it ever does again. */
function sideNextAfter(side: TariffSide, after: number): number | undefined {
  const checkpoint = side.checkpoints.find((c) => c.at > after);
  if (checkpoint) return checkpoint.at;
  if (!side.repeat) return undefined;
  const last = side.checkpoints.at(-1)?.at ?? 0;
  if (after < last) return last + side.repeat.every;
  return last + (Math.floor((after - last) / side.repeat.every) + 1) * side.repeat.every;
}

/** What this side moves at second `at` exactly. */
function sideAmountAt(side: TariffSide, at: number): number {
  let amount = at === 0 ? side.connect : 0;
  for (const checkpoint of side.checkpoints) if (checkpoint.at === at) amount += checkpoint.amount;
  const last = side.checkpoints.at(-1)?.at ?? 0;
  if (side.repeat && at > last && (at - last) % side.repeat.every === 0) amount += side.repeat.amount;
  return amount;
}

/** The connect: index 0, at second 0, both sides' connect amounts. */
export function connectPoint(tariff: Pick<Tariff, 'caller' | 'streamer'>): BillingPoint {
  return { index: 0, at: 0, caller: tariff.caller.connect, streamer: tariff.streamer.connect };
}

/**
 * The point after second `after` (0 or more) of a running call, numbered `index` (the caller keeps the count: the point
 * after index n is n + 1), or undefined when neither side moves money again or the call would pass its
 * longest length. Constant work per point, however long the call has run.
 */
export function nextPoint(tariff: Pick<Tariff, 'caller' | 'streamer'>, after: number, index: number): BillingPoint | undefined {
  const times = [sideNextAfter(tariff.caller, after), sideNextAfter(tariff.streamer, after)].filter((t): t is number => t !== undefined);
  if (times.length === 0) return undefined;
  const at = Math.min(...times);
  if (at > MAX_CALL_SECONDS) return undefined;
  return { index, at, caller: sideAmountAt(tariff.caller, at), streamer: sideAmountAt(tariff.streamer, at) };
}

/** How a point's payment is split: the streamer's amount, the agency's share, the platform's rest. */
export function splitPoint(point: Pick<BillingPoint, 'caller' | 'streamer'>, agencyShareBp: number, hasAgency: boolean) {
  const agency = hasAgency ? Math.floor((point.caller * agencyShareBp) / 10000) : 0;
  return { streamer: point.streamer, agency, platform: point.caller - point.streamer - agency };
}

/** What a call of `seconds` costs the caller and brings the streamer, the agency and the platform. */
export function totalsAt(tariff: Tariff, seconds: number, hasAgency = true) {
  let cost = 0;
  let streamer = 0;
  let agency = 0;
  for (const point of billingPoints(tariff, seconds)) {
    const split = splitPoint(point, tariff.agencyShareBp, hasAgency);
    cost += point.caller;
    streamer += split.streamer;
    agency += split.agency;
  }
  return { seconds, cost, streamer, agency, platform: cost - streamer - agency };
}

/** The durations the console previews a tariff at. */
export const PREVIEW_SECONDS = [10, 20, 60, 180, 600];

export interface TariffProblem {
  field: string;
  message: string;
}

function sideProblems(side: TariffSide, name: 'caller' | 'streamer'): TariffProblem[] {
  const problems: TariffProblem[] = [];
  if (side.checkpoints.length > MAX_CHECKPOINTS) problems.push({ field: `${name}.checkpoints`, message: `may hold at most ${MAX_CHECKPOINTS} checkpoints` });
  side.checkpoints.forEach((checkpoint, i) => {
    const before = i === 0 ? 0 : side.checkpoints[i - 1]!.at;
    if (checkpoint.at <= before)
      problems.push({ field: `${name}.checkpoints.${i}.at`, message: i === 0 ? 'must be after the connect (second 0)' : `must come after second ${before}` });
  });
  if (side.repeat && side.checkpoints.length === 0 && side.repeat.every < 1)
    problems.push({ field: `${name}.repeat.every`, message: 'must be at least 1 second' });
  return problems;
}

/**
 * What is wrong with a tariff, field by field: checkpoints in increasing seconds after the connect (the schema
 * already keeps amounts whole and non-negative), and at no second may the streamer and the agency together
 * have been given more than the caller has paid by then (the platform never pays a call out of pocket).
 */
export function tariffProblems(tariff: Tariff): TariffProblem[] {
  const problems = [...sideProblems(tariff.caller, 'caller'), ...sideProblems(tariff.streamer, 'streamer')];
  if (problems.length) return problems;
  let paid = 0;
  let given = 0;
  for (const point of billingPoints(tariff, MAX_CALL_SECONDS)) {
    const split = splitPoint(point, tariff.agencyShareBp, true);
    paid += point.caller;
    given += split.streamer + split.agency;
    if (given > paid) {
      problems.push({
        field: 'streamer',
        message: `earns more than the caller has paid by second ${point.at} (${given} against ${paid} coins, agency share included)`,
      });
      break;
    }
  }
  return problems;
}
