// The console is a client-side app: the server only serves its files and the API.
export const ssr = false;
export const prerender = false;
