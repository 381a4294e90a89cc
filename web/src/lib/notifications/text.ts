import type { Text } from '$lib/labels';
import { getLocale } from '$lib/paraglide/runtime.js';

/** A text the API gives in every console language (a send's title and body), in the console's. */
export const localText = (text: Text): string => (getLocale() === 'ru' ? text.ru : text.en);
