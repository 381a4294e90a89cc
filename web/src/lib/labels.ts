import { formatMoney } from './ledger/money';
import { m } from './paraglide/messages.js';
import { getLocale } from './paraglide/runtime.js';

/** A text in each console language, as the server's modules declare it beside their definitions. */
export type Text = { en: string; ru: string };
/** A Carbon `Tag` type; the server documents one meaning per colour (`TONES` in server/src/core/labels.ts). */
export type Tone = 'green' | 'blue' | 'teal' | 'red' | 'gray' | 'purple' | 'warm-gray';

/** What `GET /api/console/labels` answers: code set → code → label, and each event type's title and summary template. */
export interface Labels {
  codes: Record<string, Record<string, Text & { tone?: Tone }>>;
  events: Record<string, { title: Text; summary: Text; refs: Record<string, string> }>;
}

/** A record an event names, as `refs` of an event page names it. */
export interface Ref {
  type: string;
  name: string;
  href?: string;
}
export type Refs = Record<string, Ref>;

let labels: Labels = { codes: {}, events: {} };

/** The labels the console shows codes and events by; the console layout loads them once (`labelsQuery`). */
export function setLabels(next: Labels): void {
  labels = next;
}

const locale = (): keyof Text => (getLocale() === 'ru' ? 'ru' : 'en');

/**
 * The name of a code the API sends: `codeLabel('person_status', 'blocked')` is "Blocked", as the module that
 * defines the code declares it. A code no module labels falls back to the console's catalogue
 * (`m.<set>_<code>`, for codes of purely console text), and otherwise shows as it is.
 */
export function codeLabel(set: string, code: string): string {
  const label = labels.codes[set]?.[code];
  if (label) return label[locale()];
  const message = (m as unknown as Record<string, (() => string) | undefined>)[`${set}_${code}`];
  return typeof message === 'function' ? message() : code;
}

/** The tag colour of a code (statuses); a code without one is a neutral kind. */
export const codeTone = (set: string, code: string): Tone => labels.codes[set]?.[code]?.tone ?? 'warm-gray';

/** The codes of a set, in the order their module declared them (for filters). */
export const codesOf = (set: string): string[] => Object.keys(labels.codes[set] ?? {});

/** An event type's title ("Gift sent"); an unknown type shows as it is. */
export const eventTitle = (type: string): string => labels.events[type]?.title[locale()] ?? type;

/** A piece of an event's summary: text, or the name of a record linking to its page. */
interface Segment {
  text: string;
  href?: string;
  /** The name of a record (shown emphasised even when it has no page). */
  ref?: boolean;
}

export interface SummaryEvent {
  type: string;
  actorType: string;
  actorId: string | null;
  subjectType: string | null;
  subjectId: string | null;
  payload: Record<string, unknown>;
}

const actorRefType = (actorType: string) => (actorType === 'staff' ? 'staff_user' : actorType === 'member' ? 'person' : null);

/** A record by name when the page's refs name it, otherwise by what it is ("Person"); never its id. */
function refSegment(refs: Refs, type: string | null, id: string | null | undefined): Segment {
  const ref = id ? refs[id] : undefined;
  if (ref) return { text: ref.name, href: ref.href, ref: true };
  return { text: type ? codeLabel('subject_type', type) : '—' };
}

/** Who acted, as a segment: a staff user or member by name, the system as "System". */
export function actorSegment(event: Pick<SummaryEvent, 'actorType' | 'actorId'>, refs: Refs): Segment {
  const type = actorRefType(event.actorType);
  return type ? refSegment(refs, type, event.actorId) : { text: codeLabel('actor_type', event.actorType) };
}

function valueSegments(event: SummaryEvent, refs: Refs, field: string, format: string | undefined): Segment[] {
  const value = event.payload?.[field];
  if (value === null || value === undefined || value === '') return [{ text: '—' }];
  const refType = labels.events[event.type]?.refs[field];
  if (refType) {
    const ids = Array.isArray(value) ? value : [value];
    if (ids.length === 0) return [{ text: '—' }];
    return ids.flatMap((id, i) => [...(i > 0 ? [{ text: ', ' }] : []), refSegment(refs, refType, String(id))]);
  }
  if (format === 'money' && typeof value === 'number') {
    const currency = typeof event.payload.currency === 'string' ? event.payload.currency : 'COIN';
    return [{ text: formatMoney(value, currency, locale()) }];
  }
  if (format === 'bp' && typeof value === 'number')
    return [{ text: new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 2 }).format(value / 10000) }];
  if (format) return [{ text: Array.isArray(value) ? value.map((v) => codeLabel(format, String(v))).join(', ') : codeLabel(format, String(value)) }];
  if (typeof value === 'number') return [{ text: new Intl.NumberFormat(locale()).format(value) }];
  if (Array.isArray(value)) return [{ text: value.map(String).join(', ') || '—' }];
  if (typeof value === 'object') return [{ text: '…' }];
  return [{ text: String(value) }];
}

/**
 * An event's one-line summary, from its type's template (declared beside the event's definition): the actor,
 * the subject and the records its payload names by name, linking to their pages; amounts and codes as people
 * read them. A type without a template shows its title.
 */
export function eventSummary(event: SummaryEvent, refs: Refs): Segment[] {
  const template = labels.events[event.type]?.summary[locale()];
  if (!template) return [{ text: eventTitle(event.type) }];
  const segments: Segment[] = [];
  let last = 0;
  for (const match of template.matchAll(/\{([^{}]+)\}/g)) {
    if (match.index! > last) segments.push({ text: template.slice(last, match.index) });
    last = match.index! + match[0].length;
    const [path, format] = match[1]!.split(':') as [string, string | undefined];
    if (path === 'actor') segments.push(actorSegment(event, refs));
    else if (path === 'subject') segments.push(refSegment(refs, event.subjectType, event.subjectId));
    else if (path.startsWith('payload.')) segments.push(...valueSegments(event, refs, path.slice('payload.'.length), format));
    else segments.push({ text: match[0] });
  }
  if (last < template.length) segments.push({ text: template.slice(last) });
  return segments;
}

/** The summary as plain text (titles of rows, tests). */
export const summaryText = (event: SummaryEvent, refs: Refs): string =>
  eventSummary(event, refs)
    .map((s) => s.text)
    .join('');

/**
 * Texts Carbon's list boxes (ComboBox, MultiSelect) build from ids, in English unless given these: the
 * chevron's "Open menu" / "Close menu" and the clear button's label.
 */
export const menuIconText = (id: 'open' | 'close') => (id === 'open' ? m.menu_open() : m.menu_close());
export const selectionText = (id: 'clearAll' | 'clearSelection') => (id === 'clearAll' ? m.selection_clear_all() : m.selection_clear());
