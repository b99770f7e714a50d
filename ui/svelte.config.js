import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // A single-page app: Tauri serves index.html and the client router does the rest.
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true }),
    // One script and one stylesheet: every module the webview fetches at start is a round trip
    // through Tauri's asset protocol, and the first screen needs nearly all of them anyway.
    output: { bundleStrategy: 'single' }
  }
};

export default config;
