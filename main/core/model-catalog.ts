// The installed models as the services see them: the generated defaults plus the operator's own
// (main/models), summarised for the renderer and resolved to manifest paths for the engine.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelSummary, ProviderDemotion } from '../api/contract.js';
import { demotionWords } from '../models/first-load-guard.js';
import { defaultModelName, listModels, modelDirs, type ListedModel } from '../models/library.js';

type ValidModel = ListedModel & { manifest: NonNullable<ListedModel['manifest']> };

/** What the manifest folders hold: names and modification times (a change in either re-reads them). */
function folderSignature(): string {
  const parts: string[] = [];
  for (const dir of modelDirs()) {
    parts.push(dir);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort()) {
      const st = statSync(join(dir, f), { throwIfNoEntry: false });
      parts.push(`${f}:${st?.mtimeMs ?? 0}:${st?.size ?? 0}`);
    }
  }
  return parts.join('|');
}

export class ModelCatalog {
  private cache: { signature: string; models: ValidModel[] } | null = null;

  constructor(
    private readonly workspaceDefault: () => string | null,
    /** What the engine's provider guard demoted at first load, by model name (none: only install-time findings). */
    private readonly demoted: () => ReadonlyMap<string, ProviderDemotion> = () => new Map(),
  ) {}

  /** The valid manifests, read again only when a manifest file appears, goes or changes. */
  private valid(): ValidModel[] {
    const signature = folderSignature();
    if (this.cache?.signature !== signature) {
      this.cache = { signature, models: listModels().filter((m): m is ValidModel => !!m.manifest) };
    }
    return this.cache.models;
  }

  /** The workspace's choice, else the shipped default. */
  defaultName(): string | null {
    const chosen = this.workspaceDefault();
    if (chosen) return chosen;
    try {
      return defaultModelName();
    } catch {
      return null;
    }
  }

  names(): Set<string> {
    return new Set(this.valid().map((m) => m.manifest.name));
  }

  resolve(name: string | null): string | null {
    const wanted = name ?? this.defaultName();
    if (!wanted) return null;
    return this.valid().find((m) => m.manifest.name === wanted)?.manifestPath ?? null;
  }

  list(): ModelSummary[] {
    const def = this.defaultName();
    const demoted = this.demoted();
    return this.valid().map(({ manifest, providerNote }) => {
      const firstLoad = demoted.get(manifest.name);
      const note = firstLoad ? demotionWords(firstLoad) : providerNote;
      return {
        name: manifest.name,
        title: manifest.title ?? manifest.name,
        parser: manifest.parser,
        input: { width: manifest.input.width, height: manifest.input.height },
        labels: manifest.labels,
        isDefault: manifest.name === def,
        ...(note ? { providerNote: note } : {}),
      };
    });
  }
}
