// The installed models as the services see them: the generated defaults plus the operator's own
// (main/models), summarised for the renderer and resolved to manifest paths for the engine.
import type { ModelSummary } from '../api/contract.js';
import { defaultModelName, listModels, type ListedModel } from '../models/store.js';

export class ModelCatalog {
  constructor(private readonly workspaceDefault: () => string | null) {}

  private valid(): (ListedModel & { manifest: NonNullable<ListedModel['manifest']> })[] {
    return listModels().filter((m): m is ListedModel & { manifest: NonNullable<ListedModel['manifest']> } => !!m.manifest);
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
    return this.valid().map(({ manifest }) => ({
      name: manifest.name,
      title: manifest.title ?? manifest.name,
      parser: manifest.parser,
      input: { width: manifest.input.width, height: manifest.input.height },
      labels: manifest.labels,
      isDefault: manifest.name === def,
    }));
  }
}
