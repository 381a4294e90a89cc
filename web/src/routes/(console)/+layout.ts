import { redirect } from '@sveltejs/kit';
import { ApiError } from '$lib/api/client';
import { queryClient } from '$lib/query';
import { setLabels } from '$lib/labels';
import { labelsQuery, meQuery } from '$lib/session';
import { getLocale, setLocale, type Locale } from '$lib/paraglide/runtime.js';

export async function load({ url }) {
  try {
    const [me, labels] = await Promise.all([queryClient.fetchQuery(meQuery), queryClient.fetchQuery(labelsQuery)]);
    setLabels(labels);
    // The language saved for this user wins over this browser's last choice (this reloads once).
    if (me.locale !== getLocale()) setLocale(me.locale as Locale);
    return { me };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) redirect(307, `/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`);
    throw error;
  }
}
