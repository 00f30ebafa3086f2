// Builds the web client into web/dist (run by `npm ci` through postinstall). An install
// without dev dependencies (the Docker image's runtime stage) has no Vite and skips it.
const vite = await import('vite').catch(() => undefined);
if (!vite) {
  console.error('web client: Vite is not installed (production install); web/dist is used as it is');
  process.exit(0);
}
await vite.build({ configFile: new URL('../web/vite.config.ts', import.meta.url).pathname, logLevel: 'warn' });
