// The installed models: manifests found in the generated default-models folder and the user's
// models folder. The engine receives manifest paths; the renderer sees summaries.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelSummary } from '../api/contract.js';

interface ManifestHead {
  vigilManifest?: number;
  name?: string;
  title?: string;
  parser?: string;
  input?: { width?: number; height?: number };
  labels?: string[];
}

export class ModelCatalog {
  constructor(
    private readonly dirs: string[],
    private readonly defaultName: () => string | null,
  ) {}

  private scan(): { path: string; head: ManifestHead }[] {
    const found: { path: string; head: ManifestHead }[] = [];
    for (const dir of this.dirs) {
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir)) {
        if (!f.endsWith('.json')) continue;
        try {
          const head = JSON.parse(readFileSync(join(dir, f), 'utf8')) as ManifestHead;
          if (head.vigilManifest === 1 && head.name) found.push({ path: join(dir, f), head });
        } catch {
          // not a manifest
        }
      }
    }
    return found;
  }

  names(): Set<string> {
    return new Set(this.scan().map((m) => m.head.name!));
  }

  resolve(name: string | null): string | null {
    if (!name) return null;
    return this.scan().find((m) => m.head.name === name)?.path ?? null;
  }

  list(): ModelSummary[] {
    const def = this.defaultName();
    return this.scan().map(({ head }) => ({
      name: head.name!,
      title: head.title ?? head.name!,
      parser: head.parser ?? 'unknown',
      input: { width: head.input?.width ?? 0, height: head.input?.height ?? 0 },
      labels: head.labels ?? [],
      isDefault: head.name === def,
    }));
  }
}
