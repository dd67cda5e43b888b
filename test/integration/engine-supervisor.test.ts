import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineStatus } from '../../main/api/contract.js';
import type { EngineStreamStats } from '../../main/api/engine-types.js';
import type { EngineEvent } from '../../main/engine/protocol.js';
import { EngineSupervisor } from '../../main/engine/supervisor.js';
import { projectRoot } from '../../main/paths.js';
import { DEFAULT_ENGINE } from '../../main/workspace/model.js';

const gstVersion = execFileSync('pkg-config', ['--modversion', 'gstreamer-1.0'], { encoding: 'utf8' }).trim();

describe('engine supervisor (real engine process, real addon)', () => {
  let supervisor: EngineSupervisor | null = null;
  afterEach(async () => {
    await supervisor?.stop();
    supervisor = null;
  });

  it('loads the native addon in a separate process and reports the real versions', async () => {
    supervisor = new EngineSupervisor();
    supervisor.start();
    const info = await supervisor.ready();
    expect(info.gstreamerVersion).toBe(`GStreamer ${gstVersion}`);
    expect(info.onnxRuntimeVersion).toMatch(/^1\.29\./);
    expect(info.executionProviders).toContain('CPUExecutionProvider');
    expect(supervisor.status().pid).not.toBe(process.pid);
    const again = await supervisor.request('engineInfo', {});
    expect(again.onnxRuntimeVersion).toBe(info.onnxRuntimeVersion);
  });

  it('is back within 3 s after the engine process is killed with SIGKILL, and records the gap', async () => {
    supervisor = new EngineSupervisor();
    supervisor.start();
    await supervisor.ready();
    const pid = supervisor.status().pid;
    expect(pid).toBeTypeOf('number');
    const killedAt = Date.now();
    process.kill(pid!, 'SIGKILL');
    const back = await new Promise<EngineStatus>((resolve) => {
      const onStatus = (s: EngineStatus) => {
        if (s.state === 'running' && s.pid !== pid) {
          supervisor!.off('status', onStatus);
          resolve(s);
        }
      };
      supervisor!.on('status', onStatus);
    });
    expect(Date.now() - killedAt).toBeLessThan(3_000);
    expect(back.restarts).toBe(1);
    const gaps = supervisor.gaps;
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.reason).toMatch(/SIGKILL/);
    expect(gaps[0]!.to).not.toBeNull();
  });

  it("passes a camera's motion gating to the engine and reports the inferences it saved", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-motion-'));
    try {
      const fixtures = JSON.parse(execFileSync(join(projectRoot(), 'native', 'build', 'vigil-engine'), ['fixtures', dir], { encoding: 'utf8' })) as {
        manifest: string;
      };
      supervisor = new EngineSupervisor();
      supervisor.start();
      await supervisor.ready();
      await supervisor.request('configure', { settings: { ...DEFAULT_ENGINE, batchSize: 2 }, defaultModel: fixtures.manifest });
      const latest = new Map<string, EngineStreamStats>();
      supervisor.on('event', (e: EngineEvent) => {
        if (e.kind === 'stats') for (const s of e.stats) latest.set(s.camera, s);
      });
      // Two still pictures: one camera gated, one not.
      const still = 'test://solid-color?width=320&height=240&fps=30&live=false';
      const spec = { uri: still, loop: false, realtime: false, detectFps: 0, model: null, analytics: null, record: null };
      await supervisor.request('addSource', { ...spec, id: 'gated', motionSensitivity: 50 });
      await supervisor.request('addSource', { ...spec, id: 'plain', motionSensitivity: 0 });
      const end = Date.now() + 20_000;
      while (Date.now() < end && (latest.get('gated')?.inferencesSaved ?? 0) < 0.8) await new Promise((r) => setTimeout(r, 100));
      expect(latest.get('gated')?.inferencesSaved).toBeGreaterThanOrEqual(0.8);
      expect(latest.get('plain')?.inferencesSaved).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails loudly, without fake data, when the addon cannot be loaded', async () => {
    supervisor = new EngineSupervisor({ env: { ...process.env, VIGIL_ADDON: '/nonexistent/vigil_engine.node' } });
    supervisor.start();
    await expect(supervisor.ready()).rejects.toThrow(/native engine not found at \/nonexistent\/vigil_engine.node/);
    const s = supervisor.status();
    expect(s.state).toBe('failed');
    expect(s.info).toBeNull();
    await expect(supervisor.request('engineInfo', {})).rejects.toThrow(/not running/);
  });
});
