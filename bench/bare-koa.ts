/** The baseline: a bare Koa app answering a small JSON body, started as its own process. */
import Koa from 'koa';

const app = new Koa();
app.use((ctx) => {
  ctx.body = { id: '00000000-0000-0000-0000-000000000000', email: 'bench@example.test', role: 'user' };
});
const server = app.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
