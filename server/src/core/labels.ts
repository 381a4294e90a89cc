import { Type, type TLiteral, type TUnion } from '@sinclair/typebox';

/** The console's languages; every label a module declares has a text in each. */
export const LOCALES = ['en', 'ru'] as const;
export type Locale = (typeof LOCALES)[number];

/** A text in every console language. */
export type Text = Record<Locale, string>;
/** The schema of a `Text`, for routes that answer with one. */
export const Text = Type.Object({ en: Type.String(), ru: Type.String() });

/**
 * The colour a code is shown in (a Carbon `Tag` type). One meaning per colour, so a colour reads the same on
 * every page:
 * - `green`: in effect, went well (an active person, a paid payout, a posted hold, an approved file);
 * - `blue`: waiting for someone (requested, pending review, a pending hold);
 * - `teal`: decided, the next step still to come (an approved payout not yet paid);
 * - `red`: stopped or refused (blocked, suspended, rejected, disabled);
 * - `gray`: over, no longer in play (closed, cancelled, voided, expired, deleted);
 * - `purple`: made by the system rather than a person (an automatic payout, no review required);
 * - `warm-gray`: a neutral kind, not a state (the default for codes that carry no tone).
 */
export const TONES = ['green', 'blue', 'teal', 'red', 'gray', 'purple', 'warm-gray'] as const;
export type Tone = (typeof TONES)[number];

/** A code's label: its text in every language, and for a status the colour it shows in. */
export interface Label extends Text {
  tone?: Tone;
}

/** One set of codes the API sends (`person_status`, `transfer_kind`), with their labels. */
export interface CodeSet<K extends string = string> {
  /** The set's name: what the console asks by (`codeLabel('person_status', 'active')`). */
  set: string;
  codes: Record<K, Label>;
  /** The codes, in the declared order. */
  values: [K, ...K[]];
  /** The codes as a TypeBox union of literals, for request and response schemas. */
  schema: TUnion<TLiteral<K>[]>;
}

/**
 * Declares a set of codes with their labels, beside the schema that uses them:
 * `export const PersonStatuses = defineCodes('person_status', { active: { en: 'Active', ru: 'Активен', tone: 'green' }, … })`;
 * `PersonStatuses.schema` is the TypeBox union, `PersonStatuses.values` the tuple for a Drizzle enum. The
 * module lists it in its manifest's `codes`, and the console shows the code by its label
 * (`GET /api/console/labels`). Several modules may add codes to one set (each its own transfer kinds).
 */
export function defineCodes<const K extends string>(set: string, codes: Record<K, Label>): CodeSet<K> {
  const values = Object.keys(codes) as K[];
  if (values.length === 0) throw new Error(`Code set ${set} is empty`);
  return { set, codes, values: values as [K, ...K[]], schema: Type.Union(values.map((value) => Type.Literal(value))) };
}

/** The client apps' platforms (devices, sign-ups): the kernel's, since several modules record them. */
export const ClientPlatforms = defineCodes('platform', {
  ios: { en: 'iOS', ru: 'iOS' },
  android: { en: 'Android', ru: 'Android' },
  web: { en: 'Web', ru: 'Веб' },
});

/** Who acted (`Actor['type']`): the kernel's own code set. */
export const ActorTypes = defineCodes('actor_type', {
  staff: { en: 'Staff', ru: 'Сотрудник' },
  member: { en: 'Member', ru: 'Участник' },
  system: { en: 'System', ru: 'Система' },
});
