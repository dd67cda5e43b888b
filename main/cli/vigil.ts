// `vigil` command line: `vigil serve` runs the whole app headless and serves it to a browser.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startAppNode } from '../core/app-node.js';
import { projectRoot, restrictUmask } from '../paths.js';
import { startServer } from '../server/http-server.js';
import { EXPORT_USAGE, exportCommand } from './export-command.js';
import { MODELS_USAGE, modelsCommand } from './models-command.js';
import { isHelp, parseOrUsage, UsageError } from './usage.js';
import { brokerUrlProblem, parseBrokerUrl } from '../workspace/broker-url.js';

const SERVE_USAGE = `usage: vigil serve [--host H] [--port P] [--token-file F] [--models-dir D]... [--allowed-host N]... [--one-time-link] [--mqtt URL]
  runs the whole app headless and serves it to a browser
  --host           address to bind (default 127.0.0.1; any other address needs an access token)
  --port           TCP port (default 4780; 0 picks a free one)
  --token-file     file holding the access token every request and socket must carry (or set VIGIL_TOKEN);
                   the token is never printed and never taken from the command line
  --models-dir     a folder API calls may read model files from (besides $VIGIL_HOME/import); repeatable
  --allowed-host   a host name this node may be reached by besides its address (a LAN name, a proxy); repeatable
  --one-time-link  print a link that signs one browser in (valid once, for 10 minutes)
  --mqtt           publish events to this MQTT broker for this run: mqtt://[user@]host[:port] or mqtts://…
                   (topics: docs/MQTT.md); the password comes from the workspace setting, never the command line`;

const USAGE = `usage: vigil <command> [options]
commands:
  serve    run the app headless for a browser (vigil serve --help)
  models   list, add or import detectors (vigil models --help)
  export   recorded video as MP4, tracks or events as CSV/JSON (vigil export --help)
  help     this text

${SERVE_USAGE}

${MODELS_USAGE}

${EXPORT_USAGE}`;

/** The access token and where it came from, never from argv (visible to every user in `ps`). */
function readToken(file: string | undefined): { token: string; source: string } | undefined {
  if (file !== undefined) {
    let st;
    try {
      st = statSync(file);
    } catch {
      throw new Error(`--token-file ${file} does not exist — write a long random token into it (e.g. openssl rand -base64 32 > ${file}; chmod 600 ${file})`);
    }
    if (!st.isFile()) throw new Error(`--token-file ${file} is not a file`);
    if ((st.mode & 0o077) !== 0) throw new Error(`--token-file ${file} is readable by other users — run: chmod 600 ${file}`);
    const token = readFileSync(file, 'utf8').trim();
    if (!token) throw new Error(`--token-file ${file} is empty — write the access token into it`);
    return { token, source: `the file ${file}` };
  }
  const env = process.env.VIGIL_TOKEN?.trim();
  return env ? { token: env, source: 'the VIGIL_TOKEN environment variable' } : undefined;
}

/** --mqtt: a broker URL without a password (a password on the command line is visible to every user in `ps`). */
function checkMqttUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const problem = brokerUrlProblem(url);
  if (problem) throw new Error(`--mqtt ${problem}`);
  if (parseBrokerUrl(url).password !== null) {
    throw new Error(
      '--mqtt must not carry a password: the command line is visible to every user in `ps` — store it in the workspace (Settings, or settings.update {mqtt: {password}}) and pass mqtt://user@host:port',
    );
  }
  return url;
}

async function serve(argv: string[]): Promise<void> {
  if (argv.some((a) => a === '--token' || a.startsWith('--token='))) {
    throw new Error(
      '--token is not accepted: a token on the command line is visible to every user in `ps` — put it in a file and pass --token-file FILE (or set VIGIL_TOKEN)',
    );
  }
  const { values } = parseOrUsage(
    {
      args: argv,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'token-file': { type: 'string' },
        'models-dir': { type: 'string', multiple: true },
        'allowed-host': { type: 'string', multiple: true },
        'one-time-link': { type: 'boolean' },
        mqtt: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    },
    SERVE_USAGE,
  );
  if (values.help) {
    process.stdout.write(`${SERVE_USAGE}\n`);
    return;
  }
  const port = values.port === undefined ? 4780 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a number from 0 to 65535, not '${values.port}'`);
  const access = readToken(values['token-file']);
  const modelsDirs = (values['models-dir'] ?? []).map((d) => resolve(d));
  for (const d of modelsDirs) if (!existsSync(d) || !statSync(d).isDirectory()) throw new Error(`--models-dir ${d} is not a folder`);
  const mqttUrl = checkMqttUrl(values.mqtt);
  restrictUmask();
  const node = await startAppNode({ mode: 'serve', modelsDirs, ...(mqttUrl ? { mqttUrl } : {}) });
  let server;
  try {
    server = await startServer({
      services: node.services,
      host: values.host,
      port,
      token: access?.token,
      allowedHosts: values['allowed-host'] ?? [],
      staticDir: join(projectRoot(), 'dist', 'renderer'),
      mediaDir: node.mediaDir,
    });
  } catch (e) {
    await node.close();
    throw e;
  }
  process.stdout.write(`Vigil is serving on ${server.url}\n`);
  if (access) {
    process.stdout.write(
      `access token: from ${access.source}; a browser signs in once with ${server.url}?token=<token>${values['one-time-link'] ? '' : ' (or start with --one-time-link)'}\n`,
    );
    if (values['one-time-link']) process.stdout.write(`one-time sign-in link (valid once, 10 minutes): ${server.oneTimeLink()}\n`);
  }
  process.stdout.write(`workspace: ${node.workspace.path}\n`);
  const mqtt = node.mqtt.status();
  if (mqtt.state !== 'off' && mqtt.broker) process.stdout.write(`MQTT: publishing to ${mqtt.broker} (topics: docs/MQTT.md)\n`);
  process.stdout.write(`model files for the API: ${node.modelFiles.describe}\n`);
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
      case 'export':
        return await exportCommand(rest);
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
