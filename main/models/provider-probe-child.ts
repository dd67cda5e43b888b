// The throwaway process of the provider guard: opens the model on each GPU provider asked for (the
// engine's own session set-up, which runs one blank batch) and prints one JSON line per provider.
// A provider that crashes takes only this process down. Usage: provider-probe-child MANIFEST cuda [tensorrt]
import { loadAddon } from '../addon/addon.js';

const [manifestPath, ...providers] = process.argv.slice(2);
const say = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);
if (!manifestPath || providers.length === 0) {
  process.stderr.write('usage: provider-probe-child MANIFEST PROVIDER...\n');
  process.exit(2);
}
const addon = loadAddon();
for (const provider of providers) {
  say({ trying: provider });
  // SIMULATION for CI, which has no GPU: the variable names a provider whose session "crashes" here.
  if (process.env.VIGIL_PROBE_SIMULATE_CRASH === provider) process.abort();
  try {
    const engine = new addon.Engine({ model: manifestPath, providers: [provider], batchSize: 1, statsIntervalMs: 0 });
    const info = engine.info();
    engine.stop();
    say({ provider, ran: info.provider, note: info.providerNote });
  } catch (e) {
    say({ provider, error: e instanceof Error ? e.message : String(e) });
  }
}
process.exit(0);
