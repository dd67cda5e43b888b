// The model catalog the services use: reads the manifest folders once and again only when a manifest
// appears, goes or changes (workspace views and every camera's start ask it).
import { mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelCatalog } from '../../../main/core/model-catalog.js';
import { generatedModelsDir } from '../../../main/paths.js';

let userDir = '';
const saved = process.env.VIGIL_USER_MODELS_DIR;
beforeEach(() => {
  userDir = mkdtempSync(join(tmpdir(), 'vigil-catalog-'));
  process.env.VIGIL_USER_MODELS_DIR = userDir;
});
afterEach(() => {
  if (saved === undefined) delete process.env.VIGIL_USER_MODELS_DIR;
  else process.env.VIGIL_USER_MODELS_DIR = saved;
  rmSync(userDir, { recursive: true, force: true });
});

function userManifest(name: string): string {
  // the FP32 file only: a manifest naming an FP16 variant (fp16File) that is not beside it is invalid
  const { fp16File: _fp16File, ...base } = JSON.parse(readFileSync(join(generatedModelsDir(), 'nanodet-coco.json'), 'utf8')) as Record<string, unknown>;
  const file = join(userDir, `${name}.json`);
  symlinkSync(join(generatedModelsDir(), String(base.file)), join(userDir, `${name}.onnx`));
  writeFileSync(file, JSON.stringify({ ...base, name, file: `${name}.onnx` }));
  return file;
}

describe('model catalog', () => {
  it('answers from its cache until a manifest appears, changes or goes', () => {
    const catalog = new ModelCatalog(() => null);
    const first = catalog.list();
    expect(first.some((m) => m.name === 'nanodet-coco')).toBe(true);
    expect(catalog.list()).toEqual(first);
    expect(catalog.names().has('mine')).toBe(false);

    const file = userManifest('mine');
    const fixed = new Date(1_700_000_000_000);
    utimesSync(file, fixed, fixed);
    expect(catalog.names().has('mine')).toBe(true);
    expect(catalog.resolve('mine')).toBe(file);

    // Same name, size and time: the catalog does not read the folder again (the cache answers).
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('"name":"mine"', '"name":"mind"'));
    utimesSync(file, fixed, fixed);
    expect(catalog.names().has('mine')).toBe(true);
    expect(catalog.names().has('mind')).toBe(false);
    writeFileSync(file, text);

    // Edited in place (same name, new content and time): read again.
    const edited = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...edited, title: 'My detector, retitled' }));
    const later = new Date(Date.now() + 5_000);
    utimesSync(file, later, later);
    expect(catalog.list().find((m) => m.name === 'mine')?.title).toBe('My detector, retitled');

    unlinkSync(file);
    expect(catalog.names().has('mine')).toBe(false);
    expect(catalog.resolve('mine')).toBeNull();
  });
});
