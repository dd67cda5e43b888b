// `vigil` command line: `vigil serve` runs the whole app headless and serves it to a browser.
import { join } from 'node:path';
import { startAppNode } from '../core/app-node.js';
import { projectRoot } from '../paths.js';
import { startServer } from '../server/http-server.js';
import { MODELS_USAGE, modelsCommand } from './models-command.js';
import { isHelp, parseOrUsage, UsageError } from './usage.js';

const SERVE_USAGE = `usage: vigil serve [--host H] [--port P] [--token T]
  runs the whole app headless and serves it to a browser
  --host   address to bind (default 127.0.0.1; any other address needs --token)
  --port   TCP port (default 4780; 0 picks a free one)
  --token  access token every request and socket must carry (or set VIGIL_TOKEN)`;

const USAGE = `usage: vigil <command> [options]
commands:
  serve    run the app headless for a browser (vigil serve --help)
  models   list, add or import detectors (vigil models --help)
  help     this text

${SERVE_USAGE}

${MODELS_USAGE}`;

async function serve(argv: string[]): Promise<void> {
  const { values } = parseOrUsage(
    { args: argv, options: { host: { type: 'string' }, port: { type: 'string' }, token: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true },
    SERVE_USAGE,
  );
  if (values.help) {
    process.stdout.write(`${SERVE_USAGE}\n`);
    return;
  }
  const port = values.port === undefined ? 4780 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a number from 0 to 65535, not '${values.port}'`);
  const token = values.token ?? process.env.VIGIL_TOKEN;
  const node = await startAppNode({ mode: 'serve' });
  let server;
  try {
    server = await startServer({ services: node.services, host: values.host, port, token, staticDir: join(projectRoot(), 'dist', 'renderer'), mediaDir: node.mediaDir });
  } catch (e) {
    await node.close();
    throw e;
  }
  process.stdout.write(`Vigil is serving on ${server.url}\n`);
  process.stdout.write(`workspace: ${node.workspace.path}\n`);
  const shutdown = async () => {
    await server.close();
    await node.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'serve':
        await serve(rest);
        return 0;
      case 'models':
        return await modelsCommand(rest);
      case undefined:
        process.stderr.write(`${USAGE}\n`);
        return 2;
      default:
        if (isHelp(cmd)) {
          process.stdout.write(`${USAGE}\n`);
          return 0;
        }
        process.stderr.write(`vigil: unknown command '${cmd}'\n${USAGE}\n`);
        return 2;
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`vigil: ${e.message}\n${e.usage}\n`);
      return 2;
    }
    process.stderr.write(`vigil: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
