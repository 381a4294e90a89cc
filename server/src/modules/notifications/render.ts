import { IntlMessageFormat } from 'intl-messageformat';
import { LOCALES, type Locale } from '../../core/labels.ts';
import type { NotificationKindDef, NotificationParam } from '../../core/notifications.ts';

const compiled = new Map<string, IntlMessageFormat>();

export function compile(source: string, locale: Locale): IntlMessageFormat {
  const key = `${locale}\u0000${source}`;
  let message = compiled.get(key);
  if (!message) compiled.set(key, (message = new IntlMessageFormat(source, locale)));
  return message;
}

export const localeOf = (value: string | null | undefined): Locale => ((LOCALES as readonly string[]).includes(value ?? '') ? (value as Locale) : 'en');

/**
 * A kind's title and body in one language, its ICU MessageFormat templates filled with the parameters
 * (plural rules of that language included); a parameter given per language (`{ en, ru }`) gives that language's text.
 */
export function render(kind: NotificationKindDef, locale: Locale, params: Record<string, NotificationParam>): { title: string; body: string } {
  const values = Object.fromEntries(Object.entries(params).map(([name, value]) => [name, typeof value === 'object' ? value[locale] : value]));
  const template = kind.templates[locale];
  const text = (source: string) => String(compile(source, locale).format(values));
  return { title: text(template.title), body: text(template.body) };
}
