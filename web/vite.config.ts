import { sveltekit } from '@sveltejs/kit/vite';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { defineConfig, type Plugin } from 'vite';

// `npm run dev` serves the console with hot reload and sends API calls to a running server.
const api = process.env.API_URL ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [
    paraglideVitePlugin({
      project: './project.inlang',
      outdir: './src/lib/paraglide',
      // The signed-in user's saved language wins once /me loads; before that, the last one used here.
      strategy: ['localStorage', 'preferredLanguage', 'baseLocale'],
    }),
    sveltekit(),
    offlineFonts(),
  ],
  server: {
    proxy: { '/api': { target: api, changeOrigin: false }, '/docs': { target: api } },
  },
  build: { chunkSizeWarningLimit: 400 },
});

/**
 * Carbon's stylesheet loads IBM Plex from IBM's CDN; the console must not call out to other sites
 * (it runs on closed networks), so those rules go and the fonts come from @fontsource instead.
 */
function offlineFonts(): Plugin {
  return {
    name: 'switchboard:offline-fonts',
    enforce: 'pre',
    transform(code, id) {
      if (!/carbon-components-svelte\/css\/[\w-]+\.css/.test(id)) return null;
      return { code: code.replace(/@font-face\s*{[^}]*}/g, (rule) => (/https?:\/\//.test(rule) ? '' : rule)), map: null };
    },
  };
}
