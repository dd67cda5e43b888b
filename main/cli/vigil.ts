// `vigil` command line: `vigil serve` runs the whole app headless and serves it to a browser.
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { startAppNode } from '../core/app-node.js';
import { projectRoot } from '../paths.js';
import { startServer } from '../server/http-server.js';
import { modelsCommand } from './models-command.js';

const USAGE = `usage: vigil serve [--host H] [--port P] [--token T]
  --host   address to bind (default 127.0.0.1; any other address needs --token)
  --port   TCP port (default 4780; 0 picks a free one)
  --token  access token every request and socket must carry (or set VIGIL_TOKEN)
       vigil models list
       vigil models add FILE.onnx [--name N] [--parser P] [--labels FILE] [--set JSON] [--dry-run]
         inspects the model, proposes a manifest (--parser/--labels/--set correct it), runs one frame, saves it
       vigil models import-nvinfer CONFIG.txt [--name N]
         imports a DeepStream nvinfer config; keys Vigil cannot honour are listed`;

async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { host: { type: 'string' }, port: { type: 'string' }, token: { type: 'string' }, help: { type: 'boolean' } },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
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
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return cmd === undefined ? 2 : 0;
      default:
        process.stderr.write(`vigil: unknown command '${cmd}'\n${USAGE}\n`);
        return 2;
    }
  } catch (e) {
    process.stderr.write(`vigil: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
