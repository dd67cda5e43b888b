// Set-up must pick up where an interrupted or failed run stopped (a newcomer's first `npm test` that
// was cut short must never leave them stuck). These check the decisions on real folders.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SetupStepError, STEPS, nativeConfigureNeeded, npmFingerprint, npmInstallNeeded } from '../../scripts/setup.mjs';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-setup-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('npm packages', () => {
  beforeEach(() => {
    writeFileSync(join(dir, 'package.json'), '{"name":"x"}');
    writeFileSync(join(dir, 'package-lock.json'), '{"lockfileVersion":3}');
  });

  it('installs when node_modules is missing', () => {
    expect(npmInstallNeeded(dir)).toMatch(/missing/);
  });

  it('reinstalls a partial node_modules that set-up never completed', () => {
    mkdirSync(join(dir, 'node_modules', 'half-unpacked'), { recursive: true });
    expect(npmInstallNeeded(dir)).toMatch(/not completed/);
  });

  it('keeps a complete node_modules, and reinstalls when the lock file changes', () => {
    mkdirSync(join(dir, 'node_modules'));
    mkdirSync(join(dir, '.vigil'));
    writeFileSync(join(dir, '.vigil', 'npm-installed'), `${npmFingerprint(dir)}\n`);
    expect(npmInstallNeeded(dir)).toBeNull();
    writeFileSync(join(dir, 'package-lock.json'), '{"lockfileVersion":3,"packages":{}}');
    expect(npmInstallNeeded(dir)).toMatch(/changed/);
  });

  it("reinstalls when package.json's dependencies change, not when only its scripts do", () => {
    mkdirSync(join(dir, 'node_modules'));
    mkdirSync(join(dir, '.vigil'));
    writeFileSync(join(dir, '.vigil', 'npm-installed'), `${npmFingerprint(dir)}\n`);
    writeFileSync(join(dir, 'package.json'), '{"name":"x","scripts":{"bench:new":"node bench.mjs"}}');
    expect(npmInstallNeeded(dir)).toBeNull();
    writeFileSync(join(dir, 'package.json'), '{"name":"x","devDependencies":{"eslint":"^10.0.0"}}');
    expect(npmInstallNeeded(dir)).toMatch(/changed/);
  });
});

describe('native build folder', () => {
  const source = '/src/vigil/native';

  it('configures a folder that was never configured', () => {
    expect(nativeConfigureNeeded(join(dir, 'build'), source)).toMatch(/not configured/);
  });

  it('configures again when an earlier configure stopped after writing its cache', () => {
    writeFileSync(join(dir, 'CMakeCache.txt'), `CMAKE_HOME_DIRECTORY:INTERNAL=${source}\n`);
    expect(nativeConfigureNeeded(dir, source)).toMatch(/did not finish/);
  });

  it('keeps a complete folder of this checkout, and reconfigures one of another checkout', () => {
    writeFileSync(join(dir, 'CMakeCache.txt'), `CMAKE_HOME_DIRECTORY:INTERNAL=${source}\n`);
    writeFileSync(join(dir, 'Makefile'), 'all:\n');
    expect(nativeConfigureNeeded(dir, source)).toBeNull();
    expect(nativeConfigureNeeded(dir, '/elsewhere/native')).toMatch(/another checkout/);
  });
});

describe('a failed step', () => {
  it('names the step and the command that retries it', () => {
    const step = (STEPS as { name: string; retry: string }[]).find((s) => s.name === 'native engine');
    if (!step) throw new Error("set-up has no step named 'native engine'");
    const message = new SetupStepError(step, new Error("'cmake --build native/build' failed (exit code 2)")).message;
    expect(message).toContain("step 'native engine' failed");
    expect(message).toContain('cmake --build native/build');
    expect(message).toMatch(/run the same command again/);
  });

  it('has a retry command for every step', () => {
    for (const s of STEPS as { name: string; retry: string }[]) expect(s.retry, s.name).toMatch(/\S/);
  });
});
