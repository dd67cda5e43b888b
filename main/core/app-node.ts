// Assembles one Vigil node: workspace, engine supervisor and control, recorder, services. The
// Electron shell and `vigil serve` both start exactly this, then attach their own transport.
import { join } from 'node:path';
import { EngineSupervisor, type EngineLauncher } from '../engine/supervisor.js';
import { projectRoot } from '../paths.js';
import type { SecretCipher } from '../workspace/secrets.js';
import { dataHome, demoWorkspace, WorkspaceStore } from '../workspace/workspace-store.js';
import { EngineControl } from './engine-control.js';
import { ModelCatalog } from './model-catalog.js';
import { createServices, type Services } from './services.js';

export interface AppNode {
  services: Services;
  supervisor: EngineSupervisor;
  workspace: WorkspaceStore;
  control: EngineControl;
  home: string;
  close(): Promise<void>;
}

export interface AppNodeOptions {
  mode: 'desktop' | 'serve';
  launcher?: EngineLauncher;
  /** Desktop: Electron's user-data folder and safeStorage cipher. */
  userData?: string;
  cipher?: SecretCipher;
  log?: (line: string) => void;
}

export function startAppNode(options: AppNodeOptions): AppNode {
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const home = dataHome(options.userData);
  let workspace: WorkspaceStore | null = null;
  const models = new ModelCatalog(
    [join(projectRoot(), '.vigil', 'models'), join(home, 'models')],
    () => workspace?.get().defaultModel ?? null,
  );
  workspace = new WorkspaceStore({ home, seed: demoWorkspace, knownModels: () => models.names(), ...(options.cipher ? { cipher: options.cipher } : {}) });
  const supervisor = new EngineSupervisor(options.launcher ? { launcher: options.launcher } : {});
  supervisor.on('status', (s) => {
    if (s.state === 'failed' || s.state === 'restarting') log(`[engine] ${s.state}: ${s.error ?? ''}`);
  });
  supervisor.on('gap', (g) => log(`[engine] back after ${((g.to ?? Date.now()) - g.from) / 1000} s (${g.reason})`));
  const control = new EngineControl(supervisor, workspace, (name) => models.resolve(name));
  control.on('log', log);
  const services = createServices({ mode: options.mode, supervisor, workspace, control, models, dataDir: home });
  supervisor.start();
  return {
    services,
    supervisor,
    workspace,
    control,
    home,
    async close() {
      await services.close();
      await supervisor.stop();
    },
  };
}
