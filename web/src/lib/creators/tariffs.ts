import type { paths } from '../api/schema';
import { codeLabel } from '../labels';
import { money } from '../ledger/format';
import { toMinor } from '../ledger/money';
import { m } from '../paraglide/messages.js';
import { getLocale } from '../paraglide/runtime.js';

/** A version of a call kind's tariff, as `GET /api/console/creators/tariffs/{kind}` lists them. */
export type TariffVersion = paths['/api/console/creators/tariffs/{kind}']['get']['responses'][200]['content']['application/json'][number];
export type CallKind = TariffVersion['callKind'];
export type TariffSide = TariffVersion['caller'];
export type PreviewRow = TariffVersion['preview'][number];
export type PreviewBody = paths['/api/console/creators/tariffs/preview']['post']['requestBody']['content']['application/json'];
export type SaveBody = paths['/api/console/creators/tariffs/{kind}']['post']['requestBody']['content']['application/json'];
export type SideName = 'caller' | 'streamer';

/** The server's limits (server/src/modules/creators/tariffs/schedule.ts): the form says so before it sends. */
export const MAX_CALL_SECONDS = 6 * 3600;
export const MAX_CHECKPOINTS = 50;
export const MAX_POINT_AMOUNT = 1_000_000;
export const MAX_NOTE = 500;

/** One side of the form as typed: numbers are text until they are read (`readDraft`). */
export interface SideDraft {
  connect: string;
  /** `key` keeps a row's inputs when another row is removed. */
  checkpoints: { key: number; at: string; amount: string }[];
  repeat: boolean;
  every: string;
  amount: string;
}

export interface TariffDraft {
  caller: SideDraft;
  streamer: SideDraft;
  /** The agency's share in percent ("12.5"); the API takes basis points. */
  agencyShare: string;
  when: 'now' | 'later';
  /** `<input type="datetime-local">`: local time, no zone. */
  from: string;
  note: string;
}

let rowKeys = 0;
export const newRowKey = () => ++rowKeys;

export function sideDraft(side?: TariffSide): SideDraft {
  return {
    connect: String(side?.connect ?? 0),
    checkpoints: (side?.checkpoints ?? []).map((c) => ({ key: newRowKey(), at: String(c.at), amount: String(c.amount) })),
    repeat: !!side?.repeat,
    every: String(side?.repeat?.every ?? 60),
    amount: String(side?.repeat?.amount ?? 0),
  };
}

/** The form for a new version, filled in from `version` (the newest one), or empty for a kind's first. */
export function draftOf(version?: Pick<TariffVersion, 'caller' | 'streamer' | 'agencyShareBp'> | null): TariffDraft {
  return {
    caller: sideDraft(version?.caller),
    streamer: sideDraft(version?.streamer),
    agencyShare: String((version?.agencyShareBp ?? 0) / 100),
    when: 'now',
    from: '',
    note: '',
  };
}

/** The next row of a side's checkpoints: a minute after the last one, for as much. */
export function nextCheckpoint(side: SideDraft): SideDraft['checkpoints'][number] {
  const last = side.checkpoints.at(-1);
  const at = last ? Number(last.at.trim()) : 0;
  return { key: newRowKey(), at: String(Number.isSafeInteger(at) && at >= 0 ? at + 60 : 60), amount: last?.amount ?? '0' };
}

/** A field's name as the server's problems name it, without the `body.` prefix: `caller.checkpoints.1.at`. */
export type Field = string;

export interface ReadDraft {
  /** What the preview and the save send; null while a field is wrong. */
  tariff: PreviewBody | null;
  save: SaveBody | null;
  /** What is wrong, by field, in the console's language. */
  problems: Record<Field, string>;
}

const cleaned = (text: string) => text.trim().replace(/[\s\u00a0_]/g, '');
const whole = (text: string) => (/^\d+$/.test(cleaned(text)) ? Number(cleaned(text)) : undefined);
const count = (n: number) => new Intl.NumberFormat(getLocale()).format(n);

/** The draft as the API takes it, and what is wrong with it: whole non-negative coins, seconds in increasing order. */
export function readDraft(draft: TariffDraft, now = Date.now()): ReadDraft {
  const problems: Record<Field, string> = {};

  const amount = (text: string, field: Field) => {
    const n = whole(text);
    if (n === undefined) problems[field] = cleaned(text) === '' ? m.tariff_amount_required() : m.tariff_amount_invalid();
    else if (n > MAX_POINT_AMOUNT) problems[field] = m.tariff_amount_too_large({ max: count(MAX_POINT_AMOUNT) });
    return n ?? 0;
  };
  const second = (text: string, field: Field) => {
    const n = whole(text);
    if (n === undefined || n < 1) problems[field] = cleaned(text) === '' ? m.tariff_second_required() : m.tariff_second_invalid();
    else if (n > MAX_CALL_SECONDS) problems[field] = m.tariff_second_too_late({ max: duration(MAX_CALL_SECONDS) });
    return n;
  };

  const side = (name: SideName): TariffSide => {
    const typed = draft[name];
    const connect = amount(typed.connect, `${name}.connect`);
    let before: number | undefined = 0;
    const checkpoints = typed.checkpoints.map((row, i) => {
      const field = `${name}.checkpoints.${i}.at`;
      const at = second(row.at, field);
      if (at !== undefined && before !== undefined && at <= before && !problems[field])
        problems[field] = i === 0 ? m.tariff_checkpoint_after_connect() : m.tariff_checkpoint_order({ before: count(before), index: String(i) });
      // A wrong row leaves the next one unjudged: its own mistake is enough to show.
      before = at !== undefined && !problems[field] ? at : undefined;
      return { at: at ?? 0, amount: amount(row.amount, `${name}.checkpoints.${i}.amount`) };
    });
    if (checkpoints.length > MAX_CHECKPOINTS) problems[`${name}.checkpoints`] = m.tariff_checkpoints_too_many({ max: String(MAX_CHECKPOINTS) });
    const repeat = typed.repeat ? { every: second(typed.every, `${name}.repeat.every`) ?? 1, amount: amount(typed.amount, `${name}.repeat.amount`) } : null;
    return { connect, checkpoints, repeat };
  };

  const caller = side('caller');
  const streamer = side('streamer');
  const share = toMinor(draft.agencyShare, 'USD');
  if (share === undefined || share < 0 || share > 10000) problems.agencyShareBp = m.tariff_share_invalid();

  let effectiveFrom: string | undefined;
  if (draft.when === 'later') {
    const at = new Date(draft.from);
    if (!draft.from || Number.isNaN(at.getTime())) problems.effectiveFrom = m.tariff_from_required();
    else if (at.getTime() <= now) problems.effectiveFrom = m.tariff_from_past();
    else effectiveFrom = at.toISOString();
  }
  const note = draft.note.trim();
  if (note.length > MAX_NOTE) problems.note = m.tariff_note_too_long({ max: String(MAX_NOTE) });

  const sides = Object.keys(problems).some((field) => field !== 'effectiveFrom' && field !== 'note');
  const tariff = sides ? null : { caller, streamer, agencyShareBp: share ?? 0 };
  const save = tariff && Object.keys(problems).length === 0 ? { ...tariff, ...(effectiveFrom ? { effectiveFrom } : {}), note: note || null } : null;
  return { tariff, save, problems };
}

/** A length of time as people read it in the console's language: "20 sec", "1 min", "1 min 30 sec", "6 hr". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const unit = (value: number, name: 'hour' | 'minute' | 'second') =>
    new Intl.NumberFormat(getLocale(), { style: 'unit', unit: name, unitDisplay: 'short' }).format(value);
  const parts: [number, 'hour' | 'minute' | 'second'][] = [
    [Math.floor(s / 3600), 'hour'],
    [Math.floor((s % 3600) / 60), 'minute'],
    [s % 60, 'second'],
  ];
  const shown = parts.filter(([value]) => value > 0);
  return shown.length ? shown.map(([value, name]) => unit(value, name)).join(' ') : unit(0, 'second');
}

export const coins = (amount: number) => money(amount, 'COIN');

/** Basis points as a percentage in the console's language: 1250 → "12.5%". */
export const percent = (bp: number) => new Intl.NumberFormat(getLocale(), { style: 'percent', maximumFractionDigits: 2 }).format(bp / 10000);

/** A side's repeat rule in words: "Then every 1 min: 60 coins", or that nothing follows. */
export function repeatRule(repeat: TariffSide['repeat'], afterCheckpoints: boolean): string {
  if (!repeat) return afterCheckpoints ? m.tariff_repeat_none_after() : m.tariff_repeat_none();
  return m.tariff_repeat_rule({ every: duration(repeat.every), count: repeat.amount, amount: count(repeat.amount) });
}

/** A side in one line: "9 at connect · 60 at 20 sec · 60 at 1 min · then 60 every 1 min". */
export function sideSummary(side: TariffSide): string {
  const parts = [
    ...(side.connect ? [m.tariff_summary_connect({ amount: count(side.connect) })] : []),
    ...side.checkpoints.map((c) => m.tariff_summary_at({ amount: count(c.amount), at: duration(c.at) })),
    ...(side.repeat ? [m.tariff_summary_repeat({ amount: count(side.repeat.amount), every: duration(side.repeat.every) })] : []),
  ];
  return parts.length ? parts.join(' · ') : m.tariff_summary_nothing();
}

/** A version's state: in force now, due later, or replaced by a newer one in force. */
export function versionState(version: Pick<TariffVersion, 'id' | 'effectiveFrom'>, current: { id: string } | null | undefined, now = Date.now()) {
  if (current?.id === version.id) return 'current' as const;
  return new Date(version.effectiveFrom).getTime() > now ? ('scheduled' as const) : ('past' as const);
}

/** Who made a version: the staff user's name, "System" for one the demo made. */
export function madeBy(version: Pick<TariffVersion, 'createdBy' | 'createdByName'>): string {
  if (!version.createdBy) return codeLabel('actor_type', 'system');
  return version.createdByName ?? codeLabel('subject_type', 'staff_user');
}
