import type { paths } from '../api/schema';
import { getLocale } from '../paraglide/runtime.js';

/** A call as `GET /api/console/calls` lists it. */
export type CallView = paths['/api/console/calls']['get']['responses'][200]['content']['application/json']['items'][number];
/** One call with its billing points (`GET /api/console/calls/{id}`). */
export type CallDetail = paths['/api/console/calls/{id}']['get']['responses'][200]['content']['application/json'];
export type CallPoint = CallDetail['points'][number];
export type ProviderState = paths['/api/console/calls/providers']['get']['responses'][200]['content']['application/json'][number];
export type CallKind = NonNullable<paths['/api/console/calls']['get']['parameters']['query']>['kind'];
export type CallState = NonNullable<paths['/api/console/calls']['get']['parameters']['query']>['state'];

/** The calls module's event types (the server's `calls.*` catalogue): any of them changes a call. */
export const CALL_EVENT_TYPES = [
  'calls.requested',
  'calls.accepted',
  'calls.declined',
  'calls.missed',
  'calls.cancelled',
  'calls.connected',
  'calls.billed',
  'calls.ended',
  'calls.provider_switched',
];

/** The states of a call that is still going: ringing, answered, in progress (the list shows them first). */
export const OPEN_STATES: readonly string[] = ['requested', 'accepted', 'connected'];
export const isOpen = (call: Pick<CallView, 'state'>) => OPEN_STATES.includes(call.state);

/** The call an event is about (every `calls.*` payload names it). */
export const callIdOf = (event: { payload: unknown }): string | null => {
  const id = (event.payload as { callId?: unknown } | null)?.callId;
  return typeof id === 'string' ? id : null;
};

/**
 * How long a call has been connected as of `now`: the server's count, carried on by the clock for a call in
 * progress (so the screen ticks between the server's updates without asking it).
 */
export function secondsAt(call: Pick<CallView, 'state' | 'seconds' | 'connectedAt' | 'endedAt'>, now: number): number {
  if (call.state !== 'connected' || !call.connectedAt || call.endedAt) return call.seconds;
  return Math.max(call.seconds, Math.floor((now - new Date(call.connectedAt).getTime()) / 1000));
}

/** How late a billing point was billed after it was due, in the console's language: "12 ms", "1.4 s". */
export function lateness(point: Pick<CallPoint, 'dueAt' | 'billedAt'>): string {
  const ms = Math.max(0, new Date(point.billedAt).getTime() - new Date(point.dueAt).getTime());
  const format = (value: number, unit: 'millisecond' | 'second', digits = 0) =>
    new Intl.NumberFormat(getLocale(), { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: digits }).format(value);
  return ms < 1000 ? format(ms, 'millisecond') : format(ms / 1000, 'second', 1);
}

/** `<input type="datetime-local">` gives local time without a zone; the API wants an instant. */
export function instant(local: string): string | undefined {
  const date = new Date(local);
  return local && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined;
}
