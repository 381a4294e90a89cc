import { ApiError, type Problem } from '$lib/api/client';

/**
 * Uploads one file as multipart/form-data (a part named `file`), which the browser encodes itself: the
 * typed client is for JSON. Failures throw the server's problem as an ApiError, like the typed client.
 */
export async function uploadFile<T = unknown>(url: string, file: File): Promise<T> {
  const form = new FormData();
  form.append('file', file);
  const response = await fetch(url, { method: 'POST', body: form });
  if (!response.ok) throw new ApiError({ ...((await response.json().catch(() => ({}))) as Problem), status: response.status });
  return (await response.json()) as T;
}
