// Builds the web client into web/dist (run by `npm ci` through postinstall). An install
// without dev dependencies (the Docker image's runtime stage) has no Vite and skips it.
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const vite = await import('vite').catch(() => undefined);
if (!vite) {
  console.error('web client: Vite is not installed (production install); web/dist is used as it is');
  process.exit(0);
}
await vite.build({ configFile: new URL('../web/vite.config.ts', import.meta.url).pathname, logLevel: 'warn' });

// Compressed copies of the text assets, made once here rather than on every request:
// koa-send serves `x.js.br` or `x.js.gz` to a browser that accepts them (api/web-client.ts).
const [gzip, brotli] = [promisify(zlib.gzip), promisify(zlib.brotliCompress)];
const dist = new URL('../web/dist', import.meta.url).pathname;
const assets = fs.readdirSync(path.join(dist, 'assets')).map((f) => path.join('assets', f));
for (const file of [...assets, 'index.html'].filter((f) => /\.(js|css|html|svg)$/.test(f))) {
  const data = fs.readFileSync(path.join(dist, file));
  fs.writeFileSync(path.join(dist, `${file}.gz`), await gzip(data, { level: 9 }));
  fs.writeFileSync(path.join(dist, `${file}.br`), await brotli(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }));
}
