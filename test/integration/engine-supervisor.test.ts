import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineStatus } from '../../main/api/contract.js';
import { EngineSupervisor } from '../../main/engine/supervisor.js';

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
