/** Coins have no minor unit; ISO currencies have the digits Intl knows (2 for USD, 0 for JPY). */
const OWN_EXPONENTS: Record<string, number> = { COIN: 0 };

export function exponent(currency: string): number {
  if (currency in OWN_EXPONENTS) return OWN_EXPONENTS[currency]!;
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** An amount in minor units as people read it: `1,234.50 US$` style by locale; coins as a plain count. */
export function formatMoney(minor: number, currency: string, locale: string): string {
  const digits = exponent(currency);
  const major = minor / 10 ** digits;
  if (currency === 'COIN') return `${new Intl.NumberFormat(locale).format(major)} COIN`;
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(major);
  } catch {
    return `${new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(major)} ${currency}`;
  }
}

/**
 * A typed amount ("12.5", "-3", "1 000,25") in minor units, exactly (no floating point); undefined when it
 * is not a number or has more decimals than the currency allows.
 */
export function toMinor(input: string, currency: string): number | undefined {
  const digits = exponent(currency);
  const cleaned = input
    .trim()
    .replace(/[\s\u00a0_]/g, '')
    .replace(',', '.');
  const match = /^(-?)(\d+)(?:\.(\d*))?$/.exec(cleaned);
  if (!match) return undefined;
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > digits) return undefined;
  const minor = Number(whole! + fraction.padEnd(digits, '0'));
  if (!Number.isSafeInteger(minor)) return undefined;
  return sign ? -minor : minor;
}
