// Assembles one Vigil node: engine supervisor + services. The Electron shell and `vigil serve`
// both start exactly this, then attach their own transport.
import { EngineSupervisor, type EngineLauncher } from '../engine/supervisor.js';
import { createServices, type Services } from './services.js';

export interface AppNode {
  services: Services;
  supervisor: EngineSupervisor;
  close(): Promise<void>;
}

export interface AppNodeOptions {
  mode: 'desktop' | 'serve';
  launcher?: EngineLauncher;
  log?: (line: string) => void;
}

export function startAppNode(options: AppNodeOptions): AppNode {
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const supervisor = new EngineSupervisor(options.launcher ? { launcher: options.launcher } : {});
  supervisor.on('status', (s) => {
    if (s.state === 'failed' || s.state === 'restarting') log(`[engine] ${s.state}: ${s.error ?? ''}`);
  });
  supervisor.on('gap', (g) => log(`[engine] back after ${((g.to ?? Date.now()) - g.from) / 1000} s (${g.reason})`));
  const services = createServices({ mode: options.mode, supervisor });
  supervisor.start();
  return {
    services,
    supervisor,
    async close() {
      await services.close();
      await supervisor.stop();
    },
  };
}
